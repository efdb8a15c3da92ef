// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for hypervisor/common/mb2.c, the multiboot2 boot-information
 * parser.  Tag lists are built by hand with a small builder (8-byte aligned,
 * total_size + reserved, tags padded to 8 bytes, an end tag), then copied
 * into a malloc'd buffer of exactly the parsed size, so AddressSanitizer
 * reports any read past it.
 *
 * Covered: a full valid info (command line, loader name, memory map with
 * entry_size 24 and 32, modules, both ACPI RSDP tags, unknown tags), every
 * error value, the BOOT_MAX_* limits, zero-length and wrapping memory map
 * entries, a fixed-seed mutation fuzz loop, and mb2_strerror.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include <hv/mb2.h>

#include "suites.h"

/* ---- Building boot information by hand ---- */

struct mb2_builder {
	uint64_t words[1024];	/* 8 KiB; uint64_t keeps it 8-byte aligned */
	uint32_t len;		/* bytes used so far */
	uint8_t *copy;		/* what was last handed to mb2_parse */
	size_t copy_size;
};

static struct mb2_builder mb;

static uint8_t *mb_bytes(void)
{
	return (uint8_t *)mb.words;
}

static void mb_set_u32(uint32_t off, uint32_t value)
{
	memcpy(mb_bytes() + off, &value, sizeof(value));
}

/* A fresh info: just the 8-byte header (total_size, reserved). */
static void mb_setup(void)
{
	free(mb.copy);		/* tests start afresh more than once */
	memset(&mb, 0, sizeof(mb));
	mb.len = 8;
}

static void mb_teardown(void)
{
	free(mb.copy);
	mb.copy = NULL;
}

/* Appends one tag and its padding; returns the tag's offset. */
static uint32_t mb_tag(uint32_t type, const void *payload, uint32_t size)
{
	uint32_t off = mb.len;
	struct mb2_tag hdr = { type, 8 + size };

	ck_assert_uint_le(off + 8 + size + 7, sizeof(mb.words));
	memcpy(mb_bytes() + off, &hdr, sizeof(hdr));
	if (size)
		memcpy(mb_bytes() + off + 8, payload, size);
	mb.len = (off + 8 + size + 7) & ~7u;
	return off;
}

/* A command line or loader name tag: the string and its NUL. */
static uint32_t mb_string(uint32_t type, const char *s)
{
	return mb_tag(type, s, strlen(s) + 1);
}

static uint32_t mb_module(uint32_t start, uint32_t end, const char *cmdline)
{
	uint8_t payload[256];
	size_t n = strlen(cmdline) + 1;

	ck_assert_uint_le(8 + n, sizeof(payload));
	memcpy(payload, &start, 4);
	memcpy(payload + 4, &end, 4);
	memcpy(payload + 8, cmdline, n);
	return mb_tag(MB2_TAG_MODULE, payload, 8 + n);
}

/*
 * A memory map tag: entry_size, entry_version 0, then the entries, each in
 * an entry_size slot.  Bytes beyond the 24 we know are filled with 0xaa,
 * standing in for fields a later multiboot2 version might add.
 */
static uint32_t mb_mmap(uint32_t entry_size, const struct mb2_mmap_entry *e,
			unsigned int n)
{
	static uint8_t payload[8 + 200 * 40];
	uint32_t version = 0;
	unsigned int i;

	ck_assert_uint_le(8 + n * entry_size, sizeof(payload));
	memcpy(payload, &entry_size, 4);
	memcpy(payload + 4, &version, 4);
	for (i = 0; i < n; i++) {
		uint8_t *slot = payload + 8 + i * entry_size;

		memset(slot, 0xaa, entry_size);
		/* (Error tests use slots smaller than an entry.) */
		memcpy(slot, &e[i], MIN(entry_size, sizeof(e[i])));
	}
	return mb_tag(MB2_TAG_MMAP, payload, 8 + n * entry_size);
}

/* Sets total_size to what has been built, without adding an end tag. */
static void mb_close_without_end(void)
{
	mb_set_u32(0, mb.len);
}

/* Adds the end tag and sets total_size. */
static void mb_finish(void)
{
	mb_tag(MB2_TAG_END, NULL, 0);
	mb_close_without_end();
}

