// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for lib/linux_boot.c, the Linux x86 64-bit
 * boot protocol.  A synthetic bzImage setup header is built by hand in a
 * buffer (every byte of the header area the test does not set holds a
 * non-zero pattern, to see exactly what is copied), and the real Debian
 * kernel at build/dom0/vmlinuz is parsed too when the build made it.
 * Images and zero pages are malloc'd at their exact size, so
 * AddressSanitizer reports any access past them.
 *
 * Covered: linux_parse's fields (protocol, kernel offset with setup_sects 0
 * meaning 4, preferred address, alignment, init_size at least the kernel's
 * size, initrd_addr_max above 4 GiB), each of its errors, and
 * linux_build_zero_page: the setup header copied to 0x1f1 up to where the
 * header ends, loader type, LOADED_HIGH, command line, initrd and RSDP
 * (with their upper halves for addresses above 4 GiB), the e820 table, its
 * limits, and that no other byte of the zero page is set; and
 * linux_kernel_release's bounds (string at the end, too long, bad bytes).
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include <lib/linux_boot.h>

#include "suites.h"

/*
 * Offsets from Linux's arch/x86/include/uapi/asm/bootparam.h: the setup
 * header sits at the same place in the image and in the zero page.
 */
#define SETUP_SECTS		0x1f1
#define BOOT_FLAG		0x1fe
#define JUMP			0x200
#define HEADER			0x202
#define VERSION			0x206
#define TYPE_OF_LOADER		0x210
#define LOADFLAGS		0x211
#define RAMDISK_IMAGE		0x218
#define RAMDISK_SIZE		0x21c
#define CMD_LINE_PTR		0x228
#define INITRD_ADDR_MAX		0x22c
#define KERNEL_ALIGNMENT	0x230
#define RELOCATABLE		0x234
#define XLOADFLAGS		0x236
#define CMDLINE_SIZE		0x238
#define PREF_ADDRESS		0x258
#define INIT_SIZE		0x260
/* struct boot_params only */
#define ACPI_RSDP_ADDR		0x070
#define EXT_RAMDISK_IMAGE	0x0c0
#define EXT_RAMDISK_SIZE	0x0c4
#define EXT_CMD_LINE_PTR	0x0c8
#define E820_ENTRIES		0x1e8
#define E820_TABLE		0x2d0
#define HDR_LIMIT		0x290	/* boot_params' hdr ends here */

#define XLF_KERNEL_64			0x1
#define XLF_CAN_BE_LOADED_ABOVE_4G	0x2

/* The synthetic kernel: its header ends at 0x26c, like Debian 12's. */
#define HDR_END		0x26c
#define IMAGE_SIZE	0x3000		/* setup_sects 3: kernel at 0x800 */
#define IMAGE_MAX	(256 * 512 + 1)	/* room for setup_sects 255 */

static uint8_t image[IMAGE_MAX];

