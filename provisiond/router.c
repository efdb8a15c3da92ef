// SPDX-License-Identifier: GPL-2.0-only
/*
 * router.c - the route table and the steps every request goes through
 * (see router.h).  The order of the checks is part of the contract:
 *
 *   0. the request's text: path, query and   400 invalid_request
 *      headers well-formed UTF-8, no control
 *      characters in the path or query, no
 *      repeated Authorization, Idempotency-Key,
 *      Content-Type or Content-Length
 *   1. path, then method (HEAD is GET        404 not_found, 405
 *      without the body)
 *   2. body size                            413 payload_too_large
 *   3. token (unless public)                401 unauthorized, token_expired,
 *                                               token_revoked
 *      or, with no Authorization header,
 *      the web panel's session cookie, and
 *      for its writes X-CSRF-Token          403 csrf_failed (session.h)
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
#include "session.h"

/* Matches path against pattern; the {id} segment is copied to id, an
 * {address} segment (DELETE /v1/servers/{id}/ips/{address}) to address. */
static bool match(const char *pattern, const char *path, char *id, size_t idsize,
		  char *address, size_t addrsize)
{
	while (*pattern && *path) {
		bool is_id = strncmp(pattern, "{id}", 4) == 0;

		if (is_id || strncmp(pattern, "{address}", 9) == 0) {
			size_t n = strcspn(path, "/");
			char *out = is_id ? id : address;

			if (n == 0 || n >= (is_id ? idsize : addrsize))
				return false;
			memcpy(out, path, n);
			out[n] = '\0';
			pattern += is_id ? 4 : 9;
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

/* Adds method to the Allow list of a 405; a GET brings HEAD with it, which
 * every GET route also answers (RFC 9110, 15.5.6: Allow lists them all). */
static void allow_add(struct request *req, const char *method)
{
	if (strcmp(method, "GET") == 0)
		allow_add(req, "HEAD");
	if (strlen(req->allow) + strlen(method) + 3 < sizeof(req->allow)) {
		if (req->allow[0])
			strcat(req->allow, ", ");
		strcat(req->allow, method);
	}
}

static const struct route *find_route(struct request *req)
{
	/* HEAD runs the GET route: libmicrohttpd sends the same status and
	 * headers and leaves the body out (RFC 9110, 9.3.2). */
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	bool path_found = false;

	for (const struct route *r = routes; r->method; r++) {
		if (!match(r->pattern, req->path, req->id, sizeof(req->id),
			   req->address, sizeof(req->address)))
			continue;
		if (strcmp(r->method, method) == 0)
			return r;
		/* The path exists with another method: collect them for 405. */
		path_found = true;
		allow_add(req, r->method);
	}
	if (path_found)
		req_error(req, 405, "method_not_allowed",
			  "%s is not allowed on %s (allowed: %s)", req->method,
			  req->path, req->allow);
	else
		req_error(req, 404, "not_found", "no such path: %s", req->path);
	return NULL;
}

/*
 * Step 0: every string of the request that may reach an answer, the log or
 * the database is well-formed UTF-8 (a stray byte would make the JSON of
 * an error or of an audit page unwritable), and the path and query hold no
 * control characters (they are logged).  Headers whose repetition would be
 * ambiguous are refused rather than resolved by order.
 */
struct text_check {
	bool query;			/* also refuse control characters */
	const char *bad;		/* what is wrong, for the message */
	int authorization, idempotency_key, content_type, content_length;
};

static bool text_ok(const char *s, bool no_controls)
{
	return !s || (utf8_valid(s) && !(no_controls && has_control_chars(s)));
}

static enum MHD_Result check_value(void *cls, enum MHD_ValueKind kind,
				   const char *key, const char *value)
{
	struct text_check *tc = cls;

	(void)kind;
	if (!text_ok(key, tc->query) || !text_ok(value, tc->query)) {
		tc->bad = tc->query ? "a query parameter is not well-formed UTF-8"
				      " or holds control characters"
				    : "a header is not well-formed UTF-8";
		return MHD_NO;
	}
	if (tc->query)
		return MHD_YES;
	if (strcasecmp(key, "Authorization") == 0)
		tc->authorization++;
	else if (strcasecmp(key, "Idempotency-Key") == 0)
		tc->idempotency_key++;
	else if (strcasecmp(key, "Content-Type") == 0)
		tc->content_type++;
	else if (strcasecmp(key, "Content-Length") == 0)
		tc->content_length++;
	return MHD_YES;
}

static bool check_request_text(struct request *req)
{
	struct text_check headers = { .query = false }, query = { .query = true };

	if (!text_ok(req->method, true) || !text_ok(req->path, true)) {
		req_error(req, 400, "invalid_request",
			  "the request's method or path is not well-formed UTF-8"
			  " or holds control characters");
		return false;
	}
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_value, &query);
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, check_value, &headers);
	if (query.bad || headers.bad) {
		req_error(req, 400, "invalid_request", "%s",
			  query.bad ? query.bad : headers.bad);
		return false;
	}
	if (headers.authorization > 1 || headers.idempotency_key > 1 ||
	    headers.content_type > 1 || headers.content_length > 1) {
		req_error(req, 400, "invalid_request", "the %s header is repeated",
			  headers.authorization > 1 ? "Authorization" :
			  headers.idempotency_key > 1 ? "Idempotency-Key" :
			  headers.content_type > 1 ? "Content-Type" : "Content-Length");
		return false;
	}
	return true;
}

static bool authenticate(struct request *req)
{
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
							 SESSION_COOKIE);
	int64_t last_used = 0, now = now_s();
	enum auth_result res;
	sqlite3 *r;

	/* The web panel's cookie, when no token is given (session.h). */
	if (cookie && !req_header(req, "Authorization"))
		return session_authenticate(req, cookie);
	r = db_read_get();
	res = auth_check(r, req_header(req, "Authorization"), now, &req->who,
			 &last_used);

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
	const struct field_spec *spec;
	bool bad;
	struct verr err;
};