/*
 * Parses a copy of what was built, in a buffer of exactly mb.len bytes and
 * with max_size mb.len: reading one byte further is an ASan error.
 */
static enum mb2_error mb_parse_built(struct boot_info *bi)
{
	free(mb.copy);
	mb.copy_size = mb.len;
	mb.copy = malloc(mb.copy_size);
	ck_assert_ptr_nonnull(mb.copy);
	memcpy(mb.copy, mb.words, mb.copy_size);
	return mb2_parse(mb.copy, mb.copy_size, bi);
}

/* The memory map QEMU's SeaBIOS reports for -m 128 (plus one >4 GiB). */
static const struct mb2_mmap_entry qemu_map[] = {
	{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE, 0 },
	{ 0x9fc00, 0x400, MB2_MEM_RESERVED, 0 },
	{ 0xf0000, 0x10000, MB2_MEM_RESERVED, 0 },
	{ 0x100000, 0x7ee0000, MB2_MEM_AVAILABLE, 0 },
	{ 0x7fe0000, 0x20000, MB2_MEM_RESERVED, 0 },
	{ 0xfffc0000, 0x40000, MB2_MEM_RESERVED, 0 },
	{ 0x100000000, 0x40000000, MB2_MEM_AVAILABLE, 0 },
};
#define QEMU_MAP_N ((unsigned int)(sizeof(qemu_map) / sizeof(qemu_map[0])))

/* An ACPI 1.0 RSDP (20 bytes) and an ACPI 2.0+ one (36 bytes). */
static const uint8_t rsdp_old[20] = "RSD PTR \x42" "BOCHS \x00\x11\x22\x33";
static const uint8_t rsdp_new[36] = "RSD PTR \x43" "BOCHS \x02\x44\x55\x66";

static void check_qemu_map(const struct boot_info *bi)
{
	unsigned int i;

	ck_assert_uint_eq(bi->nr_mem, QEMU_MAP_N);
	for (i = 0; i < QEMU_MAP_N; i++) {
		ck_assert_uint_eq(bi->mem[i].base, qemu_map[i].base);
		ck_assert_uint_eq(bi->mem[i].len, qemu_map[i].len);
		ck_assert_uint_eq(bi->mem[i].type, qemu_map[i].type);
	}
}

/* ---- Valid information ---- */

/* Everything GRUB hands us, in GRUB's order, with some tags we skip. */
static void build_full_info(uint32_t entry_size, uint32_t *cmdline_off,
			    uint32_t *loader_off, uint32_t *mod_off,
			    uint32_t *acpi_new_off)
{
	static const uint8_t meminfo[8] = { 0x7f, 2, 0, 0, 0x80, 0xfb, 1, 0 };
	static const uint8_t unknown[5] = { 1, 2, 3, 4, 5 };

	*cmdline_off = mb_string(MB2_TAG_CMDLINE, "debug_exit test_fault=ud");
	*loader_off = mb_string(MB2_TAG_LOADER_NAME, "GRUB 2.06");
	mod_off[0] = mb_module(0x200000, 0x2a1f00, "dom0 console=ttyS0");
	mod_off[1] = mb_module(0x300000, 0x301000, "initrd");
	mb_tag(MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
	mb_mmap(entry_size, qemu_map, QEMU_MAP_N);
	mb_tag(0x1234, unknown, sizeof(unknown));
	mb_tag(MB2_TAG_ACPI_OLD, rsdp_old, sizeof(rsdp_old));
	*acpi_new_off = mb_tag(MB2_TAG_ACPI_NEW, rsdp_new, sizeof(rsdp_new));
	mb_finish();
}

static void check_full_info(uint32_t entry_size)
{
	struct boot_info bi;
	uint32_t cmdline_off, loader_off, mod_off[2], acpi_new_off;

	build_full_info(entry_size, &cmdline_off, &loader_off, mod_off,
			&acpi_new_off);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);

	ck_assert_uint_eq(bi.total_size, mb.len);
	/* Strings are used in place, inside the boot information. */
	ck_assert_ptr_eq(bi.cmdline, mb.copy + cmdline_off + 8);
	ck_assert_str_eq(bi.cmdline, "debug_exit test_fault=ud");
	ck_assert_ptr_eq(bi.loader_name, mb.copy + loader_off + 8);
	ck_assert_str_eq(bi.loader_name, "GRUB 2.06");

	check_qemu_map(&bi);

	ck_assert_uint_eq(bi.nr_modules, 2);
	ck_assert_uint_eq(bi.modules[0].start, 0x200000);
	ck_assert_uint_eq(bi.modules[0].end, 0x2a1f00);
	ck_assert_ptr_eq(bi.modules[0].cmdline, mb.copy + mod_off[0] + 16);
	ck_assert_str_eq(bi.modules[0].cmdline, "dom0 console=ttyS0");
	ck_assert_uint_eq(bi.modules[1].start, 0x300000);
	ck_assert_uint_eq(bi.modules[1].end, 0x301000);
	ck_assert_str_eq(bi.modules[1].cmdline, "initrd");

	/* The ACPI 2.0+ RSDP wins over the 1.0 one. */
	ck_assert_ptr_eq(bi.acpi_rsdp, mb.copy + acpi_new_off + 8);
	ck_assert_uint_eq(bi.acpi_rsdp_len, sizeof(rsdp_new));
	ck_assert_mem_eq(bi.acpi_rsdp, rsdp_new, sizeof(rsdp_new));
}

