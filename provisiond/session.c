// SPDX-License-Identifier: GPL-2.0-only
/*
 * session.c - web panel sessions (see session.h).
 *
 * The cookie's value is 256 bits from getrandom(2): like a token, a fast
 * hash is the right one, and the row is found by the digest itself
 * (indexed), so what the lookup's timing could tell is about the digest,
 * which is no use without its preimage.
 */
#include <stdio.h>
#include <string.h>

#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "auth.h"
#include "db.h"
#include "log.h"
#include "session.h"

struct session_settings session_settings = {
	.idle_s = 1800,
	.lifetime_s = 43200,
};

static bool secret_format(const char *s)
{
	if (!s || strlen(s) != SESSION_SECRET_HEX)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static int new_secret(char out[SESSION_SECRET_HEX + 1])
{
	unsigned char raw[SESSION_SECRET_HEX / 2];
	int err = random_bytes(raw, sizeof(raw));

	if (err)
		return err;
	hex_encode(raw, sizeof(raw), out);
	memset(raw, 0, sizeof(raw));
	return 0;
}

int session_create(sqlite3 *wdb, const char *token_id, int64_t now,
		   struct session *s, char cookie[SESSION_SECRET_HEX + 1])
{
	unsigned char hash[SHA256_DIGEST_SIZE];
	int rc;

	memset(s, 0, sizeof(*s));
	if (id_new("ses", s->id) || new_secret(cookie) || new_secret(s->csrf))
		return SQLITE_ERROR;
	token_hash(cookie, hash);
	str_copy(s->token_id, token_id, sizeof(s->token_id));
	s->created_at = s->last_seen_at = now;
	s->expires_at = now + session_settings.lifetime_s;
	rc = db_run(wdb, "DELETE FROM sessions WHERE expires_at <= ?1"
		    " OR last_seen_at + ?2 <= ?1", "ii", now,
		    (int64_t)session_settings.idle_s);
	if (rc == SQLITE_OK)
		rc = db_run(wdb, "INSERT INTO sessions (id, hash, token_id, csrf_token,"
			    " created_at, last_seen_at, expires_at)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?)", "sbssiii", s->id, hash,
			    SHA256_DIGEST_SIZE, token_id, s->csrf, now, now, s->expires_at);
	return rc;
}

int session_find(sqlite3 *rdb, const char *cookie, int64_t now, struct session *s)
{
	unsigned char hash[SHA256_DIGEST_SIZE];
	sqlite3_stmt *st;
	int rc, found = 0;

	if (!secret_format(cookie))
		return 0;
	token_hash(cookie, hash);
	st = db_cached(rdb, "SELECT id, token_id, csrf_token, created_at, last_seen_at,"
		       " expires_at FROM sessions WHERE hash = ?", "b", hash,
		       SHA256_DIGEST_SIZE);
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		str_copy(s->id, (const char *)sqlite3_column_text(st, 0), sizeof(s->id));
		str_copy(s->token_id, (const char *)sqlite3_column_text(st, 1),
			 sizeof(s->token_id));
		str_copy(s->csrf, (const char *)sqlite3_column_text(st, 2), sizeof(s->csrf));
		s->created_at = sqlite3_column_int64(st, 3);
		s->last_seen_at = sqlite3_column_int64(st, 4);
		s->expires_at = sqlite3_column_int64(st, 5);
		found = now < session_expiry(s, s->last_seen_at);
	} else if (rc != SQLITE_DONE) {
		log_error("session lookup: %s", sqlite3_errmsg(rdb));
		found = -1;
	}
	db_release(st);
	return found;
}

void session_touch(const struct session *s, int64_t now)
{
	sqlite3 *w;

	if (s->last_seen_at >= now)
		return;
	w = db_write_begin();
	if (!w)
		return;
	/* The token was used too (auth_touch's rule: once a second). */
	if (db_run(w, "UPDATE sessions SET last_seen_at = ?1 WHERE id = ?2"
		      " AND last_seen_at < ?1", "is", now, s->id) != SQLITE_OK ||
	    db_run(w, "UPDATE tokens SET last_used_at = ?1 WHERE id = ?2"
		      " AND (last_used_at IS NULL OR last_used_at < ?1)", "is", now,
		   s->token_id) != SQLITE_OK) {
		db_write_rollback(w);
		return;
	}
	db_write_commit(w);
}

int session_delete(sqlite3 *wdb, const char *id)
{
	return db_run(wdb, "DELETE FROM sessions WHERE id = ?", "s", id);
}

int64_t session_expiry(const struct session *s, int64_t now)
{
	int64_t idle_end = now + session_settings.idle_s;

	return idle_end < s->expires_at ? idle_end : s->expires_at;
}

bool session_csrf_ok(const struct session *s, const char *header)
{
	if (!header || strlen(header) != SESSION_SECRET_HEX)
		return false;
	return memeql_sec(header, s->csrf, SESSION_SECRET_HEX) != 0;
}

void session_cookie(const char *value, char *out, size_t size)
{
	/* Max-Age: the browser forgets it when the session would end anyway;
	 * 0 clears it. */
	snprintf(out, size, "%s=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d%s",
		 SESSION_COOKIE, value ? value : "",
		 value ? session_settings.lifetime_s : 0,
		 session_settings.secure_cookie ? "; Secure" : "");
}
