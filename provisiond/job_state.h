// SPDX-License-Identifier: GPL-2.0-only
/*
 * job_state.h - the job state machine and the rules for accepting a job,
 * as pure functions (no database, no hypervisor) so they are unit-tested.
 *
 *          claim            success
 *   queued -------> running ---------> succeeded
 *     |      <-------  |
 *     |    interrupted |  failure
 *     |    (restart)   +-------------> failed
 *     +--------------------------------^
 *        cancelled before it ran (its server vanished)
 *
 * "running -> queued" is how a job interrupted by a crash or a stop of
 * provisiond resumes: every step a job takes is idempotent (domains are
 * found by name before anything is created), so running it again finishes
 * it.  After max_job_attempts interruptions it fails instead.
 */
#ifndef PROVISIOND_JOB_STATE_H
#define PROVISIOND_JOB_STATE_H

#include <stdbool.h>

enum job_kind {
	JOB_CREATE,
	JOB_START,
	JOB_STOP,
	JOB_REBOOT,
	JOB_SUSPEND,
	JOB_UNSUSPEND,
	JOB_CHANGE_PLAN,
	JOB_REINSTALL,
	JOB_DELETE,
	JOB_KIND_COUNT
};

enum job_state {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_SUCCEEDED,
	JOB_FAILED,
	JOB_STATE_COUNT
};

const char *job_kind_name(enum job_kind kind);
/* -1 if name is not a kind. */
int job_kind_parse(const char *name);

const char *job_state_name(enum job_state state);
int job_state_parse(const char *name);

bool job_state_final(enum job_state state);
bool job_transition_allowed(enum job_state from, enum job_state to);

/* What a job request is checked against: the server as stored. */
struct server_view {
	const char *desired_state;	/* running, stopped, deleted */
	const char *actual_state;	/* provisioning, running, ... */
	bool suspended;
	const char *plan_id;
};

/* Why a job is refused: an HTTP status and the API's error code. */
struct refusal {
	int status;
	const char *code;
	const char *message;
};

/*
 * Whether a caller (admin or customer) may start a job of this kind on
 * this server now; false with *why filled in if not.  The rules:
 *   - a server being deleted takes no job but another delete;
 *   - while suspended, a customer may do nothing (403 server_suspended),
 *     and an admin may not start or reboot it (409: unsuspend first);
 *   - suspend needs an unsuspended server, unsuspend a suspended one;
 *   - reboot needs a running server;
 *   - change_plan needs a different plan (new_plan_id).
 * "One job at a time per server" is checked separately (jobs.c).
 */
bool job_refused(enum job_kind kind, const struct server_view *s, bool admin,
		 const char *new_plan_id, struct refusal *why);

/* Whether the server should have a running domain when its jobs are done. */
bool server_wants_running(const char *desired_state, bool suspended);

#endif
