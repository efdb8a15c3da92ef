// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for lib/elf.c, the ELF reader for PVH boot.
 * ELF64 and ELF32 files are built by hand with a small builder (header,
 * program headers, PT_LOAD data, PT_NOTE notes) using the host's <elf.h>,
 * then parsed from a malloc'd buffer of exactly the file's size, so
 * AddressSanitizer reports a read past it.  The guest test kernels under
 * build/tests/guests/ are parsed too when the build made them.
 *
 * Covered: segments (paddr, not vaddr; offset, filesz, memsz; lowest and
 * highest), segments that are skipped, ELF_MAX_SEGMENTS, the entry from
 * the "Xen" PHYS32_ENTRY note (type 18), notes of other owners or types,
 * several notes and note segments, every error (magic, class, machine,
 * truncated headers and segments, offsets and sizes that wrap around 2^64,
 * memsz < filesz, no entry note, notes running past their segment), a
 * fixed-seed mutation fuzz loop and elf_strerror.
 */
#include <elf.h>
#include <glob.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include <lib/elf.h>
#include <public/hvplatform.h>

#include "suites.h"

/* ---- Building ELF files by hand ---- */

#define EB_MAX_PHDRS	20
#define EB_MAX_SIZE	8192

struct elf_builder {
	bool is64;
	Elf64_Ehdr ehdr;	/* written as an Elf32_Ehdr for ELF32 */
	Elf64_Phdr phdr[EB_MAX_PHDRS];
	uint8_t file[EB_MAX_SIZE];
	size_t size;		/* bytes of file in use */
};

static struct elf_builder eb;

/*
 * Starts a file: the ELF header, room for nr_phdrs program headers right
 * after it, then the data that follows.
 */
