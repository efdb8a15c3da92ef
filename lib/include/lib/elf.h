/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading an ELF kernel for PVH boot: its loadable segments and the
 * XEN_ELFNOTE_PHYS32_ENTRY note.  Every offset and size is checked against
 * the file before use: a kernel image is input like any other.  Pure code,
 * unit-tested on the host.
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <lib/types.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
	uint64_t paddr;		/* where it goes in guest-physical memory */
	uint64_t offset;	/* where its bytes are in the file */
	uint64_t filesz;	/* bytes to copy */
	uint64_t memsz;		/* bytes it occupies (the rest is zeroed) */
};

struct elf_image {
	struct elf_segment segments[ELF_MAX_SEGMENTS];
	unsigned int nr_segments;
	uint32_t phys32_entry;	/* from the PVH note */
	uint64_t lowest;	/* lowest paddr of any segment */
	uint64_t highest;	/* one past the highest byte */
};

enum elf_error {
	ELF_OK = 0,
	ELF_ERR_NOT_ELF,	/* bad magic, class or machine */
	ELF_ERR_TRUNCATED,	/* a header or segment runs past the file */
	ELF_ERR_SEGMENTS,	/* no loadable segment, or too many */
	ELF_ERR_NO_ENTRY,	/* no PHYS32_ENTRY note */
	ELF_ERR_LAYOUT,		/* memsz < filesz, or an address wraps */
};

enum elf_error elf_parse(const uint8_t *file, uint64_t size,
			 struct elf_image *out);
const char *elf_strerror(enum elf_error err);

#endif
