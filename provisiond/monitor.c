// SPDX-License-Identifier: GPL-2.0-only
/*
 * monitor.c - a thread that samples the hypervisor every monitor_interval
 * seconds: each server's usage meters (CPU and steal time from the domain
 * list, disk and network counters from its device backend, and the gauges:
 * usage.h) into hourly buckets and, once committed, the last hour's
 * minutes (usage_recent.c), its lifetime CPU time (servers.cpu_time_*),
 * and its domain's observed state (actual_state); then its traffic
 * allowance (usage_allowance.c).  Jobs call monitor_final_sample() before
 * they destroy a domain, so that its last interval is kept.
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
 * deleted more than usage_retention_days ago (their jobs with them), the
 * usage records kept for servers whose rows are gone (migrations.c), and
 * the hourly buckets and cursors of servers neither of those lists.
 */
#include <errno.h>
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
#include "metrics.h"
#include "reconcile.h"
#include "usage.h"
#include "usage_allowance.h"
#include "usage_recent.h"
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

/* What the sample needs of a server, from its row and plan. */
struct server_meta {
	const char *id, *tenant_id;
	int64_t created_at, generation;
	struct usage_levels levels;
	struct allowance_state allowance;
};

#define META_COLUMNS \
	"s.id, s.tenant_id, s.created_at, s.domain_generation," \
	" (SELECT coalesce(sum(v.size_bytes), 0) FROM volumes v WHERE v.server_id = s.id)," \
	" (SELECT count(*) FROM ip_allocations a WHERE a.server_id = s.id" \
	"  AND a.released_at IS NULL)," \
	" coalesce(p.traffic_allowance_gib, 0), coalesce(p.overage_policy, 'throttle')," \
	" coalesce(p.overage_rate_mbps, 0), coalesce(p.net_mbps, 0)," \
	" coalesce(s.traffic_overage_month, 0), coalesce(s.traffic_overage_policy, '')," \
	" s.suspended"
#define META_FROM " FROM servers s LEFT JOIN plans p ON p.id = s.plan_id"
#define META_NCOLS 13

static void meta_of(sqlite3_stmt *st, struct server_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->id = (const char *)sqlite3_column_text(st, 0);
	m->tenant_id = (const char *)sqlite3_column_text(st, 1);
	m->created_at = sqlite3_column_int64(st, 2);
	m->generation = sqlite3_column_int64(st, 3);
	m->levels.disk_bytes = (uint64_t)sqlite3_column_int64(st, 4);
	m->levels.addresses = (uint64_t)sqlite3_column_int64(st, 5);
	m->levels.exists = true;
	m->allowance.allowance_gib = (uint64_t)sqlite3_column_int64(st, 6);
	str_copy(m->allowance.policy, (const char *)sqlite3_column_text(st, 7),
		 sizeof(m->allowance.policy));
	m->allowance.rate_mbps = (uint64_t)sqlite3_column_int64(st, 8);
	m->allowance.plan_mbps = (uint64_t)sqlite3_column_int64(st, 9);
	m->allowance.applied_month = sqlite3_column_int64(st, 10);
	str_copy(m->allowance.applied_policy, (const char *)sqlite3_column_text(st, 11),
		 sizeof(m->allowance.applied_policy));
	m->allowance.suspended = sqlite3_column_int(st, 12) != 0;
}

/* One server's domain as read before the write transaction. */
struct observed {
	const struct hvb_domain *d;	/* NULL: no domain */
	bool have_io;
	struct hvb_io_counters io;
};

/* Reads the domain's device counters (outside any transaction: a socket
 * round trip to its device backend). */
static void observe(struct hv_backend *hv, const struct hvb_domain *d,
		    struct observed *o)
{
	int err;