static void put16(uint8_t *p, unsigned int off, uint16_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put64(uint8_t *p, unsigned int off, uint64_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static uint16_t get16(const uint8_t *p, unsigned int off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t get32(const uint8_t *p, unsigned int off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p, unsigned int off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* Sets the jump at 0x200 so that the header ends at end. */
static void set_header_end(unsigned int end)
{
	image[JUMP] = 0xeb;
	image[JUMP + 1] = (uint8_t)(end - (JUMP + 2));
}

/* A bzImage header for protocol 2.15 with a 64-bit entry point. */
static void build_image(void)
{
	unsigned int i;

	memset(image, 0, sizeof(image));
	/* Bytes the test does not set: non-zero, so a copy shows. */
	for (i = SETUP_SECTS; i < 0x400; i++)
		image[i] = 0x80 | (i & 0x7f);
	image[SETUP_SECTS] = 3;
	put16(image, BOOT_FLAG, 0xaa55);
	set_header_end(HDR_END);
	memcpy(image + HEADER, "HdrS", 4);
	put16(image, VERSION, 0x020f);
	image[LOADFLAGS] = 0x01;
	put32(image, INITRD_ADDR_MAX, 0x7fffffff);
	put32(image, KERNEL_ALIGNMENT, 0x200000);
	image[RELOCATABLE] = 1;
	put16(image, XLOADFLAGS, XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
	put32(image, CMDLINE_SIZE, 2047);
	put64(image, PREF_ADDRESS, 0x1000000);
	put32(image, INIT_SIZE, 0x40000);
}

/* Parses the first size bytes of image, from a buffer of exactly size. */
static enum linux_error parse_image(size_t size, struct linux_image *li)
{
	uint8_t *buf = malloc(size);
	enum linux_error err;

	ck_assert(buf != NULL || size == 0);
	if (size)
		memcpy(buf, image, size);
	err = linux_parse(buf, size, li);
	free(buf);
	return err;
}

/* ---- linux_parse ---- */

START_TEST(test_parse_fields)
{
	struct linux_image li;

	build_image();
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.protocol, 0x020f);
	ck_assert_uint_eq(li.kernel_offset, (3 + 1) * 512);
	ck_assert_uint_eq(li.kernel_size, IMAGE_SIZE - (3 + 1) * 512);
	ck_assert_uint_eq(li.pref_address, 0x1000000);
	ck_assert_uint_eq(li.alignment, 0x200000);
	ck_assert(li.relocatable);
	ck_assert_uint_eq(li.init_size, 0x40000);
	ck_assert_uint_eq(li.initrd_addr_max, UINT64_MAX);
	ck_assert_uint_eq(li.cmdline_size, 2047);
}
END_TEST

START_TEST(test_parse_setup_sects)
{
	struct linux_image li;

	build_image();
	/* 0 means 4, for very old kernels. */
	image[SETUP_SECTS] = 0;
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.kernel_offset, 5 * 512);
	ck_assert_uint_eq(li.kernel_size, IMAGE_SIZE - 5 * 512);

	image[SETUP_SECTS] = 1;
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.kernel_offset, 2 * 512);

	/* The most there can be, with a one-byte kernel after them. */
	image[SETUP_SECTS] = 255;
	ck_assert_int_eq(parse_image(256 * 512 + 1, &li), LINUX_OK);
	ck_assert_uint_eq(li.kernel_offset, 256 * 512);
	ck_assert_uint_eq(li.kernel_size, 1);
	/* init_size (0x40000) is still more than that one byte. */
	ck_assert_uint_eq(li.init_size, 0x40000);

	/* No byte of kernel at all, or the setup cut short. */
	ck_assert_int_eq(parse_image(256 * 512, &li), LINUX_ERR_TOO_SMALL);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_ERR_TOO_SMALL);
	image[SETUP_SECTS] = 1;
	ck_assert_int_eq(parse_image(0x400, &li), LINUX_ERR_TOO_SMALL);
	ck_assert_int_eq(parse_image(0x401, &li), LINUX_OK);
	ck_assert_uint_eq(li.kernel_size, 1);
}
END_TEST

START_TEST(test_parse_init_size)
{
	struct linux_image li;
	const uint64_t kernel_size = IMAGE_SIZE - 4 * 512;

	build_image();
	/* Less than the kernel itself: the kernel's size it is. */
	put32(image, INIT_SIZE, 0x100);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.init_size, kernel_size);

	put32(image, INIT_SIZE, 0);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.init_size, kernel_size);

	put32(image, INIT_SIZE, kernel_size);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.init_size, kernel_size);

	put32(image, INIT_SIZE, 0xffffffff);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.init_size, 0xffffffff);
}
END_TEST

START_TEST(test_parse_initrd_addr_max)
{
	struct linux_image li;

	build_image();
	/* Without XLF_CAN_BE_LOADED_ABOVE_4G, the header's limit holds. */
	put16(image, XLOADFLAGS, XLF_KERNEL_64);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.initrd_addr_max, 0x7fffffff);

	put16(image, XLOADFLAGS, XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.initrd_addr_max, UINT64_MAX);

	/* Other xloadflags bits (EFI handovers, ...) change nothing. */
	put16(image, XLOADFLAGS, 0x7c | XLF_KERNEL_64);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.initrd_addr_max, 0x7fffffff);
}
END_TEST