START_TEST(test_full_info)
{
	check_full_info(24);
}
END_TEST

START_TEST(test_mmap_larger_entry_size)
{
	/* Entries may grow in later versions: 32-byte slots parse the same. */
	check_full_info(32);
}
END_TEST

START_TEST(test_minimal_info)
{
	struct boot_info bi;

	/* Only a memory map: no strings means "", no modules, no RSDP. */
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_str_eq(bi.cmdline, "");
	ck_assert_str_eq(bi.loader_name, "");
	ck_assert_uint_eq(bi.nr_modules, 0);
	ck_assert_ptr_null(bi.acpi_rsdp);
	ck_assert_uint_eq(bi.acpi_rsdp_len, 0);
	ck_assert_uint_eq(bi.total_size, mb.len);
	check_qemu_map(&bi);
}
END_TEST

START_TEST(test_acpi_new_preferred_either_order)
{
	struct boot_info bi;
	uint32_t new_off;

	/* New first, old second: the old one must not replace it. */
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	new_off = mb_tag(MB2_TAG_ACPI_NEW, rsdp_new, sizeof(rsdp_new));
	mb_tag(MB2_TAG_ACPI_OLD, rsdp_old, sizeof(rsdp_old));
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_ptr_eq(bi.acpi_rsdp, mb.copy + new_off + 8);
	ck_assert_uint_eq(bi.acpi_rsdp_len, sizeof(rsdp_new));
}
END_TEST

START_TEST(test_acpi_old_only)
{
	struct boot_info bi;
	uint32_t old_off;

	mb_mmap(24, qemu_map, QEMU_MAP_N);
	old_off = mb_tag(MB2_TAG_ACPI_OLD, rsdp_old, sizeof(rsdp_old));
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_ptr_eq(bi.acpi_rsdp, mb.copy + old_off + 8);
	ck_assert_uint_eq(bi.acpi_rsdp_len, sizeof(rsdp_old));
	ck_assert_mem_eq(bi.acpi_rsdp, rsdp_old, sizeof(rsdp_old));
}
END_TEST

START_TEST(test_unknown_tags_skipped)
{
	static const uint8_t junk[13] = "\x01\x00\x00\x00\x20\x00\x00\x00junk";
	struct boot_info bi;

	/* Unknown tags, even ones whose payload looks like a tag header. */
	mb_tag(21, junk, sizeof(junk));
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_tag(0xffffffff, NULL, 0);
	mb_tag(7, junk, 3);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	check_qemu_map(&bi);
	ck_assert_str_eq(bi.cmdline, "");
	ck_assert_uint_eq(bi.nr_modules, 0);
}
END_TEST

START_TEST(test_empty_strings)
{
	struct boot_info bi;
	uint32_t off;

	/* An empty module command line is still a terminated string. */
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_string(MB2_TAG_CMDLINE, "");
	off = mb_module(0x1000, 0x1000, "");
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_str_eq(bi.cmdline, "");
	ck_assert_uint_eq(bi.nr_modules, 1);
	/* A module may be empty: end == start. */
	ck_assert_uint_eq(bi.modules[0].start, 0x1000);
	ck_assert_uint_eq(bi.modules[0].end, 0x1000);
	ck_assert_ptr_eq(bi.modules[0].cmdline, mb.copy + off + 16);
}
END_TEST

