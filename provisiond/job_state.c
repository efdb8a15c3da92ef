// SPDX-License-Identifier: GPL-2.0-only
/*
 * job_state.c - job kinds, states, transitions and acceptance rules (see
 * job_state.h).
 */
#include <string.h>

#include "job_state.h"

static const char *const kind_names[JOB_KIND_COUNT] = {
	[JOB_CREATE] = "create",
	[JOB_START] = "start",
	[JOB_STOP] = "stop",
	[JOB_REBOOT] = "reboot",
	[JOB_SUSPEND] = "suspend",
	[JOB_UNSUSPEND] = "unsuspend",
	[JOB_CHANGE_PLAN] = "change_plan",
	[JOB_REINSTALL] = "reinstall",
	[JOB_DELETE] = "delete",
};

static const char *const state_names[JOB_STATE_COUNT] = {
	[JOB_QUEUED] = "queued",
	[JOB_RUNNING] = "running",
	[JOB_SUCCEEDED] = "succeeded",
	[JOB_FAILED] = "failed",
};

const char *job_kind_name(enum job_kind kind)
{
	return (unsigned)kind < JOB_KIND_COUNT ? kind_names[kind] : "?";
}

int job_kind_parse(const char *name)
{
	for (int i = 0; i < JOB_KIND_COUNT; i++)
		if (strcmp(kind_names[i], name) == 0)
			return i;
	return -1;
}

const char *job_state_name(enum job_state state)
{
	return (unsigned)state < JOB_STATE_COUNT ? state_names[state] : "?";
}

int job_state_parse(const char *name)
{
	for (int i = 0; i < JOB_STATE_COUNT; i++)
		if (strcmp(state_names[i], name) == 0)
			return i;
	return -1;
}

bool job_state_final(enum job_state state)
{
	return state == JOB_SUCCEEDED || state == JOB_FAILED;
}

bool job_transition_allowed(enum job_state from, enum job_state to)
{
	switch (from) {
	case JOB_QUEUED:
		return to == JOB_RUNNING || to == JOB_FAILED;
	case JOB_RUNNING:
		return to == JOB_SUCCEEDED || to == JOB_FAILED || to == JOB_QUEUED;
	default:
		return false;	/* final states are final */
	}
}

static bool refuse(struct refusal *why, int status, const char *code,
		   const char *message)
{
	why->status = status;
	why->code = code;
	why->message = message;
	return true;
}

bool job_refused(enum job_kind kind, const struct server_view *s, bool admin,
		 const char *new_plan_id, struct refusal *why)
{
	if (strcmp(s->desired_state, "deleted") == 0 && kind != JOB_DELETE)
		return refuse(why, 409, "invalid_state", "the server is being deleted");

	if (s->suspended) {
		if (!admin)
			return refuse(why, 403, "server_suspended",
				      "the server is suspended; contact your provider");
		if (kind == JOB_START || kind == JOB_REBOOT)
			return refuse(why, 409, "server_suspended",
				      "the server is suspended; unsuspend it first");
	}

	switch (kind) {
	case JOB_SUSPEND:
		if (s->suspended)
			return refuse(why, 409, "invalid_state",
				      "the server is already suspended");
		break;
	case JOB_UNSUSPEND:
		if (!s->suspended)
			return refuse(why, 409, "invalid_state",
				      "the server is not suspended");
		break;
	case JOB_REBOOT:
		if (strcmp(s->actual_state, "running") != 0)
			return refuse(why, 409, "invalid_state",
				      "the server is not running");
		break;
	case JOB_CHANGE_PLAN:
		if (new_plan_id && s->plan_id && strcmp(new_plan_id, s->plan_id) == 0)
			return refuse(why, 409, "invalid_state",
				      "the server already has this plan");
		break;
	default:
		break;
	}
	return false;
}

bool server_wants_running(const char *desired_state, bool suspended)
{
	return strcmp(desired_state, "running") == 0 && !suspended;
}
