// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested page tables (see hv/npt.h).  Tables are frames from the domain
 * pool, reached through the hypervisor's direct map.
 */
#include <asm/npt.h>
#include <lib/string.h>
#include <asm/x86_defs.h>


#define LARGE		(2 * MiB)

static uint64_t *table(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR);
}

static unsigned int index_of(uint64_t gpa, unsigned int level)
{
	return (gpa >> (12 + 9 * level)) & 511;
}

uint64_t npt_create(struct frame_allocator *fa)
{
	uint64_t pa = frame_alloc(fa);

	if (pa)
		memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
	return pa;
}

/* The entry for gpa at `level` (0 = 4 KiB PTE, 1 = PDE), creating tables. */
static uint64_t *walk_create(struct frame_allocator *fa, uint64_t root,
			     uint64_t gpa, unsigned int level)
{
	uint64_t *t = (uint64_t *)(uintptr_t)root;
	unsigned int l;

	for (l = 3; l > level; l--) {
		uint64_t *e = &t[index_of(gpa, l)];

		if (!(*e & PTE_P)) {
			uint64_t pa = npt_create(fa);

			if (!pa)
				return NULL;
			*e = pa | PTE_P | PTE_W | PTE_U;
		} else if (*e & PTE_PS) {
			return NULL;	/* a large page is in the way */
		}
		t = table(*e);
	}
	return &t[index_of(gpa, level)];
}

bool npt_map(struct frame_allocator *fa, uint64_t root, uint64_t gpa,
	     uint64_t hpa, uint64_t size, uint64_t perms)
{
	uint64_t flags = (perms & NPT_WRITE ? PTE_W : 0) | PTE_P | PTE_U;
	uint64_t end = gpa + size;

	while (gpa < end) {
		uint64_t *e;

		if (gpa % LARGE == 0 && hpa % LARGE == 0 && end - gpa >= LARGE) {
			e = walk_create(fa, root, gpa, 1);
			/* Keep an existing table of 4 KiB pages: refine it. */
			if (e && (!(*e & PTE_P) || (*e & PTE_PS))) {
				*e = hpa | flags | PTE_PS;
				gpa += LARGE;
				hpa += LARGE;
				continue;
			}
		}
		e = walk_create(fa, root, gpa, 0);
		if (!e)
			return false;
		*e = hpa | flags;
		gpa += PAGE_SIZE;
		hpa += PAGE_SIZE;
	}
	return true;
}

bool npt_is_mapped(uint64_t root, uint64_t gpa)
{
	uint64_t *t = (uint64_t *)(uintptr_t)root;
	unsigned int l;

	for (l = 3;; l--) {
		uint64_t e = t[index_of(gpa, l)];

		if (!(e & PTE_P))
			return false;
		if (l == 0 || (e & PTE_PS))
			return true;
		t = table(e);
	}
}

static void free_level(struct frame_allocator *fa, uint64_t *t,
		       unsigned int level);

/* The PDE (level 1 entry) for gpa, or NULL when no table leads to it. */
static uint64_t *walk_pde(uint64_t root, uint64_t gpa)
{
	uint64_t *t = (uint64_t *)(uintptr_t)root;
	unsigned int l;

	for (l = 3; l > 1; l--) {
		uint64_t e = t[index_of(gpa, l)];

		if (!(e & PTE_P) || (e & PTE_PS))
			return NULL;	/* nothing mapped here (no 1 GiB pages) */
		t = table(e);
	}
	return &t[index_of(gpa, 1)];
}

bool npt_unmap(struct frame_allocator *fa, uint64_t root, uint64_t gpa,
	       uint64_t size)
{
	uint64_t end = gpa + size;

	while (gpa < end) {
		uint64_t next = MIN(ALIGN_DOWN(gpa, LARGE) + LARGE, end);
		uint64_t *pde = walk_pde(root, gpa);
		bool whole = gpa % LARGE == 0 && next - gpa == LARGE;

		if (pde && (*pde & PTE_P)) {
			if (*pde & PTE_PS) {
				if (!whole)
					return false;
				*pde = 0;
			} else if (whole) {
				uint64_t *t = table(*pde);

				*pde = 0;
				free_level(fa, t, 0);
			} else {
				uint64_t *t = table(*pde), a;

				for (a = gpa; a < next; a += PAGE_SIZE)
					t[index_of(a, 0)] = 0;
			}
		}
		gpa = next;
	}
	return true;
}

static void free_level(struct frame_allocator *fa, uint64_t *t, unsigned int level)
{
	unsigned int i;

	if (level > 0)
		for (i = 0; i < 512; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				free_level(fa, table(t[i]), level - 1);
	frame_free(fa, (uint64_t)(uintptr_t)t);
}

static unsigned int count_level(const uint64_t *t, unsigned int level)
{
	unsigned int i, n = 1;

	if (level > 0)
		for (i = 0; i < 512; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				n += count_level(table(t[i]), level - 1);
	return n;
}

unsigned int npt_count_tables(uint64_t root)
{
	return root ? count_level((const uint64_t *)(uintptr_t)root, 3) : 0;
}

void npt_destroy(struct frame_allocator *fa, uint64_t root)
{
	if (root)
		free_level(fa, (uint64_t *)(uintptr_t)root, 3);
}
