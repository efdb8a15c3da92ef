// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_tenants.c - /v1/tenants: a hoster's customers.
 *
 * Admins manage tenants.  A customer token sees its own tenant only (any
 * other id is 404, exactly as an id that does not exist) and may not change
 * it (403).  A tenant with servers cannot be deleted; deleting one removes
 * its tokens and the history of its deleted servers, but not their usage:
 * billing keeps it for usage_retention_days (migrations.c, monitor.c).
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "db.h"

static const struct column tenant_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "name", COL_TEXT, NULL },
	{ "external_id", COL_TEXT, NULL },
	{ "created_at", COL_TIME, NULL },
	{ "updated_at", COL_TIME, NULL },
	COLUMNS_END
};

static int fetch_tenant(struct request *req, const char *id, json_t **out)
{
	const char *params[] = { id, req_scope(req) };

	return api_fetch(req->db, tenant_columns,
			 "FROM tenants WHERE id = ?1 AND (?2 IS NULL OR id = ?2)",
			 2, params, out);
}

/* True if another tenant than self already has external_id. */
static bool external_id_taken(struct request *req, const char *external_id,
			      const char *self)
{
	sqlite3_stmt *st = db_prep(req->db, "SELECT 1 FROM tenants WHERE external_id = ?"
					    " AND id IS NOT ?", "ss", external_id, self);
	bool taken = st && sqlite3_step(st) == SQLITE_ROW;

	sqlite3_finalize(st);
	return taken;
}

int tenants_create(struct request *req)
{
	const char *external_id = body_str(req, "external_id");
	char id[ID_MAX], location[96];
	json_t *tenant;
	int64_t now = now_s();

	if (external_id && external_id_taken(req, external_id, NULL))
		return req_error(req, 409, "conflict",
				 "external_id: another tenant has this external_id");
	if (id_new("ten", id))
		return req_internal(req, "random id");
	if (db_run(req->db, "INSERT INTO tenants (id, name, external_id, created_at,"
			    " updated_at) VALUES (?, ?, ?, ?, ?)",
		   "ssjii", id, body_str(req, "name"),
		   json_object_get(req->json, "external_id"), now, now) != SQLITE_OK)
		return req_internal(req, "insert tenant");
	audit_target(req, "tenant", id, id);

	if (fetch_tenant(req, id, &tenant) || !tenant)
		return req_internal(req, "read back tenant");
	snprintf(location, sizeof(location), "/v1/tenants/%s", id);
	str_copy(req->location, location, sizeof(req->location));
	return req_reply(req, 201, tenant);
}

int tenants_list(struct request *req)
{
	const char *params[] = { req_scope(req), req_query(req, "external_id") };

	return api_list(req, tenant_columns,
			"FROM tenants WHERE (?1 IS NULL OR id = ?1)"
			" AND (?2 IS NULL OR external_id = ?2)", 2, params);
}

int tenants_get(struct request *req)
{
	json_t *tenant;

	if (fetch_tenant(req, req->id, &tenant))
		return req_internal(req, "fetch tenant");
	if (!tenant)
		return req_error(req, 404, "not_found", "tenant %s not found", req->id);
	return req_reply(req, 200, tenant);
}

int tenants_update(struct request *req)
{
	const char *external_id = body_str(req, "external_id");
	json_t *tenant;

	if (fetch_tenant(req, req->id, &tenant))
		return req_internal(req, "fetch tenant");
	if (!tenant)
		return req_error(req, 404, "not_found", "tenant %s not found", req->id);
	json_decref(tenant);
	audit_target(req, "tenant", req->id, req->id);
	if (!req->who.admin)
		return req_error(req, 403, "forbidden", "this request needs an admin token");
	if (external_id && external_id_taken(req, external_id, req->id))
		return req_error(req, 409, "conflict",
				 "external_id: another tenant has this external_id");

	if ((body_has(req, "name") &&
	     db_run(req->db, "UPDATE tenants SET name = ? WHERE id = ?", "ss",
		    body_str(req, "name"), req->id) != SQLITE_OK) ||
	    (body_has(req, "external_id") &&
	     db_run(req->db, "UPDATE tenants SET external_id = ? WHERE id = ?", "js",
		    json_object_get(req->json, "external_id"), req->id) != SQLITE_OK) ||
	    db_run(req->db, "UPDATE tenants SET updated_at = ? WHERE id = ?", "is",
		   now_s(), req->id) != SQLITE_OK)
		return req_internal(req, "update tenant");

	if (fetch_tenant(req, req->id, &tenant) || !tenant)
		return req_internal(req, "read back tenant");
	return req_reply(req, 200, tenant);
}

int tenants_delete(struct request *req)
{
	json_t *tenant;
	sqlite3_stmt *st;
	bool has_servers;

	if (fetch_tenant(req, req->id, &tenant))
		return req_internal(req, "fetch tenant");
	if (!tenant)
		return req_error(req, 404, "not_found", "tenant %s not found", req->id);
	json_decref(tenant);
	audit_target(req, "tenant", req->id, req->id);
	if (!req->who.admin)
		return req_error(req, 403, "forbidden", "this request needs an admin token");

	st = db_prep(req->db, "SELECT 1 FROM servers WHERE tenant_id = ?"
			      " AND deleted_at IS NULL", "s", req->id);
	has_servers = st && sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (has_servers)
		return req_error(req, 409, "in_use",
				 "tenant %s still has servers; delete them first", req->id);

	if (db_run(req->db, "DELETE FROM tenants WHERE id = ?", "s", req->id) != SQLITE_OK)
		return req_internal(req, "delete tenant");
	return req_reply(req, 204, NULL);
}
