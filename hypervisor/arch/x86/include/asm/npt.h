/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested page tables: the guest-physical -> host-physical map of a domain,
 * in the same 4-level format as ordinary long-mode page tables.  Every level
 * has the user bit set: the CPU treats nested walks as user accesses.
 */
#ifndef ASM_NPT_H
#define ASM_NPT_H

#include <hv/frame.h>

#define NPT_READ	0x1ULL		/* present */
#define NPT_WRITE	0x2ULL
#define NPT_RW		(NPT_READ | NPT_WRITE)

/* A new, empty PML4; returns its physical address or 0. */
uint64_t npt_create(struct frame_allocator *fa);

/*
 * Maps [gpa, gpa + size) to [hpa, hpa + size) with the given permissions,
 * using 2 MiB pages where both sides are aligned and no finer mapping exists
 * there.  All three values must be 4 KiB aligned.  Returns false when out of
 * memory for page tables, or when a 4 KiB page would have to go inside an
 * existing 2 MiB mapping (what was mapped so far stays mapped).
 */
bool npt_map(struct frame_allocator *fa, uint64_t root, uint64_t gpa,
	     uint64_t hpa, uint64_t size, uint64_t perms);

/*
 * Removes every mapping of [gpa, gpa + size) (4 KiB aligned), whether it
 * was made as 2 MiB pages or 4 KiB ones; a table of 4 KiB pages that the
 * range covers whole is freed.  Returns false, having unmapped nothing of
 * that 2 MiB page, when the range would cut a 2 MiB mapping in two.  The
 * caller flushes the TLBs of the tree's users.
 */
bool npt_unmap(struct frame_allocator *fa, uint64_t root, uint64_t gpa,
	       uint64_t size);

/* Frees every table of the tree (not the memory it maps). */
void npt_destroy(struct frame_allocator *fa, uint64_t root);

/* How many table pages the tree holds (its root included; 0 for none). */
unsigned int npt_count_tables(uint64_t root);

/* True when gpa has a mapping. */
bool npt_is_mapped(uint64_t root, uint64_t gpa);

#endif
