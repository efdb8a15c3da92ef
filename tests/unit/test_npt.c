// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for hypervisor/arch/x86/npt.c, the nested page tables, above
 * all npt_unmap(), which the backend binding uses to take a domain's RAM
 * out of dom0's tables again (common/backend.c).
 *
 * The tables hold physical addresses and npt.c follows them as pointers
 * (the hypervisor's direct map is 1:1), so the frames must be host memory
 * at the same address: the frame allocator is given one "RAM" region that
 * is a host mapping at a fixed low address.  The addresses the tables map
 * (gpa, hpa) are never dereferenced, so any value will do for them.
 *
 * Covered: 2 MiB and 4 KiB mappings unmapped; a table of 4 KiB pages freed
 * when the unmap covers it whole and kept otherwise; a 2 MiB page never cut
 * in two; unmapping what is not mapped; a read-only 4 KiB page inside a
 * 2 MiB range (dom0's sink page) replaced when the range is mapped.
 */
#include <sys/mman.h>
#include <check.h>

#include <asm/npt.h>
#include <asm/x86_defs.h>

#include "suites.h"

#define ARENA		0x10000000ULL		/* host address = "physical" */
#define ARENA_SIZE	(2 * MiB)
#define GPA		0x40000000ULL		/* 1 GiB: what the tests map */
#define HPA		0x80000000ULL

static struct frame_allocator fa;
static uint64_t root;

static void *identity(uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

static void setup(void)
{
	struct mem_region ram = { ARENA, ARENA_SIZE, MB2_MEM_AVAILABLE };
	void *p = mmap((void *)(uintptr_t)ARENA, ARENA_SIZE,
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	ck_assert_ptr_eq(p, (void *)(uintptr_t)ARENA);
	ck_assert_int_eq(frame_init(&fa, &ram, 1, NULL, 0, identity), FRAME_OK);
	root = npt_create(&fa);
	ck_assert_uint_ne(root, 0);
}

static void teardown(void)
{
	munmap((void *)(uintptr_t)ARENA, ARENA_SIZE);
}

/* The leaf entry for gpa (PDE of a 2 MiB page or PTE), or 0. */
static uint64_t leaf(uint64_t gpa)
{
	uint64_t *t = (uint64_t *)(uintptr_t)root;
	int level;

	for (level = 3; level >= 0; level--) {
		uint64_t e = t[(gpa >> (12 + 9 * level)) & 511];

		if (!(e & PTE_P))
			return 0;
		if (level == 0 || (e & PTE_PS))
			return e;
		t = (uint64_t *)(uintptr_t)(e & PTE_ADDR);
	}
	return 0;
}

START_TEST(test_unmap_large_pages)
{
	ck_assert(npt_map(&fa, root, GPA, HPA, 4 * MiB, NPT_RW));
	ck_assert(leaf(GPA) & PTE_PS);
	ck_assert(npt_unmap(&fa, root, GPA, 2 * MiB));
	ck_assert(!npt_is_mapped(root, GPA));
	ck_assert(!npt_is_mapped(root, GPA + 2 * MiB - PAGE_SIZE));
	/* The next 2 MiB page is untouched. */
	ck_assert_uint_eq(leaf(GPA + 2 * MiB) & PTE_ADDR, HPA + 2 * MiB);
	ck_assert(npt_unmap(&fa, root, GPA + 2 * MiB, 2 * MiB));
	ck_assert(!npt_is_mapped(root, GPA + 2 * MiB));
}
END_TEST

START_TEST(test_large_page_never_cut)
{
	ck_assert(npt_map(&fa, root, GPA, HPA, 2 * MiB, NPT_RW));
	ck_assert(!npt_unmap(&fa, root, GPA + PAGE_SIZE, PAGE_SIZE));
	ck_assert(!npt_unmap(&fa, root, GPA, MiB));
	ck_assert_uint_eq(leaf(GPA) & PTE_ADDR, HPA);
	ck_assert(leaf(GPA) & PTE_PS);
}
END_TEST

START_TEST(test_unmap_small_pages)
{
	uint64_t before;

	ck_assert(npt_map(&fa, root, GPA, HPA, 3 * PAGE_SIZE, NPT_RW));
	before = fa.free_frames;
	/* Part of the table: only that page goes, the table stays. */
	ck_assert(npt_unmap(&fa, root, GPA + PAGE_SIZE, PAGE_SIZE));
	ck_assert(npt_is_mapped(root, GPA));
	ck_assert(!npt_is_mapped(root, GPA + PAGE_SIZE));
	ck_assert_uint_eq(leaf(GPA + 2 * PAGE_SIZE) & PTE_ADDR, HPA + 2 * PAGE_SIZE);
	ck_assert_uint_eq(fa.free_frames, before);
	/* All of its 2 MiB: the table of 4 KiB pages is freed. */
	ck_assert(npt_unmap(&fa, root, GPA, 2 * MiB));
	ck_assert(!npt_is_mapped(root, GPA));
	ck_assert(!npt_is_mapped(root, GPA + 2 * PAGE_SIZE));
	ck_assert_uint_eq(fa.free_frames, before + 1);
}
END_TEST

START_TEST(test_unmap_nothing_mapped)
{
	uint64_t before = fa.free_frames;

	ck_assert(npt_unmap(&fa, root, GPA, 8 * MiB));
	ck_assert(npt_unmap(&fa, root, 0x7ff000000000ULL, 2 * MiB));
	ck_assert_uint_eq(fa.free_frames, before);
}
END_TEST

/*
 * dom0 read a page of a domain's RAM before it was bound: a read-only sink
 * page sits there.  Binding maps the domain's whole 2 MiB chunk, which must
 * replace it; unbinding then leaves nothing mapped.
 */
START_TEST(test_sink_page_replaced)
{
	const uint64_t sink = 0x12345000ULL, page = GPA + 5 * PAGE_SIZE;

	ck_assert(npt_map(&fa, root, page, sink, PAGE_SIZE, NPT_READ));
	ck_assert_uint_eq(leaf(page) & (PTE_ADDR | PTE_W), sink);
	ck_assert(npt_map(&fa, root, GPA, GPA, 2 * MiB, NPT_RW));
	ck_assert_uint_eq(leaf(page) & (PTE_ADDR | PTE_W), page | PTE_W);
	ck_assert_uint_eq(leaf(GPA) & PTE_ADDR, GPA);
	ck_assert(npt_unmap(&fa, root, GPA, 2 * MiB));
	ck_assert(!npt_is_mapped(root, page));
	ck_assert(!npt_is_mapped(root, GPA));
}
END_TEST

Suite *npt_suite(void)
{
	Suite *s = suite_create("npt");
	TCase *tc = tcase_create("unmap");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unmap_large_pages);
	tcase_add_test(tc, test_large_page_never_cut);
	tcase_add_test(tc, test_unmap_small_pages);
	tcase_add_test(tc, test_unmap_nothing_mapped);
	tcase_add_test(tc, test_sink_page_replaced);
	suite_add_tcase(s, tc);
	return s;
}
