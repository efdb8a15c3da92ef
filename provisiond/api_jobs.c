// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_jobs.c - /v1/jobs: following the jobs that change servers.
 *
 * GET /v1/jobs/{id}?wait=N answers as soon as the job is finished
 * (succeeded or failed) or N seconds have passed, whichever comes first;
 * meanwhile the connection is parked, not an HTTP thread (http.c).  The
 * contract allows N up to 600 (the router checked it); provisiond waits at
 * most long_poll_max of them, a client asks again to wait longer.
 */
#include <string.h>

#include "api.h"
#include "job_state.h"

int jobs_list(struct request *req)
{
	/* state is one of the contract's JobState values (router). */
	const char *params[] = {
		req_scope(req), req_query(req, "server_id"),
		req_query(req, "tenant_id"), req_query(req, "state"),
	};

	return api_list(req, job_columns,
			"FROM jobs WHERE (?1 IS NULL OR tenant_id = ?1)"
			" AND (?2 IS NULL OR server_id = ?2)"
			" AND (?3 IS NULL OR tenant_id = ?3)"
			" AND (?4 IS NULL OR state = ?4)", 4, params);
}

int jobs_get(struct request *req)
{
	const char *wait = req_query(req, "wait");
	json_t *job;
	int state;

	/* First run: turn ?wait= into a deadline (later runs keep it). */
	if (req->wait_deadline_ms == 0 && wait) {
		int64_t seconds;

		if (!parse_int_param(wait, 0, INT64_MAX, &seconds))
			return req_internal(req, "wait not checked by the router");
		if (seconds > api_settings.long_poll_max)
			seconds = api_settings.long_poll_max;
		if (seconds > 0)
			req->wait_deadline_ms = mono_ms() + seconds * 1000;
	}

	/* Before reading the job: see http.h on the long-poll race. */
	req->wait_gen = http_poll_generation();
	if (fetch_job(req->db, req->id, req_scope(req), &job))
		return req_internal(req, "fetch job");
	if (!job)
		return req_error(req, 404, "not_found", "job %s not found", req->id);

	state = job_state_parse(json_string_value(json_object_get(job, "state")));
	if (!job_state_final(state) && req->wait_deadline_ms > mono_ms()) {
		json_decref(job);
		req_wait_for_job(req);
		return 0;
	}
	return req_reply(req, 200, job);
}
