// SPDX-License-Identifier: GPL-2.0-only
/*
 * Steal time (hypervisor/arch/x86/steal_time.c): the MSR's rules and what
 * the guest's area holds after each step, on a vCPU whose domain's RAM is
 * a buffer here.  steal_time.c reaches guest memory only through
 * domain_owns() and domain_map(), so this file gives those two, over the
 * buffer; the real ones (common/domain.c) walk the domain's extents.
 */
#include <string.h>

#include <hv/domain.h>
#include <hv/steal_time.h>

#include "suites.h"

#define RAM_SIZE	(64 * 1024)
#define AREA_A		0x1000
#define AREA_B		0x2040

static uint8_t ram[RAM_SIZE] __attribute__((aligned(64)));
static struct domain dom;
static struct vcpu vcpu;

bool domain_owns(const struct domain *d, uint64_t gpa, uint64_t size)
{
	(void)d;
	return size && gpa + size >= gpa && gpa + size <= RAM_SIZE;
}

void *domain_map(const struct domain *d, uint64_t gpa, uint64_t size)
{
	return domain_owns(d, gpa, size) ? ram + gpa : NULL;
}

static struct kvm_steal_time *area(uint64_t gpa)
{
	return (struct kvm_steal_time *)(ram + gpa);
}

static void setup(void)
{
	memset(ram, 0, sizeof(ram));
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.dom = &dom;
	vcpu.state = VCPU_RUNNABLE;
}

static bool ram_is_zero(void)
{
	size_t i;

	for (i = 0; i < sizeof(ram); i++)
		if (ram[i])
			return false;
	return true;
}

START_TEST(bad_writes_are_refused_and_change_nothing)
{
	const uint64_t bad[] = {
		AREA_A | STEAL_TIME_ENABLE | 0x20,	/* misaligned */
		AREA_A | STEAL_TIME_ENABLE | 0x2,	/* misaligned */
		AREA_A | STEAL_TIME_ENABLE | (1ULL << 52),	/* reserved */
		AREA_A | STEAL_TIME_ENABLE | (1ULL << 63),	/* reserved */
		RAM_SIZE | STEAL_TIME_ENABLE,		/* past the end of RAM */
		0x100000000ULL | STEAL_TIME_ENABLE,	/* nowhere near it */
		AREA_A | (1ULL << 60),			/* reserved, even off */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert(!steal_time_msr_write(&vcpu, bad[i]));
		ck_assert_uint_eq(steal_time_msr_read(&vcpu), 0);
	}
	/* Enabled at A, a refused move leaves it at A. */
	ck_assert(steal_time_msr_write(&vcpu, AREA_A | STEAL_TIME_ENABLE));
	ck_assert(!steal_time_msr_write(&vcpu, AREA_B | STEAL_TIME_ENABLE | 0x20));
	ck_assert_uint_eq(steal_time_msr_read(&vcpu), AREA_A | STEAL_TIME_ENABLE);
	ck_assert_uint_eq(area(AREA_B)->version, 0);
}
END_TEST

START_TEST(the_last_area_in_ram_is_accepted)
{
	uint64_t last = RAM_SIZE - sizeof(struct kvm_steal_time);

	ck_assert(steal_time_msr_write(&vcpu, last | STEAL_TIME_ENABLE));
	ck_assert_uint_eq(area(last)->version, 2);
}
END_TEST

START_TEST(a_disabled_write_is_kept_and_touches_nothing)
{
	/* Off, the address is not used: it need not be RAM (as in KVM). */
	ck_assert(steal_time_msr_write(&vcpu, 0x100000000ULL));
	ck_assert_uint_eq(steal_time_msr_read(&vcpu), 0x100000000ULL);
	vcpu.steal_ns = 1000;
	steal_time_schedule_in(&vcpu);
	steal_time_schedule_out(&vcpu);
	ck_assert(ram_is_zero());
}
END_TEST

START_TEST(enabling_publishes_at_once_and_counts_from_then)
{
	vcpu.steal_ns = 5000;		/* stolen before the guest asked */
	ck_assert(steal_time_msr_write(&vcpu, AREA_A | STEAL_TIME_ENABLE));
	ck_assert_uint_eq(steal_time_msr_read(&vcpu), AREA_A | STEAL_TIME_ENABLE);
	ck_assert_uint_eq(area(AREA_A)->version, 2);
	ck_assert_uint_eq(area(AREA_A)->steal, 0);
	ck_assert_uint_eq(area(AREA_A)->preempted, 0);

	vcpu.steal_ns += 700;
	steal_time_schedule_in(&vcpu);
	ck_assert_uint_eq(area(AREA_A)->steal, 700);
	ck_assert_uint_eq(area(AREA_A)->version, 4);
	/* Nothing new: the version still moves on, the steal does not. */
	steal_time_schedule_in(&vcpu);
	ck_assert_uint_eq(area(AREA_A)->steal, 700);
	ck_assert_uint_eq(area(AREA_A)->version, 6);
}
END_TEST