/* ---- Memory map details ---- */

START_TEST(test_mmap_zero_length_skipped)
{
	static const struct mb2_mmap_entry map[] = {
		{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE, 0 },
		{ 0x9fc00, 0, MB2_MEM_RESERVED, 0 },
		{ 0x100000, 0x1000000, MB2_MEM_AVAILABLE, 0 },
		{ 0x2000000, 0, MB2_MEM_AVAILABLE, 0 },
		{ 0xfec00000, 0x1000, MB2_MEM_RESERVED, 0 },
	};
	struct boot_info bi;

	mb_mmap(24, map, 5);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_uint_eq(bi.nr_mem, 3);
	ck_assert_uint_eq(bi.mem[0].base, 0x0);
	ck_assert_uint_eq(bi.mem[0].len, 0x9fc00);
	ck_assert_uint_eq(bi.mem[1].base, 0x100000);
	ck_assert_uint_eq(bi.mem[1].len, 0x1000000);
	ck_assert_uint_eq(bi.mem[2].base, 0xfec00000);
	ck_assert_uint_eq(bi.mem[2].len, 0x1000);
	ck_assert_uint_eq(bi.mem[2].type, MB2_MEM_RESERVED);
}
END_TEST

START_TEST(test_mmap_wrap_clipped)
{
	static const struct mb2_mmap_entry map[] = {
		/* Runs 4 GiB past 2^64: clipped to end at 2^64 - 1. */
		{ 0xffffffff00000000, 0x200000000, MB2_MEM_RESERVED, 0 },
		/* The worst length of all. */
		{ 0x1000, UINT64_MAX, MB2_MEM_BAD, 0 },
		/* Ends one byte short of 2^64: no wrap, kept as is. */
		{ 0xfffffffffffff000, 0xfff, MB2_MEM_NVS, 0 },
		/* Ends exactly at 2^64 (base + len is 0): clipped too. */
		{ 0xfffffffffffff000, 0x1000, MB2_MEM_ACPI_RECLAIMABLE, 0 },
	};
	struct boot_info bi;

	mb_mmap(24, map, 4);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_uint_eq(bi.nr_mem, 4);
	ck_assert_uint_eq(bi.mem[0].base, 0xffffffff00000000);
	ck_assert_uint_eq(bi.mem[0].len, 0xffffffff);
	ck_assert_uint_eq(bi.mem[0].type, MB2_MEM_RESERVED);
	ck_assert_uint_eq(bi.mem[1].base, 0x1000);
	ck_assert_uint_eq(bi.mem[1].len, 0xffffffffffffefff);
	ck_assert_uint_eq(bi.mem[1].type, MB2_MEM_BAD);
	ck_assert_uint_eq(bi.mem[2].len, 0xfff);
	ck_assert_uint_eq(bi.mem[2].type, MB2_MEM_NVS);
	ck_assert_uint_eq(bi.mem[3].len, 0xfff);
	ck_assert_uint_eq(bi.mem[3].type, MB2_MEM_ACPI_RECLAIMABLE);
}
END_TEST

START_TEST(test_mmap_partial_entry_ignored)
{
	struct boot_info bi;
	uint32_t off;

	/*
	 * A tag whose size leaves 8 bytes after two entries: too few for a
	 * third entry, so they are ignored rather than read as one.
	 */
	off = mb_mmap(24, qemu_map, 3);
	mb_set_u32(off + 4, 16 + 2 * 24 + 8);
	mb.len = off + 16 + 2 * 24 + 8;	/* the end tag follows right there */
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_uint_eq(bi.nr_mem, 2);

	/* A map tag with no entries at all is a valid, empty map. */
	mb_setup();
	mb_mmap(24, NULL, 0);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_uint_eq(bi.nr_mem, 0);
}
END_TEST

