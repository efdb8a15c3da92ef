// SPDX-License-Identifier: GPL-2.0-only
/* The hypervisor's direct map (see hv/paging.h). */
#include <hv/console.h>
#include <asm/paging.h>
#include <lib/string.h>
#include <asm/x86.h>

#define LARGE_PAGE_SIZE	(2 * MiB)

/* Built by boot.S. */
extern uint64_t boot_pdpt[512];
extern uint64_t boot_pd[4 * 512];

static uint64_t *table_alloc(struct frame_allocator *fa)
{
	/* Below 4 GiB: the only memory mapped before this runs. */
	uint64_t pa = frame_alloc_contig(fa, 1, PAGE_SIZE, 4 * GiB);

	if (pa)
		memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
	return (uint64_t *)(uintptr_t)pa;
}

/* Replaces the first 2 MiB page by 4 KiB pages without page 0. */
static bool unmap_null_page(struct frame_allocator *fa)
{
	uint64_t *pt = table_alloc(fa);
	unsigned int i;

	if (!pt)
		return false;
	for (i = 1; i < 512; i++)
		pt[i] = (i * PAGE_SIZE) | PTE_P | PTE_W;
	boot_pd[0] = (uint64_t)(uintptr_t)pt | PTE_P | PTE_W;
	return true;
}

/* Maps the 1 GiB slot holding pa with 2 MiB pages, if not yet mapped. */
static bool map_gib(struct frame_allocator *fa, uint64_t pa)
{
	unsigned int slot = pa / GiB, i;
	uint64_t *pd;

	if (boot_pdpt[slot] & PTE_P)
		return true;
	pd = table_alloc(fa);
	if (!pd)
		return false;
	for (i = 0; i < 512; i++)
		pd[i] = (slot * GiB + i * LARGE_PAGE_SIZE) | PTE_P |
			PTE_W | PTE_PS;
	boot_pdpt[slot] = (uint64_t)(uintptr_t)pd | PTE_P | PTE_W;
	return true;
}

bool paging_init(const struct boot_info *bi, struct frame_allocator *fa,
		 uint64_t lapic_base)
{
	unsigned int i;

	if (!unmap_null_page(fa))
		return false;

	/* MMIO must not be cached, whatever the MTRRs say. */
	if (lapic_base < 4 * GiB)
		boot_pd[lapic_base / LARGE_PAGE_SIZE] |= PTE_PCD | PTE_PWT;

	for (i = 0; i < bi->nr_mem; i++) {
		uint64_t start = MAX(bi->mem[i].base, 4 * GiB);
		uint64_t end = MIN(bi->mem[i].base + bi->mem[i].len,
				   DIRECT_MAP_LIMIT);
		uint64_t pa;

		for (pa = ALIGN_DOWN(start, GiB); pa < end; pa += GiB)
			if (!map_gib(fa, pa))
				return false;
	}
	write_cr3(read_cr3());	/* flush the TLB of the boot mappings */
	return true;
}
