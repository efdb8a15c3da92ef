// SPDX-License-Identifier: GPL-2.0-only
/*
 * reconcile.c - startup reconciliation of the database and the hypervisor
 * (see reconcile.h for the rules).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "events.h"
#include "job_state.h"
#include "jobs.h"
#include "log.h"
#include "reconcile.h"
#include "volume.h"

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *report;

json_t *reconcile_report(void)
{
	json_t *copy;

	pthread_mutex_lock(&report_lock);
	copy = report ? json_deep_copy(report) : json_null();
	pthread_mutex_unlock(&report_lock);
	return copy;
}

const char *actual_state_of(uint32_t hv_state)
{
	switch (hv_state) {
	case HV_DOMAIN_RUNNING:
	case HV_DOMAIN_BLOCKED:
		return "running";
	case HV_DOMAIN_PAUSED:
		return "paused";
	case HV_DOMAIN_CRASHED:
		return "crashed";
	default:
		return "stopped";
	}
}

static void audit_system(sqlite3 *w, const char *action, const char *server_id,
			 const char *tenant_id, bool ok, const char *code,
			 const char *detail)
{
	struct audit_entry e = {
		.actor = "reconciler",
		.actor_scope = "system",
		.action = action,
		.target_type = server_id ? "server" : "domain",
		.target_id = server_id,
		.tenant_id = tenant_id,
		.ok = ok,
		.error_code = code,
		.detail = detail,
	};

	audit_write(w, &e);
}

/* Step 1: jobs that were running when provisiond stopped. */
static int resume_jobs(sqlite3 *w, int max_attempts, json_t *rep)
{
	sqlite3_stmt *st = db_prep(w, "SELECT id, server_id, tenant_id, kind, attempts"
				      " FROM jobs WHERE state = 'running' ORDER BY seq", "");
	int resumed = 0, failed = 0, rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *server = (const char *)sqlite3_column_text(st, 1);
		const char *tenant = (const char *)sqlite3_column_text(st, 2);
		const char *kind = (const char *)sqlite3_column_text(st, 3);
		int attempts = sqlite3_column_int(st, 4);
		char msg[256];

		if (attempts >= max_attempts) {
			snprintf(msg, sizeof(msg),
				 "provisiond stopped %d times while this job ran; it was "
				 "abandoned (the reconciler queues what the server still needs)",
				 attempts);
			if (db_run(w, "UPDATE jobs SET state = 'failed', finished_at = ?,"
				      " error_code = 'interrupted', error_message = ?,"
				      " error_retryable = 1 WHERE id = ?",
				   "iss", now_s(), msg, id) != SQLITE_OK)
				break;
			log_warn("reconcile: job %s (%s %s) failed: %s", id, kind, server, msg);
			snprintf(msg, sizeof(msg), "%s (%s) failed: interrupted %d times",
				 id, kind, attempts);
			audit_system(w, "reconcile.job_failed", server, tenant, false,
				     "interrupted", msg);
			failed++;
		} else {
			if (db_run(w, "UPDATE jobs SET state = 'queued' WHERE id = ?", "s",
				   id) != SQLITE_OK)
				break;
			log_info("reconcile: job %s (%s %s) was interrupted: resuming it",
				 id, kind, server);
			snprintf(msg, sizeof(msg), "%s (%s) resumed after attempt %d",
				 id, kind, attempts);
			audit_system(w, "reconcile.job_resumed", server, tenant, true, NULL, msg);
			resumed++;
		}
	}
	sqlite3_finalize(st);
	json_object_set_new(rep, "jobs_resumed", json_integer(resumed));
	json_object_set_new(rep, "jobs_failed", json_integer(failed));
	return rc == SQLITE_DONE ? 0 : -1;
}

static const struct hvb_domain *find_domain(const struct hvb_domain *doms,
					    uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (doms[i].domid != 0 && strcmp(doms[i].name, name) == 0)
			return &doms[i];
	return NULL;
}

