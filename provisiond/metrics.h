// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics.h - what provisiond counts about itself for Prometheus, and the
 * text exposition format 0.0.4 it is written in (docs/metrics.md lists
 * every metric).
 *
 * Two kinds of numbers: those provisiond observes as they happen (HTTP
 * requests, job durations, database write transactions, webhook
 * attempts) are kept here in memory since the start, as counters and
 * histograms; those that are a state (servers, domains, free memory and
 * disk, jobs by state) are read when /metrics is scraped (api_metrics.c).
 *
 * Cardinality is bounded by construction: labels come from fixed sets
 * (route templates of the contract, never the raw path; job kinds; status
 * codes provisiond answers), and each table has a fixed size.
 */
#ifndef PROVISIOND_METRICS_H
#define PROVISIOND_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- the text being written --- */

struct mbuf {
	char *text;		/* NUL-terminated; malloc'ed */
	size_t len, cap;
	bool failed;		/* out of memory: the text is incomplete */
};

void mbuf_printf(struct mbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mbuf_free(struct mbuf *b);

/* "# HELP name help\n# TYPE name type\n" (help escaped as the format
 * wants: backslash and newline). */
void metrics_family(struct mbuf *b, const char *name, const char *type,
		    const char *help);

/* A label value escaped (backslash, double quote, newline) into out;
 * false if it does not fit. */
bool metrics_escape_label(const char *value, char *out, size_t size);

/* One sample: name{labels} value.  labels is "" or 'a="x",b="y"' with
 * values already escaped. */
void metrics_sample(struct mbuf *b, const char *name, const char *labels,
		    double value);

/* --- what the usage monitor's last sample saw of the device backends --- */

/*
 * Time a server's disks and its network interface waited for their quotas'
 * tokens since its domain was made (the backends' throttled_ns, summed per
 * kind of device; a new domain counts from 0, a counter reset to
 * Prometheus).  The monitor publishes every running server's at each
 * sample; a scrape reads them.
 */
#define METRICS_ID_MAX	32		/* util.h's ID_MAX */

struct metrics_throttle {
	char server_id[METRICS_ID_MAX];
	uint64_t disk_ns, net_ns;
};

/* Replaces the whole table with a copy of rows[0..n). */
void metrics_throttle_publish(const struct metrics_throttle *rows, size_t n);

/* The server's figures as last published; false if it had none. */
bool metrics_throttle_get(const char *server_id, uint64_t *disk_ns, uint64_t *net_ns);

/* --- histograms --- */

#define HIST_BUCKETS_MAX	16

struct histogram {
	const double *le;		/* upper bounds, increasing */
	int nle;			/* <= HIST_BUCKETS_MAX */
	uint64_t bucket[HIST_BUCKETS_MAX];	/* not cumulative */
	uint64_t count;
	double sum;
};

void histogram_observe(struct histogram *h, double v);

/* name_bucket{labels,le="..."} (cumulative, +Inf last), name_sum,
 * name_count. */
void metrics_histogram(struct mbuf *b, const char *name, const char *labels,
		       const struct histogram *h);

/* --- what provisiond observes (thread-safe) --- */

/* One HTTP request answered: route is the contract's path template (NULL:
 * no route matched; method is then not used). */
void metrics_http_observe(const char *method, const char *route, int status,
			  double seconds);

/* A job ran to an outcome (kind: job_kind_name()). */
void metrics_job_observe(const char *kind, bool succeeded, double seconds);

/* A database write transaction held the writer this long. */
void metrics_db_write_observe(double seconds);

/* One webhook delivery attempt ended: delivered (2xx) or not. */
void metrics_webhook_observe(bool delivered);

/* Writes all of the above. */
void metrics_write_observed(struct mbuf *b);

/* --- what is read at a scrape (api_metrics.c) --- */

struct hv_backend;

/* The hypervisor backend /metrics asks for free memory; set by main(). */
void metrics_set_hv(struct hv_backend *hv);

#endif
