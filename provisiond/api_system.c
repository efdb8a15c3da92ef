// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_system.c - /, /v1/health and /v1/system.  (/v1/usage is
 * api_usage.c's.)
 */
#include <string.h>

#include "api.h"
#include "db.h"
#include "reconcile.h"
#include "tls.h"
#include "version.h"
#include "volume.h"

struct api_settings api_settings;

/*
 * GET /: what answers on the appliance's address (port 80) and where its
 * API is, for someone who opens it in a browser or a script probing it.
 * No token; nothing that is not public (the build's version is in the
 * admin's GET /v1/system).
 */
int index_get(struct request *req)
{
	return req_reply(req, 200, json_pack("{s:s, s:s, s:s, s:s}",
					     "service", "provisiond",
					     "api_version", API_VERSION,
					     "api", "/v1",
					     "health", "/v1/health"));
}

int health_get(struct request *req)
{
	return req_reply(req, 200, json_pack("{s:s}", "status", "ok"));
}

/* The volume pool as GET /v1/system shows it. */
static json_t *volume_pool_json(struct request *req)
{
	uint64_t size = 0, avail = 0;
	char why[256];
	bool space;
	json_t *pool;

	volume_pool_check();
	space = volume_pool_space(&size, &avail, why, sizeof(why)) == 0;
	pool = json_pack("{s:s, s:s, s:b, s:s?, s:f, s:I}",
			 "path", volume_settings.pool,
			 "store", volume_settings.store->name,
			 "usable", volume_settings.pool_ok,
			 "problem", volume_settings.pool_ok ? NULL : volume_settings.pool_problem,
			 "overcommit", volume_settings.overcommit,
			 "provisioned_bytes",
			 (json_int_t)db_int(req->db, "SELECT coalesce(sum(size_bytes), 0)"
						     " FROM volumes", 0));
	json_object_set_new(pool, "size_bytes", space ? json_integer((json_int_t)size)
						      : json_null());
	json_object_set_new(pool, "free_bytes", space ? json_integer((json_int_t)avail)
						      : json_null());
	return pool;
}

int system_get(struct request *req)
{
	char started[TIME_STR_LEN];

	const char *fingerprint = api_settings.tls_fingerprint;

	time_format(api_settings.started_at, started);
	return req_reply(req, 200, json_pack("{s:s, s:s, s:i, s:s, s:o, s:{s:b, s:s?}, s:o}",
					     "version", PROVISIOND_VERSION,
					     "hv_backend", api_settings.hv_backend,
					     "schema_version", api_settings.schema_version,
					     "started_at", started,
					     "reconcile", reconcile_report(),
					     "tls", "enabled", fingerprint[0] != '\0',
					     "fingerprint_sha256",
					     fingerprint[0] ? fingerprint : NULL,
					     "volume_pool", volume_pool_json(req)));
}

/*
 * POST /v1/system/tls-certificate: the hoster's own certificate, checked
 * (it parses, the key is its own, it is valid now) and kept to be served
 * from provisiond's next start: a restart, not this request, swaps what
 * live connections see.  Only with TLS on (the files are its settings).
 */
int tls_certificate_upload(struct request *req)
{
	char fingerprint[TLS_FINGERPRINT_LEN], why[512];
	const char *field;

	if (!api_settings.tls_cert_path)
		return req_error(req, 409, "invalid_state",
				 "TLS is off (tls = off): provisiond serves no certificate;"
				 " set tls_cert and tls_key in its config instead");
	if (tls_store_pending(api_settings.tls_cert_path, api_settings.tls_key_path,
			      body_str(req, "certificate"), body_str(req, "private_key"),
			      fingerprint, why, sizeof(why)) < 0) {
		/* tls_check says which ("certificate: ...", "private key:
		 * ...", "the private key is not ..."): name the field so. */
		const char *what = why;

		field = strstr(why, "private key") ? "private_key" : "certificate";
		if (strncmp(why, "certificate: ", 13) == 0 ||
		    strncmp(why, "private key: ", 13) == 0)
			what = why + 13;
		return req_field_error(req, field, "%s: %s", field, what);
	}
	return req_reply(req, 200, json_pack("{s:s, s:s}",
					     "fingerprint_sha256", fingerprint,
					     "served_from", "next_start"));
}