	memset(o, 0, sizeof(*o));
	o->d = d;
	if (!d)
		return;
	err = hv->io_counters(hv, d->domid, &o->io);
	o->have_io = err == 0;
	if (err)
		log_warn("monitor: domain %u (%s): no device counters: %s; kept the last",
			 d->domid, d->name, hv_strerror(err));
}

/* The devices' throttled time of every domain that answered, for
 * /v1/metrics (metrics.h).  Domains are named after their servers. */
_Static_assert(METRICS_ID_MAX == ID_MAX, "metrics.h's server ids are util.h's");

static void publish_throttle(const struct observed *obs, uint32_t n)
{
	struct metrics_throttle *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t k = 0;

	if (!rows)
		return;
	for (uint32_t i = 0; i < n; i++) {
		if (!obs[i].d || !obs[i].have_io ||
		    !str_copy(rows[k].server_id, obs[i].d->name, sizeof(rows[k].server_id)))
			continue;
		rows[k].disk_ns = obs[i].io.disk_throttled_ns;
		rows[k].net_ns = obs[i].io.net_throttled_ns;
		k++;
	}
	metrics_throttle_publish(rows, k);
	free(rows);
}

/* The server's sample into its usage buckets (usage_store.c); *counted
 * what it added, for the last hour's minutes. */
static int meter(sqlite3 *w, const struct server_meta *m, const struct observed *o,
		 int64_t at, uint64_t *month_traffic, struct usage_counted *counted)
{
	struct usage_sample s = {
		.server_id = m->id,
		.tenant_id = m->tenant_id,
		.at = at,
		.created_at = m->created_at,
		.generation = m->generation,
		.domid = o->d ? (int64_t)o->d->domid : -1,
		.have_cpu = o->d != NULL,
		.have_io = o->have_io,
		.levels = m->levels,
	};

	if (o->d) {
		s.levels.running = o->d->state == HV_DOMAIN_RUNNING ||
				   o->d->state == HV_DOMAIN_BLOCKED;
		s.reading.c[UM_cpu_ns] = o->d->cpu_time_ns;
		s.reading.c[UM_steal_ns] = o->d->steal_ns;
		s.reading.c[UM_disk_read_bytes] = o->io.disk_read_bytes;
		s.reading.c[UM_disk_write_bytes] = o->io.disk_write_bytes;
		s.reading.c[UM_disk_read_ops] = o->io.disk_read_ops;
		s.reading.c[UM_disk_write_ops] = o->io.disk_write_ops;
		s.reading.c[UM_net_rx_bytes] = o->io.net_rx_bytes;
		s.reading.c[UM_net_tx_bytes] = o->io.net_tx_bytes;
		s.reading.c[UM_net_rx_packets] = o->io.net_rx_packets;
		s.reading.c[UM_net_tx_packets] = o->io.net_tx_packets;
	}
	return usage_record(w, &s, month_traffic, counted);
}

/*
 * The samples of servers with a domain, for the last hour's minutes
 * (usage_recent.c), kept once the sample's transaction commits: a sample
 * rolled back is counted again by the next one, and must not be twice in
 * the minutes.  A server without a domain counted nothing and adds no
 * minutes, so a stopped server's ring is freed after an hour.
 */
struct recent_samples {
	struct recent_sample {
		char server_id[ID_MAX];
		struct usage_counted counted;
	} *items;
	size_t n, cap;
};

static void recent_note(struct recent_samples *rs, const char *server_id,
			const struct usage_counted *counted)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct recent_sample *grown = realloc(rs->items, cap * sizeof(*grown));

		if (!grown)
			return;		/* the graphs miss this sample only */
		rs->items = grown;
		rs->cap = cap;
	}
	if (str_copy(rs->items[rs->n].server_id, server_id, ID_MAX)) {
		rs->items[rs->n].counted = *counted;
		rs->n++;
	}
}

static void recent_keep(const struct recent_samples *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		usage_recent_add(rs->items[i].server_id, rs->items[i].counted.from,
				 rs->items[i].counted.to, rs->items[i].counted.delta);
	usage_recent_prune(now_s());
}

