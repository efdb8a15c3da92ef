// SPDX-License-Identifier: GPL-2.0-only
/*
 * A domain that does nothing: it halts with no timer set, so it blocks for
 * good and should cost (almost) no CPU time.  It never reports a result.
 */
#include "lib/guest.h"

void test_main(const struct hvm_start_info *si)
{
	(void)si;
	printk("idle: halting\n");
	for (;;)
		__asm__ volatile("sti; hlt");
}
