// SPDX-License-Identifier: GPL-2.0-only
/*
 * session.h - web panel sessions: an API token exchanged for a cookie
 * (docs/web-panel.md has the security model).
 *
 * POST /v1/sessions with a token makes a session and sets the cookie
 * hv_session=<64 hex>; HttpOnly; SameSite=Strict; Path=/ (+ Secure when
 * provisiond serves HTTPS).  The database keeps SHA-256 of the value, never
 * the value.  A request with the cookie and no Authorization header acts as
 * the session's token: the token's revocation or expiry (or its chain's)
 * refuses it exactly as a bearer request would be refused.
 *
 * Expiry: a session ends session_idle seconds after its last request, and
 * session_lifetime seconds after it was made, whichever comes first.
 *
 * CSRF: every state-changing request (POST, PUT, PATCH, DELETE) made with
 * the cookie must carry X-CSRF-Token equal to the session's CSRF token
 * (compared in constant time), else 403 csrf_failed.  Bearer requests carry
 * no ambient credential and are not checked.
 */
#ifndef PROVISIOND_SESSION_H
#define PROVISIOND_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include "util.h"

#define SESSION_COOKIE		"hv_session"
#define SESSION_SECRET_HEX	64		/* 32 random bytes, as hex */

struct session_settings {
	int idle_s;		/* config session_idle */
	int lifetime_s;		/* config session_lifetime */
	bool secure_cookie;	/* provisiond serves HTTPS */
};

extern struct session_settings session_settings;

struct session {
	char id[ID_MAX];			/* "ses_<16 hex>" */
	char token_id[ID_MAX];
	char csrf[SESSION_SECRET_HEX + 1];
	int64_t created_at, last_seen_at, expires_at;	/* expires_at: absolute */
};

/*
 * Makes a session for token_id in the caller's write transaction; cookie
 * gets the value to send (shown once).  Also deletes expired sessions.
 * SQLITE_OK or the error.
 */
int session_create(sqlite3 *wdb, const char *token_id, int64_t now,
		   struct session *s, char cookie[SESSION_SECRET_HEX + 1]);

/* The live session of a cookie value: 1 found, 0 none (unknown, malformed
 * or expired), -1 the database failed. */
int session_find(sqlite3 *rdb, const char *cookie, int64_t now, struct session *s);

/* Records a request now, in the session and its token's last_used_at (at
 * most one write a second). */
void session_touch(const struct session *s, int64_t now);

/* Deletes a session in the caller's write transaction. */
int session_delete(sqlite3 *wdb, const char *id);

/* When s ends if no request comes: the earlier of idle and absolute. */
int64_t session_expiry(const struct session *s, int64_t now);

/* True if header is the session's CSRF token (constant time). */
bool session_csrf_ok(const struct session *s, const char *header);

/* The Set-Cookie value that sets (value) or clears (NULL) the cookie. */
void session_cookie(const char *value, char *out, size_t size);

/*
 * api_sessions.c: the router's step 3 for a request with the cookie and
 * no Authorization header: the session, its token, and for a
 * state-changing method the CSRF token.  False with the error answer set.
 */
struct request;
bool session_authenticate(struct request *req, const char *cookie);

#endif