/*
 * Regression (found by these tests, fixed): hypervisor/common/mb2.c, parse_mmap(),
 * the loop "for (off = 16; off + entry_size <= tag->size; ...)" adds two
 * uint32_t values.  entry_size 0xfffffff0 passes the checks (>= 24, a
 * multiple of 8), then 16 + 0xfffffff0 wraps to 0, the loop body runs and
 * reads a 24-byte "entry" at offset 16 of a 16-byte tag: whatever follows
 * (here the next tag) becomes a memory region, and at the end of the
 * buffer it is an out-of-bounds read.  Expected: no entry fits, nr_mem 0.
 */
START_TEST(test_mmap_huge_entry_size)
{
	static const uint64_t fake_entry[2] = { 0x1000, 0x2000 };
	struct boot_info bi;
	uint32_t off;

	off = mb_mmap(24, NULL, 0);
	mb_set_u32(off + 8, 0xfffffff0);	/* entry_size */
	mb_tag(0x77, fake_entry, sizeof(fake_entry));
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_msg(bi.nr_mem == 0,
		      "mb2.c parse_mmap: off + entry_size wraps for "
		      "entry_size 0xfffffff0; read %u entries past the tag "
		      "(first base 0x%llx)", bi.nr_mem,
		      (unsigned long long)bi.mem[0].base);
}
END_TEST

/* ---- Limits ---- */

static void build_regions(unsigned int n)
{
	static struct mb2_mmap_entry map[BOOT_MAX_MEM_REGIONS + 1];
	unsigned int i;

	ck_assert_uint_le(n, BOOT_MAX_MEM_REGIONS + 1);
	for (i = 0; i < n; i++) {
		map[i].base = (uint64_t)i * 0x100000;
		map[i].len = 0x100000;
		map[i].type = MB2_MEM_AVAILABLE;
	}
	mb_mmap(24, map, n);
}

START_TEST(test_max_regions)
{
	struct boot_info bi;

	build_regions(BOOT_MAX_MEM_REGIONS);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_uint_eq(bi.nr_mem, BOOT_MAX_MEM_REGIONS);
	ck_assert_uint_eq(bi.mem[BOOT_MAX_MEM_REGIONS - 1].base,
			  (uint64_t)(BOOT_MAX_MEM_REGIONS - 1) * 0x100000);
}
END_TEST

START_TEST(test_too_many_regions)
{
	struct boot_info bi;

	build_regions(BOOT_MAX_MEM_REGIONS + 1);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TOO_MANY);

	/* Spread over two map tags, the count is the same. */
	mb_setup();
	build_regions(BOOT_MAX_MEM_REGIONS);
	build_regions(1);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TOO_MANY);
}
END_TEST

START_TEST(test_zero_length_not_counted)
{
	static const struct mb2_mmap_entry empty[4] = {
		{ 0x1000, 0, MB2_MEM_AVAILABLE, 0 },
		{ 0x2000, 0, MB2_MEM_AVAILABLE, 0 },
		{ 0x3000, 0, MB2_MEM_RESERVED, 0 },
		{ 0x4000, 0, MB2_MEM_RESERVED, 0 },
	};
	struct boot_info bi;

	/* 128 real regions plus zero-length ones: still within the limit. */
	build_regions(BOOT_MAX_MEM_REGIONS);
	mb_mmap(24, empty, 4);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_uint_eq(bi.nr_mem, BOOT_MAX_MEM_REGIONS);
}
END_TEST

START_TEST(test_max_modules)
{
	struct boot_info bi;
	unsigned int i;

	mb_mmap(24, qemu_map, QEMU_MAP_N);
	for (i = 0; i < BOOT_MAX_MODULES; i++)
		mb_module(0x400000 + i * 0x10000, 0x400000 + i * 0x10000 + 0x800,
			  "mod");
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_OK);
	ck_assert_uint_eq(bi.nr_modules, BOOT_MAX_MODULES);
	ck_assert_uint_eq(bi.modules[BOOT_MAX_MODULES - 1].start,
			  0x400000 + (BOOT_MAX_MODULES - 1) * 0x10000);

	/* One more is refused, not dropped. */
	mb.len -= 8;	/* take the end tag off again */
	mb_module(0x800000, 0x801000, "one too many");
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TOO_MANY);
}
END_TEST

/* ---- Errors: each returns its own value ---- */

START_TEST(test_err_null)
{
	struct boot_info bi;

	ck_assert_int_eq(mb2_parse(NULL, MB2_MAX_INFO_SIZE, &bi), MB2_ERR_NULL);
}
END_TEST

