// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linux x86 64-bit boot protocol (see lib/linux_boot.h).  Offsets are those
 * of struct boot_params and struct setup_header in Linux's
 * arch/x86/include/uapi/asm/bootparam.h.
 */
#include <lib/linux_boot.h>
#include <lib/string.h>

/* struct boot_params */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_HDR			0x1f1
#define BP_HDR_END		0x290	/* edd_mbr_sig_buffer follows hdr */
#define BP_E820_TABLE		0x2d0

/* struct setup_header, as offsets into the image / the zero page */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_HEADER		0x202
#define HDR_VERSION		0x206
#define HDR_KERNEL_VERSION	0x20e
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260

#define BOOT_FLAG_MAGIC		0xaa55
#define HEADER_MAGIC		0x53726448	/* "HdrS" */
#define XLF_KERNEL_64		(1 << 0)
#define XLF_CAN_BE_LOADED_ABOVE_4G (1 << 1)
#define LOADER_TYPE_UNDEFINED	0xff
#define LOADED_HIGH		(1 << 0)

static uint32_t get32(const uint8_t *p, unsigned int off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static uint16_t get16(const uint8_t *p, unsigned int off)
{
	uint16_t v;

	memcpy(&v, p + off, 2);
	return v;
}

static uint64_t get64(const uint8_t *p, unsigned int off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

static void put64(uint8_t *p, unsigned int off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}

/* The setup header ends where the jump at 0x200 lands. */
static unsigned int header_end(const uint8_t *image)
{
	return HDR_JUMP + 2 + image[HDR_JUMP + 1];
}

enum linux_error linux_parse(const uint8_t *image, uint64_t size,
			     struct linux_image *out)
{
	unsigned int setup_sects;

	memset(out, 0, sizeof(*out));
	if (size < 0x400)
		return LINUX_ERR_TOO_SMALL;
	if (get16(image, HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC ||
	    get32(image, HDR_HEADER) != HEADER_MAGIC)
		return LINUX_ERR_NOT_BZIMAGE;
	out->protocol = get16(image, HDR_VERSION);
	/* 2.12 brought xloadflags, which says whether a 64-bit entry exists. */
	if (out->protocol < 0x020c)
		return LINUX_ERR_TOO_OLD;
	/* The header must reach init_size and end inside boot_params' hdr. */
	if (header_end(image) < HDR_INIT_SIZE + 4 ||
	    header_end(image) > BP_HDR_END || header_end(image) > size)
		return LINUX_ERR_TOO_SMALL;
	if (!(get16(image, HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return LINUX_ERR_NOT_64BIT;

	setup_sects = image[HDR_SETUP_SECTS] ? image[HDR_SETUP_SECTS] : 4;
	out->kernel_offset = (uint64_t)(setup_sects + 1) * 512;
	if (out->kernel_offset >= size)
		return LINUX_ERR_TOO_SMALL;
	out->kernel_size = size - out->kernel_offset;
	out->pref_address = get64(image, HDR_PREF_ADDRESS);
	out->alignment = get32(image, HDR_KERNEL_ALIGNMENT);
	out->relocatable = image[HDR_RELOCATABLE] != 0;
	out->init_size = get32(image, HDR_INIT_SIZE);
	if (out->init_size < out->kernel_size)
		out->init_size = out->kernel_size;
	out->initrd_addr_max = get32(image, HDR_INITRD_ADDR_MAX);
	if (get16(image, HDR_XLOADFLAGS) & XLF_CAN_BE_LOADED_ABOVE_4G)
		out->initrd_addr_max = UINT64_MAX;
	out->cmdline_size = get32(image, HDR_CMDLINE_SIZE);
	return LINUX_OK;
}

enum linux_error linux_build_zero_page(const uint8_t *image,
				       const struct linux_image *li,
				       const struct linux_boot_args *args,
				       uint8_t *zp)
{
	unsigned int i;

	if (args->cmdline_len > li->cmdline_size)
		return LINUX_ERR_CMDLINE;
	if (args->nr_e820 > E820_MAX_ZEROPAGE)
		return LINUX_ERR_E820;

	memset(zp, 0, BOOT_PARAMS_SIZE);
	memcpy(zp + BP_HDR, image + BP_HDR, header_end(image) - BP_HDR);

	zp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;
	zp[HDR_LOADFLAGS] |= LOADED_HIGH;
	put32(zp, HDR_CMD_LINE_PTR, (uint32_t)args->cmdline_gpa);
	put32(zp, BP_EXT_CMD_LINE_PTR, (uint32_t)(args->cmdline_gpa >> 32));
	put32(zp, HDR_RAMDISK_IMAGE, (uint32_t)args->initrd_gpa);
	put32(zp, BP_EXT_RAMDISK_IMAGE, (uint32_t)(args->initrd_gpa >> 32));
	put32(zp, HDR_RAMDISK_SIZE, (uint32_t)args->initrd_size);
	put32(zp, BP_EXT_RAMDISK_SIZE, (uint32_t)(args->initrd_size >> 32));
	put64(zp, BP_ACPI_RSDP_ADDR, args->acpi_rsdp_gpa);

	zp[BP_E820_ENTRIES] = (uint8_t)args->nr_e820;
	for (i = 0; i < args->nr_e820; i++)
		memcpy(zp + BP_E820_TABLE + i * sizeof(struct e820_entry),
		       &args->e820[i], sizeof(struct e820_entry));
	return LINUX_OK;
}

/* [a, a + n) inside [lo, hi), without wrapping. */
static bool inside(uint64_t a, uint64_t n, uint64_t lo, uint64_t hi)
{
	return a >= lo && a <= hi && n <= hi - a;
}

enum linux_error linux_check_placement(const struct linux_image *li,
				       uint64_t ram_bytes, uint64_t low,
				       uint64_t kernel, uint64_t initrd,
				       uint64_t initrd_size)
{
	uint64_t align = li->alignment ? li->alignment : 1;

	if (!inside(kernel, li->init_size, low, ram_bytes))
		return LINUX_ERR_PLACEMENT;
	if (kernel != li->pref_address &&
	    (!li->relocatable || align & (align - 1) || kernel % align))
		return LINUX_ERR_PLACEMENT;
	if (!initrd_size)
		return LINUX_OK;
	if (!inside(initrd, initrd_size, low, ram_bytes) ||
	    initrd + initrd_size - 1 > li->initrd_addr_max ||
	    (initrd < kernel + li->init_size && kernel < initrd + initrd_size))
		return LINUX_ERR_PLACEMENT;
	return LINUX_OK;
}

enum linux_error linux_place(const struct linux_image *li, uint64_t ram_bytes,
			     uint64_t low, uint64_t initrd_size,
			     uint64_t *kernel, uint64_t *initrd)
{
	uint64_t align = li->alignment ? li->alignment : 2 * 1024 * 1024;
	uint64_t top;

	if (align & (align - 1))
		return LINUX_ERR_PLACEMENT;
	*kernel = li->pref_address;
	if (!inside(*kernel, li->init_size, low, ram_bytes)) {
		if (!li->relocatable || low > UINT64_MAX - align)
			return LINUX_ERR_NO_ROOM;
		*kernel = ALIGN_UP(low, align);
	}
	*initrd = 0;
	if (initrd_size) {
		top = ram_bytes;
		if (li->initrd_addr_max != UINT64_MAX && top > li->initrd_addr_max + 1)
			top = li->initrd_addr_max + 1;
		if (initrd_size > top)
			return LINUX_ERR_NO_ROOM;
		*initrd = ALIGN_DOWN(top - initrd_size, 4096);
	}
	if (linux_check_placement(li, ram_bytes, low, *kernel, *initrd,
				  initrd_size) != LINUX_OK)
		return LINUX_ERR_NO_ROOM;
	return LINUX_OK;
}

void linux_boot_gdt(uint64_t gdt[LINUX_BOOT_GDT_ENTRIES])
{
	memset(gdt, 0, LINUX_BOOT_GDT_ENTRIES * sizeof(uint64_t));
	gdt[LINUX_BOOT_CS / 8] = 0x00af9a000000ffffULL;	/* 64-bit code */
	gdt[LINUX_BOOT_DS / 8] = 0x00cf92000000ffffULL;	/* data */
}

void linux_boot_page_tables(uint64_t *pages, uint64_t base)
{
	uint64_t *pml4 = pages, *pdpt = pages + 512, *pd = pages + 1024;
	unsigned int i;

	memset(pages, 0, LINUX_BOOT_PT_PAGES * 4096);
	pml4[0] = (base + 4096) | 0x3;				/* P, RW */
	for (i = 0; i < 4; i++)
		pdpt[i] = (base + (2 + i) * 4096) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (uint64_t)i * 2 * 1024 * 1024 | 0x83;	/* P, RW, PS */
}

/* The characters of a release string such as "6.1.0-50-amd64". */
static bool release_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_' ||
	       c == '+' || c == '~';
}

unsigned int linux_kernel_release(const uint8_t *image, uint64_t size,
				  char *out, unsigned int out_size)
{
	uint64_t off, i;

	if (out_size == 0)
		return 0;
	out[0] = '\0';
	if (size < 0x400 || get16(image, HDR_KERNEL_VERSION) == 0)
		return 0;
	/* kernel_version counts from the jump at 0x200. */
	off = HDR_JUMP + (uint64_t)get16(image, HDR_KERNEL_VERSION);
	for (i = 0;; i++) {
		uint8_t c;

		if (off + i >= size)
			return 0;	/* runs off the end of the image */
		c = image[off + i];
		if (c == '\0' || c == ' ')
			break;
		if (!release_char(c) || i + 1 >= out_size)
			return 0;	/* not a release, or no room for it */
	}
	if (i == 0)
		return 0;
	memcpy(out, image + off, i);
	out[i] = '\0';
	return (unsigned int)i;
}

const char *linux_strerror(enum linux_error err)
{
	switch (err) {
	case LINUX_OK:			return "ok";
	case LINUX_ERR_TOO_SMALL:	return "image truncated";
	case LINUX_ERR_NOT_BZIMAGE:	return "not a Linux bzImage";
	case LINUX_ERR_TOO_OLD:		return "boot protocol older than 2.12";
	case LINUX_ERR_NOT_64BIT:	return "kernel has no 64-bit entry point";
	case LINUX_ERR_CMDLINE:		return "command line too long";
	case LINUX_ERR_E820:		return "too many e820 entries";
	case LINUX_ERR_NO_ROOM:		return "kernel and initrd do not fit in memory";
	case LINUX_ERR_PLACEMENT:	return "kernel or initrd outside the allowed places";
	}
	return "unknown error";
}
