// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_plans.c - /v1/plans: what a server gets (vCPUs, memory, CPU weight
 * and cap) and the disk, I/O and bandwidth figures later issues enforce.
 *
 * Plans are the hoster's catalogue: admins write them, customers read the
 * available ones.  The resources of a plan never change once servers may
 * run on it (a different size is a new plan and a change-plan job); only
 * its name and availability do.  A plan in use cannot be deleted.
 *
 * Every plan is one the hypervisor can run: the contract states its
 * limits (hvabi.h's, checked at build time) and the router enforces them;
 * the one rule across fields, the cap per vCPU, is checked here.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "hvabi.h"


static const struct column plan_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "name", COL_TEXT, NULL },
	{ "vcpus", COL_INT, NULL },
	{ "memory_mib", COL_INT, NULL },
	{ "cpu_weight", COL_INT, NULL },
	{ "cpu_cap_pct", COL_INT, NULL },
	{ "disk_gib", COL_INT, NULL },
	{ "root_disk_gib", COL_INT, NULL },
	{ "data_disk_gib", COL_INT, NULL },
	{ "disk_iops", COL_INT, NULL },
	{ "disk_mbps", COL_INT, NULL },
	{ "net_mbps", COL_INT, NULL },
	{ "transfer_gib", COL_INT, NULL },
	{ "traffic_allowance_gib", COL_INT, NULL },
	{ "overage_policy", COL_TEXT, NULL },
	{ "overage_rate_mbps", COL_INT, NULL },
	{ "available", COL_BOOL, NULL },
	{ "created_at", COL_TIME, NULL },
	{ "updated_at", COL_TIME, NULL },
	COLUMNS_END
};

/* Customers see available plans only. */
/*
 * The plans a caller sees, with ?1 = req_scope(): every plan for an admin;
 * for a customer the available ones that its tenant's policy lets it use
 * (tenant_policies.allowed_plan_ids, NULL or no row: every available plan),
 * so a customer is never offered a plan it would be refused.
 */
#define PLAN_VISIBLE \
	"(?1 IS NULL OR (available = 1 AND (" \
	"  (SELECT allowed_plan_ids FROM tenant_policies WHERE tenant_id = ?1) IS NULL" \
	"  OR id IN (SELECT value FROM json_each(" \
	"    (SELECT allowed_plan_ids FROM tenant_policies WHERE tenant_id = ?1))))))"

static int fetch_plan(struct request *req, const char *id, json_t **out)
{
	const char *params[] = { req_scope(req), id };

	return api_fetch(req->db, plan_columns,
			 "FROM plans WHERE id = ?2 AND " PLAN_VISIBLE, 2, params, out);
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
	const char *overage_policy = body_str(req, "overage_policy") ?
				     body_str(req, "overage_policy") : "throttle";
	char id[ID_MAX], location[96];
	int64_t now = now_s();
	json_t *plan;

	if (cap > vcpus * HV_SCHED_CAP_PER_VCPU)
		return req_field_error(req, "cpu_cap_pct",
				       "cpu_cap_pct: must be at most vcpus x %d (%lld)",
				       HV_SCHED_CAP_PER_VCPU,
				       (long long)vcpus * HV_SCHED_CAP_PER_VCPU);
	/* Past the allowance a throttle needs a rate to throttle to. */
	if (int_or(req, "traffic_allowance_gib", 0) > 0 &&
	    strcmp(overage_policy, "throttle") == 0 &&
	    int_or(req, "overage_rate_mbps", 0) == 0)
		return req_field_error(req, "overage_rate_mbps",
				       "overage_rate_mbps: a plan with a traffic allowance"
				       " and overage_policy throttle needs the rate (>= 1)");
	if (name_taken(req, body_str(req, "name"), NULL))
		return req_error(req, 409, "conflict", "name: another plan has this name");
	if (id_new("pln", id))
		return req_internal(req, "random id");
	if (db_run(req->db, "INSERT INTO plans (id, name, vcpus, memory_mib, cpu_weight,"
			    " cpu_cap_pct, disk_gib, disk_iops, disk_mbps, net_mbps,"
			    " transfer_gib, root_disk_gib, data_disk_gib, available,"
			    " created_at, updated_at, traffic_allowance_gib,"
			    " overage_policy, overage_rate_mbps)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		   "ssiiiijjjjjiidiiisi", id, body_str(req, "name"), (int64_t)vcpus,
		   (int64_t)int_or(req, "memory_mib", 0),
		   (int64_t)int_or(req, "cpu_weight", HV_SCHED_WEIGHT_DEFAULT), (int64_t)cap,
		   json_object_get(req->json, "disk_gib"),
		   json_object_get(req->json, "disk_iops"),
		   json_object_get(req->json, "disk_mbps"),
		   json_object_get(req->json, "net_mbps"),
		   json_object_get(req->json, "transfer_gib"),
		   (int64_t)int_or(req, "root_disk_gib", 0),
		   (int64_t)int_or(req, "data_disk_gib", 0),
		   available ? json_is_true(available) : 1, now, now,
		   (int64_t)int_or(req, "traffic_allowance_gib", 0), overage_policy,
		   (int64_t)int_or(req, "overage_rate_mbps", 0)) != SQLITE_OK)
		return req_internal(req, "insert plan");
	audit_target(req, "plan", id, NULL);

	if (fetch_plan(req, id, &plan) || !plan)
		return req_internal(req, "read back plan");
	snprintf(location, sizeof(location), "/v1/plans/%s", id);
	str_copy(req->location, location, sizeof(req->location));
	return req_reply(req, 201, plan);
}

bool plan_runnable(sqlite3 *db, const char *plan_id, char *why, size_t len)
{
	sqlite3_stmt *st = db_prep(db, "SELECT vcpus, memory_mib, cpu_weight, cpu_cap_pct"
				       " FROM plans WHERE id = ?", "s", plan_id);
	int64_t vcpus, mib, weight, cap;
	const char *problem;
	bool found = st && sqlite3_step(st) == SQLITE_ROW;

	if (!found) {
		sqlite3_finalize(st);
		snprintf(why, len, "no such plan");
		return false;
	}
	vcpus = sqlite3_column_int64(st, 0);
	mib = sqlite3_column_int64(st, 1);
	weight = sqlite3_column_int64(st, 2);
	cap = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);

	/* The hypervisor's own checks (hvabi.h); the row's values are first
	 * brought into the ABI's types, so a huge one cannot wrap into range. */
	if (vcpus < 0 || vcpus > UINT32_MAX || mib < 0 || mib > UINT32_MAX ||
	    weight < 0 || weight > UINT32_MAX || cap < 0 || cap > UINT32_MAX)
		problem = "a value is out of range";
	else
		problem = hv_domain_size_check((uint64_t)mib << 20, (uint32_t)vcpus);
	if (!problem)
		problem = hv_sched_quota_check((uint32_t)weight, (uint32_t)cap,
					       (uint32_t)vcpus);
	if (!problem)
		return true;
	snprintf(why, len, "the plan (%lld vCPUs, %lld MiB, weight %lld, cap %lld%%)"
		 " is beyond the hypervisor's limits: %s", (long long)vcpus,
		 (long long)mib, (long long)weight, (long long)cap, problem);
	return false;
}

int plans_list(struct request *req)
{
	const char *params[] = { req_scope(req) };

	return api_list(req, plan_columns, "FROM plans WHERE " PLAN_VISIBLE, 1, params);
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
