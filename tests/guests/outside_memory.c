// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reads guest-physical memory the domain does not have.  The hypervisor
 * must end this domain as crashed; nothing else is affected.  Reaching the
 * end of test_main is the failure.
 */
#include "lib/guest.h"

void test_main(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *map = (const void *)si->memmap_paddr;
	uint64_t end = 0;
	volatile uint64_t *beyond;
	uint32_t i;

	for (i = 0; i < si->memmap_entries; i++)
		if (map[i].addr + map[i].size > end)
			end = map[i].addr + map[i].size;
	beyond = (volatile uint64_t *)(end + 16 * 1024 * 1024);

	printk("reading %p, 16 MiB past the end of memory\n", (void *)beyond);
	test_fail("read outside memory returned %lx", *beyond);
}
