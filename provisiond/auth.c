// SPDX-License-Identifier: GPL-2.0-only
/*
 * auth.c - API tokens (see auth.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <nettle/memops.h>

#include "auth.h"
#include "db.h"
#include "log.h"

int token_generate(const char *token_id, char out[TOKEN_MAX],
		   unsigned char hash[SHA256_DIGEST_SIZE])
{
	unsigned char secret[32];
	char hex[2 * sizeof(secret) + 1];
	int err = random_bytes(secret, sizeof(secret));

	if (err)
		return err;
	hex_encode(secret, sizeof(secret), hex);
	/* token_id is "tok_<16 hex>": the token carries the hex part. */
	snprintf(out, TOKEN_MAX, TOKEN_PREFIX "%s_%s", token_id + 4, hex);
	token_hash(out, hash);
	memset(secret, 0, sizeof(secret));
	memset(hex, 0, sizeof(hex));
	return 0;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool token_parse(const char *s, char token_id[ID_MAX])
{
	const size_t plen = strlen(TOKEN_PREFIX);

	if (strlen(s) != TOKEN_LEN || strncmp(s, TOKEN_PREFIX, plen) != 0 ||
	    !all_hex(s + plen, ID_HEX_LEN) || s[plen + ID_HEX_LEN] != '_' ||
	    !all_hex(s + plen + ID_HEX_LEN + 1, 64))
		return false;
	snprintf(token_id, ID_MAX, "tok_%.*s", ID_HEX_LEN, s + plen);
	return true;
}

void token_hash(const char *token, unsigned char out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, strlen(token), (const uint8_t *)token);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

bool digest_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	return memeql_sec(a, b, n) != 0;
}

/* Revocation, then expiry (0: not set), of a token or of its chain. */
static enum auth_result lifetime(int64_t expires_at, int64_t revoked_at, int64_t now)
{
	if (revoked_at)
		return AUTH_REVOKED;
	if (expires_at && now >= expires_at)
		return AUTH_EXPIRED;
	return AUTH_OK;
}

enum auth_result token_verify(const char *presented,
			      const unsigned char stored[SHA256_DIGEST_SIZE],
			      int64_t expires_at, int64_t revoked_at, int64_t now)
{
	unsigned char digest[SHA256_DIGEST_SIZE];

	token_hash(presented, digest);
	if (!digest_equal(digest, stored, SHA256_DIGEST_SIZE))
		return AUTH_INVALID;
	return lifetime(expires_at, revoked_at, now);
}

int token_chain_limits(sqlite3 *db, const char *token_id, int64_t *expires_at,
		       int64_t *revoked_at)
{
	/* UNION (not UNION ALL) ends the walk even on a cycle. */
	sqlite3_stmt *st = db_cached(db, "WITH RECURSIVE chain(id) AS (SELECT ?1"
				     " UNION SELECT t.parent_id FROM tokens t JOIN chain"
				     " ON t.id = chain.id WHERE t.parent_id IS NOT NULL)"
				     " SELECT min(expires_at), min(revoked_at) FROM tokens"
				     " WHERE id IN chain", "s", token_id);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*expires_at = sqlite3_column_int64(st, 0);	/* NULL reads 0 */
		*revoked_at = sqlite3_column_int64(st, 1);
	}
	db_release(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* A derived token lives only while every token it descends from does. */
static enum auth_result check_ancestors(sqlite3 *rdb, const char *parent_id,
					int64_t now)
{
	int64_t expires_at = 0, revoked_at = 0;

	if (token_chain_limits(rdb, parent_id, &expires_at, &revoked_at) != 0) {
		log_error("auth: token chain lookup: %s", sqlite3_errmsg(rdb));
		return AUTH_ERROR;
	}
	return lifetime(expires_at, revoked_at, now);
}

enum auth_result auth_check(sqlite3 *rdb, const char *authorization,
			    int64_t now, struct principal *who,
			    int64_t *last_used)
{
	/* Compared against when the id is unknown, so that an unknown id
	 * costs the same digest as a known one. */
	static const unsigned char no_such_token[SHA256_DIGEST_SIZE];
	char token_id[ID_MAX];
	const char *token;
	enum auth_result res;
	sqlite3_stmt *st;
	int rc;

	if (!authorization)
		return AUTH_MISSING;
	if (strncasecmp(authorization, "Bearer ", 7) != 0)
		return AUTH_MALFORMED;
	token = authorization + 7;
	while (*token == ' ')
		token++;
	if (!token_parse(token, token_id))
		return AUTH_MALFORMED;

	st = db_cached(rdb, "SELECT hash, scope, tenant_id, expires_at, revoked_at,"
			  " last_used_at, parent_id FROM tokens WHERE id = ?", "s",
		       token_id);
	if (!st)
		return AUTH_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		token_verify(token, no_such_token, 0, 0, now);
		db_release(st);
		return AUTH_INVALID;
	}
	if (rc != SQLITE_ROW || sqlite3_column_bytes(st, 0) != SHA256_DIGEST_SIZE) {
		log_error("auth: token lookup: %s", sqlite3_errmsg(rdb));
		db_release(st);
		return AUTH_ERROR;
	}

	res = token_verify(token, sqlite3_column_blob(st, 0),
			   sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
			   now);
	if (res == AUTH_OK) {
		const char *tenant = (const char *)sqlite3_column_text(st, 2);

		who->admin = strcmp((const char *)sqlite3_column_text(st, 1),
				    "admin") == 0;
		str_copy(who->token_id, token_id, sizeof(who->token_id));
		str_copy(who->tenant_id, tenant ? tenant : "", sizeof(who->tenant_id));
		*last_used = sqlite3_column_int64(st, 5);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			res = check_ancestors(rdb, (const char *)sqlite3_column_text(st, 6),
					      now);
	}
	db_release(st);
	return res;
}

