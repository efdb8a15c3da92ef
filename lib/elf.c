// SPDX-License-Identifier: GPL-2.0-only
/* ELF parsing for PVH boot (see lib/elf.h).  ELF32 and ELF64, x86 only. */
#include <hvplatform.h>
#include <lib/elf.h>
#include <lib/string.h>

#define EI_CLASS	4
#define ELFCLASS32	1
#define ELFCLASS64	2
#define EM_386		3
#define EM_X86_64	62
#define PT_LOAD		1
#define PT_NOTE		4

static uint64_t get(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	memcpy(&v, p, bytes);
	return v;
}

/* True when [off, off + len) lies inside the file. */
static bool inside(uint64_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

/* Walks a PT_NOTE segment for the PVH entry note, owner "Xen". */
static bool find_entry_note(const uint8_t *file, uint64_t off, uint64_t len,
			    uint32_t *entry)
{
	uint64_t end = off + len;

	while (end - off >= 12) {
		uint32_t namesz = (uint32_t)get(file + off, 4);
		uint32_t descsz = (uint32_t)get(file + off + 4, 4);
		uint32_t type = (uint32_t)get(file + off + 8, 4);
		uint64_t name = off + 12;
		uint64_t desc = name + ALIGN_UP((uint64_t)namesz, 4);
		uint64_t next = desc + ALIGN_UP((uint64_t)descsz, 4);

		if (next > end || next <= off)
			return false;
		if (type == HVP_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
		    !memcmp(file + name, "Xen", 4) && descsz >= 4) {
			*entry = (uint32_t)get(file + desc, 4);
			return true;
		}
		off = next;
	}
	return false;
}

enum elf_error elf_parse(const uint8_t *file, uint64_t size,
			 struct elf_image *out)
{
	bool is64;
	uint64_t phoff, phentsize, phnum, i;
	bool have_entry = false;

	memset(out, 0, sizeof(*out));
	out->lowest = UINT64_MAX;
	/* Identity first (magic, class, machine: 20 bytes), then size. */
	if (size < 4 || memcmp(file, "\177ELF", 4))
		return ELF_ERR_NOT_ELF;
	if (size < 20)
		return ELF_ERR_TRUNCATED;
	is64 = file[EI_CLASS] == ELFCLASS64;
	if (!is64 && file[EI_CLASS] != ELFCLASS32)
		return ELF_ERR_NOT_ELF;
	if (get(file + 18, 2) != (is64 ? EM_X86_64 : EM_386))
		return ELF_ERR_NOT_ELF;
	if (size < (is64 ? 64u : 52u))
		return ELF_ERR_TRUNCATED;

	phoff = is64 ? get(file + 32, 8) : get(file + 28, 4);
	phentsize = get(file + (is64 ? 54 : 42), 2);
	phnum = get(file + (is64 ? 56 : 44), 2);
	if (phentsize < (is64 ? 56u : 32u) || !inside(size, phoff, phnum * phentsize))
		return ELF_ERR_TRUNCATED;

	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = file + phoff + i * phentsize;
		uint32_t type = (uint32_t)get(ph, 4);
		struct elf_segment s;

		if (is64) {
			s.offset = get(ph + 8, 8);
			s.paddr = get(ph + 24, 8);
			s.filesz = get(ph + 32, 8);
			s.memsz = get(ph + 40, 8);
		} else {
			s.offset = get(ph + 4, 4);
			s.paddr = get(ph + 12, 4);
			s.filesz = get(ph + 16, 4);
			s.memsz = get(ph + 20, 4);
		}
		if (type == PT_NOTE) {
			if (!inside(size, s.offset, s.filesz))
				return ELF_ERR_TRUNCATED;
			if (!have_entry)
				have_entry = find_entry_note(file, s.offset,
							     s.filesz,
							     &out->phys32_entry);
			continue;
		}
		if (type != PT_LOAD || s.memsz == 0)
			continue;
		if (!inside(size, s.offset, s.filesz))
			return ELF_ERR_TRUNCATED;
		if (s.memsz < s.filesz || s.paddr + s.memsz < s.paddr)
			return ELF_ERR_LAYOUT;
		if (out->nr_segments == ELF_MAX_SEGMENTS)
			return ELF_ERR_SEGMENTS;
		out->segments[out->nr_segments++] = s;
		out->lowest = MIN(out->lowest, s.paddr);
		out->highest = MAX(out->highest, s.paddr + s.memsz);
	}
	if (out->nr_segments == 0)
		return ELF_ERR_SEGMENTS;
	if (!have_entry)
		return ELF_ERR_NO_ENTRY;
	return ELF_OK;
}

const char *elf_strerror(enum elf_error err)
{
	switch (err) {
	case ELF_OK:		return "ok";
	case ELF_ERR_NOT_ELF:	return "not an x86 ELF file";
	case ELF_ERR_TRUNCATED:	return "ELF file truncated";
	case ELF_ERR_SEGMENTS:	return "no loadable segments, or too many";
	case ELF_ERR_NO_ENTRY:	return "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)";
	case ELF_ERR_LAYOUT:	return "bad segment layout";
	}
	return "unknown error";
}