/* Step 2: each server without a queued job against its domain. */
static int check_servers(sqlite3 *w, const struct hvb_domain *doms, uint32_t n,
			 json_t *rep)
{
	sqlite3_stmt *st = db_prep(w, "SELECT id, tenant_id, desired_state, suspended,"
				      " actual_state FROM servers s WHERE deleted_at IS NULL"
				      " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.server_id = s.id"
				      "  AND j.state = 'queued') ORDER BY seq", "");
	json_t *queued = json_array();
	int rc;

	if (!st) {
		json_decref(queued);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *tenant = (const char *)sqlite3_column_text(st, 1);
		const char *desired = (const char *)sqlite3_column_text(st, 2);
		bool suspended = sqlite3_column_int(st, 3) != 0;
		char state_before[16];
		const struct hvb_domain *d = find_domain(doms, n, id);
		bool runs = d && (d->state == HV_DOMAIN_RUNNING ||
				  d->state == HV_DOMAIN_BLOCKED);
		enum job_kind kind = JOB_KIND_COUNT;
		char job_id[ID_MAX], detail[160];

		if (strcmp(desired, "deleted") == 0)
			kind = JOB_DELETE;
		else if (server_wants_running(desired, suspended) && !runs)
			kind = JOB_START;
		else if (!server_wants_running(desired, suspended) && d)
			kind = JOB_STOP;

		/* What is there now, whatever happens next. */
		str_copy(state_before, (const char *)sqlite3_column_text(st, 4),
			 sizeof(state_before));
		if (d)
			rc = db_run(w, "UPDATE servers SET domain_id = ?, actual_state = ?"
				       " WHERE id = ?", "iss", (int64_t)d->domid,
				    actual_state_of(d->state), id);
		else
			rc = db_run(w, "UPDATE servers SET"
				       " cpu_time_base_ns = cpu_time_base_ns + cpu_time_live_ns,"
				       " cpu_time_live_ns = 0, domain_id = NULL,"
				       " actual_state = CASE actual_state WHEN 'provisioning'"
				       " THEN 'provisioning' ELSE 'stopped' END WHERE id = ?",
				    "s", id);
		/* A server found stopped after a crash or a reboot of the host
		 * is news to the hoster's webhooks, as when the monitor sees it. */
		if (rc == SQLITE_OK)
			rc = event_server_state(w, id, state_before, "reconciler");
		if (rc != SQLITE_OK)
			break;
		if (kind == JOB_KIND_COUNT)
			continue;

		if (job_enqueue(w, id, tenant, kind, "{}", "reconciler", job_id) != SQLITE_OK) {
			rc = SQLITE_ERROR;
			break;
		}
		log_info("reconcile: server %s (desired %s%s, domain %s): queued %s job %s",
			 id, desired, suspended ? ", suspended" : "",
			 d ? actual_state_of(d->state) : "missing", job_kind_name(kind), job_id);
		snprintf(detail, sizeof(detail), "queued %s job %s (domain %s)",
			 job_kind_name(kind), job_id, d ? actual_state_of(d->state) : "missing");
		audit_system(w, "reconcile.job_queued", id, tenant, true, NULL, detail);
		json_array_append_new(queued, json_pack("{s:s, s:s, s:s}", "server_id", id,
							"job_id", job_id, "kind",
							job_kind_name(kind)));
	}
	sqlite3_finalize(st);
	json_object_set_new(rep, "jobs_queued", queued);
	return rc == SQLITE_DONE ? 0 : -1;
}

static bool server_exists(sqlite3 *w, const char *id)
{
	sqlite3_stmt *st = db_prep(w, "SELECT 1 FROM servers WHERE id = ?"
				      " AND deleted_at IS NULL", "s", id);
	bool found = st && sqlite3_step(st) == SQLITE_ROW;

	sqlite3_finalize(st);
	return found;
}

/*
 * Step 3: domains that no server owns.  The destroy happens with the writer
 * held, which the rest of provisiond never does; here nothing else runs yet
 * (no HTTP, no workers), and it keeps the report and the audit in step.
 */
static void check_domains(struct hv_backend *hv, sqlite3 *w, int policy,
			  const struct hvb_domain *doms, uint32_t n, json_t *rep)
{
	json_t *orphans = json_array(), *foreign = json_array();

	for (uint32_t i = 0; i < n; i++) {
		const struct hvb_domain *d = &doms[i];
		const char *action = "reported";
		char detail[160];

		if (d->domid == 0 || server_exists(w, d->name))
			continue;
		if (!id_valid("srv", d->name)) {
			log_info("reconcile: domain %u (%s) is not provisiond's: left alone",
				 d->domid, d->name);
			json_array_append_new(foreign, json_pack("{s:i, s:s}", "domain_id",
								 (int)d->domid, "name", d->name));
			continue;
		}
		if (policy == ORPHANS_DESTROY) {
			int err = hv->destroy(hv, d->domid);

			action = err ? "destroy_failed" : "destroyed";
			if (err)
				log_error("reconcile: orphan domain %u (%s): destroy failed: %s",
					  d->domid, d->name, hv_strerror(err));
		}
		log_warn("reconcile: domain %u (%s) has no server in the database: %s "
			 "(orphans = %s)", d->domid, d->name, action,
			 policy == ORPHANS_DESTROY ? "destroy" : "report");
		snprintf(detail, sizeof(detail), "domain %u (%s) has no server: %s",
			 d->domid, d->name, action);
		audit_system(w, "reconcile.orphan_domain", NULL, NULL,
			     strcmp(action, "destroy_failed") != 0, NULL, detail);
		json_array_append_new(orphans, json_pack("{s:i, s:s, s:s}", "domain_id",
							 (int)d->domid, "name", d->name,
							 "action", action));
	}
	json_object_set_new(rep, "orphans", orphans);
	json_object_set_new(rep, "foreign_domains", foreign);
}