START_TEST(test_parse_not_relocatable)
{
	struct linux_image li;

	build_image();
	image[RELOCATABLE] = 0;
	put32(image, KERNEL_ALIGNMENT, 0x1000);
	put64(image, PREF_ADDRESS, 0x100000);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert(!li.relocatable);
	ck_assert_uint_eq(li.alignment, 0x1000);
	ck_assert_uint_eq(li.pref_address, 0x100000);

	/* A pref_address above 4 GiB is read in full. */
	put64(image, PREF_ADDRESS, 0x123456789000);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.pref_address, 0x123456789000);
}
END_TEST

START_TEST(test_parse_protocol)
{
	struct linux_image li;

	build_image();
	put16(image, VERSION, 0x020c);		/* 2.12: the oldest we take */
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.protocol, 0x020c);

	put16(image, VERSION, 0x020b);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_ERR_TOO_OLD);
	put16(image, VERSION, 0x0200);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_ERR_TOO_OLD);
	put16(image, VERSION, 0x0000);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_ERR_TOO_OLD);

	put16(image, VERSION, 0x0300);		/* a future 3.0 */
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_OK);
	ck_assert_uint_eq(li.protocol, 0x0300);
}
END_TEST

START_TEST(test_err_too_small)
{
	static const size_t sizes[] = { 0, 1, 0x1f1, 0x200, 0x268, 0x3ff };
	struct linux_image li;
	unsigned int i;

	build_image();
	image[SETUP_SECTS] = 1;		/* a kernel could start at 0x400 */
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		ck_assert_msg(parse_image(sizes[i], &li) == LINUX_ERR_TOO_SMALL,
			      "size %#zx", sizes[i]);
}
END_TEST

START_TEST(test_err_bad_magic)
{
	struct linux_image li;

	build_image();
	put16(image, BOOT_FLAG, 0x55aa);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_ERR_NOT_BZIMAGE);
	put16(image, BOOT_FLAG, 0);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_ERR_NOT_BZIMAGE);

	build_image();
	memcpy(image + HEADER, "hdrS", 4);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_ERR_NOT_BZIMAGE);
	memcpy(image + HEADER, "HdrT", 4);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_ERR_NOT_BZIMAGE);

	/* A zeroed file of the right size is no kernel either. */
	memset(image, 0, IMAGE_SIZE);
	ck_assert_int_eq(parse_image(IMAGE_SIZE, &li), LINUX_ERR_NOT_BZIMAGE);
}
END_TEST

START_TEST(test_err_not_64bit)
{
	static const uint16_t flags[] = { 0, XLF_CAN_BE_LOADED_ABOVE_4G,
					  0xfffe };
	struct linux_image li;
	unsigned int i;

	build_image();
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		put16(image, XLOADFLAGS, flags[i]);
		ck_assert_msg(parse_image(IMAGE_SIZE, &li) ==
			      LINUX_ERR_NOT_64BIT, "xloadflags %#x", flags[i]);
	}
}
END_TEST

/*
 * The header must reach init_size (0x260-0x263) and end inside boot_params'
 * hdr (at 0x290 at most).
 */
START_TEST(test_err_header_end)
{
	static const struct {
		unsigned int end;
		enum linux_error err;
	} cases[] = {
		{ 0x202, LINUX_ERR_TOO_SMALL },
		{ 0x260, LINUX_ERR_TOO_SMALL },
		{ 0x263, LINUX_ERR_TOO_SMALL },
		{ 0x264, LINUX_OK },
		{ 0x268, LINUX_OK },
		{ 0x290, LINUX_OK },
		{ 0x291, LINUX_ERR_TOO_SMALL },
		{ 0x301, LINUX_ERR_TOO_SMALL },	/* jump byte 0xff */
	};
	struct linux_image li;
	unsigned int i;

	build_image();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		set_header_end(cases[i].end);
		ck_assert_msg(parse_image(IMAGE_SIZE, &li) == cases[i].err,
			      "header end %#x", cases[i].end);
	}
}
END_TEST