static void eb_start(bool is64, unsigned int nr_phdrs)
{
	memset(&eb, 0, sizeof(eb));
	eb.is64 = is64;
	memcpy(eb.ehdr.e_ident, ELFMAG, SELFMAG);
	eb.ehdr.e_ident[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	eb.ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
	eb.ehdr.e_ident[EI_VERSION] = EV_CURRENT;
	eb.ehdr.e_type = ET_EXEC;
	eb.ehdr.e_machine = is64 ? EM_X86_64 : EM_386;
	eb.ehdr.e_version = EV_CURRENT;
	eb.ehdr.e_entry = 0x100000;
	eb.ehdr.e_ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	eb.ehdr.e_phoff = eb.ehdr.e_ehsize;
	eb.ehdr.e_phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	eb.size = eb.ehdr.e_phoff + nr_phdrs * eb.ehdr.e_phentsize;
}

/* Appends len bytes at a 4-byte boundary; returns their offset. */
static uint64_t eb_append(const void *data, size_t len)
{
	size_t off = (eb.size + 3) & ~(size_t)3;

	ck_assert_uint_le(off + len, EB_MAX_SIZE);
	memset(eb.file + eb.size, 0, off - eb.size);
	memcpy(eb.file + off, data, len);
	eb.size = off + len;
	return off;
}

/* Appends len bytes of a pattern standing in for code or data. */
static uint64_t eb_fill(size_t len)
{
	uint8_t buf[1024];
	size_t i;

	ck_assert_uint_le(len, sizeof(buf));
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(0xc3 + i);
	return eb_append(buf, len);
}

/* Appends a note's header with these sizes, and nothing else. */
static uint64_t eb_note_header(uint32_t namesz, uint32_t descsz,
			       uint32_t type)
{
	uint32_t hdr[3] = { namesz, descsz, type };

	return eb_append(hdr, sizeof(hdr));
}

/*
 * Appends a note: header, name (NUL included; NULL for none) and desc,
 * each padded to 4 bytes.  Returns its offset.
 */
static uint64_t eb_note(const char *name, uint32_t type, const void *desc,
			uint32_t descsz)
{
	static const uint8_t pad[4];
	uint32_t namesz = name ? strlen(name) + 1 : 0;
	uint64_t off = eb_note_header(namesz, descsz, type);

	ck_assert_uint_le(eb.size + namesz + descsz + 6, EB_MAX_SIZE);
	if (namesz) {
		memcpy(eb.file + eb.size, name, namesz);
		eb.size += namesz;
		eb_append(pad, 0);	/* pads to 4 */
	}
	if (descsz) {
		memcpy(eb.file + eb.size, desc, descsz);
		eb.size += descsz;
		eb_append(pad, 0);
	}
	return off;
}

/* The PVH entry note, 20 bytes. */
static uint64_t eb_entry_note(uint32_t entry)
{
	return eb_note("Xen", HVP_ELFNOTE_PHYS32_ENTRY, &entry, 4);
}

/* Adds a program header; vaddr differs from paddr, as in Linux. */
static void eb_phdr(uint32_t type, uint64_t offset, uint64_t paddr,
		    uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr *ph;

	ck_assert_uint_lt(eb.ehdr.e_phnum, EB_MAX_PHDRS);
	ph = &eb.phdr[eb.ehdr.e_phnum++];
	ph->p_type = type;
	ph->p_flags = PF_R;
	ph->p_offset = offset;
	ph->p_paddr = paddr;
	ph->p_vaddr = paddr + (eb.is64 ? 0xffffffff80000000 : 0xc0000000);
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_align = 4;
}

/* Writes the headers into the file, in the 32- or 64-bit layout. */
static void eb_finish(void)
{
	const Elf64_Ehdr *h = &eb.ehdr;
	size_t phsize = eb.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t stride = MAX(h->e_phentsize, phsize);
	unsigned int i;

	if (eb.is64) {
		memcpy(eb.file, h, sizeof(*h));
	} else {
		Elf32_Ehdr h32 = {
			.e_type = h->e_type,
			.e_machine = h->e_machine,
			.e_version = h->e_version,
			.e_entry = (Elf32_Addr)h->e_entry,
			.e_phoff = (Elf32_Off)h->e_phoff,
			.e_ehsize = h->e_ehsize,
			.e_phentsize = h->e_phentsize,
			.e_phnum = h->e_phnum,
		};

		memcpy(h32.e_ident, h->e_ident, EI_NIDENT);
		memcpy(eb.file, &h32, sizeof(h32));
	}

	/* Tests that move the table far out of the file get no table. */
	if (h->e_phoff > EB_MAX_SIZE)
		return;
	for (i = 0; i < h->e_phnum; i++) {
		const Elf64_Phdr *p = &eb.phdr[i];
		uint64_t off = h->e_phoff + i * stride;

		if (off + phsize > EB_MAX_SIZE)
			break;
		if (eb.is64) {
			memcpy(eb.file + off, p, sizeof(*p));
		} else {
			Elf32_Phdr p32 = {
				.p_type = p->p_type,
				.p_offset = (Elf32_Off)p->p_offset,
				.p_vaddr = (Elf32_Addr)p->p_vaddr,
				.p_paddr = (Elf32_Addr)p->p_paddr,
				.p_filesz = (Elf32_Word)p->p_filesz,
				.p_memsz = (Elf32_Word)p->p_memsz,
				.p_flags = p->p_flags,
				.p_align = (Elf32_Word)p->p_align,
			};

			memcpy(eb.file + off, &p32, sizeof(p32));
		}
	}
}

/* Parses the first size bytes of the file, from a buffer of that size. */
static enum elf_error parse_bytes(const uint8_t *bytes, size_t size,
				  struct elf_image *out)
{
	uint8_t *buf = malloc(size);
	enum elf_error err;

	FAST_ASSERT(buf != NULL || size == 0);
	if (size)
		memcpy(buf, bytes, size);
	err = elf_parse(buf, size, out);
	free(buf);
	return err;
}

static enum elf_error eb_parse(struct elf_image *out)
{
	return parse_bytes(eb.file, eb.size, out);
}

/* ---- A valid kernel ---- */

#define ENTRY 0x100040

struct valid_layout {
	uint64_t text, data, note;	/* file offsets */
};

/*
 * Text (0x100 bytes at 1 MiB), data with a bss (0x40 bytes of file, 0x3000
 * in memory at 2 MiB), and the PVH note; room for one more header.
 */
static struct valid_layout build_valid(bool is64)
{
	struct valid_layout l;

	eb_start(is64, 4);
	l.text = eb_fill(0x100);
	l.data = eb_fill(0x40);
	l.note = eb_entry_note(ENTRY);
	eb_phdr(PT_LOAD, l.text, 0x100000, 0x100, 0x100);
	eb_phdr(PT_LOAD, l.data, 0x200000, 0x40, 0x3000);
	eb_phdr(PT_NOTE, l.note, 0, 20, 20);
	return l;
}

static void check_segment(const struct elf_segment *s, uint64_t paddr,
			  uint64_t offset, uint64_t filesz, uint64_t memsz)
{
	ck_assert_uint_eq(s->paddr, paddr);
	ck_assert_uint_eq(s->offset, offset);
	ck_assert_uint_eq(s->filesz, filesz);
	ck_assert_uint_eq(s->memsz, memsz);
}

static void check_valid(const struct elf_image *img,
			const struct valid_layout *l)
{
	ck_assert_uint_eq(img->nr_segments, 2);
	check_segment(&img->segments[0], 0x100000, l->text, 0x100, 0x100);
	check_segment(&img->segments[1], 0x200000, l->data, 0x40, 0x3000);
	ck_assert_uint_eq(img->phys32_entry, ENTRY);
	ck_assert_uint_eq(img->lowest, 0x100000);
	ck_assert_uint_eq(img->highest, 0x203000);
}

START_TEST(test_valid_elf64)
{
	struct valid_layout l = build_valid(true);
	struct elf_image img;

	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	check_valid(&img, &l);
}
END_TEST

START_TEST(test_valid_elf32)
{
	struct valid_layout l = build_valid(false);
	struct elf_image img;

	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	check_valid(&img, &l);
}
END_TEST

/* Program headers that are not non-empty PT_LOADs are not segments. */
START_TEST(test_other_headers_skipped)
{
	struct valid_layout l;
	struct elf_image img;
	int is64;

	for (is64 = 0; is64 <= 1; is64++) {
		eb_start(is64, 8);
		l.text = eb_fill(0x100);
		l.data = eb_fill(0x40);
		l.note = eb_entry_note(ENTRY);
		eb_phdr(PT_NULL, 0, 0, 0, 0);
		eb_phdr(PT_LOAD, l.text, 0x100000, 0x100, 0x100);
		/* Their offsets and sizes are not even looked at. */
		eb_phdr(PT_GNU_STACK, 0xfffffff0, 0, 0xfffffff0, 0);
		eb_phdr(PT_DYNAMIC, 0xfffffff0, 0x500000, 0x100, 0x10);
		/* An empty PT_LOAD loads nothing. */
		eb_phdr(PT_LOAD, l.text, 0x900000, 0, 0);
		eb_phdr(PT_LOAD, l.data, 0x200000, 0x40, 0x3000);
		eb_phdr(PT_NOTE, l.note, 0, 20, 20);
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_OK);
		check_valid(&img, &l);
	}
}
END_TEST

