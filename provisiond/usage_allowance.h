// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage_allowance.h - a plan's monthly traffic allowance and its overage
 * policy (usage_allowance.c, docs/usage.md).
 */
#ifndef PROVISIOND_USAGE_ALLOWANCE_H
#define PROVISIOND_USAGE_ALLOWANCE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

/* A server's allowance and what was done about it, from its row and plan. */
struct allowance_state {
	uint64_t allowance_gib;		/* 0: none */
	char policy[16];		/* "throttle" or "suspend" */
	uint64_t rate_mbps;		/* the throttle's rate */
	uint64_t plan_mbps;		/* the plan's own rate; 0 = none */
	int64_t applied_month;		/* 0: not applied */
	char applied_policy[16];
	bool suspended;
};

/* What the caller must do to the server's domain after its commit. */
enum allowance_action {
	ALLOWANCE_NOTHING,
	ALLOWANCE_SET_LIMIT,		/* net_limit(bps, bps) */
};

/*
 * Applies the policy once when month_traffic (rx + tx bytes in the
 * calendar month of now, UTC) passed the allowance, and lifts what an
 * earlier month applied, or what this month applied when month_traffic
 * is no longer over the allowance in a (the server's plan now); audited,
 * in the caller's write transaction.  A suspension queues a suspend (or,
 * when lifted, an unsuspend) job: *queued tells the caller to wake the
 * workers after its commit.
 * *action and *bps say what to do to a running domain after the commit.
 */
int allowance_check(sqlite3 *w, const char *server_id, const char *tenant_id,
		    const struct allowance_state *a, uint64_t month_traffic,
		    int64_t now, enum allowance_action *action, uint64_t *bps,
		    bool *queued);

/* The rate a server's interface gets at its next start: true and *bps if
 * its throttle holds this month and its plan, as it is now, still calls
 * for it (the month's traffic over its allowance, policy throttle), else
 * false (the plan's rate holds). */
bool allowance_throttle(sqlite3 *db, const char *server_id, int64_t now,
			uint64_t *bps);

#endif
