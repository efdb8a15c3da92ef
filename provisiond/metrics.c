// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics.c - the exposition format and the in-memory counters (see
 * metrics.h).  One mutex guards the counters: an observation is a few
 * additions, far cheaper than the request or transaction it measures.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* --- text --- */

void mbuf_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->text ? b->text + b->len : NULL, b->text ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if (b->text && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = b->cap ? b->cap * 2 : 4096;
			char *grown;

			while (cap < b->len + (size_t)n + 1)
				cap *= 2;
			grown = realloc(b->text, cap);
			if (!grown) {
				b->failed = true;
				return;
			}
			b->text = grown;
			b->cap = cap;
		}
	}
}

void mbuf_free(struct mbuf *b)
{
	free(b->text);
	memset(b, 0, sizeof(*b));
}

void metrics_family(struct mbuf *b, const char *name, const char *type,
		    const char *help)
{
	mbuf_printf(b, "# HELP %s ", name);
	for (const char *p = help; *p; p++) {
		if (*p == '\\')
			mbuf_printf(b, "\\\\");
		else if (*p == '\n')
			mbuf_printf(b, "\\n");
		else
			mbuf_printf(b, "%c", *p);
	}
	mbuf_printf(b, "\n# TYPE %s %s\n", name, type);
}

bool metrics_escape_label(const char *value, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = value; *p; p++) {
		const char *rep = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" :
				  *p == '\n' ? "\\n" : NULL;
		size_t k = rep ? 2 : 1;

		if (n + k + 1 > size)
			return false;
		if (rep)
			memcpy(out + n, rep, 2);
		else
			out[n] = *p;
		n += k;
	}
	if (size == 0)
		return false;
	out[n] = '\0';
	return true;
}

/* A value as the format writes it: integers without a fraction. */
static void put_value(struct mbuf *b, double v)
{
	if (isnan(v))
		mbuf_printf(b, "NaN");
	else if (isinf(v))
		mbuf_printf(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		mbuf_printf(b, "%.0f", v);
	else
		mbuf_printf(b, "%.9g", v);
}

void metrics_sample(struct mbuf *b, const char *name, const char *labels,
		    double value)
{
	if (labels && labels[0])
		mbuf_printf(b, "%s{%s} ", name, labels);
	else
		mbuf_printf(b, "%s ", name);
	put_value(b, value);
	mbuf_printf(b, "\n");
}

void histogram_observe(struct histogram *h, double v)
{
	int i;

	for (i = 0; i < h->nle && v > h->le[i]; i++)
		;
	if (i < h->nle)
		h->bucket[i]++;
	h->count++;
	h->sum += v;
}

void metrics_histogram(struct mbuf *b, const char *name, const char *labels,
		       const struct histogram *h)
{
	const char *sep = labels && labels[0] ? "," : "";
	uint64_t cumulative = 0;

	if (!labels)
		labels = "";
	for (int i = 0; i < h->nle; i++) {
		cumulative += h->bucket[i];
		mbuf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep,
			    h->le[i], (unsigned long long)cumulative);
	}
	mbuf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
		    (unsigned long long)h->count);
	mbuf_printf(b, labels[0] ? "%s_sum{%s} " : "%s_sum%s ", name, labels);
	put_value(b, h->sum);
	mbuf_printf(b, labels[0] ? "\n%s_count{%s} %llu\n" : "\n%s_count%s %llu\n",
		    name, labels, (unsigned long long)h->count);
}

/* --- observed --- */

static const double http_le[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
				  0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };
static const double job_le[] = { 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
				 1800, 3600 };
static const double db_le[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				0.1, 0.25, 0.5, 1, 2.5 };

#define NELEMS(a)	(int)(sizeof(a) / sizeof((a)[0]))

/* The routes of the contract (about 70) and "no route"; statuses a route
 * answers are a handful.  Anything past the tables' sizes is counted in
 * the last entry, so the output stays bounded whatever happens. */
