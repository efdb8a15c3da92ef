// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs every unit-test suite.  Check forks for each test by default, so a
 * crash or a sanitizer report fails that one test and the run goes on.
 * CK_RUN_SUITE=mb2 or CK_RUN_CASE=errors in the environment narrow the run.
 * Exits non-zero when any test fails.
 */
#include <stdlib.h>
#include <check.h>

#include "suites.h"

int main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(frame_suite());
	srunner_add_suite(sr, mb2_suite());
	srunner_add_suite(sr, cmdline_suite());
	srunner_add_suite(sr, format_suite());
	srunner_add_suite(sr, decode_suite());
	srunner_add_suite(sr, linux_boot_suite());
	srunner_add_suite(sr, elf_suite());
	srunner_add_suite(sr, acpi_build_suite());
	srunner_add_suite(sr, cpuset_suite());
	srunner_add_suite(sr, steal_time_suite());
	srunner_add_suite(sr, msr_policy_suite());
	srunner_add_suite(sr, dom0_filter_suite());
	srunner_add_suite(sr, sched_suite());
	srunner_add_suite(sr, npt_suite());
	srunner_add_suite(sr, vpci_suite());
	srunner_add_suite(sr, virtio_pci_suite());
	srunner_add_suite(sr, domu_memmap_suite());

	/* CK_NORMAL prints each failure and the "100%: Checks: N, ..." line. */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
