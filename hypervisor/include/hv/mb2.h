/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot2: the header GRUB looks for in our image, and the boot
 * information it hands us.  mb2_parse() checks every tag against the size
 * GRUB declared before it trusts it, and copies what the hypervisor needs into
 * a struct boot_info, so nothing later walks the raw tags again.
 *
 * Reference: the Multiboot2 specification, version 2.0.
 */
#ifndef HV_MB2_H
#define HV_MB2_H

#include <lib/types.h>

#define MB2_HEADER_MAGIC	0xe85250d6	/* in our image */
#define MB2_BOOTLOADER_MAGIC	0x36d76289	/* in EAX at entry */
#define MB2_ARCH_I386		0

/* Boot information tag types. */
#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1
#define MB2_TAG_LOADER_NAME	2
#define MB2_TAG_MODULE		3
#define MB2_TAG_BASIC_MEMINFO	4
#define MB2_TAG_MMAP		6
#define MB2_TAG_ACPI_OLD	14
#define MB2_TAG_ACPI_NEW	15

/* Memory map entry types (the same numbers as the BIOS e820 types). */
#define MB2_MEM_AVAILABLE	1
#define MB2_MEM_RESERVED	2
#define MB2_MEM_ACPI_RECLAIMABLE 3
#define MB2_MEM_NVS		4
#define MB2_MEM_BAD		5

struct mb2_tag {
	uint32_t type;
	uint32_t size;		/* including this header, excluding padding */
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
	uint32_t reserved;
};

#define BOOT_MAX_MEM_REGIONS	128
#define BOOT_MAX_MODULES	16

struct mem_region {
	uint64_t base;
	uint64_t len;		/* base + len never wraps: at most 2^64 - 1 */
	uint32_t type;		/* MB2_MEM_* */
};

struct boot_module {
	uint64_t start;		/* physical, first byte */
	uint64_t end;		/* physical, one past the last byte */
	const char *cmdline;	/* points into the boot information */
};

struct boot_info {
	const char *cmdline;		/* "" when GRUB gave none */
	const char *loader_name;	/* "" when GRUB gave none */
	struct mem_region mem[BOOT_MAX_MEM_REGIONS];
	unsigned int nr_mem;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned int nr_modules;
	const void *acpi_rsdp;		/* copy of the RSDP inside the info, or NULL */
	size_t acpi_rsdp_len;
	uint32_t total_size;		/* bytes of boot information to keep */
};

enum mb2_error {
	MB2_OK = 0,
	MB2_ERR_NULL,		/* no boot information at all */
	MB2_ERR_SIZE,		/* total size too small or too large */
	MB2_ERR_TAG,		/* a tag runs past the end or is too short */
	MB2_ERR_NO_END,		/* no end tag */
	MB2_ERR_STRING,		/* a string is not NUL-terminated in its tag */
	MB2_ERR_MMAP,		/* bad memory map entry size */
	MB2_ERR_TOO_MANY,	/* more regions or modules than we keep */
	MB2_ERR_NO_MMAP,	/* no memory map tag */
	MB2_ERR_MODULE,		/* module with end before start */
};

/* Largest boot information we accept: GRUB's is a few KiB. */
#define MB2_MAX_INFO_SIZE	(1024 * 1024)

/*
 * Parses the boot information at info (8-byte aligned, as GRUB leaves it).
 * max_size bounds how far we may read (pass MB2_MAX_INFO_SIZE when the real
 * extent is unknown).  On success fills *bi and returns MB2_OK.
 */
enum mb2_error mb2_parse(const void *info, size_t max_size,
			 struct boot_info *bi);

const char *mb2_strerror(enum mb2_error err);

#endif
