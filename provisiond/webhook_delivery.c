// SPDX-License-Identifier: GPL-2.0-only
/*
 * webhook_delivery.c - the thread that works through the webhook outbox
 * (see webhook.h for what a delivery is).
 *
 * One thread drives every attempt in flight with libcurl's multi
 * interface, so nothing here ever waits on one receiver: a receiver that
 * hangs holds its own attempt until the timeout, and the others go on.
 * Each endpoint has at most one attempt in flight (a dead endpoint's
 * backlog takes one of webhook_parallel slots, never all of them), and its
 * deliveries go out oldest due first.
 *
 * The database is the queue: every second (and when an attempt ends) the
 * thread reads each enabled endpoint's oldest due delivery; an attempt's
 * outcome is written in a short write transaction of its own.  Nothing of
 * a delivery's state lives only in memory, so a kill -9 loses at most the
 * outcome of the attempts in flight, which are then made again.
 *
 * Every address a URL's name resolves to is checked just before curl
 * connects (open_socket()), so a name that points at the appliance is
 * refused without a connection; redirects are not followed, proxies from
 * the environment are not used.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "util.h"
#include "webhook.h"

struct webhook_settings webhook_settings;

#define SCAN_EVERY_MS		1000
#define OWN_ADDRESSES_EVERY_MS	30000
#define OWN_ADDRESSES_MAX	64
#define CONNECT_TIMEOUT_S	5
/* Delivered and failed deliveries are kept this long for GET
 * /v1/webhooks/{id}/deliveries, then purged (hourly). */
#define HISTORY_DAYS		30
#define PURGE_EVERY_MS		(3600 * 1000)

struct attempt {
	bool busy;
	CURL *easy;
	struct curl_slist *headers;
	int64_t seq;			/* webhook_deliveries.seq */
	char webhook_id[ID_MAX];
	char event_id[ID_MAX];
	char *body;
	int attempts;			/* before this one */
	int64_t created_at;
	char refused[160];		/* set by open_socket() */
	char errbuf[CURL_ERROR_SIZE];
};

/* The warning limit of one endpoint whose attempts failed. */
struct hook_warn {
	char webhook_id[ID_MAX];
	struct webhook_warn_limit limit;
};

static struct {
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	bool stopping;
	CURLM *multi;
	struct attempt *slots;
	int nslots;
	struct sockaddr_storage own[OWN_ADDRESSES_MAX];
	size_t nown;
	/* Only the delivery thread reads or writes these (attempt_done()):
	 * no lock.  Not in the database: a restart may repeat a warning. */
	struct hook_warn *warns;
	size_t nwarns;
} wd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static bool stopping(void)
{
	bool s;

	pthread_mutex_lock(&wd.lock);
	s = wd.stopping;
	pthread_mutex_unlock(&wd.lock);
	return s;
}

/* curl's socket: refused for an address webhooks may not reach. */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose,
				 struct curl_sockaddr *addr)
{
	struct attempt *a = clientp;
	const char *why;

