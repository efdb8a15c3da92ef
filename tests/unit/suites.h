/* SPDX-License-Identifier: GPL-2.0-only */
/* The Check suites of the host unit tests, one per hypervisor or lib/ file. */
#ifndef UNIT_SUITES_H
#define UNIT_SUITES_H

#include <stddef.h>
#include <stdint.h>
#include <check.h>

Suite *frame_suite(void);	/* hypervisor/common/frame.c */
Suite *mb2_suite(void);		/* hypervisor/common/mb2.c */
Suite *cmdline_suite(void);	/* hypervisor/common/cmdline.c */
Suite *format_suite(void);	/* hypervisor/common/format.c */
Suite *decode_suite(void);	/* hypervisor/arch/x86/decode.c */
Suite *linux_boot_suite(void);	/* lib/linux_boot.c */
Suite *elf_suite(void);		/* lib/elf.c */
Suite *acpi_build_suite(void);	/* hypervisor/arch/x86/acpi_build.c */
Suite *cpuset_suite(void);	/* lib/cpuset.c */
Suite *steal_time_suite(void);	/* hypervisor/arch/x86/steal_time.c */
Suite *msr_policy_suite(void);	/* hypervisor/arch/x86/msr_policy.c */
Suite *dom0_filter_suite(void);	/* hypervisor/arch/x86/dom0_filter.c */
Suite *sched_suite(void);	/* hypervisor/common/sched.c */
Suite *npt_suite(void);		/* hypervisor/arch/x86/npt.c */
Suite *vpci_suite(void);	/* hypervisor/common/vpci.c */
Suite *virtio_pci_suite(void);	/* hypervisor/common/virtio_pci.c */
Suite *domu_memmap_suite(void);	/* hypervisor/arch/x86/domu_memmap.c */

/*
 * Reads a whole file into a malloc'd buffer of exactly its size (files.c);
 * fails the test if it cannot.  The caller frees it.
 */
uint8_t *read_whole_file(const char *path, size_t *size);

/*
 * Like ck_assert, but silent when it holds.  Check records the line of every
 * passing ck_assert through a pipe to the parent, which is far too slow in
 * loops that run a hundred thousand times; use this one there.
 */
#define FAST_ASSERT(expr)						\
	do {								\
		if (!(expr))						\
			ck_abort_msg("Assertion '%s' failed", #expr);	\
	} while (0)

#endif