START_TEST(test_lowest_highest)
{
	struct elf_image img;
	uint64_t text, note;

	/* Segments in no particular order; a bss-only one counts too. */
	eb_start(true, 4);
	text = eb_fill(0x20);
	note = eb_entry_note(0x300000);
	eb_phdr(PT_LOAD, text, 0x300000, 0x20, 0x1000);
	eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
	eb_phdr(PT_LOAD, text + 0x20, 0x200000, 0, 0x500000);
	eb_phdr(PT_NOTE, note, 0, 20, 20);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	ck_assert_uint_eq(img.nr_segments, 3);
	check_segment(&img.segments[0], 0x300000, text, 0x20, 0x1000);
	check_segment(&img.segments[1], 0x100000, text, 0x10, 0x10);
	check_segment(&img.segments[2], 0x200000, text + 0x20, 0, 0x500000);
	ck_assert_uint_eq(img.lowest, 0x100000);
	ck_assert_uint_eq(img.highest, 0x700000);
	ck_assert_uint_eq(img.phys32_entry, 0x300000);
}
END_TEST

START_TEST(test_top_of_address_space)
{
	struct elf_image img;
	uint64_t text, note;

	/* Ends one byte short of 2^64: fine. */
	eb_start(true, 2);
	text = eb_fill(0x10);
	note = eb_entry_note(ENTRY);
	eb_phdr(PT_LOAD, text, 0xfffffffffffff000, 0x10, 0xfff);
	eb_phdr(PT_NOTE, note, 0, 20, 20);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	ck_assert_uint_eq(img.lowest, 0xfffffffffffff000);
	ck_assert_uint_eq(img.highest, 0xffffffffffffffff);
}
END_TEST

START_TEST(test_max_segments)
{
	struct elf_image img;
	uint64_t text, note;
	unsigned int i;

	eb_start(true, ELF_MAX_SEGMENTS + 1);
	text = eb_fill(0x10);
	note = eb_entry_note(ENTRY);
	eb_phdr(PT_NOTE, note, 0, 20, 20);
	for (i = 0; i < ELF_MAX_SEGMENTS; i++)
		eb_phdr(PT_LOAD, text, 0x100000 * (i + 1), 0x10, 0x1000);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	ck_assert_uint_eq(img.nr_segments, ELF_MAX_SEGMENTS);
	check_segment(&img.segments[ELF_MAX_SEGMENTS - 1],
		      0x100000 * ELF_MAX_SEGMENTS, text, 0x10, 0x1000);
	ck_assert_uint_eq(img.lowest, 0x100000);
	ck_assert_uint_eq(img.highest, 0x100000 * ELF_MAX_SEGMENTS + 0x1000);
}
END_TEST