	(void)purpose;
	why = webhook_address_refused(&addr->addr, webhook_settings.allow_loopback,
				      wd.own, wd.nown);
	if (why) {
		snprintf(a->refused, sizeof(a->refused),
			 "refused: the URL's host resolves to %s", why);
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* The receiver's answer body is not kept. */
static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

static void attempt_clear(struct attempt *a)
{
	if (a->easy) {
		curl_multi_remove_handle(wd.multi, a->easy);
		curl_easy_cleanup(a->easy);
	}
	curl_slist_free_all(a->headers);
	free(a->body);
	memset(a, 0, sizeof(*a));
}

static struct curl_slist *header(struct curl_slist *list, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct curl_slist *header(struct curl_slist *list, const char *fmt, ...)
{
	char line[256];
	struct curl_slist *grown;
	va_list ap;

	if (!list)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	grown = curl_slist_append(list, line);
	if (!grown)
		curl_slist_free_all(list);
	return grown;
}

/* Sets up and starts the POST of a's body to url.  0 or -1. */
static int attempt_start(struct attempt *a, const char *url, const char *secret)
{
	char sig[WEBHOOK_SIGNATURE_HEX + 1];
	int64_t ts = now_s();
	long timeout = webhook_settings.timeout_s;

	webhook_sign(secret, ts, a->body, strlen(a->body), sig);
	a->headers = curl_slist_append(NULL, "Content-Type: application/json");
	a->headers = header(a->headers, "User-Agent: provisiond-webhooks/%s",
			    PROVISIOND_VERSION);
	a->headers = header(a->headers, "X-Webhook-Event-Id: %s", a->event_id);
	a->headers = header(a->headers, "X-Webhook-Timestamp: %lld", (long long)ts);
	a->headers = header(a->headers, "X-Webhook-Signature: sha256=%s", sig);
	a->headers = header(a->headers, "Expect:");	/* no 100-continue */
	a->easy = curl_easy_init();
	if (!a->headers || !a->easy)
		return -1;
	curl_easy_setopt(a->easy, CURLOPT_URL, url);
	curl_easy_setopt(a->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(a->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(a->easy, CURLOPT_PROXY, "");	/* not the environment's */
	curl_easy_setopt(a->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(a->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(a->easy, CURLOPT_POSTFIELDS, a->body);
	curl_easy_setopt(a->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(a->body));
	curl_easy_setopt(a->easy, CURLOPT_HTTPHEADER, a->headers);
	curl_easy_setopt(a->easy, CURLOPT_CONNECTTIMEOUT,
			 timeout < CONNECT_TIMEOUT_S ? timeout : (long)CONNECT_TIMEOUT_S);
	curl_easy_setopt(a->easy, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(a->easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(a->easy, CURLOPT_OPENSOCKETDATA, a);
	curl_easy_setopt(a->easy, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(a->easy, CURLOPT_ERRORBUFFER, a->errbuf);
	curl_easy_setopt(a->easy, CURLOPT_PRIVATE, a);
	return curl_multi_add_handle(wd.multi, a->easy) == CURLM_OK ? 0 : -1;
}

static bool in_flight(const char *webhook_id)
{
	for (int i = 0; i < wd.nslots; i++)
		if (wd.slots[i].busy && strcmp(wd.slots[i].webhook_id, webhook_id) == 0)
			return true;
	return false;
}

static struct attempt *free_slot(void)
{
	for (int i = 0; i < wd.nslots; i++)
		if (!wd.slots[i].busy)
			return &wd.slots[i];
	return NULL;
}

/* Starts the oldest due delivery of each endpoint that has none in flight,
 * while slots are free. */
static void start_due(void)
{
	sqlite3 *r;
	sqlite3_stmt *st;

	if (!free_slot())
		return;
	r = db_read_get();
	st = db_cached(r, "SELECT d.seq, d.webhook_id, d.event_id, d.body, d.attempts,"
			  " d.created_at, h.url, h.secret FROM webhooks h"
			  " JOIN webhook_deliveries d ON d.seq = (SELECT x.seq"
			  "   FROM webhook_deliveries x WHERE x.webhook_id = h.id"
			  "   AND x.state = 'pending' AND x.next_attempt_at <= ?1"
			  "   ORDER BY x.next_attempt_at, x.seq LIMIT 1)"
			  " WHERE h.enabled = 1 ORDER BY d.next_attempt_at, d.seq",
		       "i", now_s());
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *hook = (const char *)sqlite3_column_text(st, 1);
		struct attempt *a;

		if (in_flight(hook))
			continue;
		a = free_slot();
		if (!a)
			break;
		a->busy = true;
		a->seq = sqlite3_column_int64(st, 0);
		str_copy(a->webhook_id, hook, sizeof(a->webhook_id));
		str_copy(a->event_id, (const char *)sqlite3_column_text(st, 2),
			 sizeof(a->event_id));
		a->body = strdup((const char *)sqlite3_column_text(st, 3));
		a->attempts = sqlite3_column_int(st, 4);
		a->created_at = sqlite3_column_int64(st, 5);
		if (!a->body || attempt_start(a, (const char *)sqlite3_column_text(st, 6),
					      (const char *)sqlite3_column_text(st, 7)) < 0) {
			log_error("webhook %s: cannot start a delivery (out of memory)", hook);
			attempt_clear(a);
		}
	}
	db_release(st);
	db_read_put(r);
}

/*
 * The warning limit of webhook_id, made on its first failure.  A slot that
 * owes nothing (webhook_warn_idle()) serves the next endpoint, so the
 * table holds no more than the endpoints failing within a minute or so,
 * and deleted ones do not pile up.  NULL without memory: then every
 * failure is written.
 */
static struct webhook_warn_limit *warn_limit(const char *webhook_id, int64_t now)
{
	struct hook_warn *spare = NULL, *grown;

	for (size_t i = 0; i < wd.nwarns; i++) {
		if (strcmp(wd.warns[i].webhook_id, webhook_id) == 0)
			return &wd.warns[i].limit;
		if (!spare && webhook_warn_idle(&wd.warns[i].limit, now))
			spare = &wd.warns[i];
	}
	if (!spare) {
		grown = realloc(wd.warns, (wd.nwarns + 1) * sizeof(*wd.warns));
		if (!grown)
			return NULL;
		wd.warns = grown;
		spare = &wd.warns[wd.nwarns++];
	}
	memset(spare, 0, sizeof(*spare));
	str_copy(spare->webhook_id, webhook_id, sizeof(spare->webhook_id));
	return &spare->limit;
}

/* The warning about a failed attempt, if its endpoint's limit lets it
 * through (always when giving up). */
static void warn_failure(const struct attempt *a, int attempts, const char *error,
			 bool give_up)
{
	int64_t now = mono_ms() / 1000;
	struct webhook_warn_limit *limit = warn_limit(a->webhook_id, now);
	int suppressed = 0;
	char more[64] = "";

	if (limit && !webhook_warn_due(limit, now, give_up, &suppressed))
		return;
	if (suppressed > 0)
		snprintf(more, sizeof(more), " (%d more failure%s since)", suppressed,
			 suppressed == 1 ? "" : "s");
	log_warn("webhook %s: event %s, attempt %d: %s%s%s", a->webhook_id,
		 a->event_id, attempts, error, give_up ? "; giving up" : "; will retry",
		 more);
}

/* Writes the outcome of the attempt in a, which curl finished with res. */
static void attempt_done(struct attempt *a, CURLcode res)
{
	long status = 0;
	char error[CURL_ERROR_SIZE + 64] = "";
	int64_t now = now_s(), next = 0;
	int attempts = a->attempts + 1;
	bool delivered, give_up = false;
	uint32_t rnd = 0;
	sqlite3 *w;
	int rc;

	curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &status);
	delivered = res == CURLE_OK && status >= 200 && status < 300;
	if (a->refused[0])
		str_copy(error, a->refused, sizeof(error));
	else if (res != CURLE_OK)
		snprintf(error, sizeof(error), "%s", a->errbuf[0] ? a->errbuf :
			 curl_easy_strerror(res));
	else if (!delivered)
		snprintf(error, sizeof(error), "the receiver answered HTTP %ld", status);
	utf8_scrub(error);
	if (!delivered) {
		random_bytes(&rnd, sizeof(rnd));
		next = now + webhook_retry_delay(attempts, webhook_settings.retry_base_s, rnd);
		give_up = webhook_give_up(attempts, webhook_settings.max_attempts,
					  a->created_at, next, webhook_settings.max_age_s);
	}
	metrics_webhook_observe(delivered);

	w = db_write_begin_background();
	if (!w)
		return;		/* tried again after the restart */
	rc = db_run(w, "UPDATE webhook_deliveries SET attempts = ?2,"
		       " last_status = nullif(?3, 0), last_error = nullif(?4, ''),"
		       " state = ?5, next_attempt_at = nullif(?6, 0),"
		       " delivered_at = nullif(?7, 0)"
		       " WHERE seq = ?1 AND state = 'pending'",
		    "iddssii", a->seq, attempts, (int)status, error,
		    delivered ? "delivered" : give_up ? "failed" : "pending",
		    delivered || give_up ? (int64_t)0 : next,
		    delivered ? now : (int64_t)0);
	if (rc != SQLITE_OK) {
		db_write_rollback(w);
		return;
	}
	db_write_commit(w);
	if (delivered)
		log_debug("webhook %s: event %s delivered (HTTP %ld)", a->webhook_id,
			  a->event_id, status);
	else
		warn_failure(a, attempts, error, give_up);
}

static void purge_history(void)
{
	sqlite3 *w = db_write_begin_background();

	if (!w)
		return;
	if (db_run(w, "DELETE FROM webhook_deliveries WHERE state <> 'pending'"
		      " AND created_at < ?", "i",
		   now_s() - (int64_t)HISTORY_DAYS * 86400) != SQLITE_OK) {
		db_write_rollback(w);
		return;
	}
	db_write_commit(w);
}

static void *delivery_main(void *arg)
{
	int64_t next_scan = 0, next_own = 0, next_purge = 0;

	(void)arg;
	while (!stopping()) {
		int64_t now = mono_ms();
		int running, left;
		CURLMsg *msg;

		if (now >= next_own) {
			wd.nown = webhook_own_addresses(wd.own, OWN_ADDRESSES_MAX);
			next_own = now + OWN_ADDRESSES_EVERY_MS;
		}
		if (now >= next_purge) {
			purge_history();
			next_purge = now + PURGE_EVERY_MS;
		}
		if (now >= next_scan) {
			start_due();
			next_scan = now + SCAN_EVERY_MS;
		}
		curl_multi_perform(wd.multi, &running);
		while ((msg = curl_multi_info_read(wd.multi, &left))) {
			struct attempt *a = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&a);
			attempt_done(a, msg->data.result);
			attempt_clear(a);
			next_scan = 0;	/* a slot is free: look again now */
		}
		if (next_scan == 0)
			continue;
		now = mono_ms();
		curl_multi_poll(wd.multi, NULL, 0,
				next_scan > now ? (int)(next_scan - now) : 0, NULL);
	}
	for (int i = 0; i < wd.nslots; i++)
		attempt_clear(&wd.slots[i]);
	return NULL;
}

int webhook_start(const struct webhook_settings *s)
{
	webhook_settings = *s;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	wd.multi = curl_multi_init();
	wd.nslots = s->parallel;
	wd.slots = calloc((size_t)s->parallel, sizeof(*wd.slots));
	if (!wd.multi || !wd.slots) {
		curl_multi_cleanup(wd.multi);
		free(wd.slots);
		return -1;
	}
	wd.stopping = false;
	if (pthread_create(&wd.thread, NULL, delivery_main, NULL) != 0) {
		curl_multi_cleanup(wd.multi);
		free(wd.slots);
		return -1;
	}
	wd.started = true;
	return 0;
}

void webhook_stop(void)
{
	if (!wd.started)
		return;
	pthread_mutex_lock(&wd.lock);
	wd.stopping = true;
	pthread_mutex_unlock(&wd.lock);
	curl_multi_wakeup(wd.multi);
	pthread_join(wd.thread, NULL);
	wd.started = false;
	curl_multi_cleanup(wd.multi);
	wd.multi = NULL;
	free(wd.slots);
	wd.slots = NULL;
	free(wd.warns);
	wd.warns = NULL;
	wd.nwarns = 0;
	curl_global_cleanup();
}
