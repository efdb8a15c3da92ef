// SPDX-License-Identifier: GPL-2.0-only
/*
 * router.c - the route table and the steps every request goes through
 * (see router.h).  The order of the checks is part of the contract:
 *
 *   1. path, then method                    404 not_found, 405
 *   2. body size                            413 payload_too_large
 *   3. token (unless public)                401 unauthorized, token_expired,
 *                                               token_revoked
 *   4. admin-only route                     403 forbidden
 *   5. query parameters                     400 invalid_query
 *   6. body: media type, JSON, the spec     415, 400 invalid_json,
 *                                               400 invalid_field
 *   7. the handler: objects the caller may not see are 404, state
 *      conflicts 409, and so on.
 *
 * A write (R_WRITE) runs its handler inside one writer transaction that
 * also stores the Idempotency-Key's answer and the audit entry: all of it
 * commits, or none of it does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "audit.h"
#include "db.h"
#include "idempotency.h"
#include "jobs.h"
#include "log.h"
#include "router.h"

static const char *const q_list[] = { LIST_QUERY, NULL };
static const char *const q_tenants[] = { LIST_QUERY, "external_id", NULL };
static const char *const q_tokens[] = { LIST_QUERY, "tenant_id", "scope", NULL };
static const char *const q_servers[] = { LIST_QUERY, "tenant_id", "external_id", NULL };
static const char *const q_jobs[] = { LIST_QUERY, "server_id", "tenant_id", "state", NULL };
static const char *const q_job[] = { "wait", NULL };
static const char *const q_audit[] = { LIST_QUERY, "tenant_id", "target_id", "action", NULL };
static const char *const q_usage[] = { LIST_QUERY, "tenant_id", NULL };

#define W	R_WRITE
#define A	R_ADMIN

const struct route routes[] = {
	{ "GET", "/", R_PUBLIC, NULL, NULL, NULL, index_get },
	{ "GET", "/v1/health", R_PUBLIC, NULL, NULL, NULL, health_get },
	{ "GET", "/v1/system", A, NULL, NULL, NULL, system_get },
	{ "POST", "/v1/system/tls-certificate", W | A, NULL, tls_certificate_spec, "system.tls_certificate", tls_certificate_upload },
	{ "GET", "/v1/usage", 0, q_usage, NULL, NULL, usage_list },
	{ "GET", "/v1/audit", 0, q_audit, NULL, NULL, audit_list },

	{ "POST", "/v1/tenants", W | A, NULL, tenant_create_spec, "tenant.create", tenants_create },
	{ "GET", "/v1/tenants", 0, q_tenants, NULL, NULL, tenants_list },
	{ "GET", "/v1/tenants/{id}", 0, NULL, NULL, NULL, tenants_get },
	/* Customers get 404 for other tenants and 403 for their own. */
	{ "PATCH", "/v1/tenants/{id}", W, NULL, tenant_update_spec, "tenant.update", tenants_update },
	{ "DELETE", "/v1/tenants/{id}", W, NULL, NULL, "tenant.delete", tenants_delete },
	{ "GET", "/v1/tenants/{id}/policy", 0, NULL, NULL, NULL, tenant_policy_get },
	/* Customers get 404 for other tenants and 403 for their own. */
	{ "PATCH", "/v1/tenants/{id}/policy", W, NULL, tenant_policy_update_spec, "tenant.policy_update", tenant_policy_update },

	{ "POST", "/v1/tokens", W, NULL, token_create_spec, "token.create", tokens_create },
	{ "GET", "/v1/tokens", 0, q_tokens, NULL, NULL, tokens_list },
	{ "GET", "/v1/tokens/{id}", 0, NULL, NULL, NULL, tokens_get },
	{ "DELETE", "/v1/tokens/{id}", W, NULL, NULL, "token.revoke", tokens_revoke },

	{ "POST", "/v1/plans", W | A, NULL, plan_create_spec, "plan.create", plans_create },
	{ "GET", "/v1/plans", 0, q_list, NULL, NULL, plans_list },
	{ "GET", "/v1/plans/{id}", 0, NULL, NULL, NULL, plans_get },
	{ "PATCH", "/v1/plans/{id}", W | A, NULL, plan_update_spec, "plan.update", plans_update },
	{ "DELETE", "/v1/plans/{id}", W | A, NULL, NULL, "plan.delete", plans_delete },

	{ "POST", "/v1/images", W | A, NULL, image_create_spec, "image.create", images_create },
	{ "GET", "/v1/images", 0, q_list, NULL, NULL, images_list },
	{ "GET", "/v1/images/{id}", 0, NULL, NULL, NULL, images_get },
	{ "PATCH", "/v1/images/{id}", W | A, NULL, image_update_spec, "image.update", images_update },
	{ "DELETE", "/v1/images/{id}", W | A, NULL, NULL, "image.delete", images_delete },

	{ "POST", "/v1/servers", W, NULL, server_create_spec, "server.create", servers_create },
	{ "GET", "/v1/servers", 0, q_servers, NULL, NULL, servers_list },
	{ "GET", "/v1/servers/{id}", 0, NULL, NULL, NULL, servers_get },
	{ "PATCH", "/v1/servers/{id}", W, NULL, server_update_spec, "server.update", servers_update },
	{ "DELETE", "/v1/servers/{id}", W, NULL, NULL, "server.delete", servers_delete },
	{ "POST", "/v1/servers/{id}/start", W, NULL, empty_spec, "server.start", servers_start },
	{ "POST", "/v1/servers/{id}/stop", W, NULL, server_stop_spec, "server.stop", servers_stop },
	{ "POST", "/v1/servers/{id}/reboot", W, NULL, empty_spec, "server.reboot", servers_reboot },
	/* Admin only, but checked after the lookup (404 before 403). */
	{ "POST", "/v1/servers/{id}/suspend", W, NULL, empty_spec, "server.suspend", servers_suspend },
	{ "POST", "/v1/servers/{id}/unsuspend", W, NULL, empty_spec, "server.unsuspend", servers_unsuspend },
	{ "POST", "/v1/servers/{id}/change-plan", W, NULL, server_change_plan_spec, "server.change_plan", servers_change_plan },
	{ "POST", "/v1/servers/{id}/reinstall", W, NULL, server_reinstall_spec, "server.reinstall", servers_reinstall },

	{ "GET", "/v1/jobs", 0, q_jobs, NULL, NULL, jobs_list },
	{ "GET", "/v1/jobs/{id}", 0, q_job, NULL, NULL, jobs_get },

	{ NULL, NULL, 0, NULL, NULL, NULL, NULL }
};

