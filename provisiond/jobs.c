// SPDX-License-Identifier: GPL-2.0-only
/*
 * jobs.c - queueing jobs, and the worker threads that run them (see
 * jobs.h).  The steps of each kind of job are in job_exec.c.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "events.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "metrics.h"

static struct {
	struct hv_backend *hv;
	struct jobs_settings s;
	pthread_t *threads;
	int nthreads;

	pthread_mutex_t lock;
	pthread_cond_t wake;
	uint64_t generation;		/* bumped by jobs_wake() */
	bool stopping;
} jq = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

void jobs_init(struct hv_backend *hv, const struct jobs_settings *s)
{
	jq.hv = hv;
	jq.s = *s;
}

bool jobs_stopping(void)
{
	bool s;

	pthread_mutex_lock(&jq.lock);
	s = jq.stopping;
	pthread_mutex_unlock(&jq.lock);
	return s;
}

void jobs_wake(void)
{
	pthread_mutex_lock(&jq.lock);
	jq.generation++;
	pthread_cond_broadcast(&jq.wake);
	pthread_mutex_unlock(&jq.lock);
}

int job_enqueue(sqlite3 *wdb, const char *server_id, const char *tenant_id,
		enum job_kind kind, const char *params, const char *created_by,
		char id[ID_MAX])
{
	if (id_new("job", id))
		return SQLITE_ERROR;
	return db_run(wdb, "INSERT INTO jobs (id, server_id, tenant_id, kind, state,"
			   " params, created_by, created_at)"
			   " VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)",
		      "ssssssi", id, server_id, tenant_id, job_kind_name(kind),
		      params, created_by, now_s());
}

bool job_active_for(sqlite3 *db, const char *server_id, char id[ID_MAX])
{
	sqlite3_stmt *st = db_prep(db, "SELECT id FROM jobs WHERE server_id = ?"
				       " AND state IN ('queued', 'running')",
				   "s", server_id);
	bool found = false;

	if (!st)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW) {
		str_copy(id, (const char *)sqlite3_column_text(st, 0), ID_MAX);
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

/* Takes the oldest queued job and marks it running.  False if none. */
static bool claim(struct job_run *run)
{
	sqlite3 *w = db_write_begin_background();
	sqlite3_stmt *st;
	bool got = false;

	if (!w)
		return false;
	st = db_prep(w, "SELECT id, server_id, tenant_id, kind, params FROM jobs"
			" WHERE state = 'queued' ORDER BY seq LIMIT 1", "");
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		memset(run, 0, sizeof(*run));
		str_copy(run->id, (const char *)sqlite3_column_text(st, 0), sizeof(run->id));
		str_copy(run->server_id, (const char *)sqlite3_column_text(st, 1),
			 sizeof(run->server_id));
		str_copy(run->tenant_id, (const char *)sqlite3_column_text(st, 2),
			 sizeof(run->tenant_id));
		run->kind = job_kind_parse((const char *)sqlite3_column_text(st, 3));
		str_copy(run->params, (const char *)sqlite3_column_text(st, 4),
			 sizeof(run->params));
		got = true;
	}
	sqlite3_finalize(st);

	if (got && db_run(w, "UPDATE jobs SET state = 'running', attempts = attempts + 1,"
			     " started_at = coalesce(started_at, ?)"
			     " WHERE id = ? AND state = 'queued'",
			  "is", now_s(), run->id) != SQLITE_OK)
		got = false;
	if (!got) {
		db_write_rollback(w);
		return false;
	}
	return db_write_commit(w) == SQLITE_OK;
}

/* The webhook events of a job's outcome (events.h), in its transaction. */
static int job_events(sqlite3 *w, const struct job_run *run, bool ok)
{
	int rc = event_emit(w, ok ? EVENT_JOB_SUCCEEDED : EVENT_JOB_FAILED,
			    run->tenant_id, run->server_id,
			    json_pack("{s:s, s:s, s:s, s:s*}", "job_id", run->id,
				      "kind", job_kind_name(run->kind), "server_id",
				      run->server_id, "error_code",
				      ok ? NULL : run->error_code));

	if (rc == SQLITE_OK && ok && run->kind == JOB_SUSPEND)
		rc = event_emit(w, EVENT_SERVER_SUSPENDED, run->tenant_id,
				run->server_id, json_pack("{s:s}", "job_id", run->id));
	if (rc == SQLITE_OK && ok && run->kind == JOB_UNSUSPEND)
		rc = event_emit(w, EVENT_SERVER_UNSUSPENDED, run->tenant_id,
				run->server_id, json_pack("{s:s}", "job_id", run->id));
	return rc;
}

