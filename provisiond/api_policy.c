// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_policy.c - /v1/tenants/{id}/policy: what a tenant's customers may
 * do, and the checks that hold them to it.
 *
 * What a customer may order is the hoster's decision, so the default is
 * safe: a tenant whose policy no admin has set follows the configured
 * defaults (config.c's default_*: a couple of small servers, no plan
 * changes).  A policy has
 *
 *   - quotas: the tenant's servers, vCPUs, memory, disk and IP addresses
 *     in all (null: no limit), counted over its servers that are not
 *     deleted, from their plans;
 *   - allowed_plan_ids: the plans its customers may use (null: all
 *     available plans);
 *   - plan_changes: none, upgrade (to a plan at least as large in every
 *     resource) or any.
 *
 * Only customers are held to it: admins (the hoster's panel) may do what
 * the catalogue and the hypervisor allow.  The checks run inside the
 * request's write transaction, before the insert (router.c: one writer at
 * a time), so parallel creates cannot overshoot a quota.  Changes to a
 * policy are audited as tenant.policy_update, refusals as the refused
 * request (server.create, server.change_plan) with their error code.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "config.h"
#include "db.h"

enum quota { Q_SERVERS, Q_VCPUS, Q_MEMORY, Q_DISK, Q_IPS, NQUOTAS };

static const struct {
	const char *field;	/* in the policy */
	const char *usage;	/* in its "usage" */
	const char *unit;	/* for people */
} quotas[NQUOTAS] = {
	[Q_SERVERS] = { "max_servers", "servers", "servers" },
	[Q_VCPUS] = { "max_vcpus", "vcpus", "vCPUs" },
	[Q_MEMORY] = { "max_memory_mib", "memory_mib", "MiB of memory" },
	[Q_DISK] = { "max_disk_gib", "disk_gib", "GiB of disk" },
	[Q_IPS] = { "max_ips", "ips", "IP addresses" },
};

struct policy {
	bool is_default;		/* no row: the configured defaults */
	int64_t max[NQUOTAS];		/* QUOTA_UNLIMITED: no limit */
	json_t *allowed_plan_ids;	/* owned; NULL: every plan */
	int plan_changes;		/* enum plan_changes */
	int64_t updated_at;		/* 0 when is_default */
};

/* What a plan gives a server, or what a tenant's servers hold in all. */
struct resources {
	int64_t count[NQUOTAS];
	int64_t cpu_weight, cpu_cap_pct;	/* plans only */
};

static void policy_defaults(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->is_default = true;
	p->max[Q_SERVERS] = api_settings.default_max_servers;
	p->max[Q_VCPUS] = api_settings.default_max_vcpus;
	p->max[Q_MEMORY] = api_settings.default_max_memory_mib;
	p->max[Q_DISK] = api_settings.default_max_disk_gib;
	p->max[Q_IPS] = api_settings.default_max_ips;
	p->plan_changes = api_settings.default_plan_changes;
}

