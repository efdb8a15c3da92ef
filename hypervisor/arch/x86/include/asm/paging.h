/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's own address space: physical memory mapped 1:1 ("direct
 * map"), so a physical address is also a pointer.  boot.S maps 0-4 GiB with
 * 2 MiB pages; paging_init() refines that and extends it above 4 GiB.
 */
#ifndef ASM_PAGING_H
#define ASM_PAGING_H

#include <hv/frame.h>
#include <hv/mb2.h>

/* One page-directory-pointer table: the direct map ends at 512 GiB. */
#define DIRECT_MAP_LIMIT (512 * GiB)

/*
 * Unmaps page 0 (so NULL dereferences fault), maps the local APIC page
 * uncacheable and maps every region of the memory map above 4 GiB.  Page
 * tables come from fa, below 4 GiB.  Returns false when out of memory.
 */
bool paging_init(const struct boot_info *bi, struct frame_allocator *fa,
		 uint64_t lapic_base);

#endif
