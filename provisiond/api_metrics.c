// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_metrics.c - GET /v1/metrics (admin): Prometheus's text exposition
 * format 0.0.4 (docs/metrics.md lists every metric).
 *
 * A scrape reads the state it reports where it is kept: servers and jobs
 * from the database (one query each, on the request's read connection),
 * free memory from the hypervisor (HVCALL_PHYSINFO, one quick hypercall,
 * not a domain operation), free disk from statvfs() of the volume pool,
 * and what provisiond observed itself from metrics.c.  Per-server series
 * are all written by metrics_servers(): CPU time, and the usage meters
 * summed over the server's hours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "api.h"
#include "db.h"
#include "events.h"
#include "hv_backend.h"
#include "job_state.h"
#include "log.h"
#include "metrics.h"
#include "volume.h"

#define TEXT_FORMAT	"text/plain; version=0.0.4; charset=utf-8"

static struct hv_backend *metrics_hv;

void metrics_set_hv(struct hv_backend *hv)
{
	metrics_hv = hv;
}

/*
 * The per-server families after CPU time: the usage meters (usage.h) summed
 * over every hour the server has been metered (usage_totals, which
 * triggers keep: migrations.c), so each is a counter that only grows for
 * as long as the server exists (docs/metrics.md).  col is
 * the SUM's column in metrics_servers()'s query; scale turns its unit
 * into the family's (ns into seconds).
 */
static const struct server_family {
	const char *name, *help;
	int col;
	double scale;
} server_families[] = {
	{ "provisiond_server_cpu_seconds_total",
	  "CPU time all of a server's vCPUs used, over all its domains, as the"
	  " last usage sample saw it.", 2, 1e-9 },
	{ "provisiond_server_steal_seconds_total",
	  "Time a server's vCPUs were runnable but not running (steal).", 3, 1e-9 },
	{ "provisiond_server_disk_read_bytes_total",
	  "Bytes a server read from its disks.", 4, 1 },
	{ "provisiond_server_disk_written_bytes_total",
	  "Bytes a server wrote to its disks.", 5, 1 },
	{ "provisiond_server_disk_reads_total",
	  "Read requests a server's disks completed.", 6, 1 },
	{ "provisiond_server_disk_writes_total",
	  "Write requests a server's disks completed.", 7, 1 },
	{ "provisiond_server_network_receive_bytes_total",
	  "Bytes a server's network interface received (towards the server).", 8, 1 },
	{ "provisiond_server_network_transmit_bytes_total",
	  "Bytes a server's network interface sent.", 9, 1 },
	{ "provisiond_server_network_receive_packets_total",
	  "Packets a server's network interface received.", 10, 1 },
	{ "provisiond_server_network_transmit_packets_total",
	  "Packets a server's network interface sent.", 11, 1 },
};

#define SERVER_FAMILIES	(sizeof(server_families) / sizeof(server_families[0]))

struct server_row {
	char labels[160];
	double value[SERVER_FAMILIES];
	bool throttle_seen;		/* its domain answered the last sample */
	uint64_t throttled_ns[2];	/* disk, net */
};

#define THROTTLED "provisiond_server_throttled_seconds_total"

/*
 * Every server's own series (labels server_id and tenant_id), one family
 * after another as the format wants: the rows are read once, then written
 * family by family.  0 or -1.
 */
static int metrics_servers(sqlite3 *db, struct mbuf *b)
{
	sqlite3_stmt *st = db_prep(db, "SELECT s.id, s.tenant_id,"
				       " s.cpu_time_base_ns + s.cpu_time_live_ns,"
				       " t.steal_ns, t.disk_read_bytes, t.disk_write_bytes,"
				       " t.disk_read_ops, t.disk_write_ops, t.net_rx_bytes, t.net_tx_bytes,"
				       " t.net_rx_packets, t.net_tx_packets"
				       " FROM servers s LEFT JOIN usage_totals t ON t.server_id = s.id"
				       " WHERE s.deleted_at IS NULL ORDER BY s.seq", "");
	struct server_row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char id[ID_MAX * 2], tenant[ID_MAX * 2];
		struct server_row *r;

		if (n == cap) {
			struct server_row *more = realloc(rows, (cap ? cap * 2 : 64) * sizeof(*rows));

			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			rows = more;
			cap = cap ? cap * 2 : 64;
		}
		r = &rows[n++];
		/* Ids are [a-z0-9_]; escaped all the same. */
		metrics_escape_label((const char *)sqlite3_column_text(st, 0), id, sizeof(id));
		metrics_escape_label((const char *)sqlite3_column_text(st, 1), tenant,
				     sizeof(tenant));
		snprintf(r->labels, sizeof(r->labels), "server_id=\"%s\",tenant_id=\"%s\"",
			 id, tenant);
		/* Integers as SQLite keeps them: a double holds every count
		 * below 2^53 exactly. */
		for (size_t f = 0; f < SERVER_FAMILIES; f++)
			r->value[f] = (double)sqlite3_column_int64(st, server_families[f].col) *
				      server_families[f].scale;
		r->throttle_seen = metrics_throttle_get((const char *)sqlite3_column_text(st, 0),
							&r->throttled_ns[0], &r->throttled_ns[1]);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		for (size_t f = 0; f < SERVER_FAMILIES; f++) {
			metrics_family(b, server_families[f].name, "counter",
				       server_families[f].help);
			for (size_t i = 0; i < n; i++)
				metrics_sample(b, server_families[f].name, rows[i].labels,
					       rows[i].value[f]);
		}
		metrics_family(b, THROTTLED, "counter",
			       "Time a running server's disks (device=disk) or network"
			       " interface (device=net) waited for their quota's tokens,"
			       " since its domain was made, as the last usage sample saw it.");
		for (size_t i = 0; i < n; i++) {
			char labels[200];

			if (!rows[i].throttle_seen)
				continue;
			snprintf(labels, sizeof(labels), "%s,device=\"disk\"", rows[i].labels);
			metrics_sample(b, THROTTLED, labels, (double)rows[i].throttled_ns[0] / 1e9);
			snprintf(labels, sizeof(labels), "%s,device=\"net\"", rows[i].labels);
			metrics_sample(b, THROTTLED, labels, (double)rows[i].throttled_ns[1] / 1e9);
		}
	}
	free(rows);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Servers by actual_state, every state written (0 too). */
static const char *const server_states[] = {
	"provisioning", "running", "paused", "stopped", "crashed", NULL
};

static int servers_by_state(sqlite3 *db, struct mbuf *b)
{
	char labels[64];

	metrics_family(b, "provisiond_servers", "gauge",
		       "Servers that are not deleted, by their domain's observed state.");
	for (const char *const *s = server_states; *s; s++) {
		sqlite3_stmt *st = db_cached(db, "SELECT count(*) FROM servers"
						 " WHERE deleted_at IS NULL AND actual_state = ?",
					     "s", *s);

		if (!st || sqlite3_step(st) != SQLITE_ROW) {
			db_release(st);
			return -1;
		}
		snprintf(labels, sizeof(labels), "state=\"%s\"", *s);
		metrics_sample(b, "provisiond_servers", labels,
			       (double)sqlite3_column_int64(st, 0));
		db_release(st);
	}
	return 0;
}

/* Jobs by kind and state, every pair written (0 too). */
static int jobs_by_state(sqlite3 *db, struct mbuf *b)
{
	int64_t count[JOB_KIND_COUNT][JOB_STATE_COUNT] = { { 0 } };
	sqlite3_stmt *st = db_cached(db, "SELECT kind, state, count(*) FROM jobs"
				     " GROUP BY kind, state", "");
	char labels[96];
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int k = job_kind_parse((const char *)sqlite3_column_text(st, 0));
		int s = job_state_parse((const char *)sqlite3_column_text(st, 1));

		if (k >= 0 && s >= 0)
			count[k][s] = sqlite3_column_int64(st, 2);
	}
	db_release(st);
	if (rc != SQLITE_DONE)
		return -1;
	metrics_family(b, "provisiond_jobs", "gauge",
		       "Jobs in the database, by kind and state (final ones are kept"
		       " with their server).");
	for (int k = 0; k < JOB_KIND_COUNT; k++)
		for (int s = 0; s < JOB_STATE_COUNT; s++) {
			snprintf(labels, sizeof(labels), "kind=\"%s\",state=\"%s\"",
				 job_kind_name(k), job_state_name(s));
			metrics_sample(b, "provisiond_jobs", labels, (double)count[k][s]);
		}
	return 0;
}

