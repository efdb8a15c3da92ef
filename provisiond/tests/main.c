// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs provisiond's unit-test suites (build/tests/unit/provisiond-tests).
 * Check forks for each test, so a crash or a sanitizer report fails that
 * test and the run goes on.  CK_RUN_SUITE=auth or CK_RUN_CASE=... narrow
 * the run.  Exits non-zero when any test fails.
 */
#include <stdlib.h>
#include <check.h>

#include "log.h"
#include "suites.h"

int main(void)
{
	SRunner *sr;
	int failed;

	/* The code under test logs its refusals; keep the output to Check's. */
	log_set_level(LOG_ERROR);

	sr = srunner_create(validate_suite());
	srunner_add_suite(sr, auth_suite());
	srunner_add_suite(sr, job_state_suite());
	srunner_add_suite(sr, migrations_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, tls_suite());
	srunner_add_suite(sr, utf8_suite());
	srunner_add_suite(sr, ipam_suite());
	srunner_add_suite(sr, volumes_suite());
	srunner_add_suite(sr, seed_suite());
	srunner_add_suite(sr, webhooks_suite());
	srunner_add_suite(sr, websocket_suite());
	srunner_add_suite(sr, static_suite());
	srunner_add_suite(sr, session_suite());
	srunner_add_suite(sr, usage_suite());
	srunner_add_suite(sr, usage_recent_suite());

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
