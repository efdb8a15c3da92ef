// SPDX-License-Identifier: GPL-2.0-only
/*
 * A customer domain's RAM layout (hvplatform.h: hvp_ram_gpa,
 * hvp_ram_low_bytes) and the memory map it is told about
 * (hypervisor/arch/x86/domu_memmap.c), for sizes below, at and above the
 * low top.  The map must list every byte of RAM the domain has and nothing
 * in the MMIO hole.
 */
#include <public/hvplatform.h>
#include <asm/domu_memmap.h>
#include "suites.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

START_TEST(ram_gpa_skips_the_hole)
{
	ck_assert_uint_eq(hvp_ram_gpa(0), 0);
	ck_assert_uint_eq(hvp_ram_gpa(HVP_RAM_LOW_TOP - 2 * MIB),
			  HVP_RAM_LOW_TOP - 2 * MIB);
	ck_assert_uint_eq(hvp_ram_gpa(HVP_RAM_LOW_TOP), 4 * GIB);
	ck_assert_uint_eq(hvp_ram_gpa(HVP_RAM_LOW_TOP + 2 * MIB),
			  4 * GIB + 2 * MIB);
	ck_assert_uint_eq(hvp_ram_low_bytes(2 * MIB), 2 * MIB);
	ck_assert_uint_eq(hvp_ram_low_bytes(HVP_RAM_LOW_TOP), HVP_RAM_LOW_TOP);
	ck_assert_uint_eq(hvp_ram_low_bytes(16 * GIB), HVP_RAM_LOW_TOP);
	/* The devices are in the hole. */
	ck_assert(HVP_RAM_LOW_TOP <= HVP_PCI_MMIO_BASE);
	ck_assert(HVP_LAPIC_BASE < HVP_RAM_HIGH_BASE);
}
END_TEST

/* Whether [a, a + n) is all RAM of a domain with ram_bytes, chunk by chunk
 * as domain_create() lays it out. */
static bool backed(uint64_t ram_bytes, uint64_t a, uint64_t n)
{
	uint64_t offset, covered = 0;

	for (offset = 0; offset < ram_bytes; offset += 2 * MIB) {
		uint64_t s = hvp_ram_gpa(offset), e = s + 2 * MIB;
		uint64_t lo = s > a ? s : a, hi = e < a + n ? e : a + n;

		if (lo < hi)
			covered += hi - lo;
	}
	return covered == n;
}

/* The map of ram_bytes: sorted, disjoint, every RAM byte backed, RAM
 * entries plus the legacy area adding up to ram_bytes, none in the hole. */
static unsigned int check_map(uint64_t ram_bytes, struct e820_entry *e820)
{
	unsigned int i, n = domu_memory_map(ram_bytes, e820, DOMU_E820_MAX);
	uint64_t ram = 0, end = 0;

	ck_assert_uint_ge(n, 3);
	ck_assert_uint_le(n, DOMU_E820_MAX);
	ck_assert_uint_eq(e820[0].addr, 0);
	ck_assert_uint_eq(e820[1].type, E820_RESERVED);
	ck_assert_uint_eq(e820[1].addr, HVP_LEGACY_HOLE);
	ck_assert_uint_eq(e820[1].addr + e820[1].size, HVP_LOAD_MIN);
	for (i = 0; i < n; i++) {
		ck_assert_uint_ge(e820[i].addr, end);
		ck_assert_uint_gt(e820[i].size, 0);
		end = e820[i].addr + e820[i].size;
		ck_assert(end <= HVP_RAM_LOW_TOP ||
			  e820[i].addr >= HVP_RAM_HIGH_BASE);
		if (e820[i].type == E820_RAM) {
			ck_assert(backed(ram_bytes, e820[i].addr, e820[i].size));
			ram += e820[i].size;
		}
	}
	ck_assert_uint_eq(ram + (HVP_LOAD_MIN - HVP_LEGACY_HOLE), ram_bytes);
	return n;
}

START_TEST(map_below_and_at_the_low_top)
{
	static const uint64_t sizes[] = { 2 * MIB, 4 * MIB, 1026 * MIB,
					  HVP_RAM_LOW_TOP - 2 * MIB,
					  HVP_RAM_LOW_TOP };
	struct e820_entry e820[DOMU_E820_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ck_assert_uint_eq(check_map(sizes[i], e820), 3);
		ck_assert_uint_eq(e820[2].addr, HVP_LOAD_MIN);
		ck_assert_uint_eq(e820[2].addr + e820[2].size, sizes[i]);
	}
}
END_TEST

START_TEST(map_above_the_low_top)
{
	static const uint64_t sizes[] = { HVP_RAM_LOW_TOP + 2 * MIB,
					  3584 * MIB, 4 * GIB, 8 * GIB + 6 * MIB,
					  16 * GIB };
	struct e820_entry e820[DOMU_E820_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ck_assert_uint_eq(check_map(sizes[i], e820), 4);
		ck_assert_uint_eq(e820[2].addr + e820[2].size, HVP_RAM_LOW_TOP);
		ck_assert_uint_eq(e820[3].type, E820_RAM);
		ck_assert_uint_eq(e820[3].addr, HVP_RAM_HIGH_BASE);
		ck_assert_uint_eq(e820[3].size, sizes[i] - HVP_RAM_LOW_TOP);
	}
}
END_TEST

START_TEST(map_refusals)
{
	struct e820_entry e820[DOMU_E820_MAX + 1];

	/* Too little room, too little RAM, or not whole 2 MiB chunks. */
	ck_assert_uint_eq(domu_memory_map(64 * MIB, e820, DOMU_E820_MAX - 1), 0);
	ck_assert_uint_eq(domu_memory_map(0, e820, DOMU_E820_MAX), 0);
	ck_assert_uint_eq(domu_memory_map(1 * MIB, e820, DOMU_E820_MAX), 0);
	ck_assert_uint_eq(domu_memory_map(3 * MIB, e820, DOMU_E820_MAX), 0);
	/* More room than needed is fine. */
	ck_assert_uint_eq(domu_memory_map(4 * GIB, e820, DOMU_E820_MAX + 1), 4);
}
END_TEST

Suite *domu_memmap_suite(void)
{
	Suite *s = suite_create("domu_memmap");
	TCase *tc = tcase_create("layout");

	tcase_add_test(tc, ram_gpa_skips_the_hole);
	tcase_add_test(tc, map_below_and_at_the_low_top);
	tcase_add_test(tc, map_above_the_low_top);
	tcase_add_test(tc, map_refusals);
	suite_add_tcase(s, tc);
	return s;
}
