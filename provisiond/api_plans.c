// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_plans.c - /v1/plans: what a server gets (vCPUs, memory, CPU weight
 * and cap) and the disk, I/O and bandwidth figures later issues enforce.
 *
 * Plans are the hoster's catalogue: admins write them, customers read the
 * available ones.  The resources of a plan never change once servers may
 * run on it (a different size is a new plan and a change-plan job); only
 * its name and availability do.  A plan in use cannot be deleted.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "db.h"

#define TEXT_FORMAT	.format = valid_text, .format_desc = "text without control characters"

const struct field_spec plan_create_spec[] = {
	{ .name = "name", .type = FT_STRING, .flags = FS_REQUIRED, .min = 1, .max = 100, TEXT_FORMAT },
	{ .name = "vcpus", .type = FT_INT, .flags = FS_REQUIRED, .min = 1, .max = 64 },
	{ .name = "memory_mib", .type = FT_INT, .flags = FS_REQUIRED, .min = 16, .max = 1048576 },
	{ .name = "cpu_weight", .type = FT_INT, .min = 1, .max = 65535 },
	{ .name = "cpu_cap_pct", .type = FT_INT, .min = 0, .max = 6400 },
	{ .name = "disk_gib", .type = FT_INT, .flags = FS_NULLABLE, .min = 1, .max = 1048576 },
	{ .name = "disk_iops", .type = FT_INT, .flags = FS_NULLABLE, .min = 1, .max = 10000000 },
	{ .name = "disk_mbps", .type = FT_INT, .flags = FS_NULLABLE, .min = 1, .max = 1000000 },
	{ .name = "net_mbps", .type = FT_INT, .flags = FS_NULLABLE, .min = 1, .max = 1000000 },
	{ .name = "transfer_gib", .type = FT_INT, .flags = FS_NULLABLE, .min = 1, .max = 100000000 },
	{ .name = "available", .type = FT_BOOL },
	FIELD_END
};

const struct field_spec plan_update_spec[] = {
	{ .name = "name", .type = FT_STRING, .min = 1, .max = 100, TEXT_FORMAT },
	{ .name = "available", .type = FT_BOOL },
	FIELD_END
};

static const struct column plan_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "name", COL_TEXT, NULL },
	{ "vcpus", COL_INT, NULL },
	{ "memory_mib", COL_INT, NULL },
	{ "cpu_weight", COL_INT, NULL },
	{ "cpu_cap_pct", COL_INT, NULL },
	{ "disk_gib", COL_INT, NULL },
	{ "disk_iops", COL_INT, NULL },
	{ "disk_mbps", COL_INT, NULL },
	{ "net_mbps", COL_INT, NULL },
	{ "transfer_gib", COL_INT, NULL },
	{ "available", COL_BOOL, NULL },
	{ "created_at", COL_TIME, NULL },
	{ "updated_at", COL_TIME, NULL },
	COLUMNS_END
};

/* Customers see available plans only. */
static int fetch_plan(struct request *req, const char *id, json_t **out)
{
	const char *params[] = { id, req_scope(req) };

	return api_fetch(req->db, plan_columns,
			 "FROM plans WHERE id = ?1 AND (?2 IS NULL OR available = 1)",
			 2, params, out);
}

static bool name_taken(struct request *req, const char *name, const char *self)
{
	sqlite3_stmt *st = db_prep(req->db, "SELECT 1 FROM plans WHERE name = ?"
					    " AND id IS NOT ?", "ss", name, self);
	bool taken = st && sqlite3_step(st) == SQLITE_ROW;

	sqlite3_finalize(st);
	return taken;
}

static json_int_t int_or(struct request *req, const char *name, json_int_t dflt)
{
	json_t *v = json_object_get(req->json, name);

	return v ? json_integer_value(v) : dflt;
}

