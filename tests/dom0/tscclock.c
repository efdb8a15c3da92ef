// SPDX-License-Identifier: GPL-2.0-only
/*
 * tscclock: one reading of the TSC together with CLOCK_MONOTONIC and
 * CLOCK_REALTIME, printed as
 *
 *     tscclock tsc=T mono_ns=M real_ns=R
 *
 * Built statically for dom0's test overlay and for the domU test image.
 * Two such lines taken some time apart give this kernel's clock rate
 * against the TSC (d mono_ns / d tsc); as every guest's TSC runs at the
 * machine's rate, comparing the rates from dom0 and from a domU shows how
 * well the domU's clock keeps dom0's time, in ppm, without any I/O latency
 * in the measurement.  Of several tries, the one whose two TSC readings
 * around the clock reads are closest is kept (least chance of an interrupt
 * or a VM exit in between), and the TSC given is their midpoint.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define TRIES 20

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ULL + (uint64_t)t->tv_nsec;
}

int main(void)
{
	uint64_t best_width = UINT64_MAX, best_tsc = 0, best_mono = 0, best_real = 0;
	int i;

	for (i = 0; i < TRIES; i++) {
		struct timespec mono, real;
		uint64_t before = rdtsc(), after;

		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_REALTIME, &real);
		after = rdtsc();
		if (after - before < best_width) {
			best_width = after - before;
			best_tsc = before + (after - before) / 2;
			best_mono = ns(&mono);
			best_real = ns(&real);
		}
	}
	printf("tscclock tsc=%llu mono_ns=%llu real_ns=%llu\n",
	       (unsigned long long)best_tsc, (unsigned long long)best_mono,
	       (unsigned long long)best_real);
	return 0;
}
