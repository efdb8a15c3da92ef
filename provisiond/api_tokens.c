// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_tokens.c - /v1/tokens: creating, listing and revoking API tokens.
 *
 * The secret is in the answer to the POST and nowhere else, ever: not in
 * GET, not in the database, not in an idempotent replay.  A customer may
 * create and revoke customer tokens of its own tenant; admin tokens are
 * invisible to customers.  Revocation keeps the row (for the audit trail)
 * and is idempotent.
 *
 * A token made with a customer token is derived from it: same tenant and
 * scope, an expiry no later than its parent's (the parent's when none is
 * asked for), and it is refused as soon as any token it descends from is
 * revoked or expired.  Revoking a token revokes its descendants.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "db.h"

static const struct column token_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "name", COL_TEXT, NULL },
	{ "scope", COL_TEXT, NULL },
	{ "tenant_id", COL_TEXT, NULL },
	{ "created_by", COL_TEXT, TOKEN_ID_SEEN_BY_SCOPE("created_by") },
	{ "created_at", COL_TIME, NULL },
	{ "expires_at", COL_TIME, NULL },
	{ "revoked_at", COL_TIME, NULL },
	{ "last_used_at", COL_TIME, NULL },
	COLUMNS_END
};

/* Customers see their tenant's tokens; admin tokens have no tenant. */
static int fetch_token(struct request *req, const char *id, json_t **out)
{
	const char *params[] = { req_scope(req), id };	/* ?1: see created_by */

	return api_fetch(req->db, token_columns,
			 "FROM tokens WHERE id = ?2 AND (?1 IS NULL OR tenant_id = ?1)",
			 2, params, out);
}

static bool tenant_exists(sqlite3 *db, const char *id)
{
	sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM tenants WHERE id = ?", "s", id);
	bool found = st && sqlite3_step(st) == SQLITE_ROW;

	sqlite3_finalize(st);
	return found;
}

int tokens_create(struct request *req)
{
	const char *scope = body_str(req, "scope");
	const char *tenant = body_str(req, "tenant_id");
	const char *expires = body_str(req, "expires_at");
	bool admin_token = strcmp(scope, "admin") == 0;
	char id[ID_MAX], secret[TOKEN_MAX], location[96];
	int64_t expires_at = 0;
	json_t *token;

	if (!req->who.admin) {
		if (admin_token)
			return req_error(req, 403, "forbidden",
					 "a customer token cannot create admin tokens");
		/* Another tenant's id reads exactly like an unknown one. */
		if (tenant && strcmp(tenant, req->who.tenant_id) != 0)
			return req_field_error(req, "tenant_id", "tenant_id: no such tenant");
		tenant = req->who.tenant_id;
	} else if (admin_token && tenant) {
		return req_field_error(req, "tenant_id",
				       "tenant_id: must be absent or null for an admin token");
	} else if (!admin_token && !tenant) {
		return req_field_error(req, "tenant_id",
				       "tenant_id: is required for a customer token");
	} else if (!admin_token && !tenant_exists(req->db, tenant)) {
		return req_field_error(req, "tenant_id", "tenant_id: no such tenant");
	}

	if (expires) {
		time_parse(expires, &expires_at);	/* the spec checked it */
		if (expires_at <= now_s())
			return req_field_error(req, "expires_at",
					       "expires_at: must be in the future");
	}

	if (req->who.admin) {
		if (token_insert(req->db, body_str(req, "name"), admin_token,
				 admin_token ? NULL : tenant, expires_at,
				 req->who.token_id, id, secret) != SQLITE_OK)
			return req_internal(req, "insert token");
	} else {
		/* A customer's token derives from the caller's: it expires no
		 * later (by default when the caller's does) and dies with it. */
		int64_t parent_expires = 0, parent_revoked = 0;
		char limit[TIME_STR_LEN];

		if (token_chain_limits(req->db, req->who.token_id, &parent_expires,
				       &parent_revoked) != 0)
			return req_internal(req, "read the caller's token");
		if (parent_expires && expires_at > parent_expires) {
			time_format(parent_expires, limit);
			return req_field_error(req, "expires_at",
					       "expires_at: must not be after %s, when the"
					       " token making it expires", limit);
		}
		if (!expires_at)
			expires_at = parent_expires;
		if (token_insert_derived(req->db, body_str(req, "name"), tenant,
					 expires_at, req->who.token_id, id,
					 secret) != SQLITE_OK)
			return req_internal(req, "insert token");
	}
	audit_target(req, "token", id, admin_token ? NULL : tenant);

	if (fetch_token(req, id, &token) || !token)
		return req_internal(req, "read back token");
	snprintf(location, sizeof(location), "/v1/tokens/%s", id);
	str_copy(req->location, location, sizeof(req->location));
	req_reply(req, 201, json_pack("{s:o, s:s}", "token", token, "secret", secret));
	memset(secret, 0, sizeof(secret));
	return 201;
}

int tokens_list(struct request *req)
{
	const char *params[] = {
		req_scope(req), req_query(req, "tenant_id"), req_query(req, "scope"),
	};

	return api_list(req, token_columns,
			"FROM tokens WHERE (?1 IS NULL OR tenant_id = ?1)"
			" AND (?2 IS NULL OR tenant_id = ?2)"
			" AND (?3 IS NULL OR scope = ?3)", 3, params);
}

int tokens_get(struct request *req)
{
	json_t *token;

	if (fetch_token(req, req->id, &token))
		return req_internal(req, "fetch token");
	if (!token)
		return req_error(req, 404, "not_found", "token %s not found", req->id);
	return req_reply(req, 200, token);
}

int tokens_revoke(struct request *req)
{
	json_t *token;

	if (fetch_token(req, req->id, &token))
		return req_internal(req, "fetch token");
	if (!token)
		return req_error(req, 404, "not_found", "token %s not found", req->id);
	audit_target(req, "token", req->id,
		     json_string_value(json_object_get(token, "tenant_id")));
	json_decref(token);

	/* The tokens derived from it, at any depth, are revoked with it
	 * (authentication would refuse them anyway: this shows it). */
	if (db_run(req->db, "WITH RECURSIVE down(id) AS (SELECT ?2 UNION"
			    " SELECT t.id FROM tokens t JOIN down ON t.parent_id = down.id)"
			    " UPDATE tokens SET revoked_at = coalesce(revoked_at, ?1)"
			    " WHERE id IN down", "is", now_s(), req->id) != SQLITE_OK)
		return req_internal(req, "revoke token");
	if (fetch_token(req, req->id, &token) || !token)
		return req_internal(req, "read back token");
	return req_reply(req, 200, token);
}
