// SPDX-License-Identifier: GPL-2.0-only
/*
 * reconcile.h - making the hypervisor and the database agree, at startup,
 * and sampling usage while running (monitor.c).
 *
 * SQLite is the truth about what should exist, the hypervisor about what
 * does.  Before provisiond serves a request after (re)starting:
 *
 *   1. Jobs left running (provisiond was killed or stopped mid-job) go
 *      back to queued, and run again from the start (their steps are
 *      idempotent); a job interrupted max_job_attempts times fails with
 *      error code "interrupted" and a reason instead.
 *   2. Each server without a queued job is compared with its domain
 *      (found by name, the server's id): a server that should run and
 *      does not (domain missing, paused, shut down, crashed) gets a
 *      "start" job; one that should be stopped but has a domain gets a
 *      "stop" job; one whose deletion failed gets a "delete" job.  Its
 *      actual_state becomes what the domain shows ("stopped" without
 *      one), and a change is a server.state_changed webhook event with
 *      cause "reconciler".
 *   3. Domains with no server: those named like provisiond's ("srv_" and
 *      16 hex digits) are orphans, reported in the log, the audit log and
 *      GET /v1/system, and destroyed if orphans = destroy.  Other names
 *      (dom0, test domains started by hand) are foreign and left alone.
 */
#ifndef PROVISIOND_RECONCILE_H
#define PROVISIOND_RECONCILE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "hv_backend.h"

struct reconcile_settings {
	int orphans;			/* enum orphan_policy */
	int max_job_attempts;
};

/* Runs the three steps above.  0, or -1 with err (the hypervisor could not
 * be listed, or the database failed). */
int reconcile_run(struct hv_backend *hv, const struct reconcile_settings *s,
		  char *err, size_t errlen);

/* What the last run found and did (a new reference), for GET /v1/system. */
json_t *reconcile_report(void);

/* The server actual_state for a domain state (HV_DOMAIN_*). */
const char *actual_state_of(uint32_t hv_state);

/*
 * monitor.c: samples usage and observed state every interval_s seconds (0:
 * never), and every hour removes the usage of servers deleted more than
 * retention_days ago.
 */
int monitor_start(struct hv_backend *hv, int interval_s, int retention_days);
void monitor_stop(void);

/*
 * The last sample of a server's domain, which a job takes just before it
 * destroys the domain (monitor.c): its usage meters and CPU time up to
 * now.  0, the backend's error, or -EIO (database).
 */
int monitor_final_sample(struct hv_backend *hv, const char *server_id);

#endif
