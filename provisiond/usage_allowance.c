// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage_allowance.c - the monthly traffic allowance (usage_allowance.h).
 *
 * A server's plan may allow traffic_allowance_gib GiB (2^30 bytes) of
 * rx + tx per calendar month, UTC.  The monitor, after each sample, asks
 * allowance_check() about it; past the allowance the plan's
 * overage_policy applies once in the month, remembered in the server's
 * row (traffic_overage_month, _policy) so that neither a restart of
 * provisiond nor the next sample applies it again:
 *   throttle  the interface's limits become overage_rate_mbps both ways,
 *             now (the caller's net_limit) and at every start of the
 *             month (allowance_throttle(), read when the domain is built);
 *   suspend   the server is suspended, as POST .../suspend does.
 * The first sample of the next month lifts it: the plan's rate again, or
 * an unsuspend if the server is still suspended.  So does the first
 * sample that finds the month's traffic within the allowance of the
 * server's plan now (a change of plan to a bigger allowance, or none).
 * Both are audited (server.traffic_overage, server.traffic_overage_lifted).
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "events.h"
#include "jobs.h"
#include "log.h"
#include "server_net.h"
#include "usage.h"
#include "usage_allowance.h"
#include "util.h"

#define GIB	(1ULL << 30)

static int audit(sqlite3 *w, const char *action, const char *server_id,
		 const char *tenant_id, const char *detail)
{
	struct audit_entry e = {
		.actor = "monitor",
		.actor_scope = "system",
		.action = action,
		.target_type = "server",
		.target_id = server_id,
		.tenant_id = tenant_id,
		.ok = true,
		.detail = detail,
	};

	return audit_write(w, &e);
}

/* As POST .../suspend and .../unsuspend do it: the intent, then the job. */
static int queue_suspension(sqlite3 *w, const char *server_id, const char *tenant_id,
			    bool suspend)
{
	char job_id[ID_MAX];
	int rc = db_run(w, "UPDATE servers SET suspended = ?, updated_at = ? WHERE id = ?",
			"dis", suspend ? 1 : 0, now_s(), server_id);

	if (rc == SQLITE_OK)
		rc = job_enqueue(w, server_id, tenant_id,
				 suspend ? JOB_SUSPEND : JOB_UNSUSPEND, "{}", "monitor",
				 job_id);
	if (rc == SQLITE_OK)
		log_info("monitor: server %s: traffic allowance: queued %s job %s",
			 server_id, suspend ? "suspend" : "unsuspend", job_id);
	return rc;
}

/* Undoes what was applied (a->applied_policy); why starts the audit's
 * detail. */
static int lift(sqlite3 *w, const char *server_id, const char *tenant_id,
		const struct allowance_state *a, const char *why,
		enum allowance_action *action, uint64_t *bps, bool *queued)
{
	char detail[200];
	int rc = db_run(w, "UPDATE servers SET traffic_overage_month = NULL,"
			   " traffic_overage_policy = NULL WHERE id = ?", "s", server_id);

	if (rc == SQLITE_OK && strcmp(a->applied_policy, "throttle") == 0) {
		*action = ALLOWANCE_SET_LIMIT;
		*bps = a->plan_mbps * BYTES_PER_S_PER_MBPS;
	}
	if (rc == SQLITE_OK && strcmp(a->applied_policy, "suspend") == 0 && a->suspended) {
		rc = queue_suspension(w, server_id, tenant_id, false);
		*queued = rc == SQLITE_OK;
	}
	snprintf(detail, sizeof(detail), "%s: %s", why,
		 strcmp(a->applied_policy, "throttle") == 0 ?
		 "the plan's network rate again" : "the server is unsuspended");
	if (rc == SQLITE_OK)
		log_info("monitor: server %s: traffic allowance lifted: %s", server_id, detail);
	if (rc == SQLITE_OK)
		rc = audit(w, "server.traffic_overage_lifted", server_id, tenant_id, detail);
	return rc;
}

int allowance_check(sqlite3 *w, const char *server_id, const char *tenant_id,
		    const struct allowance_state *a, uint64_t month_traffic,
		    int64_t now, enum allowance_action *action, uint64_t *bps,
		    bool *queued)
{
	int64_t month = usage_month_start(now);
	bool applied = a->applied_month == month;
	bool over = a->allowance_gib != 0 && month_traffic > a->allowance_gib * GIB;
	char detail[200];
	int rc;

	*action = ALLOWANCE_NOTHING;
	*queued = false;
	if (a->applied_month && a->applied_month < month) {
		rc = lift(w, server_id, tenant_id, a, "a new month", action, bps, queued);
		if (rc != SQLITE_OK)
			return rc;
	}
	/* Applied this month, but the server's plan now allows what it used
	 * (the hoster moved it to a plan with a bigger allowance, or none):
	 * lifted as a new month lifts it. */
	if (applied && !over) {
		snprintf(detail, sizeof(detail), "%llu bytes this month, within the "
			 "allowance of its plan now (%llu GiB, 0 = none)",
			 (unsigned long long)month_traffic,
			 (unsigned long long)a->allowance_gib);
		return lift(w, server_id, tenant_id, a, detail, action, bps, queued);
	}
	if (applied || !over)
		return SQLITE_OK;

	rc = db_run(w, "UPDATE servers SET traffic_overage_month = ?,"
		       " traffic_overage_policy = ? WHERE id = ?", "iss", month,
		    a->policy, server_id);
	if (rc != SQLITE_OK)
		return rc;
	if (strcmp(a->policy, "suspend") == 0) {
		if (!a->suspended) {
			rc = queue_suspension(w, server_id, tenant_id, true);
			*queued = rc == SQLITE_OK;
		}
		snprintf(detail, sizeof(detail), "%llu bytes this month, over the "
			 "allowance of %llu GiB: suspended",
			 (unsigned long long)month_traffic,
			 (unsigned long long)a->allowance_gib);
	} else {
		*action = ALLOWANCE_SET_LIMIT;
		*bps = a->rate_mbps * BYTES_PER_S_PER_MBPS;
		snprintf(detail, sizeof(detail), "%llu bytes this month, over the "
			 "allowance of %llu GiB: throttled to %llu Mbit/s",
			 (unsigned long long)month_traffic,
			 (unsigned long long)a->allowance_gib,
			 (unsigned long long)a->rate_mbps);
	}
	log_info("monitor: server %s: %s", server_id, detail);
	if (rc == SQLITE_OK)
		rc = audit(w, "server.traffic_overage", server_id, tenant_id, detail);
	/* The webhook event, in this transaction: it exists iff the policy
	 * was recorded as applied. */
	if (rc == SQLITE_OK)
		rc = event_emit(w, EVENT_SERVER_TRAFFIC_OVERAGE, tenant_id, server_id,
				json_pack("{s:I, s:I, s:s, s:I}",
					  "month_bytes", (json_int_t)month_traffic,
					  "allowance_gib", (json_int_t)a->allowance_gib,
					  "policy", a->policy,
					  "rate_mbps", (json_int_t)a->rate_mbps));
	return rc;
}

bool allowance_throttle(sqlite3 *db, const char *server_id, int64_t now,
			uint64_t *bps)
{
	/* Recorded this month, and still due under the server's plan now: a
	 * change of plan rebuilds the domain before the monitor's next
	 * sample lifts a throttle the new plan does not call for (a bigger
	 * allowance, none, or another policy), and the new domain must not
	 * be slowed meanwhile. */
	int64_t month = usage_month_start(now);
	sqlite3_stmt *st = db_prep(db, "SELECT p.overage_rate_mbps FROM servers s"
				       " JOIN plans p ON p.id = s.plan_id"
				       " JOIN usage_cursors c ON c.server_id = s.id"
				       " WHERE s.id = ? AND s.traffic_overage_month = ?"
				       " AND s.traffic_overage_policy = 'throttle'"
				       " AND p.overage_policy = 'throttle'"
				       " AND p.traffic_allowance_gib > 0 AND c.month_start = ?"
				       " AND c.month_traffic_bytes > p.traffic_allowance_gib * ?",
				   "siii", server_id, month, month, (int64_t)GIB);
	bool holds = st && sqlite3_step(st) == SQLITE_ROW;

	if (holds)
		*bps = (uint64_t)sqlite3_column_int64(st, 0) * BYTES_PER_S_PER_MBPS;
	sqlite3_finalize(st);
	return holds;
}
