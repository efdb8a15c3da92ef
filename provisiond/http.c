// SPDX-License-Identifier: GPL-2.0-only
/*
 * http.c - libmicrohttpd glue: receiving a request and its body, sending
 * the JSON answer, and parking job long-polls (see http.h).
 *
 * libmicrohttpd calls on_request() several times per request: once with the
 * headers (we allocate struct request), once per piece of body, and once
 * more with nothing, when the request is complete: then the router runs and
 * the answer is queued.  Bodies over max_body are read and thrown away, so
 * that the client, which is still sending, gets a clean 413 instead of a
 * reset connection.
 *
 * Long-poll: a handler waiting for a job makes us suspend the connection
 * (MHD_suspend_connection) and park the request on a list.  The poll thread
 * resumes parked requests when any job finishes or their deadline passes;
 * libmicrohttpd then calls on_request() again and the handler runs again.
 * No HTTP thread waits meanwhile.  A generation counter, bumped whenever a
 * job finishes, closes the race between a handler reading "still running"
 * and parking: if a job finished in between, the request is not parked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "static.h"

static struct {
	struct MHD_Daemon *daemon;
	long max_body;

	pthread_mutex_t lock;		/* guards the fields below */
	pthread_cond_t wake;
	pthread_cond_t drained;
	struct request *parked;		/* suspended long-polls */
	int outstanding;		/* parked at least once, not completed */
	uint64_t generation;		/* bumped when a job finishes */
	bool stopping;
	pthread_t poller;
	bool poller_started;
} http = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.drained = PTHREAD_COND_INITIALIZER,
};

/* --- answers --- */

static const char *const retryable_codes[] = {
	"job_in_progress", "internal_error", "unavailable", NULL,
};

bool error_retryable(const char *code)
{
	for (const char *const *c = retryable_codes; *c; c++)
		if (strcmp(*c, code) == 0)
			return true;
	return false;
}

int req_reply(struct request *req, int status, json_t *body)
{
	json_decref(req->response);
	req->response = body;
	free(req->raw_response);
	req->raw_response = NULL;
	req->status = status;
	return status;
}

int req_reply_text(struct request *req, int status, char *text)
{
	json_decref(req->response);
	req->response = NULL;
	free(req->raw_response);
	req->raw_response = text;
	req->status = status;
	return status;
}

static int set_error(struct request *req, int status, const char *code,
		     const char *field, const char *fmt, va_list ap)
{
	char message[512];
	json_t *err;

	vsnprintf(message, sizeof(message), fmt, ap);
	/* A message may quote what the client sent (Jansson's parse errors
	 * do), or be cut in the middle of a character: JSON needs UTF-8. */
	utf8_scrub(message);
	err = json_pack("{s:s, s:s, s:b}", "code", code, "message", message,
			"retryable", error_retryable(code));
	if (field)
		json_object_set_new(err, "field", json_string(field));
	str_copy(req->error_code, code, sizeof(req->error_code));
	return req_reply(req, status, json_pack("{s:o}", "error", err));
}

int req_error(struct request *req, int status, const char *code,
	      const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = set_error(req, status, code, NULL, fmt, ap);
	va_end(ap);
	return r;
}

int req_field_error(struct request *req, const char *field, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = set_error(req, 400, "invalid_field", field, fmt, ap);
	va_end(ap);
	return r;
}

int req_internal(struct request *req, const char *what)
{
	log_error("%s %s: internal error: %s", req->method, req->path, what);
	return req_error(req, 500, "internal_error",
			 "internal error (request %s); retry later", req->request_id);
}

