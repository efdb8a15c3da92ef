// SPDX-License-Identifier: GPL-2.0-only
/*
 * A mostly idle domain: it sleeps in HLT on its x2APIC TSC-deadline timer,
 * again and again, for a pseudo-random 1-10 ms each time, and measures
 * with kvmclock how late each wake-up is: from the deadline it set to the
 * moment its interrupt handler runs (the wake-to-run latency, the
 * scheduler's part and the timer's).  Then it prints
 *
 *	wake_latency: n N min_ns A median_ns B p99_ns C max_ns D early E
 *
 * and reports SUCCESS.  For the scheduler benchmark (tests/bench/sched.py),
 * which runs it alone on a domain CPU and beside CPU hogs; a figure is
 * never a failure here, only a timer that fires early or not at all is.
 */
#include "lib/guest.h"

#define TIMER_VECTOR	0x40
#define LVT_TSC_DEADLINE (2u << 17)
#define WARMUP		10	/* wake-ups not counted */
#define SAMPLES		500
#define MS		((uint64_t)1000000)	/* ns */

static volatile uint64_t woke_ns;
static volatile unsigned int fired;
static uint64_t late[SAMPLES];

void guest_interrupt(unsigned int vector)
{
	if (vector != TIMER_VECTOR)
		test_fail("unexpected interrupt %u", vector);
	woke_ns = kvmclock_ns();
	fired++;
}

/* Sleeps until `interval` ns from now; returns how late it woke (ns). */
static int64_t sleep_once(uint64_t interval)
{
	unsigned int before = fired;
	uint64_t target, start;

	/*
	 * The deadline is taken after the clock: the target can only be
	 * early, so lateness is never understated.
	 */
	target = kvmclock_ns() + interval;
	wrmsr_safe(MSR_TSC_DEADLINE, rdtsc() + kvmclock_ns_to_tsc(interval));
	start = kvmclock_ns();
	while (fired == before) {
		__asm__ volatile("sti; hlt; cli");
		CHECK(kvmclock_ns() - start < 5000 * MS,
		      "no timer interrupt in 5 s");
	}
	return (int64_t)(woke_ns - target);
}

static void sort(uint64_t *a, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		uint64_t x = a[i];

		for (j = i; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

void test_main(const struct hvm_start_info *si)
{
	uint64_t seed = 0x5eed5eed5eedULL;
	unsigned int i, early = 0;

	(void)si;
	CHECK(kvmclock_enable(), "kvmclock refused or not filled in");
	wrmsr_safe(X2APIC_SVR, 0x1ff);
	wrmsr_safe(X2APIC_LVT_TIMER, TIMER_VECTOR | LVT_TSC_DEADLINE);

	for (i = 0; i < WARMUP + SAMPLES; i++) {
		uint64_t interval = MS + prng_next(&seed) % (9 * MS);
		int64_t l = sleep_once(interval);

		/*
		 * A deadline is computed from the same TSC the timer counts,
		 * so a negative lateness is only the rounding of the two
		 * conversions; count it, as zero.
		 */
		if (l < 0) {
			CHECK(l > -(int64_t)(MS / 10), "woke %ld ns early", -l);
			early++;
			l = 0;
		}
		if (i >= WARMUP)
			late[i - WARMUP] = (uint64_t)l;
	}
	sort(late, SAMPLES);
	printk("wake_latency: n %u min_ns %lu median_ns %lu p99_ns %lu "
	       "max_ns %lu early %u\n", SAMPLES, late[0], late[SAMPLES / 2],
	       late[(SAMPLES * 99 + 99) / 100 - 1], late[SAMPLES - 1], early);
}