#define HTTP_ROUTES_MAX		128
#define HTTP_STATUSES_MAX	16
#define JOB_KINDS_MAX		16

struct http_route_stats {
	const char *method, *route;	/* static texts (the route table's) */
	struct histogram latency;
	int status[HTTP_STATUSES_MAX];
	uint64_t status_count[HTTP_STATUSES_MAX];
	int nstatus;
};

struct job_stats {
	const char *kind;		/* static text (job_state.c's) */
	struct histogram duration[2];	/* [0] failed, [1] succeeded */
};

static struct {
	pthread_mutex_t lock;
	struct http_route_stats http[HTTP_ROUTES_MAX];
	int nhttp;
	struct job_stats jobs[JOB_KINDS_MAX];
	int njobs;
	struct histogram db_write;
	uint64_t webhook_attempts[2];	/* [0] failed, [1] delivered */
} m = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.db_write = { .le = db_le, .nle = NELEMS(db_le) },
};

void metrics_http_observe(const char *method, const char *route, int status,
			  double seconds)
{
	struct http_route_stats *r = NULL;
	int i;

	if (!route) {		/* not in the contract: one series for all */
		route = "unmatched";
		method = "";
	}
	pthread_mutex_lock(&m.lock);
	for (i = 0; i < m.nhttp; i++)
		if (strcmp(m.http[i].route, route) == 0 &&
		    strcmp(m.http[i].method, method) == 0)
			break;
	if (i == m.nhttp && m.nhttp < HTTP_ROUTES_MAX) {
		m.http[i].method = method;
		m.http[i].route = route;
		m.http[i].latency = (struct histogram){ .le = http_le,
							.nle = NELEMS(http_le) };
		m.nhttp++;
	}
	r = &m.http[i < HTTP_ROUTES_MAX ? i : HTTP_ROUTES_MAX - 1];
	histogram_observe(&r->latency, seconds);
	for (i = 0; i < r->nstatus && r->status[i] != status; i++)
		;
	if (i == r->nstatus && r->nstatus < HTTP_STATUSES_MAX)
		r->status[r->nstatus++] = status;
	r->status_count[i < HTTP_STATUSES_MAX ? i : HTTP_STATUSES_MAX - 1]++;
	pthread_mutex_unlock(&m.lock);
}

void metrics_job_observe(const char *kind, bool succeeded, double seconds)
{
	int i;

	pthread_mutex_lock(&m.lock);
	for (i = 0; i < m.njobs && strcmp(m.jobs[i].kind, kind) != 0; i++)
		;
	if (i == m.njobs && m.njobs < JOB_KINDS_MAX) {
		m.jobs[i].kind = kind;
		for (int k = 0; k < 2; k++)
			m.jobs[i].duration[k] = (struct histogram){
				.le = job_le, .nle = NELEMS(job_le) };
		m.njobs++;
	}
	if (i < JOB_KINDS_MAX)
		histogram_observe(&m.jobs[i].duration[succeeded], seconds);
	pthread_mutex_unlock(&m.lock);
}

void metrics_db_write_observe(double seconds)
{
	pthread_mutex_lock(&m.lock);
	histogram_observe(&m.db_write, seconds);
	pthread_mutex_unlock(&m.lock);
}

void metrics_webhook_observe(bool delivered)
{
	pthread_mutex_lock(&m.lock);
	m.webhook_attempts[delivered]++;
	pthread_mutex_unlock(&m.lock);
}

