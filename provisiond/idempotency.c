// SPDX-License-Identifier: GPL-2.0-only
/*
 * idempotency.c - stored answers for Idempotency-Key (see idempotency.h).
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "idempotency.h"
#include "util.h"

bool idem_key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > IDEM_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return true;
}

void idem_fingerprint(const char *method, const char *path, const char *body,
		      size_t len, unsigned char out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, strlen(method) + 1, (const uint8_t *)method);	/* NULs separate */
	sha256_update(&c, strlen(path) + 1, (const uint8_t *)path);
	if (body)
		sha256_update(&c, len, (const uint8_t *)body);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

enum idem_result idem_lookup(sqlite3 *wdb, const char *principal,
			     const char *key, const unsigned char fp[SHA256_DIGEST_SIZE],
			     int *status, char **body, char **location)
{
	sqlite3_stmt *st;
	enum idem_result res = IDEM_NEW;
	int rc;

	st = db_prep(wdb, "SELECT fingerprint, status, body, location"
			  " FROM idempotency_keys"
			  " WHERE principal = ? AND key = ? AND created_at >= ?",
		     "ssi", principal, key, now_s() - IDEM_RETENTION_S);
	if (!st)
		return IDEM_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *loc = (const char *)sqlite3_column_text(st, 3);

		if (sqlite3_column_bytes(st, 0) != SHA256_DIGEST_SIZE ||
		    memcmp(sqlite3_column_blob(st, 0), fp, SHA256_DIGEST_SIZE) != 0) {
			res = IDEM_MISMATCH;
		} else {
			*status = sqlite3_column_int(st, 1);
			*body = strdup((const char *)sqlite3_column_text(st, 2));
			*location = loc ? strdup(loc) : NULL;
			res = *body ? IDEM_REPLAY : IDEM_ERROR;
		}
	} else if (rc != SQLITE_DONE) {
		res = IDEM_ERROR;
	}
	sqlite3_finalize(st);
	return res;
}

int idem_store(sqlite3 *wdb, const char *principal, const char *key,
	       const unsigned char fp[SHA256_DIGEST_SIZE], int status, const char *body,
	       const char *location)
{
	int64_t now = now_s();
	int rc = db_run(wdb, "DELETE FROM idempotency_keys WHERE created_at < ?",
			"i", now - IDEM_RETENTION_S);

	if (rc != SQLITE_OK)
		return rc;
	return db_run(wdb, "INSERT OR REPLACE INTO idempotency_keys (principal, key,"
			   " fingerprint, status, body, location, created_at)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?)",
		      "ssbdssi", principal, key, fp, SHA256_DIGEST_SIZE, status, body,
		      location && location[0] ? location : NULL, now);
}
