// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs until it is stopped, busy the whole time, printing a heartbeat every
 * second of kvmclock time (no more: the line is shared with dom0): for tests
 * of pause, unpause, destroy and CPU-time accounting.  It never reports a
 * result of its own.
 */
#include "lib/guest.h"

void test_main(const struct hvm_start_info *si)
{
	uint64_t next;
	unsigned int beat = 0;

	(void)si;
	CHECK(kvmclock_enable(), "kvmclock refused");
	next = kvmclock_ns();
	for (;;) {
		if (kvmclock_ns() >= next) {
			printk("heartbeat %u\n", ++beat);
			next += 1000 * 1000 * 1000ULL;
		}
	}
}