START_TEST(test_err_size)
{
	struct boot_info bi;

	/* Just the header: total_size 8 < 16. */
	mb_close_without_end();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_SIZE);

	/* 15 is still too small. */
	mb_setup();
	mb_finish();
	mb_set_u32(0, 15);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_SIZE);

	/* 16 (header + end tag) is big enough: then the map is missing. */
	mb_setup();
	mb_finish();
	ck_assert_uint_eq(mb.len, 16);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_NO_MMAP);

	/* total_size larger than max_size by one byte. */
	mb_setup();
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_finish();
	mb_set_u32(0, mb.len + 1);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_SIZE);

	/* Larger than MB2_MAX_INFO_SIZE: refused before anything is read. */
	mb_set_u32(0, MB2_MAX_INFO_SIZE + 8);
	ck_assert_int_eq(mb2_parse(mb.words, MB2_MAX_INFO_SIZE, &bi),
			 MB2_ERR_SIZE);
}
END_TEST

/*
 * Regression (found by these tests, fixed): hypervisor/common/mb2.c, mb2_parse(),
 * "total = *(const uint32_t *)base;" reads 4 bytes before comparing with
 * max_size, although hv/mb2.h says max_size bounds how far the parser may
 * read.  With a 3-byte buffer and max_size 3 it reads one byte too many:
 * AddressSanitizer reports a heap-buffer-overflow and the test errors out.
 * Expected: MB2_ERR_SIZE without touching byte 3.
 */
START_TEST(test_err_size_tiny_buffer)
{
	struct boot_info bi;
	uint8_t *tiny = malloc(3);

	ck_assert_ptr_nonnull(tiny);
	memset(tiny, 0, 3);
	ck_assert_int_eq(mb2_parse(tiny, 3, &bi), MB2_ERR_SIZE);
	free(tiny);
}
END_TEST

START_TEST(test_err_tag_past_total)
{
	struct boot_info bi;
	uint32_t off;

	/* A command line tag that claims 1000 bytes in a ~200-byte info. */
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	off = mb_string(MB2_TAG_CMDLINE, "abc");
	mb_finish();
	mb_set_u32(off + 4, 1000);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TAG);

	/* One byte past the total is enough: the end tag claims 9 bytes. */
	mb_setup();
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	off = mb.len;
	mb_finish();
	mb_set_u32(off + 4, 9);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TAG);

	/* The map tag is whole, but total_size ends in the middle of it. */
	mb_setup();
	off = mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_finish();
	mb_set_u32(0, off + 20);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TAG);
}
END_TEST

START_TEST(test_err_tag_too_small)
{
	struct boot_info bi;
	uint32_t off;

	/* size 7: smaller than the tag header itself. */
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	off = mb_tag(0x99, NULL, 0);
	mb_finish();
	mb_set_u32(off + 4, 7);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TAG);

	/* size 0 would otherwise loop on the same tag forever. */
	mb_set_u32(off + 4, 0);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TAG);

	/* An end tag with size 0 is just as malformed. */
	mb_setup();
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	off = mb.len;
	mb_finish();
	mb_set_u32(off + 4, 0);
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TAG);
}
END_TEST

START_TEST(test_err_no_end)
{
	struct boot_info bi;

	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_string(MB2_TAG_CMDLINE, "quiet");
	mb_close_without_end();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_NO_END);

	/* 4 bytes left over: too few for a tag header, so still no end. */
	mb_setup();
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb.len += 4;
	mb_close_without_end();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_NO_END);
}
END_TEST

START_TEST(test_err_unterminated_strings)
{
	struct boot_info bi;

	/*
	 * The tags hold "abc" without its NUL.  The padding after each tag is
	 * zero, but it lies outside the tag and must not count.
	 */
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_tag(MB2_TAG_CMDLINE, "abc", 3);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_STRING);

	mb_setup();
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_tag(MB2_TAG_LOADER_NAME, "GRUB", 4);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_STRING);

	/* An empty payload has no room for even the NUL. */
	mb_setup();
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_tag(MB2_TAG_CMDLINE, NULL, 0);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_STRING);

	/* A module: start, end, then "initrd" cut before its NUL. */
	mb_setup();
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	{
		uint8_t payload[14];
		uint32_t start = 0x200000, end = 0x201000;

		memcpy(payload, &start, 4);
		memcpy(payload + 4, &end, 4);
		memcpy(payload + 8, "initrd", 6);
		mb_tag(MB2_TAG_MODULE, payload, sizeof(payload));
	}
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_STRING);
}
END_TEST