/* Each query parameter must be one the operation has, with a value its
 * schema allows. */
static enum MHD_Result check_query_arg(void *cls, enum MHD_ValueKind kind,
				       const char *key, const char *value)
{
	struct query_check *qc = cls;
	const struct field_spec *f = field_spec_find(qc->spec, key);

	(void)kind;
	if (!f) {
		/* The name comes from the client: keep it printable. */
		snprintf(qc->err.message, sizeof(qc->err.message),
			 "%.63s: unknown query parameter", key);
		for (char *p = qc->err.message; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	} else if (validate_query_value(f, value ? value : "", &qc->err)) {
		return MHD_YES;
	}
	qc->bad = true;
	return MHD_NO;
}

static bool check_query(struct request *req)
{
	struct query_check qc = { .spec = req->route->query };

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
				  check_query_arg, &qc);
	if (qc.bad)
		req_error(req, 400, "invalid_query", "%s", qc.err.message);
	return !qc.bad;
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
	/* Then a body the contract requires must be there (a PATCH). */
	if (!req->json && req->route->body_required) {
		req_error(req, 400, "invalid_json", "%s %s needs a JSON object body",
			  req->method, req->route->pattern);
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

/*
 * The Idempotency-Key fingerprint.  A body with a root_password is
 * fingerprinted without it (as sorted, compact JSON): the stored
 * fingerprint would otherwise be a fast, unsalted hash of the password.
 * So a retry that differs only in the password replays the first answer.
 */
static void request_fingerprint(struct request *req, unsigned char fp[SHA256_DIGEST_SIZE])
{
	json_t *copy;
	char *text;

	if (!json_is_object(req->json) || !json_object_get(req->json, "root_password")) {
		idem_fingerprint(req->method, req->path, req->body, req->body_len, fp);
		return;
	}
	copy = json_copy(req->json);
	json_object_del(copy, "root_password");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	idem_fingerprint(req->method, req->path, text ? text : "", text ? strlen(text) : 0,
			 fp);
	free(text);
}

static void run_write(struct request *req)
{
	const char *key = req_header(req, "Idempotency-Key");
	const char *principal = req->who.admin ? "admin" : req->who.tenant_id;
	unsigned char fp[SHA256_DIGEST_SIZE];
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
		request_fingerprint(req, fp);
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
	req->session_id[0] = '\0';
	req->set_cookie[0] = '\0';
}

void router_print(FILE *out)
{
	for (const struct route *r = routes; r->method; r++)
		fprintf(out, "%s %s %s\n", r->method, r->pattern, r->operation_id);
}

void router_handle(struct request *req)
{
	const struct route *r;

	reset_answer(req);
	if (!check_request_text(req))
		return;
	r = find_route(req);
	if (!r)
		return;
	req->route = r;

	if (req->body_too_large) {
		req_error(req, 413, "payload_too_large",
			  "the request body is larger than this server accepts");
		return;
	}
	if (!(r->flags & R_PUBLIC) && !authenticate(req)) {
		/* Refused: audited below only if the caller is known (a
		 * session's write without its CSRF token). */
	} else if ((r->flags & R_ADMIN) && !req->who.admin) {
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
