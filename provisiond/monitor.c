// SPDX-License-Identifier: GPL-2.0-only
/*
 * monitor.c - a thread that samples the hypervisor every monitor_interval
 * seconds: each server's CPU time (for billing, GET /v1/usage) and its
 * domain's observed state (actual_state).
 *
 * It observes, with one exception: a server whose guest rebooted itself
 * (its domain is in the hypervisor's state "reboot", which a hypervisor
 * cannot restart by itself) and that should run gets a start job, which
 * boots a fresh domain, as a customer who typed `reboot` expects.  A guest
 * that powered itself off shows actual_state "stopped" with desired_state
 * "running", and nothing restarts it until someone asks (POST .../start)
 * or provisiond restarts.  Servers with a queued or running job are left
 * to the job, which owns them.
 *
 * Every hour (and when it starts) it also purges billing records: servers
 * deleted more than usage_retention_days ago (their jobs with them) and the
 * usage records kept for servers whose rows are gone (migrations.c).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "events.h"
#include "job_state.h"
#include "jobs.h"
#include "log.h"
#include "reconcile.h"
#include "util.h"

static struct {
	struct hv_backend *hv;
	int interval_s;			/* 0: no sampling */
	int retention_days;
	pthread_t thread;
	bool started;
	bool stopping;
	pthread_mutex_t lock;
	pthread_cond_t wake;
} mon = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct hvb_domain *)a)->name,
		      ((const struct hvb_domain *)b)->name);
}

/* Queues the start that restarts a server whose guest rebooted itself. */
static int restart_rebooted(sqlite3 *w, const char *id, const char *tenant)
{
	char job_id[ID_MAX], detail[96];
	struct audit_entry e = {
		.actor = "monitor",
		.actor_scope = "system",
		.action = "server.guest_rebooted",
		.target_type = "server",
		.target_id = id,
		.tenant_id = tenant,
		.ok = true,
		.detail = detail,
	};
	int rc = job_enqueue(w, id, tenant, JOB_START, "{}", "monitor", job_id);

	if (rc != SQLITE_OK)
		return rc;
	snprintf(detail, sizeof(detail), "the guest rebooted: queued start job %s",
		 job_id);
	log_info("monitor: server %s: the guest rebooted; start job %s boots it again",
		 id, job_id);
	return audit_write(w, &e);
}

static void sample(void)
{
	bool queued = false;
	struct hvb_domain *doms;
	sqlite3_stmt *st;
	uint32_t n;
	sqlite3 *w;
	int64_t listed_at = now_s();
	int err = hvb_list_all(mon.hv, &doms, &n), rc = SQLITE_DONE;

	if (err) {
		log_warn("monitor: cannot list domains: %s", hv_strerror(err));
		return;
	}
	/* Sorted by name, so each server finds its domain by binary search:
	 * with a thousand servers, a linear search was a million strcmp()s
	 * with the writer held. */
	qsort(doms, n, sizeof(*doms), by_name);
	w = db_write_begin_background();
	if (!w) {
		free(doms);
		return;
	}
	/* Servers a job changed since the list was taken are skipped: the
	 * list may predate what the job did. */
	st = db_prep(w, "SELECT id, domain_id, tenant_id, desired_state, suspended,"
			" actual_state FROM servers s WHERE deleted_at IS NULL"
			" AND updated_at < ? AND NOT EXISTS (SELECT 1 FROM jobs j"
			" WHERE j.server_id = s.id AND j.state IN ('queued', 'running'))",
		     "i", listed_at);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		char state_before[16];
		bool had = sqlite3_column_type(st, 1) != SQLITE_NULL;
		int64_t recorded = sqlite3_column_int64(st, 1);
		struct hvb_domain key;
		const struct hvb_domain *d = NULL;

		if (str_copy(key.name, id, sizeof(key.name)))
			d = bsearch(&key, doms, n, sizeof(*doms), by_name);
		if (d && d->domid == 0)		/* dom0 is no server's */
			d = NULL;

		/* A different or no domain: the old one's time is final. */
		if (had && (!d || d->domid != recorded) &&
		    db_run(w, "UPDATE servers SET"
			      " cpu_time_base_ns = cpu_time_base_ns + cpu_time_live_ns,"
			      " cpu_time_live_ns = 0, domain_id = NULL, actual_state = 'stopped'"
			      " WHERE id = ?", "s", id) != SQLITE_OK)
			break;
		if (d && db_run(w, "UPDATE servers SET cpu_time_live_ns = ?, domain_id = ?,"
				   " actual_state = ?, usage_sampled_at = ? WHERE id = ?",
				"iisis", (int64_t)d->cpu_time_ns, (int64_t)d->domid,
				actual_state_of(d->state), now_s(), id) != SQLITE_OK)
			break;
		str_copy(state_before, (const char *)sqlite3_column_text(st, 5),
			 sizeof(state_before));
		if (event_server_state(w, id, state_before, "monitor") != SQLITE_OK)
			break;
		if (d && d->state == HV_DOMAIN_REBOOT &&
		    server_wants_running((const char *)sqlite3_column_text(st, 3),
					 sqlite3_column_int(st, 4) != 0)) {
			if (restart_rebooted(w, id, (const char *)sqlite3_column_text(st, 2))
			    != SQLITE_OK)
				break;
			queued = true;
		}
	}
	sqlite3_finalize(st);
	free(doms);
	if (rc != SQLITE_DONE) {
		db_write_rollback(w);
		log_warn("monitor: sample not recorded");
		return;
	}
	db_write_commit(w);
	if (queued)
		jobs_wake();
}