START_TEST(steal_is_added_to_what_the_area_holds)
{
	ck_assert(steal_time_msr_write(&vcpu, AREA_A | STEAL_TIME_ENABLE));
	area(AREA_A)->steal = 1000000;	/* the guest's own count so far */
	vcpu.steal_ns += 300;
	steal_time_schedule_in(&vcpu);
	ck_assert_uint_eq(area(AREA_A)->steal, 1000300);
}
END_TEST

START_TEST(an_odd_version_left_by_the_guest_ends_even)
{
	area(AREA_A)->version = 7;
	ck_assert(steal_time_msr_write(&vcpu, AREA_A | STEAL_TIME_ENABLE));
	ck_assert_uint_eq(area(AREA_A)->version, 8);
	area(AREA_A)->version = 0xffffffff;	/* wraps */
	steal_time_schedule_in(&vcpu);
	ck_assert_uint_eq(area(AREA_A)->version, 0);
}
END_TEST

START_TEST(preempted_only_when_taken_off_while_runnable)
{
	ck_assert(steal_time_msr_write(&vcpu, AREA_A | STEAL_TIME_ENABLE));
	steal_time_schedule_out(&vcpu);
	ck_assert_uint_eq(area(AREA_A)->preempted, STEAL_TIME_PREEMPTED);
	steal_time_schedule_in(&vcpu);
	ck_assert_uint_eq(area(AREA_A)->preempted, 0);

	vcpu.state = VCPU_BLOCKED;	/* in HLT: it did not want the CPU */
	steal_time_schedule_out(&vcpu);
	ck_assert_uint_eq(area(AREA_A)->preempted, 0);
}
END_TEST

/* Enabled at A, with 100 ns of steal published there. */
static void enable_at_a_with_100(void)
{
	ck_assert(steal_time_msr_write(&vcpu, AREA_A | STEAL_TIME_ENABLE));
	vcpu.steal_ns += 100;
	steal_time_schedule_in(&vcpu);
}

/* True if a slice's end and the next schedule-in leave A as it was. */
static bool area_a_left_alone(uint64_t new_steal_ns)
{
	struct kvm_steal_time before;

	memcpy(&before, area(AREA_A), sizeof(before));
	vcpu.steal_ns += new_steal_ns;
	steal_time_schedule_out(&vcpu);
	steal_time_schedule_in(&vcpu);
	return memcmp(&before, area(AREA_A), sizeof(before)) == 0;
}

START_TEST(a_moved_area_gets_the_unpublished_steal_and_the_old_is_left)
{
	enable_at_a_with_100();
	vcpu.steal_ns += 40;		/* not yet published */
	ck_assert(steal_time_msr_write(&vcpu, AREA_B | STEAL_TIME_ENABLE));
	ck_assert_uint_eq(area(AREA_B)->steal, 40);
	ck_assert_uint_eq(area(AREA_B)->version, 2);

	ck_assert(area_a_left_alone(5));
	ck_assert_uint_eq(area(AREA_B)->steal, 45);
}
END_TEST

START_TEST(after_disabling_nothing_is_written_and_reenabling_counts_afresh)
{
	enable_at_a_with_100();
	ck_assert(steal_time_msr_write(&vcpu, 0));
	ck_assert_uint_eq(steal_time_msr_read(&vcpu), 0);
	ck_assert(area_a_left_alone(50));	/* off: not the guest's to see */

	ck_assert(steal_time_msr_write(&vcpu, AREA_A | STEAL_TIME_ENABLE));
	ck_assert_uint_eq(area(AREA_A)->steal, 100);
	vcpu.steal_ns += 7;
	steal_time_schedule_in(&vcpu);
	ck_assert_uint_eq(area(AREA_A)->steal, 107);
}
END_TEST

Suite *steal_time_suite(void)
{
	Suite *s = suite_create("steal_time");
	TCase *msr = tcase_create("msr");
	TCase *area_tc = tcase_create("area");

	tcase_add_checked_fixture(msr, setup, NULL);
	tcase_add_test(msr, bad_writes_are_refused_and_change_nothing);
	tcase_add_test(msr, the_last_area_in_ram_is_accepted);
	tcase_add_test(msr, a_disabled_write_is_kept_and_touches_nothing);
	suite_add_tcase(s, msr);

	tcase_add_checked_fixture(area_tc, setup, NULL);
	tcase_add_test(area_tc, enabling_publishes_at_once_and_counts_from_then);
	tcase_add_test(area_tc, steal_is_added_to_what_the_area_holds);
	tcase_add_test(area_tc, an_odd_version_left_by_the_guest_ends_even);
	tcase_add_test(area_tc, preempted_only_when_taken_off_while_runnable);
	tcase_add_test(area_tc,
		       a_moved_area_gets_the_unpublished_steal_and_the_old_is_left);
	tcase_add_test(area_tc,
		       after_disabling_nothing_is_written_and_reenabling_counts_afresh);
	suite_add_tcase(s, area_tc);
	return s;
}