/* A segment or header table ending exactly at the end of the file. */
START_TEST(test_exactly_at_end)
{
	struct elf_image img;
	uint64_t text, note;

	eb_start(true, 2);
	note = eb_entry_note(ENTRY);
	text = eb_fill(0x30);
	eb_phdr(PT_NOTE, note, 0, 20, 20);
	eb_phdr(PT_LOAD, text, 0x100000, 0x30, 0x30);
	eb_finish();
	ck_assert_uint_eq(text + 0x30, eb.size);
	ck_assert_int_eq(eb_parse(&img), ELF_OK);

	/* The program headers last in the file. */
	eb.ehdr.e_phoff = eb.size;
	eb.size += 2 * sizeof(Elf64_Phdr);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	ck_assert_uint_eq(img.nr_segments, 1);
	eb.size--;
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_larger_phentsize)
{
	struct valid_layout l;
	struct elf_image img;

	/* Entries may be larger than the structure: the stride is used. */
	eb_start(true, 0);
	l.text = eb_fill(0x100);
	l.data = eb_fill(0x40);
	l.note = eb_entry_note(ENTRY);
	eb.ehdr.e_phentsize = 64;
	eb.ehdr.e_phoff = (eb.size + 7) & ~7ul;
	eb.size = eb.ehdr.e_phoff + 3 * 64;
	eb_phdr(PT_LOAD, l.text, 0x100000, 0x100, 0x100);
	eb_phdr(PT_LOAD, l.data, 0x200000, 0x40, 0x3000);
	eb_phdr(PT_NOTE, l.note, 0, 20, 20);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	check_valid(&img, &l);
}
END_TEST

/* ---- Notes ---- */

START_TEST(test_notes_other_owners_and_types)
{
	static const uint8_t build_id[20] = { 0xde, 0xad, 0xbe, 0xef };
	uint32_t not_entry = 0xbad;
	uint64_t wrong_entry = 0x12345;
	struct elf_image img;
	uint64_t text, first, end;
	int is64;

	for (is64 = 0; is64 <= 1; is64++) {
		eb_start(is64, 2);
		text = eb_fill(0x10);
		/* All in one PT_NOTE segment, the entry note last. */
		first = eb_note("GNU", NT_GNU_BUILD_ID, build_id,
				sizeof(build_id));
		eb_note("Xen", 17, &not_entry, 4);	/* another Xen note */
		eb_note("Linux", HVP_ELFNOTE_PHYS32_ENTRY, &not_entry, 4);
		eb_note("XEN", HVP_ELFNOTE_PHYS32_ENTRY, &not_entry, 4);
		eb_note("Xe", HVP_ELFNOTE_PHYS32_ENTRY, &not_entry, 4);
		eb_note(NULL, HVP_ELFNOTE_PHYS32_ENTRY, &not_entry, 4);
		/* Too short a desc for a 32-bit address: padded, skipped. */
		eb_note("Xen", HVP_ELFNOTE_PHYS32_ENTRY, &not_entry, 3);
		eb_note("Xen", HVP_ELFNOTE_PHYS32_ENTRY, &wrong_entry, 0);
		eb_entry_note(ENTRY);
		end = eb.size;
		eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
		eb_phdr(PT_NOTE, first, 0, end - first, end - first);
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_OK);
		ck_assert_uint_eq(img.phys32_entry, ENTRY);
	}
}
END_TEST

START_TEST(test_notes_in_second_segment)
{
	static const uint8_t build_id[20] = { 1, 2, 3 };
	struct elf_image img;
	uint64_t text, gnu, xen;

	eb_start(true, 3);
	text = eb_fill(0x10);
	gnu = eb_note("GNU", NT_GNU_BUILD_ID, build_id, sizeof(build_id));
	xen = eb_entry_note(ENTRY);
	eb_phdr(PT_NOTE, gnu, 0, xen - gnu, xen - gnu);
	eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
	eb_phdr(PT_NOTE, xen, 0, 20, 20);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	ck_assert_uint_eq(img.phys32_entry, ENTRY);
}
END_TEST

START_TEST(test_first_entry_note_wins)
{
	struct elf_image img;
	uint64_t text, a, b, c;

	/* Two in one segment, a third in another. */
	eb_start(true, 3);
	text = eb_fill(0x10);
	a = eb_entry_note(0x100000);
	b = eb_entry_note(0x200000);
	c = eb_entry_note(0x300000);
	eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
	eb_phdr(PT_NOTE, a, 0, c - a, c - a);
	eb_phdr(PT_NOTE, c, 0, 20, 20);
	eb_finish();
	ck_assert_uint_eq(b, a + 20);
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	ck_assert_uint_eq(img.phys32_entry, 0x100000);
}
END_TEST

START_TEST(test_entry_note_8_byte_desc)
{
	uint64_t entry = 0x1000c0;
	struct elf_image img;
	uint64_t text, note;

	/* Xen also accepts an 8-byte value; its low 32 bits are the entry. */
	eb_start(true, 2);
	text = eb_fill(0x10);
	note = eb_note("Xen", HVP_ELFNOTE_PHYS32_ENTRY, &entry, 8);
	eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
	eb_phdr(PT_NOTE, note, 0, 24, 24);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_OK);
	ck_assert_uint_eq(img.phys32_entry, 0x1000c0);
}
END_TEST

