// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs until it is stopped, busy the whole time, printing a heartbeat every
 * second of kvmclock time (no more: the line is shared with dom0): for tests
 * of pause, unpause, destroy and CPU-time accounting.  It never reports a
 * result of its own.
 */
#include "lib/guest.h"

#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01

struct pvclock {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t mul;
	int8_t shift;
	uint8_t flags, pad[2];
} __attribute__((packed));

static volatile struct pvclock clock __attribute__((aligned(64)));

static uint64_t now_ns(void)
{
	uint64_t delta = rdtsc() - clock.tsc_timestamp;

	if (clock.shift < 0)
		delta >>= -clock.shift;
	else
		delta <<= clock.shift;
	return clock.system_time + (uint64_t)(((unsigned __int128)delta * clock.mul) >> 32);
}

void test_main(const struct hvm_start_info *si)
{
	uint64_t next;
	unsigned int beat = 0;

	(void)si;
	CHECK(wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)&clock | 1) == -1,
	      "kvmclock refused");
	next = now_ns();
	for (;;) {
		if (now_ns() >= next) {
			printk("heartbeat %u\n", ++beat);
			next += 1000 * 1000 * 1000ULL;
		}
	}
}