/* A change of a domain's network limits the allowance asked for. */
struct limit_change {
	uint32_t domid;
	uint64_t bps;
	char server_id[ID_MAX];
};

static void sample(void)
{
	bool queued = false;
	struct hvb_domain *doms;
	struct observed *obs = NULL;
	struct limit_change *limits = NULL;
	struct recent_samples recent = { 0 };
	uint32_t n, nlimits = 0;
	sqlite3_stmt *st;
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
	obs = calloc(n ? n : 1, sizeof(*obs));
	limits = calloc(n ? n : 1, sizeof(*limits));
	if (!obs || !limits) {
		free(obs);
		free(limits);
		free(doms);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		observe(mon.hv, doms[i].domid ? &doms[i] : NULL, &obs[i]);
	publish_throttle(obs, n);
	w = db_write_begin_background();
	if (!w) {
		free(obs);
		free(limits);
		free(doms);
		return;
	}
	/* Servers a job changed since the list was taken are skipped: the
	 * list may predate what the job did (and the job takes its own
	 * final sample before it destroys a domain). */
	st = db_prep(w, "SELECT " META_COLUMNS ", s.domain_id, s.desired_state,"
			" s.actual_state"
			META_FROM " WHERE s.deleted_at IS NULL"
			" AND s.updated_at < ? AND NOT EXISTS (SELECT 1 FROM jobs j"
			" WHERE j.server_id = s.id AND j.state IN ('queued', 'running'))",
		     "i", listed_at);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct server_meta m;
		bool had = sqlite3_column_type(st, META_NCOLS) != SQLITE_NULL;
		int64_t recorded = sqlite3_column_int64(st, META_NCOLS);
		const char *desired = (const char *)sqlite3_column_text(st, META_NCOLS + 1);
		char state_before[16];
		struct hvb_domain key;
		const struct hvb_domain *d = NULL;
		struct observed none = { 0 };
		const struct observed *o = &none;
		enum allowance_action action;
		struct usage_counted counted;
		uint64_t traffic = 0, bps = 0;
		bool job_queued;

		meta_of(st, &m);
		if (str_copy(key.name, m.id, sizeof(key.name)))
			d = bsearch(&key, doms, n, sizeof(*doms), by_name);
		if (d && d->domid == 0)		/* dom0 is no server's */
			d = NULL;
		if (d)
			o = &obs[d - doms];

		/* A different or no domain: the old one's time is final. */
		if (had && (!d || d->domid != recorded) &&
		    db_run(w, "UPDATE servers SET"
			      " cpu_time_base_ns = cpu_time_base_ns + cpu_time_live_ns,"
			      " cpu_time_live_ns = 0, domain_id = NULL, actual_state = 'stopped'"
			      " WHERE id = ?", "s", m.id) != SQLITE_OK)
			break;
		if (d && db_run(w, "UPDATE servers SET cpu_time_live_ns = ?, domain_id = ?,"
				   " actual_state = ?, usage_sampled_at = ? WHERE id = ?",
				"iisis", (int64_t)d->cpu_time_ns, (int64_t)d->domid,
				actual_state_of(d->state), now_s(), m.id) != SQLITE_OK)
			break;
		str_copy(state_before, (const char *)sqlite3_column_text(st, META_NCOLS + 2),
			 sizeof(state_before));
		if (event_server_state(w, m.id, state_before, "monitor") != SQLITE_OK)
			break;
		if (meter(w, &m, o, now_s(), &traffic, &counted) != SQLITE_OK ||
		    allowance_check(w, m.id, m.tenant_id, &m.allowance, traffic, now_s(),
				    &action, &bps, &job_queued) != SQLITE_OK)
			break;
		if (d)
			recent_note(&recent, m.id, &counted);
		queued |= job_queued;
		if (action == ALLOWANCE_SET_LIMIT && d) {
			limits[nlimits].domid = d->domid;
			limits[nlimits].bps = bps;
			str_copy(limits[nlimits].server_id, m.id, ID_MAX);
			nlimits++;
		}
		if (d && d->state == HV_DOMAIN_REBOOT && !job_queued &&
		    server_wants_running(desired, m.allowance.suspended)) {
			if (restart_rebooted(w, m.id, m.tenant_id) != SQLITE_OK)
				break;
			queued = true;
		}
	}
	sqlite3_finalize(st);
	free(obs);
	free(doms);
	if (rc != SQLITE_DONE) {
		db_write_rollback(w);
		free(limits);
		free(recent.items);
		log_warn("monitor: sample not recorded");
		return;
	}
	if (db_write_commit(w) == SQLITE_OK)
		recent_keep(&recent);
	free(recent.items);
	if (queued)
		jobs_wake();
	/* After the commit: the throttle is recorded even if this fails (the
	 * next start of the domain applies it, allowance_throttle()). */
	for (uint32_t i = 0; i < nlimits; i++) {
		err = mon.hv->net_limit(mon.hv, limits[i].domid, limits[i].bps,
					limits[i].bps);
		if (err)
			log_warn("monitor: server %s: cannot set its network limit to %llu"
				 " bytes/s: %s", limits[i].server_id,
				 (unsigned long long)limits[i].bps, hv_strerror(err));
	}
	free(limits);
}