void metrics_write_observed(struct mbuf *b)
{
	char labels[256], method[16], route[160];

	pthread_mutex_lock(&m.lock);
	metrics_family(b, "provisiond_http_requests_total", "counter",
		       "HTTP requests answered, by method, route template and status.");
	for (int i = 0; i < m.nhttp; i++) {
		const struct http_route_stats *r = &m.http[i];

		metrics_escape_label(r->method, method, sizeof(method));
		metrics_escape_label(r->route, route, sizeof(route));
		for (int s = 0; s < r->nstatus; s++) {
			snprintf(labels, sizeof(labels),
				 "method=\"%s\",route=\"%s\",status=\"%d\"", method,
				 route, r->status[s]);
			metrics_sample(b, "provisiond_http_requests_total", labels,
				       (double)r->status_count[s]);
		}
	}
	metrics_family(b, "provisiond_http_request_duration_seconds", "histogram",
		       "Time from a request's arrival to the end of its answer,"
		       " by method and route template.");
	for (int i = 0; i < m.nhttp; i++) {
		const struct http_route_stats *r = &m.http[i];

		metrics_escape_label(r->method, method, sizeof(method));
		metrics_escape_label(r->route, route, sizeof(route));
		snprintf(labels, sizeof(labels), "method=\"%s\",route=\"%s\"", method, route);
		metrics_histogram(b, "provisiond_http_request_duration_seconds", labels,
				  &r->latency);
	}

	metrics_family(b, "provisiond_job_duration_seconds", "histogram",
		       "Time jobs took from claim to outcome, by kind and outcome,"
		       " since provisiond started.");
	for (int i = 0; i < m.njobs; i++) {
		for (int k = 0; k < 2; k++) {
			snprintf(labels, sizeof(labels), "kind=\"%s\",outcome=\"%s\"",
				 m.jobs[i].kind, k ? "succeeded" : "failed");
			metrics_histogram(b, "provisiond_job_duration_seconds", labels,
					  &m.jobs[i].duration[k]);
		}
	}

	metrics_family(b, "provisiond_db_write_seconds", "histogram",
		       "Time a database write transaction held the writer, from BEGIN"
		       " to the end of COMMIT or ROLLBACK (the fsync included).");
	metrics_histogram(b, "provisiond_db_write_seconds", "", &m.db_write);

	metrics_family(b, "provisiond_webhook_attempts_total", "counter",
		       "Webhook delivery attempts, by result.");
	metrics_sample(b, "provisiond_webhook_attempts_total", "result=\"delivered\"",
		       (double)m.webhook_attempts[1]);
	metrics_sample(b, "provisiond_webhook_attempts_total", "result=\"failed\"",
		       (double)m.webhook_attempts[0]);
	pthread_mutex_unlock(&m.lock);
}

/* --- the device backends' throttled time, as the monitor last saw it --- */

static struct {
	pthread_mutex_t lock;
	struct metrics_throttle *rows;	/* sorted by server_id */
	size_t n;
} throttle = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int by_server_id(const void *a, const void *b)
{
	return strcmp(((const struct metrics_throttle *)a)->server_id,
		      ((const struct metrics_throttle *)b)->server_id);
}

void metrics_throttle_publish(const struct metrics_throttle *rows, size_t n)
{
	struct metrics_throttle *copy = n ? malloc(n * sizeof(*copy)) : NULL;

	if (n && !copy)
		return;		/* the scrape shows the previous sample's */
	if (n)
		memcpy(copy, rows, n * sizeof(*copy));
	qsort(copy, n, sizeof(*copy), by_server_id);
	pthread_mutex_lock(&throttle.lock);
	free(throttle.rows);
	throttle.rows = copy;
	throttle.n = n;
	pthread_mutex_unlock(&throttle.lock);
}

bool metrics_throttle_get(const char *server_id, uint64_t *disk_ns, uint64_t *net_ns)
{
	struct metrics_throttle key = { 0 }, *row;
	bool found = false;

	if (strlen(server_id) >= sizeof(key.server_id))
		return false;
	strcpy(key.server_id, server_id);
	pthread_mutex_lock(&throttle.lock);
	row = throttle.n ? bsearch(&key, throttle.rows, throttle.n, sizeof(key),
				   by_server_id) : NULL;
	if (row) {
		*disk_ns = row->disk_ns;
		*net_ns = row->net_ns;
		found = true;
	}
	pthread_mutex_unlock(&throttle.lock);
	return found;
}