static int webhook_outbox(sqlite3 *db, struct mbuf *b)
{
	static const char *const states[] = { "pending", "delivered", "failed", NULL };
	char labels[64];

	metrics_family(b, "provisiond_webhook_deliveries", "gauge",
		       "Webhook deliveries in the outbox and its 30-day history, by state.");
	for (const char *const *s = states; *s; s++) {
		sqlite3_stmt *st = db_cached(db, "SELECT count(*) FROM webhook_deliveries"
						 " WHERE state = ?", "s", *s);

		if (!st || sqlite3_step(st) != SQLITE_ROW) {
			db_release(st);
			return -1;
		}
		snprintf(labels, sizeof(labels), "state=\"%s\"", *s);
		metrics_sample(b, "provisiond_webhook_deliveries", labels,
			       (double)sqlite3_column_int64(st, 0));
		db_release(st);
	}
	return 0;
}

/* Free memory and disk: left out (and logged) when they cannot be read,
 * rather than reported as 0. */
static void capacity(struct mbuf *b)
{
	struct hv_physinfo pi;
	struct statvfs vfs;
	int err = metrics_hv && metrics_hv->physinfo ?
		  metrics_hv->physinfo(metrics_hv, &pi) : -1;

	if (err == 0) {
		metrics_family(b, "provisiond_memory_total_bytes", "gauge",
			       "Usable RAM of the machine (the hypervisor's physinfo).");
		metrics_sample(b, "provisiond_memory_total_bytes", "",
			       (double)pi.total_ram_bytes);
		metrics_family(b, "provisiond_memory_free_bytes", "gauge",
			       "RAM free for customer domains (the hypervisor's physinfo).");
		metrics_sample(b, "provisiond_memory_free_bytes", "",
			       (double)pi.domain_free_bytes);
	} else {
		log_warn("metrics: the hypervisor's physinfo: %s",
			 err < 0 && !metrics_hv ? "no backend" : hv_strerror(err));
	}
	if (volume_settings.pool && statvfs(volume_settings.pool, &vfs) == 0) {
		metrics_family(b, "provisiond_volume_pool_size_bytes", "gauge",
			       "Size of the filesystem holding the servers' disks.");
		metrics_sample(b, "provisiond_volume_pool_size_bytes", "",
			       (double)vfs.f_blocks * (double)vfs.f_frsize);
		metrics_family(b, "provisiond_volume_pool_free_bytes", "gauge",
			       "Space free on it for new disks and their growth.");
		metrics_sample(b, "provisiond_volume_pool_free_bytes", "",
			       (double)vfs.f_bavail * (double)vfs.f_frsize);
	}
}

int metrics_get(struct request *req)
{
	struct mbuf b = { 0 };

	metrics_family(&b, "provisiond_start_time_seconds", "gauge",
		       "When this provisiond started, in seconds since the epoch.");
	metrics_sample(&b, "provisiond_start_time_seconds", "",
		       (double)api_settings.started_at);
	if (servers_by_state(req->db, &b) || jobs_by_state(req->db, &b) ||
	    webhook_outbox(req->db, &b) || metrics_servers(req->db, &b)) {
		mbuf_free(&b);
		return req_internal(req, "read metrics");
	}
	capacity(&b);
	metrics_write_observed(&b);
	if (b.failed || !b.text) {
		mbuf_free(&b);
		return req_internal(req, "metrics text (out of memory)");
	}
	req->content_type = TEXT_FORMAT;
	return req_reply_text(req, 200, b.text);	/* takes the text */
}