const char *req_query(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *req_scope(const struct request *req)
{
	return req->who.admin ? NULL : req->who.tenant_id;
}

/* The web panel's headers on an API answer: the session cookie when it
 * changes (session.h), and the security headers every answer has. */
static void web_answer_headers(struct request *req, struct MHD_Response *resp)
{
	if (req->set_cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, req->set_cookie);
	web_security_headers(resp);
}

static enum MHD_Result send_answer(struct request *req)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text = NULL;
	size_t len = 0;

	if (req->upgrade)
		return console_queue_upgrade(req);
	if (req->status != 204) {
		/* A text answer is handed over to libmicrohttpd as it is. */
		if (req->raw_response) {
			text = req->raw_response;
			req->raw_response = NULL;
		} else {
			text = json_dumps(req->response, JSON_COMPACT);
		}
		/* An answer that cannot be written (out of memory, or a
		 * string Jansson refused) is still a JSON error, never a
		 * closed connection. */
		if (!text) {
			static const char unwritable[] =
				"{\"error\":{\"code\":\"internal_error\","
				"\"message\":\"the answer could not be written; retry later\","
				"\"retryable\":true}}";

			log_error("%s %s: the answer could not be written",
				  req->method, req->path);
			req->status = 500;
			text = strdup(unwritable);
			if (!text)
				return MHD_NO;
		}
		len = strlen(text);
	}
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	if (req->status != 204)
		MHD_add_response_header(resp, "Content-Type", req->content_type &&
					req->status < 300 ? req->content_type :
					"application/json");
	if (req->next_cursor[0])
		MHD_add_response_header(resp, "X-Next-Cursor", req->next_cursor);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Request-Id", req->request_id);
	if (req->location[0])
		MHD_add_response_header(resp, "Location", req->location);
	if (req->allow[0])
		MHD_add_response_header(resp, "Allow", req->allow);
	if (req->replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	web_answer_headers(req, resp);
	ret = MHD_queue_response(req->conn, (unsigned int)req->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* --- long-poll --- */

uint64_t http_poll_generation(void)
{
	uint64_t g;

	pthread_mutex_lock(&http.lock);
	g = http.generation;
	pthread_mutex_unlock(&http.lock);
	return g;
}

void req_wait_for_job(struct request *req)
{
	req->want_suspend = true;
}

void http_job_finished(void)
{
	pthread_mutex_lock(&http.lock);
	http.generation++;
	pthread_cond_signal(&http.wake);
	pthread_mutex_unlock(&http.lock);
}

/*
 * Parks req unless a job finished since it read its job (or we are
 * stopping).  Called from on_request(), as libmicrohttpd requires of
 * MHD_suspend_connection.  True if parked.
 */
static bool park(struct request *req)
{
	bool parked = false;

	pthread_mutex_lock(&http.lock);
	if (!http.stopping && http.generation == req->wait_gen) {
		MHD_suspend_connection(req->conn);
		req->wait_next = http.parked;
		http.parked = req;
		parked = true;
		if (!req->was_parked) {
			req->was_parked = true;
			http.outstanding++;
		}
	}
	pthread_mutex_unlock(&http.lock);
	return parked;
}

/*
 * Resumes the parked requests that are due: a job finished since they
 * parked (the generation moved), or their deadline passed; all of them
 * when stopping.  Called with http.lock held.
 */
static void resume_due(bool all)
{
	struct request **pp = &http.parked;
	int64_t now = mono_ms();

	while (*pp) {
		struct request *r = *pp;

		if (all || r->wait_gen != http.generation || r->wait_deadline_ms <= now) {
			*pp = r->wait_next;
			r->wait_next = NULL;
			MHD_resume_connection(r->conn);
		} else {
			pp = &r->wait_next;
		}
	}
}

static void *poller_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&http.lock);
	while (!http.stopping) {
		int64_t next = mono_ms() + 1000, delay;
		struct timespec ts;

		resume_due(false);
		for (struct request *r = http.parked; r; r = r->wait_next)
			if (r->wait_deadline_ms < next)
				next = r->wait_deadline_ms;

		/* Sleep until the next deadline, or until woken by a finished
		 * job (the lock is held from resume_due() to here, so no wake-up
		 * is missed).  Condition waits take CLOCK_REALTIME. */
		delay = next - mono_ms();
		if (delay < 1)
			delay = 1;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += delay / 1000;
		ts.tv_nsec += (delay % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&http.wake, &http.lock, &ts);
	}
	resume_due(true);
	pthread_mutex_unlock(&http.lock);
	return NULL;
}

/* --- requests --- */

static struct request *request_new(struct MHD_Connection *conn,
				   const char *url, const char *method)
{
	struct request *req = calloc(1, sizeof(*req));
	unsigned char raw[8];

	if (!req)
		return NULL;
	req->conn = conn;
	req->method = strdup(method);
	req->path = strdup(url);
	req->started_ms = mono_ms();
	if (!req->method || !req->path || random_bytes(raw, sizeof(raw)) != 0) {
		free(req->method);
		free(req->path);
		free(req);
		return NULL;
	}
	memcpy(req->request_id, "req_", 4);
	hex_encode(raw, sizeof(raw), req->request_id + 4);
	return req;
}

static void request_free(struct request *req)
{
	json_decref(req->json);
	json_decref(req->response);
	free(req->raw_response);
	free(req->upgrade);
	free(req->body);
	free(req->method);
	free(req->path);
	free(req);
}

/* Appends a piece of body, or drops it once the body is too large. */
static void take_body(struct request *req, const char *data, size_t size)
{
	if (req->body_too_large)
		return;
	if (req->body_len + size > (size_t)http.max_body) {
		req->body_too_large = true;
		free(req->body);
		req->body = NULL;
		req->body_len = 0;
		return;
	}
	{
		char *grown = realloc(req->body, req->body_len + size + 1);

		if (!grown) {
			req->body_too_large = true;
			return;
		}
		req->body = grown;
	}
	memcpy(req->body + req->body_len, data, size);
	req->body_len += size;
	req->body[req->body_len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct request *req = *con_cls;

	(void)cls;
	(void)version;

	if (!req) {
		const char *cl;

		req = request_new(conn, url, method);
		if (!req)
			return MHD_NO;
		*con_cls = req;
		/* A declared length over the limit: don't buffer any of it. */
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > (unsigned long long)http.max_body)
			req->body_too_large = true;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		take_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	/* The request is complete (or a parked long-poll was resumed). */
	if (!req->was_parked) {
		enum MHD_Result ret;

		/* The web panel's files, outside /v1 (static.h). */
		if (static_answer(conn, method, url, &ret, &req->status))
			return ret;
	}
	for (;;) {
		req->want_suspend = false;
		router_handle(req);
		if (!req->want_suspend)
			break;
		if (park(req))
			return MHD_YES;
		/* A job finished meanwhile, or we are stopping: look again,
		 * answering at once if stopping. */
		if (http.stopping)
			req->wait_deadline_ms = 1;
	}
	return send_answer(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct request *req = *con_cls;

	(void)cls;
	(void)conn;
	if (!req)
		return;
	/* A refused path may hold anything: the log gets it made safe. */
	utf8_scrub(req->path);
	for (char *p = req->path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	/* The one place every answered request is counted (metrics.h): by
	 * the route's template, never the path the client sent. */
	metrics_http_observe(req->route ? req->route->method : NULL,
			     req->route ? req->route->pattern : NULL, req->status,
			     (double)(mono_ms() - req->started_ms) / 1000.0);
	log_debug("%s %s -> %d (%lld ms)%s", req->method, req->path, req->status,
		  (long long)(mono_ms() - req->started_ms),
		  toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (not completed)");
	if (req->was_parked) {
		pthread_mutex_lock(&http.lock);
		http.outstanding--;
		pthread_cond_signal(&http.drained);
		pthread_mutex_unlock(&http.lock);
	}
	request_free(req);
	*con_cls = NULL;
}

/*
 * libmicrohttpd decodes %XX in the path and the query in place; a decoded
 * NUL would end the C string and silently cut what the client sent
 * ("srv_1%00x" read as "srv_1").  It becomes DEL instead, a control
 * character the router refuses with a 400 (router.c, step 0).
 */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	for (char *p = s; (p = strstr(p, "%00")) != NULL; p += 3) {
		p[1] = '7';
		p[2] = 'f';
	}
	return MHD_http_unescape(s);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	utf8_scrub(msg);	/* it may quote a malformed request */
	log_warn("http: %s", msg);
}

int http_start(const struct http_settings *s, int *bound_port, char *err,
	       size_t errlen)
{
	struct sockaddr_storage addr;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
			     MHD_ALLOW_UPGRADE;
	const union MHD_DaemonInfo *info;
	/* HTTPS: the certificate and key (MHD_OPTION_END: plain HTTP). */
	struct MHD_OptionItem tls_options[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)s->tls_key_pem },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)s->tls_cert_pem },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (s->tls_cert_pem)
		flags |= MHD_USE_TLS;
	else
		tls_options[0].option = MHD_OPTION_END;

	memset(&addr, 0, sizeof(addr));
	if (inet_pton(AF_INET, s->listen, &((struct sockaddr_in *)&addr)->sin_addr) == 1) {
		((struct sockaddr_in *)&addr)->sin_family = AF_INET;
		((struct sockaddr_in *)&addr)->sin_port = htons((uint16_t)s->port);
	} else if (inet_pton(AF_INET6, s->listen,
			     &((struct sockaddr_in6 *)&addr)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&addr)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&addr)->sin6_port = htons((uint16_t)s->port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "listen: '%s' is not an IPv4 or IPv6 address",
			 s->listen);
		return -1;
	}

	http.max_body = s->max_body;
	http.stopping = false;
	if (pthread_create(&http.poller, NULL, poller_main, NULL) != 0) {
		snprintf(err, errlen, "cannot start the long-poll thread");
		return -1;
	}
	http.poller_started = true;

	http.daemon = MHD_start_daemon(flags, (uint16_t)s->port, NULL, NULL,
				       on_request, NULL,
				       MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				       MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
				       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				       MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)s->threads,
				       MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
				       MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000,
				       MHD_OPTION_ARRAY, tls_options,
				       MHD_OPTION_END);
	if (!http.daemon) {
		snprintf(err, errlen, "cannot listen on %s port %d: %s", s->listen,
			 s->port, strerror(errno));
		http_stop();
		return -1;
	}
	info = MHD_get_daemon_info(http.daemon, MHD_DAEMON_INFO_BIND_PORT);
	*bound_port = info ? info->port : s->port;
	return 0;
}

void http_stop(void)
{
	MHD_socket listener = MHD_INVALID_SOCKET;
	int64_t deadline = mono_ms() + 3000;

	/* No new connections from here on. */
	if (http.daemon)
		listener = MHD_quiesce_daemon(http.daemon);

	/* Parked long-polls are resumed (MHD_stop_daemon must not meet a
	 * suspended connection) and answered with their job as it is; give
	 * the HTTP threads a moment to send those answers. */
	pthread_mutex_lock(&http.lock);
	http.stopping = true;
	pthread_cond_signal(&http.wake);
	pthread_mutex_unlock(&http.lock);
	if (http.poller_started) {
		pthread_join(http.poller, NULL);
		http.poller_started = false;
	}
	pthread_mutex_lock(&http.lock);
	while (http.outstanding > 0 && mono_ms() < deadline) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&http.drained, &http.lock, &ts);
	}
	pthread_mutex_unlock(&http.lock);

	if (http.daemon) {
		MHD_stop_daemon(http.daemon);
		http.daemon = NULL;
	}
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
}
