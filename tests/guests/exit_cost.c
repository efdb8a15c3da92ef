// SPDX-License-Identifier: GPL-2.0-only
/*
 * What one exit to the hypervisor and back costs (a benchmark's guest, for
 * tests/bench/domu.py; it checks nothing but that kvmclock works).
 *
 * It times, on the TSC, ROUNDS rounds of N iterations of three loops:
 *   - base:  an instruction that never exits (a register XOR), the loop's
 *            own cost;
 *   - cpuid: CPUID leaf 0, intercepted and answered by the hypervisor;
 *   - out:   OUT to the virtual UART's scratch register (port 0x3ff),
 *            intercepted and handled by the hypervisor's UART.
 * TSC ticks become ns with kvmclock's scale (the TSC rate the hypervisor
 * gives its domains).  Each loop's figure is its median round, so a round
 * the host stalled does not count; an exit's round trip is its loop's
 * figure minus the base loop's.  It prints one line, then SUCCESS:
 *   exit_cost: n N tsc_khz K base_ps B cpuid_ps C out_ps O
 * with each figure per iteration in picoseconds (integers: the library's
 * printk has no floating point).
 */
#include "lib/guest.h"

#define N		20000
#define ROUNDS		7
#define UART_SCRATCH	0x3ff

enum loop { LOOP_BASE, LOOP_CPUID, LOOP_OUT, NR_LOOPS };

static uint64_t time_loop(enum loop which)
{
	uint64_t t0 = rdtsc();
	unsigned int i;

	for (i = 0; i < N; i++) {
		switch (which) {
		case LOOP_BASE:
			__asm__ volatile("xor %%eax, %%eax" : : : "eax");
			break;
		case LOOP_CPUID:
			cpuid(0, 0);
			break;
		case LOOP_OUT:
			outb(UART_SCRATCH, (uint8_t)i);
			break;
		case NR_LOOPS:
			break;
		}
	}
	return rdtsc() - t0;
}

static uint64_t median(uint64_t *v, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

void test_main(const struct hvm_start_info *si)
{
	uint64_t ticks[NR_LOOPS][ROUNDS], ps[NR_LOOPS], tsc_khz;
	unsigned int round, loop;

	(void)si;
	CHECK(kvmclock_enable(), "kvmclock refused or not filled in");
	tsc_khz = kvmclock_ns_to_tsc(1000000);	/* ticks per ms */
	CHECK(tsc_khz > 0, "kvmclock gives no TSC rate");

	/* Interleaved, so a slow stretch of the host hits every loop alike. */
	for (round = 0; round < ROUNDS; round++)
		for (loop = 0; loop < NR_LOOPS; loop++)
			ticks[loop][round] = time_loop(loop);
	for (loop = 0; loop < NR_LOOPS; loop++)
		/* ticks * 1e6 / kHz = ns; * 1000 / N = ps per iteration. */
		ps[loop] = median(ticks[loop], ROUNDS) * 1000000 / tsc_khz *
			   1000 / N;

	printk("exit_cost: n %u tsc_khz %lu base_ps %lu cpuid_ps %lu out_ps %lu\n",
	       N, tsc_khz, ps[LOOP_BASE], ps[LOOP_CPUID], ps[LOOP_OUT]);
	CHECK(inb(UART_SCRATCH) == (uint8_t)(N - 1),
	      "the UART's scratch register lost the last write");
}