/* ---- Errors ---- */

START_TEST(test_err_not_elf)
{
	struct elf_image img;
	int is64;
	unsigned int i;

	for (is64 = 0; is64 <= 1; is64++) {
		/* Each byte of the magic. */
		for (i = 0; i < SELFMAG; i++) {
			build_valid(is64);
			eb.ehdr.e_ident[i] ^= 0x20;
			eb_finish();
			ck_assert_int_eq(eb_parse(&img), ELF_ERR_NOT_ELF);
		}
		/* Classes other than 32 and 64. */
		build_valid(is64);
		eb.ehdr.e_ident[EI_CLASS] = ELFCLASSNONE;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_NOT_ELF);
		eb.file[EI_CLASS] = 3;
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_NOT_ELF);
		/* The other x86's machine, and none. */
		build_valid(is64);
		eb.ehdr.e_machine = is64 ? EM_386 : EM_X86_64;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_NOT_ELF);
		eb.ehdr.e_machine = EM_NONE;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_NOT_ELF);
		eb.ehdr.e_machine = EM_AARCH64;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_NOT_ELF);
	}

	/* Too short to hold even the magic. */
	build_valid(true);
	eb_finish();
	for (i = 0; i < SELFMAG; i++)
		ck_assert_int_eq(parse_bytes(eb.file, i, &img),
				 ELF_ERR_NOT_ELF);
}
END_TEST

/* An ELF64 header cut after the 52 bytes of an ELF32 one. */
START_TEST(test_err_truncated_elf64_header)
{
	struct elf_image img;
	size_t size;

	build_valid(true);
	eb_finish();
	for (size = 52; size < sizeof(Elf64_Ehdr); size++)
		ck_assert_msg(parse_bytes(eb.file, size, &img) ==
			      ELF_ERR_TRUNCATED, "size %zu", size);
}
END_TEST

/*
 * A header cut before byte 52, with its magic, class and machine intact,
 * is truncated too (elf.h: ELF_ERR_TRUNCATED, "a header ... runs past the
 * file"; ELF_ERR_NOT_ELF is for a bad magic, class or machine).
 */
START_TEST(test_err_truncated_short_header)
{
	struct elf_image img;
	size_t size;
	int is64;

	for (is64 = 0; is64 <= 1; is64++) {
		build_valid(is64);
		eb_finish();
		/* e_machine ends at byte 20. */
		for (size = 20; size < 52; size++) {
			enum elf_error err = parse_bytes(eb.file, size, &img);

			ck_assert_msg(err == ELF_ERR_TRUNCATED,
				      "ELF%d header of %zu bytes: %s, expected %s",
				      is64 ? 64 : 32, size, elf_strerror(err),
				      elf_strerror(ELF_ERR_TRUNCATED));
		}
	}
}
END_TEST

START_TEST(test_err_phdr_table)
{
	struct elf_image img;
	int is64;

	for (is64 = 0; is64 <= 1; is64++) {
		size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

		/* Entries smaller than a program header. */
		build_valid(is64);
		eb.ehdr.e_phentsize = phsize - 1;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
		eb.ehdr.e_phentsize = 0;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);

		/* The table starting at the end, or one byte short of room. */
		build_valid(is64);
		eb.ehdr.e_phoff = eb.size;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
		eb.ehdr.e_phoff = eb.size - 3 * phsize + 1;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);

		/* More entries than the file holds. */
		build_valid(is64);
		eb_finish();
		eb.ehdr.e_phnum = 0xffff;
		memcpy(eb.file + (is64 ? 56 : 44), &eb.ehdr.e_phnum, 2);
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);

		/* An offset at the top of the address space. */
		build_valid(is64);
		eb.ehdr.e_phoff = is64 ? UINT64_MAX - 8 : 0xffffffff;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
	}
}
END_TEST

