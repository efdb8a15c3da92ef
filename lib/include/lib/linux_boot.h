/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loading a Linux bzImage through the x86 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst in Linux): the "zero page" (struct
 * boot_params) with the setup header copied from the image, the e820 memory
 * map, the command line and initrd, and entry at the 64-bit entry point
 * (load address + 0x200) with RSI pointing at the zero page.
 *
 * This file is pure: it reads the image and fills buffers, so it is unit
 * tested on the host; placing things in guest memory is the caller's job.
 */
#ifndef LIB_LINUX_BOOT_H
#define LIB_LINUX_BOOT_H

#include <hvabi.h>
#include <lib/types.h>

#define BOOT_PARAMS_SIZE	4096
#define E820_MAX_ZEROPAGE	128

/* e820 types, as Linux knows them. */
#define E820_RAM		1
#define E820_RESERVED		2
#define E820_ACPI		3
#define E820_NVS		4
#define E820_UNUSABLE		5

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __packed;

/* What the caller needs to know to place and start the kernel. */
struct linux_image {
	uint16_t protocol;		/* boot protocol version, e.g. 0x020f */
	uint64_t kernel_offset;		/* protected-mode kernel in the image */
	uint64_t kernel_size;
	uint64_t pref_address;		/* where it wants to be loaded */
	uint64_t alignment;		/* load address alignment if relocatable */
	bool relocatable;
	uint64_t init_size;		/* bytes needed from the load address */
	uint64_t initrd_addr_max;	/* highest byte an initrd may occupy */
	uint32_t cmdline_size;		/* longest command line, without NUL */
};

enum linux_error {
	LINUX_OK = 0,
	LINUX_ERR_TOO_SMALL,		/* shorter than its own header says */
	LINUX_ERR_NOT_BZIMAGE,		/* no 0xAA55 / "HdrS" */
	LINUX_ERR_TOO_OLD,		/* protocol before 2.12 */
	LINUX_ERR_NOT_64BIT,		/* no 64-bit entry point */
	LINUX_ERR_CMDLINE,		/* command line too long */
	LINUX_ERR_E820,			/* too many e820 entries */
	LINUX_ERR_NO_ROOM,		/* kernel and initrd do not fit */
	LINUX_ERR_PLACEMENT,		/* kernel or initrd misplaced */
};

/*
 * linux_parse reads no more than this much of the image (the setup
 * header): the ABI's HV_LINUX_HEAD_LEN, what dom0 sends with a boot.
 */
#define LINUX_HEAD_LEN		HV_LINUX_HEAD_LEN

const char *linux_strerror(enum linux_error err);

/*
 * Checks a bzImage of size bytes and describes it.  Only the first
 * LINUX_HEAD_LEN bytes are read, so image may be just those.
 */
enum linux_error linux_parse(const uint8_t *image, uint64_t size,
			     struct linux_image *out);

/*
 * The kernel's release, e.g. "6.1.0-50-amd64": the first word of the string
 * the setup header's kernel_version field points at.  Copies it with its
 * NUL into out and returns its length; returns 0 (out = "") when the image
 * has none, it is not made of [A-Za-z0-9._+~-], or it and its NUL do not
 * fit in out_size bytes.  Reads only image[0, size).
 */
unsigned int linux_kernel_release(const uint8_t *image, uint64_t size,
				  char *out, unsigned int out_size);

/*
 * Placement in RAM contiguous over [0, ram_bytes) (for a customer domain:
 * its low RAM, hvp_ram_low_bytes() of its size, since the rest is above the
 * MMIO hole), nothing below low (the boot data) usable: the kernel at its
 * preferred address, or if it is relocatable the lowest aligned address at
 * or above low; the initrd page-aligned at the top of that RAM under its
 * limit, above the kernel.
 */
enum linux_error linux_place(const struct linux_image *li, uint64_t ram_bytes,
			     uint64_t low, uint64_t initrd_size,
			     uint64_t *kernel, uint64_t *initrd);

/* Checks a placement someone else chose, by the same rules. */
enum linux_error linux_check_placement(const struct linux_image *li,
				       uint64_t ram_bytes, uint64_t low,
				       uint64_t kernel, uint64_t initrd,
				       uint64_t initrd_size);

struct linux_boot_args {
	uint64_t cmdline_gpa;		/* where the command line is */
	uint64_t cmdline_len;		/* its length, without NUL */
	uint64_t initrd_gpa;		/* 0 = no initrd */
	uint64_t initrd_size;
	uint64_t acpi_rsdp_gpa;		/* 0 = let Linux search */
	const struct e820_entry *e820;
	unsigned int nr_e820;
};

/*
 * Fills zero_page (BOOT_PARAMS_SIZE bytes) for image: its setup header,
 * loader type, command line, initrd, RSDP and e820 map.
 */
enum linux_error linux_build_zero_page(const uint8_t *image,
				       const struct linux_image *li,
				       const struct linux_boot_args *args,
				       uint8_t *zero_page);

/*
 * What the 64-bit entry needs besides the zero page: a GDT with the
 * selectors Linux expects (__BOOT_CS 0x10, __BOOT_DS 0x18) and page tables
 * mapping 0-4 GiB 1:1 with 2 MiB pages.
 */
#define LINUX_BOOT_CS		0x10
#define LINUX_BOOT_DS		0x18
#define LINUX_BOOT_GDT_ENTRIES	4
#define LINUX_BOOT_PT_PAGES	6	/* PML4, PDPT, four PDs, contiguous */

void linux_boot_gdt(uint64_t gdt[LINUX_BOOT_GDT_ENTRIES]);

/* Fills LINUX_BOOT_PT_PAGES pages that will live at physical address base. */
void linux_boot_page_tables(uint64_t *pages, uint64_t base);

#endif
