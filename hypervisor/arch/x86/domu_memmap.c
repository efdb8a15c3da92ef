// SPDX-License-Identifier: GPL-2.0-only
/*
 * A customer domain's memory map (see asm/domu_memmap.h).  Every byte of
 * RAM the domain has is in exactly one RAM entry, and nothing else is: the
 * MMIO hole between HVP_RAM_LOW_TOP and 4 GiB is left out, so Linux takes
 * it for the PCI window the DSDT describes.
 */
#include <public/hvplatform.h>
#include <asm/domu_memmap.h>

#define TWO_MIB	(2ULL * 1024 * 1024)

unsigned int domu_memory_map(uint64_t ram_bytes, struct e820_entry *e820,
			     unsigned int max)
{
	uint64_t low = hvp_ram_low_bytes(ram_bytes);
	unsigned int n = 0;

	if (max < DOMU_E820_MAX || ram_bytes < TWO_MIB || ram_bytes % TWO_MIB)
		return 0;
	e820[n++] = (struct e820_entry){ 0, HVP_LEGACY_HOLE, E820_RAM };
	e820[n++] = (struct e820_entry){ HVP_LEGACY_HOLE,
					 HVP_LOAD_MIN - HVP_LEGACY_HOLE,
					 E820_RESERVED };
	e820[n++] = (struct e820_entry){ HVP_LOAD_MIN, low - HVP_LOAD_MIN,
					 E820_RAM };
	if (ram_bytes > low)
		e820[n++] = (struct e820_entry){ HVP_RAM_HIGH_BASE,
						 ram_bytes - low, E820_RAM };
	return n;
}