START_TEST(test_err_segment_past_end)
{
	struct elf_image img;
	int is64;

	for (is64 = 0; is64 <= 1; is64++) {
		/* One byte past the end. */
		build_valid(is64);
		eb.phdr[1].p_filesz = eb.size - eb.phdr[1].p_offset + 1;
		eb.phdr[1].p_memsz = 0x10000;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);

		/* Nothing to copy, but from past the end. */
		build_valid(is64);
		eb.phdr[1].p_offset = eb.size + 1;
		eb.phdr[1].p_filesz = 0;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);

		/* The last offset there is. */
		build_valid(is64);
		eb.phdr[0].p_offset = is64 ? UINT64_MAX : 0xffffffff;
		eb.phdr[0].p_filesz = 1;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
	}

	/* offset + filesz wraps around 2^64 to 0. */
	build_valid(true);
	eb.phdr[0].p_offset = 0x100;
	eb.phdr[0].p_filesz = 0 - (uint64_t)0x100;
	eb.phdr[0].p_memsz = UINT64_MAX;
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
	/* ... or to just inside the file. */
	eb.phdr[0].p_filesz = UINT64_MAX;
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);

	/* ELF32: 0xffffffff + 2 does not wrap to 1. */
	build_valid(false);
	eb.phdr[0].p_offset = 0xffffffff;
	eb.phdr[0].p_filesz = 2;
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_err_layout)
{
	struct elf_image img;
	int is64;

	for (is64 = 0; is64 <= 1; is64++) {
		/* memsz < filesz */
		build_valid(is64);
		eb.phdr[0].p_memsz = eb.phdr[0].p_filesz - 1;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_LAYOUT);
	}

	/* paddr + memsz wraps: exactly to 2^64, and past it. */
	build_valid(true);
	eb.phdr[1].p_paddr = 0xfffffffffffff000;
	eb.phdr[1].p_memsz = 0x1000;
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_LAYOUT);
	eb.phdr[1].p_memsz = 0x2000;
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_LAYOUT);
	eb.phdr[1].p_paddr = 0x1000;
	eb.phdr[1].p_memsz = UINT64_MAX;
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_LAYOUT);
}
END_TEST

START_TEST(test_err_segments)
{
	struct elf_image img;
	uint64_t text, note;
	unsigned int i;

	/* No PT_LOAD at all. */
	eb_start(true, 1);
	note = eb_entry_note(ENTRY);
	eb_phdr(PT_NOTE, note, 0, 20, 20);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_SEGMENTS);

	/* Only empty ones. */
	eb_start(true, 2);
	note = eb_entry_note(ENTRY);
	eb_phdr(PT_NOTE, note, 0, 20, 20);
	eb_phdr(PT_LOAD, note, 0x100000, 0, 0);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_SEGMENTS);

	/* No program headers at all. */
	eb_start(false, 0);
	eb_fill(0x40);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_SEGMENTS);

	/* One more than ELF_MAX_SEGMENTS. */
	eb_start(true, ELF_MAX_SEGMENTS + 2);
	text = eb_fill(0x10);
	note = eb_entry_note(ENTRY);
	eb_phdr(PT_NOTE, note, 0, 20, 20);
	for (i = 0; i < ELF_MAX_SEGMENTS + 1; i++)
		eb_phdr(PT_LOAD, text, 0x100000 * (i + 1), 0x10, 0x1000);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_SEGMENTS);
}
END_TEST

START_TEST(test_err_no_entry)
{
	uint32_t entry = ENTRY;
	struct elf_image img;
	uint64_t text, note;

	/* No PT_NOTE. */
	eb_start(true, 1);
	text = eb_fill(0x10);
	eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_NO_ENTRY);

	/* A PT_NOTE without the entry note. */
	eb_start(false, 2);
	text = eb_fill(0x10);
	note = eb_note("Xen", 17, &entry, 4);
	eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
	eb_phdr(PT_NOTE, note, 0, 20, 20);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_NO_ENTRY);

	/* The entry note outside every PT_NOTE segment. */
	eb_start(true, 2);
	text = eb_fill(0x10);
	note = eb_entry_note(ENTRY);
	eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
	eb_phdr(PT_NOTE, text, 0, 0x10, 0x10);
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_NO_ENTRY);

	/* An empty PT_NOTE, and one shorter than a note header. */
	eb.phdr[1].p_offset = note;
	eb.phdr[1].p_filesz = 0;
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_NO_ENTRY);
	eb.phdr[1].p_filesz = 11;
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_NO_ENTRY);
}
END_TEST

START_TEST(test_err_note_segment_past_end)
{
	struct elf_image img;
	int is64;

	for (is64 = 0; is64 <= 1; is64++) {
		build_valid(is64);
		eb.phdr[2].p_filesz = eb.size - eb.phdr[2].p_offset + 1;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
		eb.phdr[2].p_offset = is64 ? UINT64_MAX - 3 : 0xfffffffc;
		eb.phdr[2].p_filesz = 20;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
	}
	/* offset + filesz wraps around 2^64. */
	build_valid(true);
	eb.phdr[2].p_filesz = 0 - eb.phdr[2].p_offset + 4;
	eb_finish();
	ck_assert_int_eq(eb_parse(&img), ELF_ERR_TRUNCATED);
}
END_TEST

/*
 * Notes whose name or desc run past their PT_NOTE segment: walking stops
 * there.  Each note segment ends the file, so a read past it is an ASan
 * error, not a quiet read of the bytes after it.
 */
