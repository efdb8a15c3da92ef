// SPDX-License-Identifier: GPL-2.0-only
/*
 * dom0's IPI and IOAPIC route filter (hypervisor/arch/x86/dom0_filter.c):
 * interrupts for dom0's own CPU pass, anything that could reach a customer
 * CPU or start, reset or stop a CPU is refused.
 */
#include <asm/dom0_filter.h>
#include <asm/x86_defs.h>

#include "suites.h"

#define DOM0_APIC	0
#define CUSTOMER_APIC	1
#define VECTOR		0x31

/* An ICR low half: vector, delivery mode, shorthand, logical or not. */
static uint32_t icr(unsigned int mode, unsigned int shorthand, bool logical)
{
	return VECTOR | mode << ICR_DM_SHIFT | shorthand << ICR_SH_SHIFT |
	       (logical ? (uint32_t)ICR_LOGICAL : 0);
}

/* A redirection entry's low half. */
static uint32_t rte(unsigned int mode, bool logical, bool masked)
{
	return VECTOR | mode << ICR_DM_SHIFT |
	       (logical ? (uint32_t)RTE_LOGICAL : 0) |
	       (masked ? (uint32_t)RTE_MASKED : 0);
}

static uint32_t dest_high(uint32_t apic)
{
	return apic << 24;
}

/* Delivery modes that start, reset or take over a CPU, and the reserved 3. */
static const unsigned int forbidden_modes[] = { DM_SMI, 3, DM_INIT, DM_SIPI,
						DM_EXTINT };

START_TEST(test_icr_to_own_cpu)
{
	ck_assert(dom0_icr_allowed(icr(DM_FIXED, SH_NONE, false), DOM0_APIC, DOM0_APIC));
	ck_assert(dom0_icr_allowed(icr(DM_LOWEST, SH_NONE, false), DOM0_APIC, DOM0_APIC));
	ck_assert(dom0_icr_allowed(icr(DM_NMI, SH_NONE, false), DOM0_APIC, DOM0_APIC));
	/* dom0's CPU need not be APIC 0. */
	ck_assert(dom0_icr_allowed(icr(DM_FIXED, SH_NONE, false), 7, 7));
}
END_TEST

START_TEST(test_icr_to_customer_cpu)
{
	ck_assert(!dom0_icr_allowed(icr(DM_FIXED, SH_NONE, false), CUSTOMER_APIC, DOM0_APIC));
	ck_assert(!dom0_icr_allowed(icr(DM_LOWEST, SH_NONE, false), CUSTOMER_APIC, DOM0_APIC));
	ck_assert(!dom0_icr_allowed(icr(DM_NMI, SH_NONE, false), CUSTOMER_APIC, DOM0_APIC));
	ck_assert(!dom0_icr_allowed(icr(DM_FIXED, SH_NONE, false), 0xff, DOM0_APIC));
}
END_TEST

START_TEST(test_icr_forbidden_modes)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(forbidden_modes); i++) {
		unsigned int m = forbidden_modes[i];

		ck_assert_msg(!dom0_icr_allowed(icr(m, SH_NONE, false), DOM0_APIC, DOM0_APIC),
			      "mode %u to itself", m);
		ck_assert_msg(!dom0_icr_allowed(icr(m, SH_SELF, false), DOM0_APIC, DOM0_APIC),
			      "mode %u by self shorthand", m);
		ck_assert_msg(!dom0_icr_allowed(icr(m, SH_NONE, true), DOM0_APIC, DOM0_APIC),
			      "mode %u logical", m);
	}
}
END_TEST

START_TEST(test_icr_shorthands)
{
	/* Self: whatever the destination field holds. */
	ck_assert(dom0_icr_allowed(icr(DM_FIXED, SH_SELF, false), CUSTOMER_APIC, DOM0_APIC));
	ck_assert(dom0_icr_allowed(icr(DM_NMI, SH_SELF, false), CUSTOMER_APIC, DOM0_APIC));
	/* Broadcasts reach the customer CPUs. */
	ck_assert(!dom0_icr_allowed(icr(DM_FIXED, SH_ALL, false), DOM0_APIC, DOM0_APIC));
	ck_assert(!dom0_icr_allowed(icr(DM_FIXED, SH_OTHERS, false), DOM0_APIC, DOM0_APIC));
	ck_assert(!dom0_icr_allowed(icr(DM_NMI, SH_OTHERS, false), DOM0_APIC, DOM0_APIC));
}
END_TEST

