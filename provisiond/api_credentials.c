// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_credentials.c - root passwords and SSH keys in requests (server
 * create, reinstall, reset-password), for the seed a server boots with.
 *
 * The password is checked and hashed here (yescrypt, credentials.c) and
 * only its hash is stored, in the server's row; it never goes into a
 * job's parameters (customers read those), an audit entry, a log line or
 * an answer.  The Idempotency-Key fingerprint leaves it out too
 * (router.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "credentials.h"
#include "db.h"
#include "jobs.h"
#include "server_disks.h"

int credentials_from_body(struct request *req, struct credentials *c)
{
	const char *password = body_str(req, "root_password");
	json_t *keys = json_object_get(req->json, "ssh_keys");
	char why[256];
	size_t i;
	json_t *key;

	memset(c, 0, sizeof(*c));
	if (password) {
		if (!password_valid(password, why, sizeof(why)))
			return req_field_error(req, "root_password", "root_password: %s", why);
		if (password_hash(password, c->hash) < 0)
			return req_internal(req, "hash the password");
		c->has_password = true;
	}
	json_array_foreach(keys, i, key) {
		char name[32];

		if (ssh_key_valid(json_string_value(key), why, sizeof(why)))
			continue;
		/* Named as the contract's checks name an item. */
		snprintf(name, sizeof(name), "ssh_keys[%zu]", i);
		return req_field_error(req, name, "%s: %s", name, why);
	}
	c->keys = keys && json_array_size(keys) ? json_dumps(keys, JSON_COMPACT) : NULL;
	if (keys && json_array_size(keys) && !c->keys)
		return req_internal(req, "keys");
	return 0;
}

void credentials_clear(struct credentials *c)
{
	explicit_bzero(c->hash, sizeof(c->hash));
	free(c->keys);
	c->keys = NULL;
}

/*
 * POST /v1/servers/{id}/reset-password: a new hash and a new seed (a new
 * instance-id), written now; the guest applies it at its next boot.
 */
int servers_reset_password(struct request *req)
{
	char active[ID_MAX], path[VOLUME_PATH_MAX], why[600];
	struct credentials c;
	json_t *server;
	sqlite3_stmt *st;
	bool suspended, has_seed;
	int rc;

	if (fetch_server(req, req->id, &server))
		return req_internal(req, "fetch server");
	if (!server)
		return req_error(req, 404, "not_found", "server %s not found", req->id);
	audit_target(req, "server", req->id,
		     json_string_value(json_object_get(server, "tenant_id")));
	suspended = json_is_true(json_object_get(server, "suspended"));
	json_decref(server);
	if (suspended && !req->who.admin)
		return req_error(req, 403, "server_suspended", "server %s is suspended",
				 req->id);
	if (job_active_for(req->db, req->id, active))
		return req_error(req, 409, "job_in_progress",
				 "server %s has job %s in progress; retry when it has finished",
				 req->id, active);
	st = db_prep(req->db, "SELECT path FROM volumes WHERE server_id = ?"
			      " AND kind = 'seed' AND state = 'ready'", "s", req->id);
	has_seed = st && sqlite3_step(st) == SQLITE_ROW;
	if (has_seed)
		str_copy(path, (const char *)sqlite3_column_text(st, 0), sizeof(path));
	sqlite3_finalize(st);
	if (!has_seed)
		return req_error(req, 409, "invalid_state", "server %s has no seed disk (it "
				 "was not made from a template, or is still being made)",
				 req->id);

	if ((rc = credentials_from_body(req, &c)))
		return rc;
	rc = db_run(req->db, "UPDATE servers SET root_password_hash = ?,"
			     " seed_generation = seed_generation + 1, updated_at = ?"
			     " WHERE id = ?", "sis", c.hash, now_s(), req->id);
	credentials_clear(&c);
	if (rc != SQLITE_OK)
		return req_internal(req, "update server");
	/* The seed from the row as this transaction sees it; if it cannot be
	 * written, the transaction is rolled back (the 500). */
	if (server_seed_write(req->db, req->id, path, why, sizeof(why)) < 0)
		return req_internal(req, why);

	if (fetch_server(req, req->id, &server) || !server)
		return req_internal(req, "read back server");
	return req_reply(req, 200, server);
}
