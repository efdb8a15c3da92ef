// SPDX-License-Identifier: GPL-2.0-only
/*
 * The job state machine and the rules for accepting a job (job_state.c).
 */
#include <stdio.h>
#include <string.h>
#include <check.h>

#include "job_state.h"
#include "suites.h"

START_TEST(names_round_trip)
{
	for (int k = 0; k < JOB_KIND_COUNT; k++)
		ck_assert_int_eq(job_kind_parse(job_kind_name(k)), k);
	for (int s = 0; s < JOB_STATE_COUNT; s++)
		ck_assert_int_eq(job_state_parse(job_state_name(s)), s);
	ck_assert_int_eq(job_kind_parse("change-plan"), -1);
	ck_assert_int_eq(job_kind_parse(""), -1);
	ck_assert_int_eq(job_state_parse("done"), -1);
	ck_assert_str_eq(job_kind_name(JOB_CHANGE_PLAN), "change_plan");
}
END_TEST

START_TEST(transitions)
{
	/* allowed[from][to] */
	static const bool allowed[JOB_STATE_COUNT][JOB_STATE_COUNT] = {
		[JOB_QUEUED] = { [JOB_RUNNING] = true, [JOB_FAILED] = true },
		[JOB_RUNNING] = { [JOB_QUEUED] = true, [JOB_SUCCEEDED] = true,
				  [JOB_FAILED] = true },
	};

	for (int from = 0; from < JOB_STATE_COUNT; from++)
		for (int to = 0; to < JOB_STATE_COUNT; to++)
			ck_assert_msg(job_transition_allowed(from, to) == allowed[from][to],
				      "%s -> %s", job_state_name(from), job_state_name(to));
	ck_assert(!job_state_final(JOB_QUEUED));
	ck_assert(!job_state_final(JOB_RUNNING));
	ck_assert(job_state_final(JOB_SUCCEEDED));
	ck_assert(job_state_final(JOB_FAILED));
}
END_TEST

static struct server_view server(const char *desired, const char *actual,
				 bool suspended)
{
	struct server_view v = { desired, actual, suspended, "pln_a" };

	return v;
}

/* The refusal for a job, as "status code" ("" if accepted). */
static const char *verdict(enum job_kind kind, struct server_view v, bool admin,
			   const char *plan)
{
	static char out[64];
	struct refusal why;

	if (!job_refused(kind, &v, admin, plan, &why))
		return "";
	snprintf(out, sizeof(out), "%d %s", why.status, why.code);
	return out;
}

START_TEST(running_server)
{
	struct server_view s = server("running", "running", false);

	for (int k = 0; k < JOB_KIND_COUNT; k++) {
		if (k == JOB_UNSUSPEND)
			continue;
		ck_assert_msg(strcmp(verdict(k, s, false, "pln_b"), "") == 0,
			      "%s refused", job_kind_name(k));
	}
	ck_assert_str_eq(verdict(JOB_UNSUSPEND, s, true, NULL), "409 invalid_state");
	ck_assert_str_eq(verdict(JOB_CHANGE_PLAN, s, false, "pln_a"), "409 invalid_state");
}
END_TEST

START_TEST(suspended_server)
{
	struct server_view s = server("running", "stopped", true);

	/* A customer can do nothing at all with it. */
	for (int k = 0; k < JOB_KIND_COUNT; k++)
		ck_assert_str_eq(verdict(k, s, false, "pln_b"), "403 server_suspended");
	/* An admin must unsuspend before starting or rebooting it. */
	ck_assert_str_eq(verdict(JOB_START, s, true, NULL), "409 server_suspended");
	ck_assert_str_eq(verdict(JOB_REBOOT, s, true, NULL), "409 server_suspended");
	ck_assert_str_eq(verdict(JOB_SUSPEND, s, true, NULL), "409 invalid_state");
	ck_assert_str_eq(verdict(JOB_UNSUSPEND, s, true, NULL), "");
	ck_assert_str_eq(verdict(JOB_STOP, s, true, NULL), "");
	ck_assert_str_eq(verdict(JOB_DELETE, s, true, NULL), "");
	ck_assert_str_eq(verdict(JOB_CHANGE_PLAN, s, true, "pln_b"), "");
}
END_TEST

START_TEST(other_states)
{
	ck_assert_str_eq(verdict(JOB_REBOOT, server("stopped", "stopped", false), false, NULL),
			 "409 invalid_state");
	ck_assert_str_eq(verdict(JOB_REBOOT, server("running", "provisioning", false), true,
				 NULL), "409 invalid_state");
	ck_assert_str_eq(verdict(JOB_START, server("stopped", "stopped", false), false, NULL),
			 "");
	/* Only delete may follow a delete. */
	ck_assert_str_eq(verdict(JOB_START, server("deleted", "running", false), true, NULL),
			 "409 invalid_state");
	ck_assert_str_eq(verdict(JOB_DELETE, server("deleted", "running", false), true, NULL),
			 "");
}
END_TEST

START_TEST(wants_running)
{
	ck_assert(server_wants_running("running", false));
	ck_assert(!server_wants_running("running", true));
	ck_assert(!server_wants_running("stopped", false));
	ck_assert(!server_wants_running("deleted", false));
}
END_TEST

Suite *job_state_suite(void)
{
	Suite *s = suite_create("job_state");
	TCase *tc = tcase_create("job_state");

	tcase_add_test(tc, names_round_trip);
	tcase_add_test(tc, transitions);
	tcase_add_test(tc, running_server);
	tcase_add_test(tc, suspended_server);
	tcase_add_test(tc, other_states);
	tcase_add_test(tc, wants_running);
	suite_add_tcase(s, tc);
	return s;
}