/* ---- linux_build_zero_page ---- */

/* A memory map like QEMU's, in Linux's struct boot_e820_entry layout. */
static const struct e820_entry qemu_e820[] = {
	{ 0x0, 0x9fc00, E820_RAM },
	{ 0x9fc00, 0x400, E820_RESERVED },
	{ 0xf0000, 0x10000, E820_RESERVED },
	{ 0x100000, 0x7ee0000, E820_RAM },
	{ 0x7fe0000, 0x20000, E820_ACPI },
	{ 0xfffc0000, 0x40000, E820_NVS },
	{ 0x100000000, 0x40000000, E820_RAM },
};

/*
 * What the zero page must hold, written field by field from the boot
 * protocol: everything else stays zero.
 */
static void expected_zero_page(uint8_t *zp, const uint8_t *img,
			       const struct linux_boot_args *a)
{
	unsigned int end = JUMP + 2 + img[JUMP + 1], i;

	memset(zp, 0, BOOT_PARAMS_SIZE);
	memcpy(zp + SETUP_SECTS, img + SETUP_SECTS, end - SETUP_SECTS);
	zp[TYPE_OF_LOADER] = 0xff;
	zp[LOADFLAGS] |= 0x01;				/* LOADED_HIGH */
	put32(zp, CMD_LINE_PTR, (uint32_t)a->cmdline_gpa);
	put32(zp, EXT_CMD_LINE_PTR, (uint32_t)(a->cmdline_gpa >> 32));
	put32(zp, RAMDISK_IMAGE, (uint32_t)a->initrd_gpa);
	put32(zp, EXT_RAMDISK_IMAGE, (uint32_t)(a->initrd_gpa >> 32));
	put32(zp, RAMDISK_SIZE, (uint32_t)a->initrd_size);
	put32(zp, EXT_RAMDISK_SIZE, (uint32_t)(a->initrd_size >> 32));
	put64(zp, ACPI_RSDP_ADDR, a->acpi_rsdp_gpa);
	zp[E820_ENTRIES] = (uint8_t)a->nr_e820;
	for (i = 0; i < a->nr_e820; i++) {
		put64(zp, E820_TABLE + 20 * i, a->e820[i].addr);
		put64(zp, E820_TABLE + 20 * i + 8, a->e820[i].size);
		put32(zp, E820_TABLE + 20 * i + 16, a->e820[i].type);
	}
}

/*
 * Builds the zero page for the first size bytes of img, both in buffers of
 * exactly their size; the page starts as 0xcc so that every byte the
 * function leaves alone shows.  Returns the page (the caller frees it).
 */
static uint8_t *build_zero_page(const uint8_t *img, size_t size,
				const struct linux_boot_args *a,
				enum linux_error *err)
{
	uint8_t *copy = malloc(size);
	uint8_t *zp = malloc(BOOT_PARAMS_SIZE);
	struct linux_image li;

	ck_assert_ptr_nonnull(copy);
	ck_assert_ptr_nonnull(zp);
	memcpy(copy, img, size);
	ck_assert_int_eq(linux_parse(copy, size, &li), LINUX_OK);
	memset(zp, 0xcc, BOOT_PARAMS_SIZE);
	*err = linux_build_zero_page(copy, &li, a, zp);
	free(copy);
	return zp;
}

/* Builds the zero page and compares all 4096 bytes with the expected. */
static void check_zero_page(const uint8_t *img, size_t size,
			    const struct linux_boot_args *a)
{
	uint8_t expected[BOOT_PARAMS_SIZE];
	enum linux_error err;
	uint8_t *zp = build_zero_page(img, size, a, &err);
	unsigned int i;

	ck_assert_int_eq(err, LINUX_OK);
	expected_zero_page(expected, img, a);
	/* (One assertion, not 4096: Check is slow at passing ones.) */
	for (i = 0; i < BOOT_PARAMS_SIZE; i++)
		if (zp[i] != expected[i])
			ck_abort_msg("zero page byte %#x is %#x, expected %#x",
				     i, zp[i], expected[i]);
	free(zp);
}

