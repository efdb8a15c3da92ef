// SPDX-License-Identifier: GPL-2.0-only
/*
 * A domain that floods its console: 2000 lines of 60 characters as fast as
 * it can, then, after 4 s of quiet (by kvmclock) for its echo budget to
 * refill, a last line.  The hypervisor must echo only what the domain's
 * budget allows into the log every domain shares, and say how many lines
 * it left out (common/domain.c, echo_line).
 */
#include "lib/guest.h"

#define LINES	2000

void test_main(const struct hvm_start_info *si)
{
	uint64_t until;
	int i;

	(void)si;
	CHECK(kvmclock_enable(), "no kvmclock");
	for (i = 0; i < LINES; i++)
		printk("chatty %04d ..................................................\n", i);
	until = kvmclock_ns() + 4000000000ULL;
	while (kvmclock_ns() < until)
		__asm__ volatile("pause");
	printk("chatty: %d lines written\n", LINES);
}