START_TEST(test_err_mmap_entry_size)
{
	struct boot_info bi;

	/* Smaller than the 24 bytes every entry has. */
	mb_mmap(16, qemu_map, 2);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_MMAP);

	mb_setup();
	mb_mmap(0, qemu_map, 0);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_MMAP);

	/* Not a multiple of 8 (entries would be misaligned). */
	mb_setup();
	mb_mmap(28, qemu_map, 2);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_MMAP);

	/* A map tag too short to hold entry_size and entry_version. */
	mb_setup();
	mb_tag(MB2_TAG_MMAP, "\x18\0\0\0", 4);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TAG);
}
END_TEST

START_TEST(test_err_module)
{
	struct boot_info bi;

	/* Ends before it starts. */
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_module(0x201000, 0x200fff, "backwards");
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_MODULE);

	/* 16 bytes: start and end but no room for the string. */
	mb_setup();
	mb_mmap(24, qemu_map, QEMU_MAP_N);
	mb_tag(MB2_TAG_MODULE, "\0\0\x20\0\0\x10\x20\0", 8);
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_TAG);
}
END_TEST

START_TEST(test_err_no_mmap)
{
	struct boot_info bi;

	mb_string(MB2_TAG_CMDLINE, "quiet");
	mb_module(0x200000, 0x201000, "initrd");
	mb_finish();
	ck_assert_int_eq(mb_parse_built(&bi), MB2_ERR_NO_MMAP);
}
END_TEST

/* ---- Fuzzing ---- */

/* xorshift64: a fixed seed makes every run mutate the same bytes. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool in_buffer(const void *p, const uint8_t *buf, size_t size)
{
	return (const uint8_t *)p >= buf && (const uint8_t *)p < buf + size;
}

/* A string the parser returned: the static "" or NUL-terminated inside. */
static void check_string(const char *s, const uint8_t *buf, size_t size)
{
	FAST_ASSERT(s != NULL);
	if (!in_buffer(s, buf, size)) {
		FAST_ASSERT(s[0] == '\0');
		return;
	}
	FAST_ASSERT(memchr(s, '\0', buf + size - (const uint8_t *)s));
}

/* What must hold for any info mb2_parse accepted. */
static void check_accepted(const struct boot_info *bi, const uint8_t *buf,
			   size_t size)
{
	unsigned int i;

	FAST_ASSERT(bi->total_size >= 16);
	FAST_ASSERT(bi->total_size <= size);
	check_string(bi->cmdline, buf, bi->total_size);
	check_string(bi->loader_name, buf, bi->total_size);
	FAST_ASSERT(bi->nr_mem <= BOOT_MAX_MEM_REGIONS);
	for (i = 0; i < bi->nr_mem; i++) {
		FAST_ASSERT(bi->mem[i].len != 0);
		/* No region runs past 2^64. */
		FAST_ASSERT(bi->mem[i].base == 0 ||
			    bi->mem[i].len <= 0 - bi->mem[i].base);
	}
	FAST_ASSERT(bi->nr_modules <= BOOT_MAX_MODULES);
	for (i = 0; i < bi->nr_modules; i++) {
		FAST_ASSERT(bi->modules[i].start <= bi->modules[i].end);
		FAST_ASSERT(in_buffer(bi->modules[i].cmdline, buf,
				      bi->total_size));
		check_string(bi->modules[i].cmdline, buf, bi->total_size);
	}
	if (bi->acpi_rsdp) {
		FAST_ASSERT(in_buffer(bi->acpi_rsdp, buf, bi->total_size));
		FAST_ASSERT((const uint8_t *)bi->acpi_rsdp - buf +
			    bi->acpi_rsdp_len <= bi->total_size);
	}
}