START_TEST(test_zero_page_fields)
{
	const struct linux_boot_args a = {
		.cmdline_gpa = 0x20000,
		.cmdline_len = 50,
		.initrd_gpa = 0x7f000000,
		.initrd_size = 0x123456,
		.acpi_rsdp_gpa = 0xf5a40,
		.e820 = qemu_e820,
		.nr_e820 = ARRAY_SIZE(qemu_e820),
	};
	enum linux_error err;
	uint8_t *zp;
	unsigned int i;

	build_image();
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_OK);

	/* The setup header, as in the image. */
	ck_assert_uint_eq(zp[SETUP_SECTS], 3);
	ck_assert_uint_eq(get16(zp, BOOT_FLAG), 0xaa55);
	ck_assert_mem_eq(zp + HEADER, "HdrS", 4);
	ck_assert_uint_eq(get16(zp, VERSION), 0x020f);
	ck_assert_uint_eq(get32(zp, CMDLINE_SIZE), 2047);
	ck_assert_uint_eq(get64(zp, PREF_ADDRESS), 0x1000000);
	ck_assert_uint_eq(get32(zp, INIT_SIZE), 0x40000);
	/* What the loader fills in. */
	ck_assert_uint_eq(zp[TYPE_OF_LOADER], 0xff);
	ck_assert_uint_eq(zp[LOADFLAGS], 0x01);
	ck_assert_uint_eq(get32(zp, CMD_LINE_PTR), 0x20000);
	ck_assert_uint_eq(get32(zp, EXT_CMD_LINE_PTR), 0);
	ck_assert_uint_eq(get32(zp, RAMDISK_IMAGE), 0x7f000000);
	ck_assert_uint_eq(get32(zp, RAMDISK_SIZE), 0x123456);
	ck_assert_uint_eq(get32(zp, EXT_RAMDISK_IMAGE), 0);
	ck_assert_uint_eq(get32(zp, EXT_RAMDISK_SIZE), 0);
	ck_assert_uint_eq(get64(zp, ACPI_RSDP_ADDR), 0xf5a40);
	ck_assert_uint_eq(zp[E820_ENTRIES], ARRAY_SIZE(qemu_e820));
	for (i = 0; i < ARRAY_SIZE(qemu_e820); i++) {
		ck_assert_uint_eq(get64(zp, E820_TABLE + 20 * i),
				  qemu_e820[i].addr);
		ck_assert_uint_eq(get64(zp, E820_TABLE + 20 * i + 8),
				  qemu_e820[i].size);
		ck_assert_uint_eq(get32(zp, E820_TABLE + 20 * i + 16),
				  qemu_e820[i].type);
	}
	/* After the header: zeros, not the image's bytes there. */
	for (i = HDR_END; i < HDR_LIMIT; i++)
		FAST_ASSERT(zp[i] == 0);
	free(zp);

	/* And not a byte more or less than all that. */
	check_zero_page(image, IMAGE_SIZE, &a);
}
END_TEST

START_TEST(test_zero_page_above_4g)
{
	const struct linux_boot_args a = {
		.cmdline_gpa = 0x123456000,
		.cmdline_len = 2047,
		.initrd_gpa = 0x280000000,
		.initrd_size = 0x100001000,
		.acpi_rsdp_gpa = 0x1000000000f0,
		.e820 = qemu_e820,
		.nr_e820 = 3,
	};
	enum linux_error err;
	uint8_t *zp;

	build_image();
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_OK);
	ck_assert_uint_eq(get32(zp, CMD_LINE_PTR), 0x23456000);
	ck_assert_uint_eq(get32(zp, EXT_CMD_LINE_PTR), 0x1);
	ck_assert_uint_eq(get32(zp, RAMDISK_IMAGE), 0x80000000);
	ck_assert_uint_eq(get32(zp, EXT_RAMDISK_IMAGE), 0x2);
	ck_assert_uint_eq(get32(zp, RAMDISK_SIZE), 0x1000);
	ck_assert_uint_eq(get32(zp, EXT_RAMDISK_SIZE), 0x1);
	ck_assert_uint_eq(get64(zp, ACPI_RSDP_ADDR), 0x1000000000f0);
	ck_assert_uint_eq(zp[E820_ENTRIES], 3);
	free(zp);

	check_zero_page(image, IMAGE_SIZE, &a);
}
END_TEST