START_TEST(test_err_note_sizes)
{
	static const struct {
		uint32_t namesz, descsz;
	} sizes[] = {
		{ 0x100, 4 },			/* name runs past */
		{ 4, 8 },			/* desc runs past */
		{ 4, 5 },			/* desc's padding runs past */
		{ 5, 4 },			/* name's padding runs past */
		{ 0xffffffff, 4 },		/* 2^32 when padded */
		{ 4, 0xffffffff },
		{ 0xfffffffd, 0xfffffffd },
		{ 0xffffffff, 0xffffffff },
	};
	struct elf_image img;
	unsigned int i;
	int is64;

	for (is64 = 0; is64 <= 1; is64++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			uint64_t text, note;

			eb_start(is64, 2);
			text = eb_fill(0x10);
			note = eb_note_header(sizes[i].namesz, sizes[i].descsz,
					      HVP_ELFNOTE_PHYS32_ENTRY);
			eb_append("Xen", 4);
			eb_append("\x40\x00\x10\x00", 4);
			eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
			eb_phdr(PT_NOTE, note, 0, 20, 20);
			eb_finish();
			ck_assert_uint_eq(eb.size, note + 20);
			ck_assert_msg(eb_parse(&img) == ELF_ERR_NO_ENTRY,
				      "namesz %#x descsz %#x",
				      sizes[i].namesz, sizes[i].descsz);
		}
	}

	/* A good note cut short by its segment (and the file). */
	for (is64 = 0; is64 <= 1; is64++) {
		uint64_t text, note;

		eb_start(is64, 2);
		text = eb_fill(0x10);
		note = eb_entry_note(ENTRY);
		eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
		eb_phdr(PT_NOTE, note, 0, 18, 18);
		eb.size -= 2;
		eb_finish();
		ck_assert_int_eq(eb_parse(&img), ELF_ERR_NO_ENTRY);
	}
}
END_TEST

/* ---- The guest test kernels ---- */

/* Checks what elf_parse says against the file's own program headers. */
static void check_real_elf(const char *path)
{
	const Elf64_Ehdr *h;
	struct elf_image img;
	unsigned int i, n = 0;
	uint64_t lowest = UINT64_MAX, highest = 0;
	uint8_t *file;
	size_t size;

	file = read_whole_file(path, &size);
	ck_assert_msg(elf_parse(file, size, &img) == ELF_OK, "%s", path);
	h = (const Elf64_Ehdr *)file;
	ck_assert_uint_eq(h->e_ident[EI_CLASS], ELFCLASS64);
	for (i = 0; i < h->e_phnum; i++) {
		const Elf64_Phdr *p = (const Elf64_Phdr *)
			(file + h->e_phoff + i * h->e_phentsize);

		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		ck_assert_uint_lt(n, img.nr_segments);
		check_segment(&img.segments[n], p->p_paddr, p->p_offset,
			      p->p_filesz, p->p_memsz);
		lowest = MIN(lowest, p->p_paddr);
		highest = MAX(highest, p->p_paddr + p->p_memsz);
		n++;
	}
	ck_assert_uint_eq(img.nr_segments, n);
	ck_assert_uint_eq(img.lowest, lowest);
	ck_assert_uint_eq(img.highest, highest);
	/* The PVH entry lies in the kernel. */
	ck_assert_uint_ge(img.phys32_entry, lowest);
	ck_assert_uint_lt(img.phys32_entry, highest);
	free(file);
}

START_TEST(test_real_guests)
{
	const char *pattern = UT_BUILD_DIR "/tests/guests/*.elf";
	glob_t g;
	size_t i;

	/* The unit-tests target builds them first: none is a failure. */
	ck_assert_msg(glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0,
		      "no %s: build them (make unit-tests does)", pattern);
	for (i = 0; i < g.gl_pathc; i++)
		check_real_elf(g.gl_pathv[i]);
	globfree(&g);
}
END_TEST

/* ---- Fuzz ---- */

/* xorshift64: a fixed seed makes every run mutate the same bytes. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* What an accepted file must satisfy, whatever its bytes. */
static void check_accepted(const struct elf_image *img, uint64_t size)
{
	uint64_t lowest = UINT64_MAX, highest = 0;
	unsigned int i;

	FAST_ASSERT(img->nr_segments >= 1);
	FAST_ASSERT(img->nr_segments <= ELF_MAX_SEGMENTS);
	for (i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->segments[i];

		FAST_ASSERT(s->offset <= size);
		FAST_ASSERT(s->filesz <= size - s->offset);
		FAST_ASSERT(s->filesz <= s->memsz);
		FAST_ASSERT(s->memsz > 0);
		FAST_ASSERT(s->paddr + s->memsz > s->paddr);
		lowest = MIN(lowest, s->paddr);
		highest = MAX(highest, s->paddr + s->memsz);
	}
	FAST_ASSERT(img->lowest == lowest);
	FAST_ASSERT(img->highest == highest);
}