int monitor_final_sample(struct hv_backend *hv, const char *server_id)
{
	struct hvb_domain d;
	struct observed o;
	struct server_meta m;
	struct usage_counted counted;
	sqlite3_stmt *st;
	sqlite3 *w;
	bool found, metered = false;
	int err = hvb_find(hv, server_id, &d, &found), rc;

	if (err)
		return err;
	observe(hv, found ? &d : NULL, &o);
	w = db_write_begin_background();
	if (!w)
		return -EIO;
	st = db_prep(w, "SELECT " META_COLUMNS META_FROM " WHERE s.id = ?", "s", server_id);
	rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (rc == SQLITE_ROW) {
		meta_of(st, &m);
		rc = meter(w, &m, &o, now_s(), NULL, &counted);
		metered = rc == SQLITE_OK && found;
		if (metered)
			rc = db_run(w, "UPDATE servers SET cpu_time_live_ns = ?,"
				       " usage_sampled_at = ? WHERE id = ?", "iis",
				    (int64_t)d.cpu_time_ns, now_s(), server_id);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		db_write_rollback(w);
		return -EIO;
	}
	if (db_write_commit(w) != SQLITE_OK)
		return -EIO;
	if (metered)	/* the domain's last minutes, before it goes */
		usage_recent_add(server_id, counted.from, counted.to, counted.delta);
	return 0;
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
	if (db_run(w, "DELETE FROM usage_hourly WHERE server_id IN (SELECT server_id FROM"
		      " usage_cursors c WHERE NOT EXISTS (SELECT 1 FROM servers s WHERE"
		      " s.id = c.server_id) AND NOT EXISTS (SELECT 1 FROM usage_records r"
		      " WHERE r.server_id = c.server_id))", "") != SQLITE_OK ||
	    db_run(w, "DELETE FROM usage_totals WHERE NOT EXISTS (SELECT 1 FROM"
		      " usage_hourly h WHERE h.server_id = usage_totals.server_id)", "")
	    != SQLITE_OK ||
	    db_run(w, "DELETE FROM usage_cursors WHERE NOT EXISTS (SELECT 1 FROM servers s"
		      " WHERE s.id = server_id) AND NOT EXISTS (SELECT 1 FROM usage_records r"
		      " WHERE r.server_id = usage_cursors.server_id)", "") != SQLITE_OK) {
		db_write_rollback(w);
		log_warn("monitor: usage purge failed");
		return;
	}
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
