/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory map a customer domain is told about (e820 for Linux's boot
 * protocol, the PVH start info's memmap for PVH kernels), computed from
 * nothing but its RAM size: the layout is hvplatform.h's (RAM below
 * HVP_RAM_LOW_TOP, the rest from 4 GiB), so this is a pure function the
 * host unit tests check.
 */
#ifndef ASM_DOMU_MEMMAP_H
#define ASM_DOMU_MEMMAP_H

#include <stdint.h>
#include <lib/linux_boot.h>

/* The most entries domu_memory_map() writes. */
#define DOMU_E820_MAX	4

/*
 * Writes the map of a domain with ram_bytes of RAM into e820 (room for max
 * entries), in address order: low RAM below the legacy hole, the reserved
 * legacy area (ACPI tables, reset stub), RAM from 1 MiB to the low top and,
 * when there is more, the rest from 4 GiB.  Returns the number of entries,
 * or 0 when max is too small or ram_bytes is below 2 MiB or not a multiple
 * of 2 MiB.
 */
unsigned int domu_memory_map(uint64_t ram_bytes, struct e820_entry *e820,
			     unsigned int max);

#endif
