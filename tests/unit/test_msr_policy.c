// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MSR write policy (hypervisor/arch/x86/msr_policy.c): every EFER rule
 * for dom0 and customer domains, the PAT and MTRR checks.
 */
#include <asm/msr_policy.h>

#include "suites.h"

/* A 64-bit guest's EFER as the hypervisor holds it: long mode, SVME set. */
#define EFER_LONG	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME)
#define CR0_PAGING	(X86_CR0_PE | X86_CR0_PG)
#define CR0_REAL	0ULL

/* The write's verdict and, when allowed, the EFER it installs. */
static bool write(uint64_t efer, uint64_t cr0, uint64_t value,
		  uint64_t writable, uint64_t *next)
{
	*next = 0xdeadbeef;
	return efer_guest_write(efer, cr0, value, writable, next);
}

START_TEST(test_read_hides_svme)
{
	ck_assert_uint_eq(efer_guest_view(EFER_LONG), EFER_LONG & ~EFER_SVME);
	ck_assert_uint_eq(efer_guest_view(EFER_SVME), 0);
	ck_assert_uint_eq(efer_guest_view(EFER_SCE | EFER_NXE),
			  EFER_SCE | EFER_NXE);
}
END_TEST

START_TEST(test_svme_stays_set)
{
	uint64_t next;

	/* What the guest read back, written back: SVME is still set. */
	ck_assert(write(EFER_LONG, CR0_PAGING, efer_guest_view(EFER_LONG),
			EFER_DOM0_WRITABLE, &next));
	ck_assert_uint_eq(next, EFER_LONG);
	ck_assert(write(EFER_LONG, CR0_PAGING, efer_guest_view(EFER_LONG),
			EFER_DOMU_WRITABLE, &next));
	ck_assert_uint_eq(next, EFER_LONG);
	/* dom0 may write SVME (a real CPU has it), and clearing it is ignored. */
	ck_assert(write(EFER_LONG, CR0_PAGING, EFER_LONG, EFER_DOM0_WRITABLE, &next));
	ck_assert_uint_eq(next, EFER_LONG);
	/* A customer domain has no SVM: setting SVME is #GP. */
	ck_assert(!write(EFER_LONG, CR0_PAGING, EFER_LONG, EFER_DOMU_WRITABLE, &next));
}
END_TEST

START_TEST(test_reserved_bits_are_gp)
{
	static const unsigned int reserved[] = { 1, 2, 7, 9, 16, 20, 32, 63 };
	unsigned int i;
	uint64_t next;

	for (i = 0; i < ARRAY_SIZE(reserved); i++) {
		uint64_t value = EFER_SCE | (1ULL << reserved[i]);

		ck_assert_msg(!write(EFER_SVME, CR0_REAL, value,
				     EFER_DOM0_WRITABLE, &next),
			      "dom0, bit %u", reserved[i]);
		ck_assert_msg(!write(EFER_SVME, CR0_REAL, value,
				     EFER_DOMU_WRITABLE, &next),
			      "domU, bit %u", reserved[i]);
	}
}
END_TEST

START_TEST(test_dom0_keeps_the_cpus_features)
{
	const uint64_t extra[] = { EFER_LMSLE, EFER_FFXSR, EFER_TCE };
	unsigned int i;
	uint64_t next;

	for (i = 0; i < ARRAY_SIZE(extra); i++) {
		ck_assert(write(EFER_LONG, CR0_PAGING, EFER_LONG | extra[i],
				EFER_DOM0_WRITABLE, &next));
		ck_assert_uint_eq(next, EFER_LONG | extra[i]);
		ck_assert(!write(EFER_LONG, CR0_PAGING,
				 efer_guest_view(EFER_LONG) | extra[i],
				 EFER_DOMU_WRITABLE, &next));
	}
}
END_TEST

START_TEST(test_lme_change_with_paging_on_is_gp)
{
	const uint64_t writable[] = { EFER_DOM0_WRITABLE, EFER_DOMU_WRITABLE };
	unsigned int i;
	uint64_t next;

	for (i = 0; i < ARRAY_SIZE(writable); i++) {
		/* Setting LME under 32-bit paging. */
		ck_assert(!write(EFER_SVME, CR0_PAGING, EFER_LME, writable[i], &next));
		/* Clearing it in long mode. */
		ck_assert(!write(EFER_LONG, CR0_PAGING, EFER_SCE | EFER_NXE,
				 writable[i], &next));
		/* Both are fine with paging off, as the mode switch does it. */
		ck_assert(write(EFER_SVME, X86_CR0_PE, EFER_LME, writable[i], &next));
		ck_assert_uint_eq(next, EFER_LME | EFER_SVME);
		ck_assert(write(EFER_LME | EFER_SVME, CR0_REAL, 0, writable[i], &next));
		ck_assert_uint_eq(next, EFER_SVME);
		/* LME unchanged with paging on: other bits may change. */
		ck_assert(write(EFER_LONG, CR0_PAGING, EFER_LME | EFER_LMA,
				writable[i], &next));
		ck_assert_uint_eq(next, EFER_LME | EFER_LMA | EFER_SVME);
	}
}
END_TEST

