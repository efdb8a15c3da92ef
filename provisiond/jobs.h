// SPDX-License-Identifier: GPL-2.0-only
/*
 * jobs.h - the job queue and its worker threads.
 *
 * Every operation that touches the hypervisor is a row in `jobs`, inserted
 * by the API in the same transaction as the change of intent it carries
 * (a new server, desired_state = stopped, ...).  Worker threads claim
 * queued jobs oldest first, run them against the hypervisor backend
 * (job_exec.c) with the writer released, and record the outcome.  So a
 * kill -9 at any moment leaves either no job (and no change), or a job
 * that the next start resumes (reconcile.c).
 */
#ifndef PROVISIOND_JOBS_H
#define PROVISIOND_JOBS_H

#include <stdbool.h>
#include <sqlite3.h>

#include "hv_backend.h"
#include "job_state.h"
#include "util.h"

struct jobs_settings {
	int workers;
	int stop_timeout_s;
};

/* Remembers the backend and settings; no thread yet. */
void jobs_init(struct hv_backend *hv, const struct jobs_settings *s);

/* Starts the workers.  0 or -1. */
int jobs_start(void);

/* Asks the workers to stop after their current step, and joins them.  A
 * job cut short goes back to queued and resumes at the next start. */
void jobs_stop(void);

/* True once jobs_stop() was called (long waits in job_exec.c check it). */
bool jobs_stopping(void);

/* Tells the workers that a job was queued (after the commit). */
void jobs_wake(void);

/*
 * Queues a job, in the caller's write transaction.  params: JSON object
 * text ("{}" for none).  Fills id.  SQLITE_CONSTRAINT if the server
 * already has a queued or running job.
 */
int job_enqueue(sqlite3 *wdb, const char *server_id, const char *tenant_id,
		enum job_kind kind, const char *params, const char *created_by,
		char id[ID_MAX]);

/* The id of the server's queued or running job into id; false if none. */
bool job_active_for(sqlite3 *db, const char *server_id, char id[ID_MAX]);

/* --- job_exec.c: running one job against the hypervisor --- */

struct job_run {
	char id[ID_MAX];
	char server_id[ID_MAX];
	char tenant_id[ID_MAX];
	enum job_kind kind;
	char params[512];

	/* The outcome, when it failed. */
	char error_code[40];
	char error_message[256];
	bool retryable;
	bool interrupted;		/* cut short by jobs_stop(): requeue */
};

/* Runs the job's steps; 0 on success, -1 with the error fields set. */
int job_execute(struct hv_backend *hv, int stop_timeout_s, struct job_run *run);

#endif
