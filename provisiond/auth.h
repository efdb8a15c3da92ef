// SPDX-License-Identifier: GPL-2.0-only
/*
 * auth.h - API tokens: creating them, checking them, scopes.
 *
 * A token is "pvd_<16 hex>_<64 hex>": the first part is the public half of
 * the token's id (tok_<16 hex>), the second 32 random bytes.  The database
 * keeps only SHA-256 of the whole string.  A request's token is looked up by
 * its id and its digest compared in constant time, so response times tell
 * nothing about how much of a guessed secret was right.  SHA-256 and the
 * comparison are nettle's (also under GnuTLS): no cryptography of our own.
 *
 * Tokens are 256 bits from getrandom(2), so a fast hash is the right one:
 * there is nothing to brute-force, and the lookup needs the same digest
 * every time (a salted password hash such as yescrypt would not give that).
 *
 * Scopes: "admin" sees and does everything; "customer" belongs to one tenant
 * and sees that tenant's objects only (everything else is answered as if it
 * did not exist).
 */
#ifndef PROVISIOND_AUTH_H
#define PROVISIOND_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include <nettle/sha2.h>

#include "util.h"

#define TOKEN_PREFIX	"pvd_"
#define TOKEN_LEN	(4 + ID_HEX_LEN + 1 + 64)
#define TOKEN_MAX	(TOKEN_LEN + 1)

/* Who is calling, once authenticated. */
struct principal {
	bool admin;
	char token_id[ID_MAX];
	char tenant_id[ID_MAX];		/* customer's tenant; "" for admin */
};

enum auth_result {
	AUTH_OK,
	AUTH_MISSING,		/* no Authorization header */
	AUTH_MALFORMED,		/* not "Bearer <token>" */
	AUTH_INVALID,		/* unknown token or wrong secret */
	AUTH_EXPIRED,
	AUTH_REVOKED,
	AUTH_ERROR,		/* the database failed */
};

/* A new secret for token_id: out is the token string, hash its digest. */
int token_generate(const char *token_id, char out[TOKEN_MAX],
		   unsigned char hash[SHA256_DIGEST_SIZE]);

/* True if s has the token format; token_id gets "tok_<16 hex>". */
bool token_parse(const char *s, char token_id[ID_MAX]);

/* The digest a token is stored as: SHA-256 of the whole token string. */
void token_hash(const char *token, unsigned char out[SHA256_DIGEST_SIZE]);

/* Compares n bytes in time that does not depend on where they differ. */
bool digest_equal(const unsigned char *a, const unsigned char *b, size_t n);

/*
 * The decision for a presented token against its row: the digest first (so
 * a caller without the secret learns nothing about revocation or expiry),
 * then revocation, then expiry.  revoked_at/expires_at 0 = not set.
 */
enum auth_result token_verify(const char *presented,
			      const unsigned char stored[SHA256_DIGEST_SIZE],
			      int64_t expires_at, int64_t revoked_at, int64_t now);

/*
 * Authenticates an Authorization header value against the database (a
 * reader).  On AUTH_OK fills *who and *last_used (0 if never).
 */
enum auth_result auth_check(sqlite3 *rdb, const char *authorization,
			    int64_t now, struct principal *who,
			    int64_t *last_used);

/*
 * The principal of a token known by its id (a web session's, session.h),
 * with the checks auth_check makes once the digest matched: revocation and
 * expiry of the token and of every token it descends from.
 */
enum auth_result auth_principal(sqlite3 *rdb, const char *token_id, int64_t now,
				struct principal *who);

/*
 * Records that the token was used now.  Writes at most once a second per
 * token: last_used_at has a resolution of one second, and a write per
 * request would put every GET behind the writer.
 */
void auth_touch(const char *token_id, int64_t last_used, int64_t now);

/*
 * Inserts a token in the caller's write transaction.  tenant_id NULL for an
 * admin token; expires_at 0 for none.  Fills id and secret (show it once).
 * A token made by the hoster (an admin token or the CLI) is a grant of its
 * own: it does not depend on the token that made it.
 */
int token_insert(sqlite3 *wdb, const char *name, bool admin,
		 const char *tenant_id, int64_t expires_at,
		 const char *created_by, char id[ID_MAX], char secret[TOKEN_MAX]);

/*
 * The same for a customer token made with the customer token parent_id:
 * it is derived from it (parent_id, created_by).  The caller has checked
 * that it asks for no more than the parent has (tenant, expiry).
 */
int token_insert_derived(sqlite3 *wdb, const char *name, const char *tenant_id,
			 int64_t expires_at, const char *parent_id,
			 char id[ID_MAX], char secret[TOKEN_MAX]);

/*
 * Derived tokens: a token made with a customer token records it as its
 * parent, and lives only while its whole chain of parents does.  This
 * gives the earliest expires_at and revoked_at over token_id and its
 * ancestors (0 where none is set).  0, or -1 if the database failed.
 */
int token_chain_limits(sqlite3 *db, const char *token_id, int64_t *expires_at,
		       int64_t *revoked_at);

#endif