START_TEST(test_icr_logical)
{
	/* Only dom0's CPU has a logical ID: fixed and lowest reach only it. */
	ck_assert(dom0_icr_allowed(icr(DM_FIXED, SH_NONE, true), 0xff, DOM0_APIC));
	ck_assert(dom0_icr_allowed(icr(DM_LOWEST, SH_NONE, true), CUSTOMER_APIC, DOM0_APIC));
	/* An NMI by logical destination is refused all the same. */
	ck_assert(!dom0_icr_allowed(icr(DM_NMI, SH_NONE, true), DOM0_APIC, DOM0_APIC));
}
END_TEST

START_TEST(test_redirection_to_own_cpu)
{
	ck_assert(dom0_redirection_allowed(rte(DM_FIXED, false, false),
					   dest_high(DOM0_APIC), DOM0_APIC));
	ck_assert(dom0_redirection_allowed(rte(DM_LOWEST, false, false),
					   dest_high(DOM0_APIC), DOM0_APIC));
	ck_assert(dom0_redirection_allowed(rte(DM_FIXED, true, false),
					   dest_high(0xff), DOM0_APIC));
	/* The low 24 bits of the high half are reserved: only 24-31 count. */
	ck_assert(dom0_redirection_allowed(rte(DM_FIXED, false, false),
					   dest_high(5) | 0x00ffffff, 5));
}
END_TEST

START_TEST(test_redirection_to_customer_cpu)
{
	ck_assert(!dom0_redirection_allowed(rte(DM_FIXED, false, false),
					    dest_high(CUSTOMER_APIC), DOM0_APIC));
	ck_assert(!dom0_redirection_allowed(rte(DM_LOWEST, false, false),
					    dest_high(CUSTOMER_APIC), DOM0_APIC));
}
END_TEST

START_TEST(test_redirection_forbidden_modes)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(forbidden_modes); i++)
		ck_assert_msg(!dom0_redirection_allowed(rte(forbidden_modes[i], false, false),
							dest_high(DOM0_APIC), DOM0_APIC),
			      "mode %u", forbidden_modes[i]);
	ck_assert(!dom0_redirection_allowed(rte(DM_NMI, false, false),
					    dest_high(DOM0_APIC), DOM0_APIC));
	ck_assert(!dom0_redirection_allowed(rte(DM_NMI, true, false),
					    dest_high(DOM0_APIC), DOM0_APIC));
}
END_TEST

START_TEST(test_redirection_masked_passes)
{
	/* A masked entry delivers nothing, whatever it says. */
	ck_assert(dom0_redirection_allowed(rte(DM_INIT, false, true),
					   dest_high(CUSTOMER_APIC), DOM0_APIC));
	ck_assert(dom0_redirection_allowed(rte(DM_NMI, false, true),
					   dest_high(CUSTOMER_APIC), DOM0_APIC));
}
END_TEST

Suite *dom0_filter_suite(void)
{
	Suite *s = suite_create("dom0_filter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_icr_to_own_cpu);
	tcase_add_test(tc, test_icr_to_customer_cpu);
	tcase_add_test(tc, test_icr_forbidden_modes);
	tcase_add_test(tc, test_icr_shorthands);
	tcase_add_test(tc, test_icr_logical);
	tcase_add_test(tc, test_redirection_to_own_cpu);
	tcase_add_test(tc, test_redirection_to_customer_cpu);
	tcase_add_test(tc, test_redirection_forbidden_modes);
	tcase_add_test(tc, test_redirection_masked_passes);
	suite_add_tcase(s, tc);
	return s;
}
