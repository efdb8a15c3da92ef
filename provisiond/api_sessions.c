// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_sessions.c - /v1/sessions: logging in to the web panel with an API
 * token, the current session, logging out; and the router's step 3 for a
 * request that comes with the session cookie (session.h).
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "db.h"
#include "log.h"
#include "session.h"

static bool state_changing(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* The error answer of a token that is not (or no longer) good. */
static void refuse(struct request *req, enum auth_result res, const char *what)
{
	switch (res) {
	case AUTH_EXPIRED:
		req_error(req, 401, "token_expired", "%s has expired", what);
		break;
	case AUTH_REVOKED:
		req_error(req, 401, "token_revoked", "%s has been revoked", what);
		break;
	case AUTH_ERROR:
		req_internal(req, "token lookup failed");
		break;
	default:
		req_error(req, 401, "unauthorized", "%s is not valid", what);
		break;
	}
}

bool session_authenticate(struct request *req, const char *cookie)
{
	int64_t now = now_s();
	struct session s;
	enum auth_result res = AUTH_ERROR;
	sqlite3 *r = db_read_get();
	int found = session_find(r, cookie, now, &s);

	if (found == 1)
		res = auth_principal(r, s.token_id, now, &req->who);
	db_read_put(r);
	if (found < 0) {
		req_internal(req, "session lookup failed");
		return false;
	}
	if (found == 0) {
		/* Unknown, expired or logged out: the browser may drop it. */
		session_cookie(NULL, req->set_cookie, sizeof(req->set_cookie));
		req_error(req, 401, "unauthorized",
			  "the session has ended (expired or logged out); log in again");
		return false;
	}
	if (res != AUTH_OK) {
		memset(&req->who, 0, sizeof(req->who));
		refuse(req, res, "the session's API token");
		return false;
	}
	req->authenticated = true;
	str_copy(req->session_id, s.id, sizeof(req->session_id));
	session_touch(&s, now);

	/* A cookie is sent by the browser whoever made the page that sends
	 * the request; the CSRF token only by the panel, which read it. */
	if (state_changing(req->method) &&
	    !session_csrf_ok(&s, req_header(req, "X-CSRF-Token"))) {
		req_error(req, 403, "csrf_failed",
			  "a request made with the session cookie needs the header"
			  " X-CSRF-Token: the session's csrf_token");
		return false;
	}
	return true;
}

static json_t *session_json(const struct session *s, const struct principal *who,
			    int64_t now)
{
	char created[TIME_STR_LEN], expires[TIME_STR_LEN];

	time_format(s->created_at, created);
	time_format(session_expiry(s, now), expires);
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s}",
			 "id", s->id, "token_id", who->token_id,
			 "role", who->admin ? "admin" : "customer",
			 "tenant_id", who->admin ? json_null() : json_string(who->tenant_id),
			 "csrf_token", s->csrf, "created_at", created,
			 "expires_at", expires);
}

int sessions_create(struct request *req)
{
	const char *token = body_str(req, "token");
	char authz[TOKEN_MAX + 16], cookie[SESSION_SECRET_HEX + 1];
	int64_t last_used = 0, now = now_s();
	struct principal who = { 0 };
	enum auth_result res;
	struct session s;

	snprintf(authz, sizeof(authz), "Bearer %.*s", TOKEN_MAX, token ? token : "");
	res = auth_check(req->db, authz, now, &who, &last_used);
	memset(authz, 0, sizeof(authz));
	if (res != AUTH_OK) {
		refuse(req, res, "the API token");
		return req->status;
	}
	req->who = who;
	req->authenticated = true;
	if (session_create(req->db, who.token_id, now, &s, cookie) != SQLITE_OK)
		return req_internal(req, "cannot create the session");
	session_cookie(cookie, req->set_cookie, sizeof(req->set_cookie));
	memset(cookie, 0, sizeof(cookie));
	audit_target(req, "session", s.id, who.admin ? NULL : who.tenant_id);
	str_copy(req->location, "/v1/sessions/current", sizeof(req->location));
	return req_reply(req, 201, session_json(&s, &who, now));
}

/* The request's session (found again: the router kept its id only). */
static int current(struct request *req, struct session *s)
{
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
							 SESSION_COOKIE);
	int found;

	if (!req->session_id[0] || !cookie)
		return req_error(req, 404, "not_found",
				 "no session: this request was not made with the"
				 " session cookie");
	found = session_find(req->db, cookie, now_s(), s);
	if (found < 0)
		return req_internal(req, "session lookup failed");
	if (found == 0 || strcmp(s->id, req->session_id) != 0)
		return req_error(req, 404, "not_found", "the session has ended");
	return 0;
}

int sessions_get_current(struct request *req)
{
	struct session s;

	if (current(req, &s))
		return req->status;
	return req_reply(req, 200, session_json(&s, &req->who, now_s()));
}

int sessions_delete_current(struct request *req)
{
	struct session s;

	if (current(req, &s))
		return req->status;
	if (session_delete(req->db, s.id) != SQLITE_OK)
		return req_internal(req, "cannot delete the session");
	audit_target(req, "session", s.id, req->who.admin ? NULL : req->who.tenant_id);
	session_cookie(NULL, req->set_cookie, sizeof(req->set_cookie));
	return req_reply(req, 204, NULL);
}