START_TEST(test_zero_page_nothing_optional)
{
	/* No initrd, no RSDP, no e820, an empty command line. */
	const struct linux_boot_args a = { .cmdline_gpa = 0x20000 };
	enum linux_error err;
	uint8_t *zp;
	unsigned int i;

	build_image();
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_OK);
	/* The image's bytes in these fields are overwritten with zeros. */
	ck_assert_uint_eq(get32(zp, RAMDISK_IMAGE), 0);
	ck_assert_uint_eq(get32(zp, RAMDISK_SIZE), 0);
	ck_assert_uint_eq(get64(zp, ACPI_RSDP_ADDR), 0);
	ck_assert_uint_eq(zp[E820_ENTRIES], 0);
	for (i = E820_TABLE; i < E820_TABLE + 128 * 20; i++)
		FAST_ASSERT(zp[i] == 0);
	free(zp);

	check_zero_page(image, IMAGE_SIZE, &a);
}
END_TEST

/* The header is copied up to where it ends, wherever that is. */
START_TEST(test_zero_page_header_ends)
{
	static const unsigned int ends[] = { 0x264, 0x268, 0x26c, 0x280,
					     0x290 };
	const struct linux_boot_args a = { .cmdline_gpa = 0x20000 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ends); i++) {
		build_image();
		set_header_end(ends[i]);
		check_zero_page(image, IMAGE_SIZE, &a);
	}
}
END_TEST

START_TEST(test_zero_page_loadflags)
{
	static const uint8_t in[] = { 0x00, 0x01, 0x80, 0x81, 0x20 };
	const struct linux_boot_args a = { .cmdline_gpa = 0x20000 };
	unsigned int i;

	/* LOADED_HIGH is set; the image's other bits are kept. */
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		enum linux_error err;
		uint8_t *zp;

		build_image();
		image[LOADFLAGS] = in[i];
		zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
		ck_assert_int_eq(err, LINUX_OK);
		ck_assert_uint_eq(zp[LOADFLAGS], in[i] | 0x01);
		free(zp);
	}
}
END_TEST

START_TEST(test_zero_page_cmdline_limit)
{
	struct linux_boot_args a = { .cmdline_gpa = 0x20000 };
	enum linux_error err;
	uint8_t *zp;

	build_image();
	/* cmdline_size does not count the NUL: 2047 characters fit. */
	a.cmdline_len = 2047;
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_OK);
	free(zp);

	a.cmdline_len = 2048;
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_ERR_CMDLINE);
	free(zp);

	a.cmdline_len = UINT64_MAX;
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_ERR_CMDLINE);
	free(zp);

	/* A kernel with cmdline_size 0 takes only an empty command line. */
	put32(image, CMDLINE_SIZE, 0);
	a.cmdline_len = 0;
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_OK);
	free(zp);
	a.cmdline_len = 1;
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_ERR_CMDLINE);
	free(zp);
}
END_TEST