START_TEST(test_fuzz_mutations)
{
	uint32_t cmdline_off, loader_off, mod_off[2], acpi_new_off;
	unsigned int seen[MB2_ERR_MODULE + 1] = { 0 };
	unsigned int iter, distinct = 0, e;
	size_t size;

	build_full_info(24, &cmdline_off, &loader_off, mod_off, &acpi_new_off);
	size = mb.len;
	rng_state = 0x9e3779b97f4a7c15ULL;

	for (iter = 0; iter < 10000; iter++) {
		/* Exactly size bytes: ASan catches a read one byte past. */
		uint8_t *buf = malloc(size);
		unsigned int nr_changes = 1 + rng_next() % 4, i;
		struct boot_info bi;
		enum mb2_error err;

		FAST_ASSERT(buf != NULL);
		memcpy(buf, mb.words, size);
		for (i = 0; i < nr_changes; i++) {
			uint64_t r = rng_next();
			size_t pos = r % size;

			/* Edge values find more than uniform noise. */
			switch ((r >> 32) % 4) {
			case 0:  buf[pos] = 0x00; break;
			case 1:  buf[pos] = 0xff; break;
			default: buf[pos] = (uint8_t)(r >> 40); break;
			}
		}
		err = mb2_parse(buf, size, &bi);
		/* A valid enum value (as unsigned, a negative one is huge). */
		FAST_ASSERT((unsigned int)err <= MB2_ERR_MODULE);
		if (err == MB2_OK)
			check_accepted(&bi, buf, size);
		seen[err]++;
		free(buf);
	}

	/*
	 * The mutations must reach past the size check into the tags: some
	 * inputs still parse and several different errors come back.
	 */
	for (e = 0; e <= MB2_ERR_MODULE; e++)
		distinct += seen[e] > 0;
	ck_assert_uint_gt(seen[MB2_OK], 100);
	ck_assert_uint_ge(distinct, 6);
}
END_TEST

/* ---- mb2_strerror ---- */

START_TEST(test_strerror)
{
	enum mb2_error a, b;

	for (a = MB2_OK; a <= MB2_ERR_MODULE; a++) {
		const char *s = mb2_strerror(a);

		ck_assert_ptr_nonnull(s);
		ck_assert_uint_gt(strlen(s), 0);
		for (b = MB2_OK; b < a; b++)
			ck_assert_str_ne(s, mb2_strerror(b));
	}
}
END_TEST

Suite *mb2_suite(void)
{
	Suite *s = suite_create("mb2");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_checked_fixture(tc, mb_setup, mb_teardown);
	tcase_add_test(tc, test_full_info);
	tcase_add_test(tc, test_mmap_larger_entry_size);
	tcase_add_test(tc, test_minimal_info);
	tcase_add_test(tc, test_acpi_new_preferred_either_order);
	tcase_add_test(tc, test_acpi_old_only);
	tcase_add_test(tc, test_unknown_tags_skipped);
	tcase_add_test(tc, test_empty_strings);
	suite_add_tcase(s, tc);

	tc = tcase_create("mmap");
	tcase_add_checked_fixture(tc, mb_setup, mb_teardown);
	tcase_add_test(tc, test_mmap_zero_length_skipped);
	tcase_add_test(tc, test_mmap_wrap_clipped);
	tcase_add_test(tc, test_mmap_partial_entry_ignored);
	tcase_add_test(tc, test_mmap_huge_entry_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, mb_setup, mb_teardown);
	tcase_add_test(tc, test_max_regions);
	tcase_add_test(tc, test_too_many_regions);
	tcase_add_test(tc, test_zero_length_not_counted);
	tcase_add_test(tc, test_max_modules);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, mb_setup, mb_teardown);
	tcase_add_test(tc, test_err_null);
	tcase_add_test(tc, test_err_size);
	tcase_add_test(tc, test_err_size_tiny_buffer);
	tcase_add_test(tc, test_err_tag_past_total);
	tcase_add_test(tc, test_err_tag_too_small);
	tcase_add_test(tc, test_err_no_end);
	tcase_add_test(tc, test_err_unterminated_strings);
	tcase_add_test(tc, test_err_mmap_entry_size);
	tcase_add_test(tc, test_err_module);
	tcase_add_test(tc, test_err_no_mmap);
	suite_add_tcase(s, tc);

	tc = tcase_create("fuzz");
	tcase_add_checked_fixture(tc, mb_setup, mb_teardown);
	tcase_add_test(tc, test_fuzz_mutations);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);
	return s;
}