/* A small valid file: the mutations mostly land in what is parsed. */
static size_t build_small(bool is64, uint8_t *out)
{
	uint64_t text, data, note;

	eb_start(is64, 3);
	text = eb_fill(0x10);
	data = eb_fill(0x8);
	note = eb_entry_note(ENTRY);
	eb_phdr(PT_LOAD, text, 0x100000, 0x10, 0x10);
	eb_phdr(PT_LOAD, data, 0x200000, 0x8, 0x1000);
	eb_phdr(PT_NOTE, note, 0, 20, 20);
	eb_finish();
	memcpy(out, eb.file, eb.size);
	return eb.size;
}

START_TEST(test_fuzz_mutations)
{
	static uint8_t small[2][512];
	unsigned int seen[ELF_ERR_LAYOUT + 1] = { 0 };
	unsigned int iter, distinct = 0, e;
	size_t small_size[2];
	struct elf_image img;

	small_size[0] = build_small(false, small[0]);
	small_size[1] = build_small(true, small[1]);
	ck_assert_int_eq(parse_bytes(small[0], small_size[0], &img), ELF_OK);
	ck_assert_int_eq(parse_bytes(small[1], small_size[1], &img), ELF_OK);
	rng_state = 0x9e3779b97f4a7c15ULL;

	for (iter = 0; iter < 20000; iter++) {
		const uint8_t *orig = small[iter & 1];
		size_t size = small_size[iter & 1];
		unsigned int nr_changes = 1 + rng_next() % 4, i;
		uint8_t *buf;
		enum elf_error err;

		/* Now and then the file is cut short too. */
		if (rng_next() % 8 == 0)
			size = rng_next() % size;
		/* Exactly size bytes: ASan catches a read one byte past. */
		buf = malloc(size);
		FAST_ASSERT(buf != NULL || size == 0);
		if (size)
			memcpy(buf, orig, size);
		for (i = 0; i < nr_changes && size; i++) {
			uint64_t r = rng_next();
			size_t pos = r % size;

			/* Edge values find more than uniform noise. */
			switch ((r >> 32) % 4) {
			case 0:  buf[pos] = 0x00; break;
			case 1:  buf[pos] = 0xff; break;
			default: buf[pos] = (uint8_t)(r >> 40); break;
			}
		}
		err = elf_parse(buf, size, &img);
		/* A valid enum value (as unsigned, a negative one is huge). */
		FAST_ASSERT((unsigned int)err <= ELF_ERR_LAYOUT);
		if (err == ELF_OK)
			check_accepted(&img, size);
		seen[err]++;
		free(buf);
	}

	/* The mutations reach every check: all results come back. */
	for (e = 0; e <= ELF_ERR_LAYOUT; e++)
		distinct += seen[e] > 0;
	ck_assert_uint_gt(seen[ELF_OK], 100);
	ck_assert_uint_eq(distinct, ELF_ERR_LAYOUT + 1);
}
END_TEST

START_TEST(test_strerror)
{
	enum elf_error a, b;

	for (a = ELF_OK; a <= ELF_ERR_LAYOUT; a++) {
		const char *s = elf_strerror(a);

		ck_assert_ptr_nonnull(s);
		ck_assert_uint_gt(strlen(s), 0);
		for (b = ELF_OK; b < a; b++)
			ck_assert_str_ne(s, elf_strerror(b));
	}
}
END_TEST

Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, test_valid_elf64);
	tcase_add_test(tc, test_valid_elf32);
	tcase_add_test(tc, test_other_headers_skipped);
	tcase_add_test(tc, test_lowest_highest);
	tcase_add_test(tc, test_top_of_address_space);
	tcase_add_test(tc, test_max_segments);
	tcase_add_test(tc, test_exactly_at_end);
	tcase_add_test(tc, test_larger_phentsize);
	suite_add_tcase(s, tc);

	tc = tcase_create("notes");
	tcase_add_test(tc, test_notes_other_owners_and_types);
	tcase_add_test(tc, test_notes_in_second_segment);
	tcase_add_test(tc, test_first_entry_note_wins);
	tcase_add_test(tc, test_entry_note_8_byte_desc);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_err_not_elf);
	tcase_add_test(tc, test_err_truncated_elf64_header);
	tcase_add_test(tc, test_err_truncated_short_header);
	tcase_add_test(tc, test_err_phdr_table);
	tcase_add_test(tc, test_err_segment_past_end);
	tcase_add_test(tc, test_err_layout);
	tcase_add_test(tc, test_err_segments);
	tcase_add_test(tc, test_err_no_entry);
	tcase_add_test(tc, test_err_note_segment_past_end);
	tcase_add_test(tc, test_err_note_sizes);
	suite_add_tcase(s, tc);

	tc = tcase_create("real_and_fuzz");
	tcase_add_test(tc, test_real_guests);
	tcase_add_test(tc, test_fuzz_mutations);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);
	return s;
}