/* The tenant's policy (its row, else the defaults).  0, or -1. */
static int policy_load(sqlite3 *db, const char *tenant, struct policy *p)
{
	sqlite3_stmt *st;
	int rc;

	policy_defaults(p);
	st = db_prep(db, "SELECT max_servers, max_vcpus, max_memory_mib, max_disk_gib,"
			 " max_ips, allowed_plan_ids, plan_changes, updated_at"
			 " FROM tenant_policies WHERE tenant_id = ?", "s", tenant);
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *allowed = (const char *)sqlite3_column_text(st, 5);
		const char *changes = (const char *)sqlite3_column_text(st, 6);

		p->is_default = false;
		for (int q = 0; q < NQUOTAS; q++)
			p->max[q] = sqlite3_column_type(st, q) == SQLITE_NULL ?
				    QUOTA_UNLIMITED : sqlite3_column_int64(st, q);
		p->allowed_plan_ids = allowed ? json_loads(allowed, 0, NULL) : NULL;
		for (int c = 0; plan_change_names[c]; c++)
			if (changes && strcmp(changes, plan_change_names[c]) == 0)
				p->plan_changes = c;
		p->updated_at = sqlite3_column_int64(st, 7);
		rc = (allowed && !p->allowed_plan_ids) ? SQLITE_ERROR : SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void policy_free(struct policy *p)
{
	json_decref(p->allowed_plan_ids);
	p->allowed_plan_ids = NULL;
}

/* The disk a server of plan p holds, in GiB: its root and data disks, or
 * the plan's disk_gib where that says more (plans from before disks). */
#define PLAN_DISK_GIB \
	"max(coalesce(p.disk_gib, 0), p.root_disk_gib + p.data_disk_gib)"

/* What the tenant's servers that are not deleted hold.  0, or -1.  ips:
 * their live addresses (and IPv6 /64s) of both families (ipam.c). */
static int tenant_usage(sqlite3 *db, const char *tenant, struct resources *u)
{
	sqlite3_stmt *st = db_prep(db,
		"SELECT count(*), coalesce(sum(p.vcpus), 0), coalesce(sum(p.memory_mib), 0),"
		" coalesce(sum(" PLAN_DISK_GIB "), 0),"
		" (SELECT count(*) FROM ip_allocations a JOIN servers s2 ON s2.id = a.server_id"
		"  WHERE s2.tenant_id = ?1 AND s2.deleted_at IS NULL AND a.released_at IS NULL)"
		" FROM servers s LEFT JOIN plans p ON p.id = s.plan_id"
		" WHERE s.tenant_id = ?1 AND s.deleted_at IS NULL", "s", tenant);
	int rc;

	memset(u, 0, sizeof(*u));
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		u->count[Q_SERVERS] = sqlite3_column_int64(st, 0);
		u->count[Q_VCPUS] = sqlite3_column_int64(st, 1);
		u->count[Q_MEMORY] = sqlite3_column_int64(st, 2);
		u->count[Q_DISK] = sqlite3_column_int64(st, 3);
		u->count[Q_IPS] = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* What one server of the plan holds.  1 found, 0 no such plan, -1 error. */
static int plan_resources(sqlite3 *db, const char *plan, struct resources *r)
{
	sqlite3_stmt *st = db_prep(db, "SELECT p.vcpus, p.memory_mib, " PLAN_DISK_GIB ","
				       " p.cpu_weight, p.cpu_cap_pct FROM plans p WHERE p.id = ?",
				   "s", plan);
	int rc;

	memset(r, 0, sizeof(*r));
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->count[Q_SERVERS] = 1;
		r->count[Q_VCPUS] = sqlite3_column_int64(st, 0);
		r->count[Q_MEMORY] = sqlite3_column_int64(st, 1);
		r->count[Q_DISK] = sqlite3_column_int64(st, 2);
		r->cpu_weight = sqlite3_column_int64(st, 3);
		r->cpu_cap_pct = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static bool plan_allowed(const struct policy *p, const char *plan)
{
	size_t i;
	json_t *id;

	if (!p->allowed_plan_ids)
		return true;
	json_array_foreach(p->allowed_plan_ids, i, id)
		if (strcmp(json_string_value(id), plan) == 0)
			return true;
	return false;
}

/* A CPU cap of 0 is no cap: more than any cap. */
static int64_t cap_rank(int64_t cap_pct)
{
	return cap_pct == 0 ? INT64_MAX : cap_pct;
}

/* The first resource in which to is smaller than from, or NULL. */
static const char *smaller_in(const struct resources *from, const struct resources *to)
{
	for (int q = Q_VCPUS; q < NQUOTAS; q++)
		if (to->count[q] < from->count[q])
			return quotas[q].unit;
	if (to->cpu_weight < from->cpu_weight)
		return "CPU weight";
	if (cap_rank(to->cpu_cap_pct) < cap_rank(from->cpu_cap_pct))
		return "CPU cap";
	return NULL;
}

/*
 * 0 if usage - from + to stays within every quota of p; else the 403
 * answer naming the first quota it would exceed.
 */
static int check_quotas(struct request *req, const char *tenant,
			const struct policy *p, const struct resources *usage,
			const struct resources *from, const struct resources *to)
{
	for (int q = 0; q < NQUOTAS; q++) {
		int64_t after = usage->count[q] - from->count[q] + to->count[q];

		if (p->max[q] == QUOTA_UNLIMITED || to->count[q] <= from->count[q] ||
		    after <= p->max[q])
			continue;
		return req_error(req, 403, "quota_exceeded",
				 "%s: tenant %s may hold at most %lld %s; it holds %lld"
				 " and this would make it %lld",
				 quotas[q].field, tenant, (long long)p->max[q],
				 quotas[q].unit, (long long)usage->count[q],
				 (long long)after);
	}
	return 0;
}

int policy_check_create(struct request *req, const char *tenant,
			const char *plan_id)
{
	struct resources usage, none, plan;
	struct policy p;
	int rc;

	if (req->who.admin)
		return 0;
	if (policy_load(req->db, tenant, &p) < 0)
		return req_internal(req, "load tenant policy");
	memset(&none, 0, sizeof(none));
	if (!plan_allowed(&p, plan_id))
		rc = req_error(req, 403, "plan_not_allowed",
			       "plan_id: plan %s is not offered to tenant %s", plan_id,
			       tenant);
	else if (tenant_usage(req->db, tenant, &usage) < 0 ||
		 plan_resources(req->db, plan_id, &plan) != 1)
		rc = req_internal(req, "count tenant usage");
	else
		rc = check_quotas(req, tenant, &p, &usage, &none, &plan);
	policy_free(&p);
	return rc;
}

int policy_check_ips(struct request *req, const char *tenant, int adding)
{
	struct resources usage, none, more;
	struct policy p;
	int rc;

	if (req->who.admin)
		return 0;
	if (policy_load(req->db, tenant, &p) < 0)
		return req_internal(req, "load tenant policy");
	memset(&none, 0, sizeof(none));
	memset(&more, 0, sizeof(more));
	more.count[Q_IPS] = adding;
	if (tenant_usage(req->db, tenant, &usage) < 0)
		rc = req_internal(req, "count tenant usage");
	else
		rc = check_quotas(req, tenant, &p, &usage, &none, &more);
	policy_free(&p);
	return rc;
}

int policy_check_change_plan(struct request *req, const char *tenant,
			     const char *old_plan, const char *new_plan)
{
	struct resources usage, from, to;
	struct policy p;
	const char *smaller;
	int rc = 0;

	if (req->who.admin)
		return 0;
	if (policy_load(req->db, tenant, &p) < 0)
		return req_internal(req, "load tenant policy");
	/* A deleted plan (old_plan NULL) counts as nothing held. */
	memset(&from, 0, sizeof(from));
	if (p.plan_changes == PLAN_CHANGES_NONE)
		rc = req_error(req, 403, "plan_change_not_allowed",
			       "plan changes are not open to tenant %s's customers;"
			       " the hoster changes plans", tenant);
	else if (!plan_allowed(&p, new_plan))
		rc = req_error(req, 403, "plan_not_allowed",
			       "plan_id: plan %s is not offered to tenant %s", new_plan,
			       tenant);
	else if (tenant_usage(req->db, tenant, &usage) < 0 ||
		 (old_plan && plan_resources(req->db, old_plan, &from) != 1) ||
		 plan_resources(req->db, new_plan, &to) != 1)
		rc = req_internal(req, "count tenant usage");
	else if (p.plan_changes == PLAN_CHANGES_UPGRADE &&
		 (smaller = smaller_in(&from, &to)))
		rc = req_error(req, 403, "plan_change_not_allowed",
			       "plan_id: tenant %s's customers may only upgrade, and plan"
			       " %s has fewer %s than the server's plan", tenant,
			       new_plan, smaller);
	else
		rc = check_quotas(req, tenant, &p, &usage, &from, &to);
	policy_free(&p);
	return rc;
}

/* The policy as the API shows it, with what the tenant holds. */
static json_t *policy_json(const char *tenant, const struct policy *p,
			   const struct resources *usage)
{
	json_t *out = json_object(), *used = json_object();
	char when[TIME_STR_LEN];

	json_object_set_new(out, "tenant_id", json_string(tenant));
	for (int q = 0; q < NQUOTAS; q++) {
		json_object_set_new(out, quotas[q].field,
				    p->max[q] == QUOTA_UNLIMITED ? json_null() :
				    json_integer(p->max[q]));
		json_object_set_new(used, quotas[q].usage, json_integer(usage->count[q]));
	}
	json_object_set(out, "allowed_plan_ids",
			p->allowed_plan_ids ? p->allowed_plan_ids : json_null());
	json_object_set_new(out, "plan_changes",
			    json_string(plan_change_names[p->plan_changes]));
	json_object_set_new(out, "is_default", json_boolean(p->is_default));
	if (p->is_default) {
		json_object_set_new(out, "updated_at", json_null());
	} else {
		time_format(p->updated_at, when);
		json_object_set_new(out, "updated_at", json_string(when));
	}
	json_object_set_new(out, "usage", used);
	return out;
}

/* 1 if the caller may see the tenant, 0 if not (404), -1 on error. */
static int tenant_visible(struct request *req)
{
	sqlite3_stmt *st = db_prep(req->db, "SELECT 1 FROM tenants WHERE id = ?1"
					    " AND (?2 IS NULL OR id = ?2)",
				   "ss", req->id, req_scope(req));
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int reply_policy(struct request *req, int status)
{
	struct resources usage;
	struct policy p;

	if (policy_load(req->db, req->id, &p) < 0)
		return req_internal(req, "load tenant policy");
	if (tenant_usage(req->db, req->id, &usage) < 0) {
		policy_free(&p);
		return req_internal(req, "count tenant usage");
	}
	req_reply(req, status, policy_json(req->id, &p, &usage));
	policy_free(&p);
	return status;
}

int tenant_policy_get(struct request *req)
{
	int visible = tenant_visible(req);

	if (visible < 0)
		return req_internal(req, "fetch tenant");
	if (!visible)
		return req_error(req, 404, "not_found", "tenant %s not found", req->id);
	return reply_policy(req, 200);
}

/*
 * The audit entry says what the policy now is (the answer without the
 * usage), so that who set which limit when can be read back.  Plan ids
 * are ASCII: a long list is cut, never a character.
 */
static void audit_policy(struct request *req)
{
	json_t *now = json_deep_copy(req->response);
	char *text;
	size_t size = sizeof(req->audit_detail);

	json_object_del(now, "usage");
	json_object_del(now, "tenant_id");
	json_object_del(now, "updated_at");
	json_object_del(now, "is_default");
	text = json_dumps(now, JSON_COMPACT);
	json_decref(now);
	if (!text)
		return;
	if (strlen(text) >= size)
		snprintf(text + size - 4, 4, "...");
	str_copy(req->audit_detail, text, size);
	free(text);
}

/* Every plan id in the list names a plan; else the 400 answer. */
static int check_plan_ids(struct request *req, json_t *ids)
{
	struct resources unused;
	size_t i;
	json_t *id;

	json_array_foreach(ids, i, id) {
		int found = plan_resources(req->db, json_string_value(id), &unused);

		if (found < 0)
			return req_internal(req, "fetch plan");
		if (!found)
			return req_field_error(req, "allowed_plan_ids",
					       "allowed_plan_ids: no such plan: %s",
					       json_string_value(id));
	}
	return 0;
}

int tenant_policy_update(struct request *req)
{
	json_t *allowed = json_object_get(req->json, "allowed_plan_ids");
	json_t *changes = json_object_get(req->json, "plan_changes");
	char *allowed_text = NULL;
	struct policy p;
	int visible = tenant_visible(req), rc;
	int64_t max[NQUOTAS];

	if (visible < 0)
		return req_internal(req, "fetch tenant");
	if (!visible)
		return req_error(req, 404, "not_found", "tenant %s not found", req->id);
	audit_target(req, "tenant", req->id, req->id);
	if (!req->who.admin)
		return req_error(req, 403, "forbidden", "this request needs an admin token");
	if (allowed && json_is_array(allowed) && (rc = check_plan_ids(req, allowed)))
		return rc;

	/* Fields left out keep their value: the tenant's, or the defaults
	 * it followed until now. */
	if (policy_load(req->db, req->id, &p) < 0)
		return req_internal(req, "load tenant policy");
	for (int q = 0; q < NQUOTAS; q++) {
		json_t *v = json_object_get(req->json, quotas[q].field);

		max[q] = !v ? p.max[q] : json_is_null(v) ? QUOTA_UNLIMITED :
			 json_integer_value(v);
	}
	if (changes)
		for (int c = 0; plan_change_names[c]; c++)
			if (strcmp(json_string_value(changes), plan_change_names[c]) == 0)
				p.plan_changes = c;
	if (allowed)
		allowed_text = json_is_null(allowed) ? NULL :
			       json_dumps(allowed, JSON_COMPACT);
	else if (p.allowed_plan_ids)
		allowed_text = json_dumps(p.allowed_plan_ids, JSON_COMPACT);
	policy_free(&p);

	/* SQL NULL is no limit: bind -1 as NULL. */
	rc = db_run(req->db,
		    "INSERT OR REPLACE INTO tenant_policies (tenant_id, max_servers,"
		    " max_vcpus, max_memory_mib, max_disk_gib, max_ips, allowed_plan_ids,"
		    " plan_changes, updated_at) VALUES (?1, nullif(?2, -1), nullif(?3, -1),"
		    " nullif(?4, -1), nullif(?5, -1), nullif(?6, -1), ?7, ?8, ?9)",
		    "siiiiissi", req->id, max[Q_SERVERS], max[Q_VCPUS], max[Q_MEMORY],
		    max[Q_DISK], max[Q_IPS], allowed_text,
		    plan_change_names[p.plan_changes], now_s());
	free(allowed_text);
	if (rc != SQLITE_OK)
		return req_internal(req, "store tenant policy");
	rc = reply_policy(req, 200);
	if (rc == 200)
		audit_policy(req);
	return rc;
}