/*
 * Step 4: the volume pool.  A file named like a volume that no row names
 * was left by a crash between making the file and writing its row (or
 * between deleting the row and the file): removed.  A ".tmp" is a volume
 * being made when provisiond stopped: removed (its job makes it again).
 * A ready row whose file is gone is marked missing (logged, audited).
 */
static void check_volumes(sqlite3 *w, json_t *rep)
{
	json_t *removed = json_array(), *missing = json_array();
	DIR *dir = opendir(volume_settings.pool);
	struct dirent *e;
	sqlite3_stmt *st;

	while (dir && (e = readdir(dir))) {
		char path[VOLUME_PATH_MAX], detail[VOLUME_PATH_MAX + 64];
		size_t n = strlen(e->d_name);
		bool tmp, named;

		if (!volume_file_name(e->d_name))
			continue;
		tmp = n > 4 && strcmp(e->d_name + n - 4, ".tmp") == 0;
		snprintf(path, sizeof(path), "%s/%.*s", volume_settings.pool,
			 (int)(tmp ? n - 4 : n), e->d_name);
		st = db_prep(w, "SELECT 1 FROM volumes WHERE path = ?", "s", path);
		named = st && sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (named && !tmp)
			continue;
		snprintf(path, sizeof(path), "%s/%s", volume_settings.pool, e->d_name);
		if (unlinkat(dirfd(dir), e->d_name, 0) < 0) {
			log_warn("reconcile: cannot remove %s: %s", path, strerror(errno));
			continue;
		}
		json_array_append_new(removed, json_string(e->d_name));
		if (tmp)
			continue;
		snprintf(detail, sizeof(detail), "volume file %s had no volume: removed", path);
		log_warn("reconcile: %s", detail);
		audit_system(w, "reconcile.volume_file_removed", NULL, NULL, true, NULL,
			     detail);
	}
	if (dir)
		closedir(dir);

	st = db_prep(w, "SELECT v.id, v.path, v.server_id, s.tenant_id FROM volumes v"
			" JOIN servers s ON s.id = v.server_id WHERE v.state = 'ready'", "");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *path = (const char *)sqlite3_column_text(st, 1);
		char detail[VOLUME_PATH_MAX + 64];

		if (access(path, F_OK) == 0 || errno != ENOENT)
			continue;
		snprintf(detail, sizeof(detail), "volume %s: its file %s is gone", id, path);
		log_error("reconcile: %s", detail);
		audit_system(w, "reconcile.volume_missing",
			     (const char *)sqlite3_column_text(st, 2),
			     (const char *)sqlite3_column_text(st, 3), false,
			     "volume_missing", detail);
		json_array_append_new(missing, json_string(id));
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < json_array_size(missing); i++)
		db_run(w, "UPDATE volumes SET state = 'missing' WHERE id = ?", "s",
		       json_string_value(json_array_get(missing, i)));
	json_object_set_new(rep, "volume_files_removed", removed);
	json_object_set_new(rep, "volumes_missing", missing);
}

int reconcile_run(struct hv_backend *hv, const struct reconcile_settings *s,
		  char *err, size_t errlen)
{
	char at[TIME_STR_LEN];
	struct hvb_domain *doms = NULL;
	uint32_t n = 0;
	json_t *rep;
	sqlite3 *w;
	int hverr;

	hverr = hvb_list_all(hv, &doms, &n);
	if (hverr) {
		snprintf(err, errlen, "reconcile: cannot list the hypervisor's domains: %s",
			 hv_strerror(hverr));
		return -1;
	}

	time_format(now_s(), at);
	rep = json_pack("{s:s, s:s}", "at", at, "orphan_policy",
			s->orphans == ORPHANS_DESTROY ? "destroy" : "report");

	/* One transaction: a crash in here leaves everything as it was. */
	w = db_write_begin();
	if (!w || resume_jobs(w, s->max_job_attempts, rep) < 0 ||
	    check_servers(w, doms, n, rep) < 0) {
		if (w)
			db_write_rollback(w);
		snprintf(err, errlen, "reconcile: database update failed");
		json_decref(rep);
		free(doms);
		return -1;
	}
	check_domains(hv, w, s->orphans, doms, n, rep);
	check_volumes(w, rep);
	if (db_write_commit(w) != SQLITE_OK) {
		snprintf(err, errlen, "reconcile: commit failed");
		json_decref(rep);
		free(doms);
		return -1;
	}
	free(doms);

	log_info("reconcile: %lld job(s) resumed, %lld failed, %zu queued, %zu orphan "
		 "domain(s), %zu foreign",
		 (long long)json_integer_value(json_object_get(rep, "jobs_resumed")),
		 (long long)json_integer_value(json_object_get(rep, "jobs_failed")),
		 json_array_size(json_object_get(rep, "jobs_queued")),
		 json_array_size(json_object_get(rep, "orphans")),
		 json_array_size(json_object_get(rep, "foreign_domains")));

	pthread_mutex_lock(&report_lock);
	json_decref(report);
	report = rep;
	pthread_mutex_unlock(&report_lock);
	return 0;
}