/* Records the outcome, audits it, and wakes the long-polls. */
static void finish(const struct job_run *run, bool ok)
{
	char detail[320];
	struct audit_entry e = {
		.actor = "worker",
		.actor_scope = "system",
		.target_type = "server",
		.target_id = run->server_id,
		.tenant_id = run->tenant_id,
		.ok = ok,
		.error_code = ok ? NULL : run->error_code,
		.detail = detail,
	};
	char action[40];
	sqlite3 *w;
	int rc;

	snprintf(action, sizeof(action), "job.%s", job_kind_name(run->kind));
	e.action = action;
	if (ok)
		snprintf(detail, sizeof(detail), "%s succeeded", run->id);
	else
		snprintf(detail, sizeof(detail), "%s failed: %s", run->id,
			 run->error_message);

	w = db_write_begin_background();
	if (!w)
		return;	/* left running: the next start resumes it */
	if (run->interrupted) {
		rc = db_run(w, "UPDATE jobs SET state = 'queued'"
			       " WHERE id = ? AND state = 'running'", "s", run->id);
	} else {
		rc = db_run(w, "UPDATE jobs SET state = ?, finished_at = ?,"
			       " error_code = ?, error_message = ?, error_retryable = ?"
			       " WHERE id = ? AND state = 'running'",
			    "sissds", ok ? "succeeded" : "failed", now_s(),
			    ok ? NULL : run->error_code, ok ? NULL : run->error_message,
			    ok ? 0 : (int)run->retryable, run->id);
		if (rc == SQLITE_OK)
			rc = job_events(w, run, ok);
		if (rc == SQLITE_OK)
			rc = audit_write(w, &e);
	}
	if (rc != SQLITE_OK) {
		db_write_rollback(w);
		return;
	}
	if (db_write_commit(w) != SQLITE_OK)
		return;

	if (run->interrupted)
		log_info("job %s (%s %s): interrupted by shutdown, resumes at next start",
			 run->id, job_kind_name(run->kind), run->server_id);
	else if (ok)
		log_info("job %s (%s %s): succeeded", run->id,
			 job_kind_name(run->kind), run->server_id);
	else
		log_warn("job %s (%s %s): failed: %s: %s", run->id,
			 job_kind_name(run->kind), run->server_id, run->error_code,
			 run->error_message);
	http_job_finished();
}

static void *worker_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct job_run run;
		uint64_t gen;
		struct timespec ts;

		pthread_mutex_lock(&jq.lock);
		if (jq.stopping) {
			pthread_mutex_unlock(&jq.lock);
			break;
		}
		gen = jq.generation;
		pthread_mutex_unlock(&jq.lock);

		if (claim(&run)) {
			int64_t t0 = mono_ms();
			bool ok;

			log_info("job %s (%s %s): running", run.id,
				 job_kind_name(run.kind), run.server_id);
			ok = job_execute(jq.hv, jq.s.stop_timeout_s, &run) == 0;
			finish(&run, ok);
			if (!run.interrupted)
				metrics_job_observe(job_kind_name(run.kind), ok,
						    (double)(mono_ms() - t0) / 1000.0);
			continue;
		}

		/* Nothing queued: sleep until woken (or a second passes, a
		 * safety net that costs one query a second). */
		pthread_mutex_lock(&jq.lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (!jq.stopping && jq.generation == gen)
			pthread_cond_timedwait(&jq.wake, &jq.lock, &ts);
		pthread_mutex_unlock(&jq.lock);
	}
	return NULL;
}

int jobs_start(void)
{
	jq.threads = calloc((size_t)jq.s.workers, sizeof(*jq.threads));
	if (!jq.threads)
		return -1;
	jq.stopping = false;
	for (int i = 0; i < jq.s.workers; i++) {
		if (pthread_create(&jq.threads[i], NULL, worker_main, NULL) != 0) {
			jobs_stop();
			return -1;
		}
		jq.nthreads = i + 1;
	}
	return 0;
}

void jobs_stop(void)
{
	pthread_mutex_lock(&jq.lock);
	jq.stopping = true;
	pthread_cond_broadcast(&jq.wake);
	pthread_mutex_unlock(&jq.lock);
	for (int i = 0; i < jq.nthreads; i++)
		pthread_join(jq.threads[i], NULL);
	free(jq.threads);
	jq.threads = NULL;
	jq.nthreads = 0;
}