START_TEST(test_lma_is_read_only)
{
	uint64_t next;

	/* Writing LMA set while long mode is not active: stays clear. */
	ck_assert(write(EFER_LME | EFER_SVME, CR0_REAL, EFER_LME | EFER_LMA,
			EFER_DOMU_WRITABLE, &next));
	ck_assert_uint_eq(next, EFER_LME | EFER_SVME);
	/* Writing it clear in long mode: stays set. */
	ck_assert(write(EFER_LONG, CR0_PAGING, EFER_SCE | EFER_LME | EFER_NXE,
			EFER_DOM0_WRITABLE, &next));
	ck_assert_uint_eq(next, EFER_LONG);
}
END_TEST

START_TEST(test_nxe_and_sce_follow_the_write)
{
	uint64_t next;

	ck_assert(write(EFER_LONG, CR0_PAGING, EFER_LME | EFER_LMA,
			EFER_DOMU_WRITABLE, &next));
	ck_assert_uint_eq(next & (EFER_NXE | EFER_SCE), 0);
	ck_assert(write(EFER_LME | EFER_LMA | EFER_SVME, CR0_PAGING,
			EFER_LME | EFER_LMA | EFER_NXE, EFER_DOMU_WRITABLE, &next));
	ck_assert_uint_eq(next, EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME);
	ck_assert(write(EFER_SVME, CR0_REAL, EFER_SCE, EFER_DOM0_WRITABLE, &next));
	ck_assert_uint_eq(next, EFER_SCE | EFER_SVME);
}
END_TEST

START_TEST(test_refused_write_leaves_next_alone)
{
	uint64_t next;

	ck_assert(!write(EFER_LONG, CR0_PAGING, 1ULL << 1, EFER_DOMU_WRITABLE, &next));
	ck_assert_uint_eq(next, 0xdeadbeef);
}
END_TEST

START_TEST(test_pat)
{
	static const uint8_t valid[] = { 0, 1, 4, 5, 6, 7 };
	static const uint8_t invalid[] = { 2, 3, 8, 0x10, 0xff };
	const uint64_t power_on = 0x0007040600070406ULL;
	unsigned int i, entry;

	ck_assert(pat_valid(power_on));
	for (entry = 0; entry < 8; entry++) {
		for (i = 0; i < ARRAY_SIZE(valid); i++)
			ck_assert(pat_valid((uint64_t)valid[i] << (8 * entry)));
		for (i = 0; i < ARRAY_SIZE(invalid); i++) {
			uint64_t pat = (power_on & ~(0xffULL << (8 * entry))) |
				       (uint64_t)invalid[i] << (8 * entry);

			ck_assert_msg(!pat_valid(pat), "type %u in entry %u",
				      invalid[i], entry);
		}
	}
}
END_TEST

START_TEST(test_mtrr_def_type)
{
	ck_assert(mtrr_def_type_valid(0xc06));	/* enabled, write-back */
	ck_assert(mtrr_def_type_valid(0));
	ck_assert(mtrr_def_type_valid(0xcff));
	ck_assert(!mtrr_def_type_valid(1ULL << 8));
	ck_assert(!mtrr_def_type_valid(1ULL << 9));
	ck_assert(!mtrr_def_type_valid(1ULL << 12));
	ck_assert(!mtrr_def_type_valid(1ULL << 63));
}
END_TEST

Suite *msr_policy_suite(void)
{
	Suite *s = suite_create("msr_policy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_read_hides_svme);
	tcase_add_test(tc, test_svme_stays_set);
	tcase_add_test(tc, test_reserved_bits_are_gp);
	tcase_add_test(tc, test_dom0_keeps_the_cpus_features);
	tcase_add_test(tc, test_lme_change_with_paging_on_is_gp);
	tcase_add_test(tc, test_lma_is_read_only);
	tcase_add_test(tc, test_nxe_and_sce_follow_the_write);
	tcase_add_test(tc, test_refused_write_leaves_next_alone);
	tcase_add_test(tc, test_pat);
	tcase_add_test(tc, test_mtrr_def_type);
	suite_add_tcase(s, tc);
	return s;
}