void auth_touch(const char *token_id, int64_t last_used, int64_t now)
{
	sqlite3 *w;

	if (last_used == now)
		return;
	w = db_write_begin();
	if (!w)
		return;
	/* The WHERE keeps two requests in the same second to one update. */
	if (db_run(w, "UPDATE tokens SET last_used_at = ?1 WHERE id = ?2"
		      " AND (last_used_at IS NULL OR last_used_at < ?1)",
		   "is", now, token_id) != SQLITE_OK) {
		db_write_rollback(w);
		return;
	}
	db_write_commit(w);
}

static int insert(sqlite3 *wdb, const char *name, bool admin,
		  const char *tenant_id, int64_t expires_at, const char *created_by,
		  const char *parent_id, char id[ID_MAX], char secret[TOKEN_MAX])
{
	unsigned char hash[SHA256_DIGEST_SIZE];
	int rc;

	if (id_new("tok", id) || token_generate(id, secret, hash))
		return SQLITE_ERROR;
	/* nullif: expires_at 0 means "never", stored as NULL. */
	rc = db_run(wdb, "INSERT INTO tokens (id, name, scope, tenant_id, hash,"
			 " created_by, created_at, expires_at, parent_id)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, nullif(?, 0), ?)",
		    "ssssbsiis", id, name, admin ? "admin" : "customer",
		    admin ? NULL : tenant_id, hash, SHA256_DIGEST_SIZE, created_by, now_s(),
		    expires_at, parent_id);
	return rc;
}

int token_insert(sqlite3 *wdb, const char *name, bool admin,
		 const char *tenant_id, int64_t expires_at,
		 const char *created_by, char id[ID_MAX], char secret[TOKEN_MAX])
{
	return insert(wdb, name, admin, tenant_id, expires_at, created_by, NULL,
		      id, secret);
}

int token_insert_derived(sqlite3 *wdb, const char *name, const char *tenant_id,
			 int64_t expires_at, const char *parent_id,
			 char id[ID_MAX], char secret[TOKEN_MAX])
{
	return insert(wdb, name, false, tenant_id, expires_at, parent_id,
		      parent_id, id, secret);
}

enum auth_result auth_principal(sqlite3 *rdb, const char *token_id, int64_t now,
				struct principal *who)
{
	enum auth_result res;
	sqlite3_stmt *st = db_cached(rdb, "SELECT scope, tenant_id, expires_at,"
				     " revoked_at, parent_id FROM tokens WHERE id = ?",
				     "s", token_id);
	int rc;

	if (!st)
		return AUTH_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		db_release(st);
		return AUTH_INVALID;
	}
	if (rc != SQLITE_ROW) {
		log_error("auth: token lookup: %s", sqlite3_errmsg(rdb));
		db_release(st);
		return AUTH_ERROR;
	}
	res = lifetime(sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), now);
	if (res == AUTH_OK) {
		const char *tenant = (const char *)sqlite3_column_text(st, 1);

		who->admin = strcmp((const char *)sqlite3_column_text(st, 0), "admin") == 0;
		str_copy(who->token_id, token_id, sizeof(who->token_id));
		str_copy(who->tenant_id, tenant ? tenant : "", sizeof(who->tenant_id));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			res = check_ancestors(rdb, (const char *)sqlite3_column_text(st, 4),
					      now);
	}
	db_release(st);
	return res;
}