int plans_create(struct request *req)
{
	json_int_t vcpus = int_or(req, "vcpus", 1);
	json_int_t cap = int_or(req, "cpu_cap_pct", 0);
	json_t *available = json_object_get(req->json, "available");
	char id[ID_MAX], location[96];
	int64_t now = now_s();
	json_t *plan;

	if (cap > vcpus * 100)
		return req_field_error(req, "cpu_cap_pct",
				       "cpu_cap_pct: must be at most vcpus x 100 (%lld)",
				       (long long)vcpus * 100);
	if (name_taken(req, body_str(req, "name"), NULL))
		return req_error(req, 409, "conflict", "name: another plan has this name");
	if (id_new("pln", id))
		return req_internal(req, "random id");
	if (db_run(req->db, "INSERT INTO plans (id, name, vcpus, memory_mib, cpu_weight,"
			    " cpu_cap_pct, disk_gib, disk_iops, disk_mbps, net_mbps,"
			    " transfer_gib, available, created_at, updated_at)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		   "ssiiiijjjjjdii", id, body_str(req, "name"), (int64_t)vcpus,
		   (int64_t)int_or(req, "memory_mib", 0),
		   (int64_t)int_or(req, "cpu_weight", 256), (int64_t)cap,
		   json_object_get(req->json, "disk_gib"),
		   json_object_get(req->json, "disk_iops"),
		   json_object_get(req->json, "disk_mbps"),
		   json_object_get(req->json, "net_mbps"),
		   json_object_get(req->json, "transfer_gib"),
		   available ? json_is_true(available) : 1, now, now) != SQLITE_OK)
		return req_internal(req, "insert plan");
	audit_target(req, "plan", id, NULL);

	if (fetch_plan(req, id, &plan) || !plan)
		return req_internal(req, "read back plan");
	snprintf(location, sizeof(location), "/v1/plans/%s", id);
	str_copy(req->location, location, sizeof(req->location));
	return req_reply(req, 201, plan);
}

int plans_list(struct request *req)
{
	const char *params[] = { req_scope(req) };

	return api_list(req, plan_columns,
			"FROM plans WHERE (?1 IS NULL OR available = 1)", 1, params);
}

int plans_get(struct request *req)
{
	json_t *plan;

	if (fetch_plan(req, req->id, &plan))
		return req_internal(req, "fetch plan");
	if (!plan)
		return req_error(req, 404, "not_found", "plan %s not found", req->id);
	return req_reply(req, 200, plan);
}

int plans_update(struct request *req)
{
	json_t *plan;

	if (fetch_plan(req, req->id, &plan))
		return req_internal(req, "fetch plan");
	if (!plan)
		return req_error(req, 404, "not_found", "plan %s not found", req->id);
	json_decref(plan);
	audit_target(req, "plan", req->id, NULL);
	if (body_has(req, "name") && name_taken(req, body_str(req, "name"), req->id))
		return req_error(req, 409, "conflict", "name: another plan has this name");

	if ((body_has(req, "name") &&
	     db_run(req->db, "UPDATE plans SET name = ? WHERE id = ?", "ss",
		    body_str(req, "name"), req->id) != SQLITE_OK) ||
	    (body_has(req, "available") &&
	     db_run(req->db, "UPDATE plans SET available = ? WHERE id = ?", "js",
		    json_object_get(req->json, "available"), req->id) != SQLITE_OK) ||
	    db_run(req->db, "UPDATE plans SET updated_at = ? WHERE id = ?", "is",
		   now_s(), req->id) != SQLITE_OK)
		return req_internal(req, "update plan");

	if (fetch_plan(req, req->id, &plan) || !plan)
		return req_internal(req, "read back plan");
	return req_reply(req, 200, plan);
}

int plans_delete(struct request *req)
{
	json_t *plan;
	sqlite3_stmt *st;
	bool used;

	if (fetch_plan(req, req->id, &plan))
		return req_internal(req, "fetch plan");
	if (!plan)
		return req_error(req, 404, "not_found", "plan %s not found", req->id);
	json_decref(plan);
	audit_target(req, "plan", req->id, NULL);

	/* Servers on it, or about to move to it. */
	st = db_prep(req->db, "SELECT 1 FROM servers WHERE plan_id = ?1 AND deleted_at IS NULL"
			      " UNION ALL SELECT 1 FROM jobs WHERE kind = 'change_plan'"
			      " AND state IN ('queued', 'running')"
			      " AND json_extract(params, '$.plan_id') = ?1", "s", req->id);
	used = st && sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (used)
		return req_error(req, 409, "in_use",
				 "plan %s is used by servers; set available to false to retire it",
				 req->id);
	if (db_run(req->db, "DELETE FROM plans WHERE id = ?", "s", req->id) != SQLITE_OK)
		return req_internal(req, "delete plan");
	return req_reply(req, 204, NULL);
}