#define PURGE_EVERY_S	3600

/* Billing records older than the retention period go (see the top). */
static void purge_usage(void)
{
	int64_t cutoff = now_s() - (int64_t)mon.retention_days * 86400;
	sqlite3 *w = db_write_begin_background();
	int servers, records;

	if (!w)
		return;
	if (db_run(w, "DELETE FROM servers WHERE deleted_at < ?", "i", cutoff) != SQLITE_OK) {
		db_write_rollback(w);
		log_warn("monitor: usage purge failed");
		return;
	}
	servers = sqlite3_changes(w);
	if (db_run(w, "DELETE FROM usage_records WHERE deleted_at < ?", "i",
		   cutoff) != SQLITE_OK) {
		db_write_rollback(w);
		log_warn("monitor: usage purge failed");
		return;
	}
	records = sqlite3_changes(w);
	if (db_write_commit(w) == SQLITE_OK && (servers || records))
		log_info("monitor: purged the usage of %d servers deleted more than"
			 " %d days ago", records, mon.retention_days);
}

static void *monitor_main(void *arg)
{
	int64_t next_purge = 0;

	(void)arg;
	pthread_mutex_lock(&mon.lock);
	while (!mon.stopping) {
		struct timespec ts;

		if (mono_ms() >= next_purge) {
			pthread_mutex_unlock(&mon.lock);
			purge_usage();
			pthread_mutex_lock(&mon.lock);
			next_purge = mono_ms() + PURGE_EVERY_S * 1000;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += mon.interval_s > 0 ? mon.interval_s : PURGE_EVERY_S;
		pthread_cond_timedwait(&mon.wake, &mon.lock, &ts);
		if (mon.stopping)
			break;
		if (mon.interval_s <= 0)
			continue;
		pthread_mutex_unlock(&mon.lock);
		sample();
		pthread_mutex_lock(&mon.lock);
	}
	pthread_mutex_unlock(&mon.lock);
	return NULL;
}

int monitor_start(struct hv_backend *hv, int interval_s, int retention_days)
{
	mon.hv = hv;
	mon.interval_s = interval_s;
	mon.retention_days = retention_days;
	mon.stopping = false;
	/* Runs even without sampling: the purge is due all the same. */
	if (pthread_create(&mon.thread, NULL, monitor_main, NULL) != 0)
		return -1;
	mon.started = true;
	return 0;
}

void monitor_stop(void)
{
	pthread_mutex_lock(&mon.lock);
	mon.stopping = true;
	pthread_cond_signal(&mon.wake);
	pthread_mutex_unlock(&mon.lock);
	if (mon.started) {
		pthread_join(mon.thread, NULL);
		mon.started = false;
	}
}
