// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs every suite of the quota library's unit tests in one SRunner.  Check
 * forks for each test by default, so a crash or a sanitizer report fails that
 * one test and the run goes on.  CK_RUN_SUITE=cap or CK_RUN_CASE=greedy in
 * the environment narrow the run.  Exits non-zero when any test fails.
 */
#include <stdint.h>
#include <stdlib.h>
#include <check.h>

#include "suites.h"

int main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(fairshare_suite());
	srunner_add_suite(sr, cap_suite());
	srunner_add_suite(sr, token_bucket_suite());
	srunner_add_suite(sr, div128_suite());

	/* CK_NORMAL prints each failure and the "100%: Checks: N, ..." line. */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