/* Matches path against pattern; the {id} segment is copied to id. */
static bool match(const char *pattern, const char *path, char *id, size_t idsize)
{
	while (*pattern && *path) {
		if (strncmp(pattern, "{id}", 4) == 0) {
			size_t n = strcspn(path, "/");

			if (n == 0 || n >= idsize)
				return false;
			memcpy(id, path, n);
			id[n] = '\0';
			pattern += 4;
			path += n;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

static const struct route *find_route(struct request *req)
{
	bool path_found = false;

	for (const struct route *r = routes; r->method; r++) {
		if (!match(r->pattern, req->path, req->id, sizeof(req->id)))
			continue;
		if (strcmp(r->method, req->method) == 0)
			return r;
		/* The path exists with another method: collect them for 405. */
		path_found = true;
		if (strlen(req->allow) + strlen(r->method) + 3 < sizeof(req->allow)) {
			if (req->allow[0])
				strcat(req->allow, ", ");
			strcat(req->allow, r->method);
		}
	}
	if (path_found)
		req_error(req, 405, "method_not_allowed",
			  "%s is not allowed on %s (allowed: %s)", req->method,
			  req->path, req->allow);
	else
		req_error(req, 404, "not_found", "no such path: %s", req->path);
	return NULL;
}

static bool authenticate(struct request *req)
{
	int64_t last_used = 0, now = now_s();
	sqlite3 *r = db_read_get();
	enum auth_result res = auth_check(r, req_header(req, "Authorization"), now,
					  &req->who, &last_used);

	db_read_put(r);
	switch (res) {
	case AUTH_OK:
		req->authenticated = true;
		auth_touch(req->who.token_id, last_used, now);
		return true;
	case AUTH_MISSING:
		req_error(req, 401, "unauthorized",
			  "an API token is required: Authorization: Bearer <token>");
		break;
	case AUTH_MALFORMED:
		req_error(req, 401, "unauthorized",
			  "the Authorization header is not 'Bearer <token>' with a valid token");
		break;
	case AUTH_INVALID:
		req_error(req, 401, "unauthorized", "the API token is not valid");
		break;
	case AUTH_EXPIRED:
		req_error(req, 401, "token_expired", "the API token has expired");
		break;
	case AUTH_REVOKED:
		req_error(req, 401, "token_revoked", "the API token has been revoked");
		break;
	case AUTH_ERROR:
		req_internal(req, "token lookup failed");
		break;
	}
	return false;
}

struct query_check {
	const char *const *allowed;
	const char *unknown;
};

static enum MHD_Result check_query_arg(void *cls, enum MHD_ValueKind kind,
				       const char *key, const char *value)
{
	struct query_check *qc = cls;

	(void)kind;
	(void)value;
	for (const char *const *a = qc->allowed; a && *a; a++)
		if (strcmp(*a, key) == 0)
			return MHD_YES;
	qc->unknown = key;
	return MHD_NO;
}

static bool check_query(struct request *req)
{
	struct query_check qc = { req->route->query, NULL };

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
				  check_query_arg, &qc);
	if (qc.unknown) {
		char name[64];

		snprintf(name, sizeof(name), "%s", qc.unknown);
		for (char *p = name; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		req_error(req, 400, "invalid_query", "%s: unknown query parameter", name);
		return false;
	}
	return true;
}

static bool parse_body(struct request *req)
{
	const char *ctype = req_header(req, "Content-Type");
	json_error_t jerr;
	struct verr verr;

	if (req->body_len == 0) {
		if (!req->route->body)
			return true;
	} else {
		if (!req->route->body) {
			req_error(req, 400, "invalid_request",
				  "%s %s takes no request body", req->method,
				  req->route->pattern);
			return false;
		}
		if (!ctype || strncasecmp(ctype, "application/json", 16) != 0 ||
		    (ctype[16] != '\0' && ctype[16] != ';' && ctype[16] != ' ')) {
			req_error(req, 415, "unsupported_media_type",
				  "the request body must be application/json");
			return false;
		}
		req->json = json_loadb(req->body, req->body_len,
				       JSON_REJECT_DUPLICATES, &jerr);
		if (!req->json) {
			req_error(req, 400, "invalid_json",
				  "the request body is not valid JSON: %s (line %d, column %d)",
				  jerr.text, jerr.line, jerr.column);
			return false;
		}
	}
	/* An empty body is checked as {}: required fields are reported. */
	if (!validate_object(req->json, req->route->body, &verr)) {
		if (verr.field[0])
			req_field_error(req, verr.field, "%s", verr.message);
		else
			req_error(req, 400, "invalid_json", "%s", verr.message);
		return false;
	}
	return true;
}

static void fill_audit(struct request *req, struct audit_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->actor = req->who.token_id;
	e->actor_scope = req->who.admin ? "admin" : "customer";
	e->actor_tenant_id = req->who.admin ? NULL : req->who.tenant_id;
	e->action = req->route->action;
	e->target_type = req->audit_type;
	e->target_id = req->audit_target[0] ? req->audit_target :
		       (req->id[0] ? req->id : NULL);
	/* A refused request about an object the caller cannot see is filed
	 * under the caller's own tenant. */
	e->tenant_id = req->audit_tenant[0] ? req->audit_tenant : e->actor_tenant_id;
	e->ok = req->status < 400;
	e->status = req->status;
	e->error_code = req->error_code[0] ? req->error_code : NULL;
	e->request_id = req->request_id;
	e->detail = req->audit_detail[0] ? req->audit_detail : NULL;
}

/* The answer to store for a replay; never a token's secret. */
static char *stored_answer(struct request *req)
{
	json_t *copy;
	char *text;

	if (!json_object_get(req->response, "secret"))
		return json_dumps(req->response, JSON_COMPACT);
	copy = json_copy(req->response);
	json_object_set_new(copy, "secret", json_null());
	text = json_dumps(copy, JSON_COMPACT);
	json_decref(copy);
	return text;
}

static void run_write(struct request *req)
{
	const char *key = req_header(req, "Idempotency-Key");
	const char *principal = req->who.admin ? "admin" : req->who.tenant_id;
	unsigned char fp[SHA256_LEN];
	struct audit_entry e;
	char *answer = NULL, *location = NULL;
	int status;

	if (key && !idem_key_valid(key)) {
		req_field_error(req, "Idempotency-Key",
				"Idempotency-Key: must be 1 to 255 printable ASCII characters");
		return;
	}
	req->db = db_write_begin();
	if (!req->db) {
		req_error(req, 503, "unavailable", "the database is not available; retry later");
		return;
	}

	if (key) {
		idem_fingerprint(req->method, req->path, req->body, req->body_len, fp);
		switch (idem_lookup(req->db, principal, key, fp, &status, &answer, &location)) {
		case IDEM_REPLAY:
			db_write_rollback(req->db);
			req->db = NULL;
			req->status = status;
			req->raw_response = answer;
			req->replayed = true;
			if (location)
				str_copy(req->location, location, sizeof(req->location));
			free(location);
			return;
		case IDEM_MISMATCH:
			db_write_rollback(req->db);
			req->db = NULL;
			req_error(req, 422, "idempotency_key_reused",
				  "this Idempotency-Key was used for a different request");
			return;
		case IDEM_ERROR:
			db_write_rollback(req->db);
			req->db = NULL;
			req_internal(req, "idempotency key lookup failed");
			return;
		case IDEM_NEW:
			break;
		}
	}

	req->route->handler(req);

	if (req->status >= 300) {
		db_write_rollback(req->db);
		req->db = NULL;
		req->wake_jobs = false;
		return;
	}
	fill_audit(req, &e);
	if (key) {
		answer = stored_answer(req);
		if (!answer || idem_store(req->db, principal, key, fp, req->status,
					  answer, req->location) != SQLITE_OK) {
			free(answer);
			db_write_rollback(req->db);
			req->db = NULL;
			req_internal(req, "cannot store the idempotency key");
			return;
		}
		free(answer);
	}
	if (audit_write(req->db, &e) != SQLITE_OK) {
		db_write_rollback(req->db);
		req->db = NULL;
		req_internal(req, "cannot write the audit log");
		return;
	}
	if (db_write_commit(req->db) != SQLITE_OK) {
		req->db = NULL;
		req->wake_jobs = false;
		req_internal(req, "commit failed");
		return;
	}
	req->db = NULL;
	if (req->wake_jobs)
		jobs_wake();
}

static void reset_answer(struct request *req)
{
	json_decref(req->response);
	req->response = NULL;
	free(req->raw_response);
	req->raw_response = NULL;
	json_decref(req->json);
	req->json = NULL;
	req->status = 500;
	req->location[0] = '\0';
	req->allow[0] = '\0';
	req->error_code[0] = '\0';
	req->replayed = false;
	req->audit_type = NULL;
	req->audit_target[0] = '\0';
	req->audit_tenant[0] = '\0';
	req->wake_jobs = false;
	req->authenticated = false;
	memset(&req->who, 0, sizeof(req->who));
}

void router_handle(struct request *req)
{
	const struct route *r;

	reset_answer(req);
	r = find_route(req);
	if (!r)
		return;
	req->route = r;

	if (req->body_too_large) {
		req_error(req, 413, "payload_too_large",
			  "the request body is larger than this server accepts");
		return;
	}
	if (!(r->flags & R_PUBLIC) && !authenticate(req))
		return;

	if ((r->flags & R_ADMIN) && !req->who.admin) {
		req_error(req, 403, "forbidden", "this request needs an admin token");
	} else if (check_query(req) && parse_body(req)) {
		if (r->flags & R_WRITE) {
			run_write(req);
		} else {
			req->db = db_read_get();
			r->handler(req);
			db_read_put(req->db);
			req->db = NULL;
		}
	}

	/* Refused writes are audited too (successes were, in their
	 * transaction). */
	if ((r->flags & R_WRITE) && req->authenticated && req->status >= 400) {
		struct audit_entry e;

		fill_audit(req, &e);
		audit_write_now(&e);
	}
}