START_TEST(test_zero_page_e820_limit)
{
	static struct e820_entry map[E820_MAX_ZEROPAGE + 1];
	struct linux_boot_args a = { .cmdline_gpa = 0x20000, .e820 = map };
	enum linux_error err;
	uint8_t *zp;
	unsigned int i;

	/* Each entry is 20 bytes in the zero page: addr, size, type. */
	ck_assert_uint_eq(sizeof(struct e820_entry), 20);
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		map[i].addr = 0x100000000 * i + 0x1000;
		map[i].size = 0x1000 + i;
		map[i].type = i % 5 + 1;
	}

	/* 128 entries fill the table up to 0xcd0. */
	build_image();
	a.nr_e820 = E820_MAX_ZEROPAGE;
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_OK);
	ck_assert_uint_eq(zp[E820_ENTRIES], 128);
	ck_assert_uint_eq(get64(zp, E820_TABLE + 20 * 127), map[127].addr);
	ck_assert_uint_eq(get64(zp, E820_TABLE + 20 * 127 + 8), map[127].size);
	ck_assert_uint_eq(get32(zp, E820_TABLE + 20 * 127 + 16), map[127].type);
	ck_assert_uint_eq(E820_TABLE + 20 * 128, 0xcd0);
	free(zp);
	check_zero_page(image, IMAGE_SIZE, &a);

	a.nr_e820 = E820_MAX_ZEROPAGE + 1;
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_ERR_E820);
	free(zp);

	/* Refused before the table is read: map has only 129 entries. */
	a.nr_e820 = 0xffffffff;
	zp = build_zero_page(image, IMAGE_SIZE, &a, &err);
	ck_assert_int_eq(err, LINUX_ERR_E820);
	free(zp);
}
END_TEST

/* ---- The real dom0 kernel ---- */

START_TEST(test_real_kernel)
{
	const char *path = UT_BUILD_DIR "/dom0/vmlinuz";
	struct linux_boot_args a = {
		.cmdline_gpa = 0x20000,
		.cmdline_len = 100,
		.initrd_gpa = 0x7000000,
		.initrd_size = 0x2000000,
		.acpi_rsdp_gpa = 0xf5a40,
		.e820 = qemu_e820,
		.nr_e820 = ARRAY_SIZE(qemu_e820),
	};
	unsigned int setup_sects;
	struct linux_image li;
	uint64_t kernel_offset;
	uint8_t *img;
	size_t size;

	/* The unit-tests target builds it first: missing is a failure. */
	ck_assert_msg(access(path, R_OK) == 0,
		      "%s is missing: build it (make unit-tests does)", path);
	img = read_whole_file(path, &size);
	ck_assert_int_eq(linux_parse(img, size, &li), LINUX_OK);

	/* What linux_parse says, against the header read here. */
	setup_sects = img[SETUP_SECTS] ? img[SETUP_SECTS] : 4;
	kernel_offset = (setup_sects + 1) * 512;
	ck_assert_uint_ge(li.protocol, 0x020c);
	ck_assert_uint_eq(li.protocol, get16(img, VERSION));
	ck_assert_uint_eq(li.kernel_offset, kernel_offset);
	ck_assert_uint_eq(li.kernel_size, size - kernel_offset);
	ck_assert_uint_eq(li.pref_address, get64(img, PREF_ADDRESS));
	ck_assert_uint_eq(li.alignment, get32(img, KERNEL_ALIGNMENT));
	ck_assert_int_eq(li.relocatable, img[RELOCATABLE] != 0);
	ck_assert_uint_ge(li.init_size, li.kernel_size);
	ck_assert_uint_ge(li.init_size, get32(img, INIT_SIZE));
	ck_assert_uint_eq(li.cmdline_size, get32(img, CMDLINE_SIZE));
	if (get16(img, XLOADFLAGS) & XLF_CAN_BE_LOADED_ABOVE_4G)
		ck_assert_uint_eq(li.initrd_addr_max, UINT64_MAX);
	else
		ck_assert_uint_eq(li.initrd_addr_max,
				  get32(img, INITRD_ADDR_MAX));
	/* Debian's kernel: relocatable, a power-of-two alignment. */
	ck_assert(li.relocatable);
	ck_assert_uint_ne(li.alignment, 0);
	ck_assert_uint_eq(li.alignment & (li.alignment - 1), 0);

	check_zero_page(img, size, &a);
	free(img);
}
END_TEST

/* ---- linux_kernel_release ---- */

#define KERNEL_VERSION		0x20e

/*
 * An exact-size copy of a built image whose kernel_version points at str
 * (at 0x200 + 0x400), followed by tail bytes of it: ASan sees any read past
 * the end.
 */
