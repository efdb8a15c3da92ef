// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual local APIC's timer in its three modes and a self-IPI,
 * measured against kvmclock: a timer must never fire early, and must fire.
 * Upper bounds are loose on purpose (a loaded machine runs QEMU slowly):
 * precision is for benchmarks, not tests.
 */
#include "lib/guest.h"

#define MSR_APIC_BASE		0x1b
#define TIMER_VECTOR		0x40
#define SELF_IPI_VECTOR		0x41
#define MS			((uint64_t)1000000)	/* ns */

static volatile unsigned int timer_ticks, self_ipis;

void guest_interrupt(unsigned int vector)
{
	if (vector == TIMER_VECTOR)
		timer_ticks++;
	else if (vector == SELF_IPI_VECTOR)
		self_ipis++;
	else
		test_fail("unexpected interrupt %u", vector);
}

static void wait_ticks(unsigned int n, const char *what)
{
	uint64_t start = kvmclock_ns();

	while (timer_ticks < n) {
		__asm__ volatile("sti; hlt; cli");
		CHECK(kvmclock_ns() - start < 5000 * MS, "%s: no interrupt in 5 s", what);
	}
}

void test_main(const struct hvm_start_info *si)
{
	uint64_t v, t0, t1, last;
	unsigned int i;

	(void)si;
	CHECK(rdmsr_safe(MSR_APIC_BASE, &v) == -1 && (v & (1 << 10)),
	      "x2APIC not enabled: APIC base %lx", v);
	CHECK(kvmclock_enable(), "kvmclock refused or not filled in");
	printk("kvmclock: mul %u shift %d\n", kvmclock_mul(), kvmclock_shift());

	/* kvmclock only goes forward. */
	last = kvmclock_ns();
	for (i = 0; i < 100000; i++) {
		uint64_t t = kvmclock_ns();

		CHECK(t >= last, "kvmclock went back: %lu < %lu", t, last);
		last = t;
	}

	wrmsr_safe(X2APIC_SVR, 0x1ff);
	wrmsr_safe(X2APIC_TDCR, 0xb);		/* divide by 1: 1 GHz */

	/* One-shot, 50 ms. */
	wrmsr_safe(X2APIC_LVT_TIMER, TIMER_VECTOR);
	t0 = kvmclock_ns();
	wrmsr_safe(X2APIC_TMICT, 50 * MS);
	rdmsr_safe(X2APIC_TMCCT, &v);
	CHECK(v > 0 && v <= 50 * MS, "current count %lu", v);
	wait_ticks(1, "one-shot");
	t1 = kvmclock_ns();
	CHECK(t1 - t0 >= 50 * MS, "one-shot fired after %lu ns, early", t1 - t0);
	printk("one-shot 50 ms: fired after %lu ms\n", (t1 - t0) / MS);
	CHECK(timer_ticks == 1, "one-shot fired %u times", timer_ticks);

	/* Periodic, 10 ms, ten times. */
	timer_ticks = 0;
	wrmsr_safe(X2APIC_LVT_TIMER, TIMER_VECTOR | (1 << 17));
	t0 = kvmclock_ns();
	wrmsr_safe(X2APIC_TMICT, 10 * MS);
	wait_ticks(10, "periodic");
	t1 = kvmclock_ns();
	wrmsr_safe(X2APIC_TMICT, 0);
	CHECK(t1 - t0 >= 100 * MS, "10 periods in %lu ns, early", t1 - t0);
	printk("periodic 10 ms x 10: %lu ms\n", (t1 - t0) / MS);

	/* TSC deadline, 20 ms. */
	timer_ticks = 0;
	wrmsr_safe(X2APIC_LVT_TIMER, TIMER_VECTOR | (2 << 17));
	t0 = kvmclock_ns();
	wrmsr_safe(MSR_TSC_DEADLINE, rdtsc() + kvmclock_ns_to_tsc(20 * MS));
	wait_ticks(1, "TSC deadline");
	t1 = kvmclock_ns();
	CHECK(t1 - t0 >= 20 * MS - MS / 10, "TSC deadline after %lu ns, early",
	      t1 - t0);
	printk("TSC deadline 20 ms: fired after %lu ms\n", (t1 - t0) / MS);

	/* A masked timer stays quiet. */
	timer_ticks = 0;
	wrmsr_safe(X2APIC_LVT_TIMER, TIMER_VECTOR | (1 << 16));
	wrmsr_safe(X2APIC_TMICT, 1 * MS);
	t0 = kvmclock_ns();
	while (kvmclock_ns() - t0 < 20 * MS)
		__asm__ volatile("sti; nop; cli");
	CHECK(timer_ticks == 0, "masked timer fired");

	/* Self-IPI, taken as soon as interrupts are on. */
	wrmsr_safe(X2APIC_SELF_IPI, SELF_IPI_VECTOR);
	__asm__ volatile("sti; nop; cli");
	CHECK(self_ipis == 1, "self-IPI taken %u times", self_ipis);
}
