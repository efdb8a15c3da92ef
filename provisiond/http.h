// SPDX-License-Identifier: GPL-2.0-only
/*
 * http.h - one HTTP request as the handlers see it, and the server around
 * it (libmicrohttpd with its internal thread pool).
 *
 * A handler reads the request (path id, query, validated JSON body, the
 * caller), works on req->db, and sets the answer with req_reply() or
 * req_error().  It never blocks on the hypervisor: operations that touch a
 * domain become jobs (jobs.h) that worker threads run.  The one wait a
 * handler may ask for is a job long-poll (req_wait_for_job()), which parks
 * the connection without holding an HTTP thread.
 */
#ifndef PROVISIOND_HTTP_H
#define PROVISIOND_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sqlite3.h>

#include "auth.h"
#include "util.h"

struct route;

struct request {
	struct MHD_Connection *conn;
	char *method;
	char *path;
	char request_id[24];
	int64_t started_ms;

	/* The body as received; body_too_large once it passed max_body. */
	char *body;
	size_t body_len;
	bool body_too_large;
	json_t *json;			/* parsed and validated; NULL if empty */

	/* Set by the router. */
	const struct route *route;
	char id[64];			/* the {id} in the path, if any */
	char address[64];		/* the {address} in the path, if any */
	struct principal who;
	bool authenticated;
	sqlite3 *db;			/* reader, or the writer in a transaction */

	/* The answer. */
	int status;
	json_t *response;
	char *raw_response;		/* JSON text: a stored answer (idempotent
					 * replay) or a list page; wins over
					 * response */
	char location[128];
	const char *content_type;	/* NULL: application/json */
	char next_cursor[160];		/* a text answer's next page
					 * (X-Next-Cursor), "" for none */
	bool replayed;
	char allow[64];			/* for 405 */

	/* What the audit log says about a write; handlers fill the target. */
	const char *audit_type;
	char audit_target[64];
	char audit_tenant[ID_MAX];
	char audit_detail[512];		/* what a write changed, if it says */
	char error_code[40];

	/* After a committed write: wake the job workers. */
	bool wake_jobs;

	/* Web panel: the session of a cookie request (session.h), the
	 * Set-Cookie to send, and a console WebSocket to open instead of a
	 * JSON answer (console.h). */
	char session_id[ID_MAX];
	char set_cookie[192];
	struct console_open *upgrade;

	/* Job long-poll (req_wait_for_job). */
	bool want_suspend;
	int64_t wait_deadline_ms;	/* monotonic; 0 = not waiting */
	uint64_t wait_gen;
	bool was_parked;
	struct request *wait_next;
};

struct http_settings {
	const char *listen;
	int port;
	int threads;
	long max_body;
	/* HTTPS with this PEM pair (kept valid while serving); NULL: HTTP. */
	const char *tls_cert_pem;
	const char *tls_key_pem;
};

/* Starts serving.  0, or -1 with err.  *bound_port gets the real port. */
int http_start(const struct http_settings *s, int *bound_port, char *err,
	       size_t errlen);

/* Answers parked long-polls and stops the server (waits for its threads). */
void http_stop(void);

/* Job long-poll: jobs.c calls this after a job reached a final state. */
void http_job_finished(void);

/* --- for handlers --- */

/* Sets a JSON answer (takes the reference to body).  Returns status. */
int req_reply(struct request *req, int status, json_t *body);

/* Sets an answer already written as JSON text (takes the malloc'd text). */
int req_reply_text(struct request *req, int status, char *text);

/*
 * Sets an error answer in the one error shape,
 *	{"error": {"code": ..., "message": ..., "retryable": ...}},
 * retryable being decided by the code (error_retryable()).  Returns status.
 */
int req_error(struct request *req, int status, const char *code,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A 400 invalid_field naming the field (also as "field" in the error). */
int req_field_error(struct request *req, const char *field, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

/* 500 internal_error (logged), for database failures. */
int req_internal(struct request *req, const char *what);

/* True if a retry of a request that failed with this code may succeed. */
bool error_retryable(const char *code);

const char *req_query(struct request *req, const char *name);
const char *req_header(struct request *req, const char *name);

/* NULL for an admin (no restriction), the tenant id for a customer. */
const char *req_scope(const struct request *req);

/*
 * Long-poll: before reading the job, note http_poll_generation() in
 * req->wait_gen; if the job is not final and the deadline is in the future,
 * call this instead of answering.  The handler runs again when a job
 * finishes or the deadline passes.
 */
uint64_t http_poll_generation(void);
void req_wait_for_job(struct request *req);

#endif
