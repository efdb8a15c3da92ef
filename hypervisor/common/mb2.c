// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multiboot2 boot information parser (see hv/mb2.h).  Pure code, unit-tested
 * on the host with hand-built tag lists.
 */
#include <hv/mb2.h>
#include <lib/string.h>

/* True when the tag payload holds a NUL-terminated string from offset off. */
static bool tag_has_string(const struct mb2_tag *tag, size_t off)
{
	const char *s = (const char *)tag;
	size_t i;

	for (i = off; i < tag->size; i++)
		if (s[i] == '\0')
			return true;
	return false;
}

static enum mb2_error parse_mmap(const struct mb2_tag *tag,
				 struct boot_info *bi)
{
	const uint8_t *p = (const uint8_t *)tag;
	uint32_t entry_size, off;

	if (tag->size < 16)
		return MB2_ERR_TAG;
	entry_size = *(const uint32_t *)(p + 8);
	/* Entries may grow in later versions, never shrink. */
	if (entry_size < sizeof(struct mb2_mmap_entry) || entry_size % 8)
		return MB2_ERR_MMAP;

	/* 64-bit sums: a huge entry_size must not wrap back into the tag. */
	for (off = 16; (uint64_t)off + entry_size <= tag->size; off += entry_size) {
		const struct mb2_mmap_entry *e = (const void *)(p + off);
		struct mem_region *r;

		if (e->len == 0)
			continue;
		if (bi->nr_mem == BOOT_MAX_MEM_REGIONS)
			return MB2_ERR_TOO_MANY;
		r = &bi->mem[bi->nr_mem++];
		r->base = e->base;
		/*
		 * A region reaching 2^64 or past it is clipped to end before
		 * the last byte, so base + len never overflows for anyone.
		 */
		r->len = e->len > UINT64_MAX - e->base ? UINT64_MAX - e->base : e->len;
		r->type = e->type;
	}
	return MB2_OK;
}

static enum mb2_error parse_module(const struct mb2_tag *tag,
				   struct boot_info *bi)
{
	const uint32_t *w = (const uint32_t *)tag;
	struct boot_module *m;

	if (tag->size < 17 || !tag_has_string(tag, 16))
		return tag->size < 17 ? MB2_ERR_TAG : MB2_ERR_STRING;
	if (w[3] < w[2])
		return MB2_ERR_MODULE;
	if (bi->nr_modules == BOOT_MAX_MODULES)
		return MB2_ERR_TOO_MANY;
	m = &bi->modules[bi->nr_modules++];
	m->start = w[2];
	m->end = w[3];
	m->cmdline = (const char *)tag + 16;
	return MB2_OK;
}

enum mb2_error mb2_parse(const void *info, size_t max_size,
			 struct boot_info *bi)
{
	const uint8_t *base = info;
	uint32_t total, off;
	bool have_mmap = false;

	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";
	bi->loader_name = "";
	if (!info)
		return MB2_ERR_NULL;

	/* max_size bounds every read, the size field's own included. */
	if (max_size < 16)
		return MB2_ERR_SIZE;
	total = *(const uint32_t *)base;
	if (total < 16 || total > max_size)
		return MB2_ERR_SIZE;
	bi->total_size = total;

	for (off = 8; off + sizeof(struct mb2_tag) <= total;
	     off = ALIGN_UP(off + ((const struct mb2_tag *)(base + off))->size, 8)) {
		const struct mb2_tag *tag = (const void *)(base + off);
		enum mb2_error err = MB2_OK;

		if (tag->size < sizeof(*tag) || tag->size > total - off)
			return MB2_ERR_TAG;

		switch (tag->type) {
		case MB2_TAG_END:
			if (!have_mmap)
				return MB2_ERR_NO_MMAP;
			return MB2_OK;
		case MB2_TAG_CMDLINE:
		case MB2_TAG_LOADER_NAME:
			if (!tag_has_string(tag, 8))
				return MB2_ERR_STRING;
			if (tag->type == MB2_TAG_CMDLINE)
				bi->cmdline = (const char *)tag + 8;
			else
				bi->loader_name = (const char *)tag + 8;
			break;
		case MB2_TAG_MODULE:
			err = parse_module(tag, bi);
			break;
		case MB2_TAG_MMAP:
			err = parse_mmap(tag, bi);
			have_mmap = true;
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* Prefer the ACPI 2.0+ RSDP when GRUB gives both. */
			if (!bi->acpi_rsdp || tag->type == MB2_TAG_ACPI_NEW) {
				bi->acpi_rsdp = (const uint8_t *)tag + 8;
				bi->acpi_rsdp_len = tag->size - 8;
			}
			break;
		default:
			break;	/* tags we do not use are skipped */
		}
		if (err != MB2_OK)
			return err;
	}
	return MB2_ERR_NO_END;
}

const char *mb2_strerror(enum mb2_error err)
{
	switch (err) {
	case MB2_OK:		return "ok";
	case MB2_ERR_NULL:	return "no boot information";
	case MB2_ERR_SIZE:	return "boot information size out of range";
	case MB2_ERR_TAG:	return "malformed tag";
	case MB2_ERR_NO_END:	return "no end tag";
	case MB2_ERR_STRING:	return "unterminated string";
	case MB2_ERR_MMAP:	return "bad memory map entry size";
	case MB2_ERR_TOO_MANY:	return "too many memory regions or modules";
	case MB2_ERR_NO_MMAP:	return "no memory map";
	case MB2_ERR_MODULE:	return "module ends before it starts";
	}
	return "unknown error";
}