static uint8_t *image_with_version(const char *str, size_t tail, size_t *size)
{
	uint8_t *copy;

	build_image();
	put16(image, KERNEL_VERSION, 0x400);
	*size = JUMP + 0x400 + tail;
	copy = malloc(*size);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, image, JUMP + 0x400);
	memcpy(copy + JUMP + 0x400, str, tail);
	return copy;
}

START_TEST(test_release)
{
	const char *v = "6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1";
	char out[32];
	size_t size;
	uint8_t *img = image_with_version(v, strlen(v) + 1, &size);

	ck_assert_uint_eq(linux_kernel_release(img, size, out, sizeof(out)), 14);
	ck_assert_str_eq(out, "6.1.0-50-amd64");
	/* Exactly fits with its NUL; one byte less does not. */
	ck_assert_uint_eq(linux_kernel_release(img, size, out, 15), 14);
	ck_assert_uint_eq(linux_kernel_release(img, size, out, 14), 0);
	ck_assert_str_eq(out, "");
	free(img);
}
END_TEST

START_TEST(test_release_missing_or_bad)
{
	char out[32];
	size_t size;
	uint8_t *img;

	/* No terminator before the end of the image. */
	img = image_with_version("6.1.0", 5, &size);
	ck_assert_uint_eq(linux_kernel_release(img, size, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	free(img);

	/* Characters a release never has (it goes into JSON and logs). */
	img = image_with_version("6.1\"x", 6, &size);
	ck_assert_uint_eq(linux_kernel_release(img, size, out, sizeof(out)), 0);
	free(img);

	/* Empty, and kernel_version 0 (no string). */
	img = image_with_version("", 1, &size);
	ck_assert_uint_eq(linux_kernel_release(img, size, out, sizeof(out)), 0);
	put16(img, KERNEL_VERSION, 0);
	ck_assert_uint_eq(linux_kernel_release(img, size, out, sizeof(out)), 0);
	/* Pointing past the image. */
	put16(img, KERNEL_VERSION, 0xffff);
	ck_assert_uint_eq(linux_kernel_release(img, size, out, sizeof(out)), 0);
	free(img);
}
END_TEST

START_TEST(test_strerror)
{
	enum linux_error a, b;

	for (a = LINUX_OK; a <= LINUX_ERR_E820; a++) {
		const char *s = linux_strerror(a);

		ck_assert_ptr_nonnull(s);
		ck_assert_uint_gt(strlen(s), 0);
		for (b = LINUX_OK; b < a; b++)
			ck_assert_str_ne(s, linux_strerror(b));
	}
	ck_assert_str_eq(linux_strerror((enum linux_error)99),
			 "unknown error");
}
END_TEST

Suite *linux_boot_suite(void)
{
	Suite *s = suite_create("linux_boot");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_fields);
	tcase_add_test(tc, test_parse_setup_sects);
	tcase_add_test(tc, test_parse_init_size);
	tcase_add_test(tc, test_parse_initrd_addr_max);
	tcase_add_test(tc, test_parse_not_relocatable);
	tcase_add_test(tc, test_parse_protocol);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_errors");
	tcase_add_test(tc, test_err_too_small);
	tcase_add_test(tc, test_err_bad_magic);
	tcase_add_test(tc, test_err_not_64bit);
	tcase_add_test(tc, test_err_header_end);
	suite_add_tcase(s, tc);

	tc = tcase_create("zero_page");
	tcase_add_test(tc, test_zero_page_fields);
	tcase_add_test(tc, test_zero_page_above_4g);
	tcase_add_test(tc, test_zero_page_nothing_optional);
	tcase_add_test(tc, test_zero_page_header_ends);
	tcase_add_test(tc, test_zero_page_loadflags);
	tcase_add_test(tc, test_zero_page_cmdline_limit);
	tcase_add_test(tc, test_zero_page_e820_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("release");
	tcase_add_test(tc, test_release);
	tcase_add_test(tc, test_release_missing_or_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("real");
	tcase_add_test(tc, test_real_kernel);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);
	return s;
}
