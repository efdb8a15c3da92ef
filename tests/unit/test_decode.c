// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for hypervisor/arch/x86/decode.c, the decoder of the MOV forms
 * guests use for MMIO.  Every encoding below was assembled with GNU as and
 * read back with objdump; the assembly is next to its bytes.  Each one is
 * decoded from a malloc'd buffer of exactly the bytes offered, so
 * AddressSanitizer reports a read past them.
 *
 * Covered: stores 88/89, loads 8A/8B, immediates C6/C7 (imm32 sign-extended
 * for 64-bit stores), MOVZX 0F B6/B7, REX.W/R/X/B, the 66, 67 and segment
 * prefixes, byte registers AH-BH against SPL-DIL, every ModRM/SIB/disp
 * form; the exact length, size, direction, register and immediate; every
 * truncation of every accepted instruction; refused forms (register
 * operands, C6/C7 with reg != 0, other opcodes, misplaced REX, more than
 * 15 bytes); and a fixed-seed fuzz loop over random byte strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include <asm/decode.h>

#include "suites.h"

/* An instruction the decoder accepts, and what it must say about it. */
struct good_insn {
	const char *text;	/* the assembly, as objdump prints it */
	uint8_t bytes[15];
	uint8_t length;
	uint8_t size;
	bool is_write;
	uint8_t reg;
	bool high_byte;
	bool has_imm;
	uint64_t imm;
	uint8_t zero_extend_to;
};

/* An instruction the decoder must refuse. */
struct bad_insn {
	const char *text;
	uint8_t bytes[15];
	uint8_t length;
};

/*
 * Decodes the first avail bytes of bytes from a buffer of exactly avail
 * bytes: one byte further is an ASan error.
 */
static bool decode_exact(const uint8_t *bytes, size_t avail,
			 struct mmio_insn *out)
{
	uint8_t *buf = malloc(avail);
	bool ok;

	/* ASan's malloc(0) returns a pointer no byte of which is readable. */
	FAST_ASSERT(buf != NULL || avail == 0);
	if (avail)
		memcpy(buf, bytes, avail);
	ok = decode_mmio(buf, avail, out);
	free(buf);
	return ok;
}

static void check_insn(const struct good_insn *g, const struct mmio_insn *mi)
{
	ck_assert_msg(mi->length == g->length, "%s: length %u, expected %u",
		      g->text, mi->length, g->length);
	ck_assert_msg(mi->size == g->size, "%s: size %u, expected %u",
		      g->text, mi->size, g->size);
	ck_assert_msg(mi->is_write == g->is_write, "%s: is_write %d",
		      g->text, mi->is_write);
	ck_assert_msg(mi->reg == g->reg, "%s: reg %u, expected %u",
		      g->text, mi->reg, g->reg);
	ck_assert_msg(mi->high_byte == g->high_byte, "%s: high_byte %d",
		      g->text, mi->high_byte);
	ck_assert_msg(mi->has_imm == g->has_imm, "%s: has_imm %d",
		      g->text, mi->has_imm);
	ck_assert_msg(mi->imm == g->imm, "%s: imm %#llx, expected %#llx",
		      g->text, (unsigned long long)mi->imm,
		      (unsigned long long)g->imm);
	ck_assert_msg(mi->zero_extend_to == g->zero_extend_to,
		      "%s: zero_extend_to %u, expected %u", g->text,
		      mi->zero_extend_to, g->zero_extend_to);
}

/*
 * For each instruction of a table: decoded from exactly its bytes, then
 * with more bytes after it (which must not change anything), and refused
 * when any of its bytes is missing.
 */
static void check_table(const struct good_insn *table, size_t n)
{
	static const uint8_t after[8] = { 0x90, 0xff, 0x0f, 0x66, 0x48, 0xc7,
					  0x89, 0x00 };
	size_t i, avail;

	for (i = 0; i < n; i++) {
		const struct good_insn *g = &table[i];
		uint8_t longer[15 + sizeof(after)];
		struct mmio_insn mi;

		ck_assert_msg(decode_exact(g->bytes, g->length, &mi),
			      "%s: refused", g->text);
		check_insn(g, &mi);

		memcpy(longer, g->bytes, g->length);
		memcpy(longer + g->length, after, sizeof(after));
		ck_assert_msg(decode_exact(longer, g->length + sizeof(after),
					   &mi),
			      "%s: refused with bytes after it", g->text);
		check_insn(g, &mi);

		for (avail = 0; avail < g->length; avail++)
			ck_assert_msg(!decode_exact(g->bytes, avail, &mi),
				      "%s: accepted with only %zu of %u bytes",
				      g->text, avail, g->length);
	}
}

static void check_refused(const struct bad_insn *table, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct mmio_insn mi;

		ck_assert_msg(!decode_exact(table[i].bytes, table[i].length,
					    &mi),
			      "%s: accepted", table[i].text);
	}
}

/* ---- Accepted forms ---- */

START_TEST(test_stores)
{
	static const struct good_insn t[] = {
		{ "mov %eax,(%rdx)", { 0x89, 0x02 },
		  .length = 2, .size = 4, .is_write = true, .reg = 0 },
		{ "mov %ebx,0x300(%rbp)",
		  { 0x89, 0x9d, 0x00, 0x03, 0x00, 0x00 },
		  .length = 6, .size = 4, .is_write = true, .reg = 3 },
		/* REX.R: r12d is register 12. */
		{ "mov %r12d,0x10(%rax)", { 0x44, 0x89, 0x60, 0x10 },
		  .length = 4, .size = 4, .is_write = true, .reg = 12 },
		/* REX.W: 8 bytes. */
		{ "mov %rax,(%rdi)", { 0x48, 0x89, 0x07 },
		  .length = 3, .size = 8, .is_write = true, .reg = 0 },
		/* REX.WRB */
		{ "mov %r15,-0x8(%r13)", { 0x4d, 0x89, 0x7d, 0xf8 },
		  .length = 4, .size = 8, .is_write = true, .reg = 15 },
		/* 66: 16 bits. */
		{ "mov %ax,(%rdx)", { 0x66, 0x89, 0x02 },
		  .length = 3, .size = 2, .is_write = true, .reg = 0 },
		{ "mov %r11w,(%rdx)", { 0x66, 0x44, 0x89, 0x1a },
		  .length = 4, .size = 2, .is_write = true, .reg = 11 },
	};

	check_table(t, ARRAY_SIZE(t));
}
END_TEST

START_TEST(test_loads)
{
	static const struct good_insn t[] = {
		{ "mov (%rdx),%eax", { 0x8b, 0x02 },
		  .length = 2, .size = 4, .is_write = false, .reg = 0 },
		{ "mov 0x10(%rsi),%r8", { 0x4c, 0x8b, 0x46, 0x10 },
		  .length = 4, .size = 8, .is_write = false, .reg = 8 },
		{ "mov (%rdi),%cx", { 0x66, 0x8b, 0x0f },
		  .length = 3, .size = 2, .is_write = false, .reg = 1 },
		{ "mov (%rdx),%al", { 0x8a, 0x02 },
		  .length = 2, .size = 1, .is_write = false, .reg = 0 },
		{ "mov (%rax),%r11b", { 0x44, 0x8a, 0x18 },
		  .length = 3, .size = 1, .is_write = false, .reg = 11 },
	};

	check_table(t, ARRAY_SIZE(t));
}
END_TEST

/*
 * Byte registers 4-7 are AH, CH, DH, BH without a REX prefix (high_byte,
 * reg then names the full register: 0-3) and SPL, BPL, SIL, DIL with one.
 */
START_TEST(test_byte_registers)
{
	static const struct good_insn t[] = {
		{ "mov %al,(%rdx)", { 0x88, 0x02 },
		  .length = 2, .size = 1, .is_write = true, .reg = 0 },
		{ "mov %bl,(%rdx)", { 0x88, 0x1a },
		  .length = 2, .size = 1, .is_write = true, .reg = 3 },
		{ "mov %ah,(%rdx)", { 0x88, 0x22 }, .length = 2, .size = 1,
		  .is_write = true, .reg = 0, .high_byte = true },
		{ "mov %ch,(%rdx)", { 0x88, 0x2a }, .length = 2, .size = 1,
		  .is_write = true, .reg = 1, .high_byte = true },
		{ "mov %dh,(%rdx)", { 0x88, 0x32 }, .length = 2, .size = 1,
		  .is_write = true, .reg = 2, .high_byte = true },
		{ "mov %bh,(%rdx)", { 0x88, 0x3a }, .length = 2, .size = 1,
		  .is_write = true, .reg = 3, .high_byte = true },
		{ "mov %spl,(%rdx)", { 0x40, 0x88, 0x22 },
		  .length = 3, .size = 1, .is_write = true, .reg = 4 },
		{ "mov %bpl,(%rdx)", { 0x40, 0x88, 0x2a },
		  .length = 3, .size = 1, .is_write = true, .reg = 5 },
		{ "mov %sil,(%rdx)", { 0x40, 0x88, 0x32 },
		  .length = 3, .size = 1, .is_write = true, .reg = 6 },
		{ "mov %dil,(%rdx)", { 0x40, 0x88, 0x3a },
		  .length = 3, .size = 1, .is_write = true, .reg = 7 },
		{ "mov %r9b,(%rdx)", { 0x44, 0x88, 0x0a },
		  .length = 3, .size = 1, .is_write = true, .reg = 9 },
		{ "es mov %ah,0x1(%rbx)", { 0x26, 0x88, 0x63, 0x01 },
		  .length = 4, .size = 1, .is_write = true, .reg = 0,
		  .high_byte = true },
		/* Loads into byte registers follow the same rule. */
		{ "mov (%rdx),%bh", { 0x8a, 0x3a }, .length = 2, .size = 1,
		  .is_write = false, .reg = 3, .high_byte = true },
		{ "mov (%rdx),%dil", { 0x40, 0x8a, 0x3a },
		  .length = 3, .size = 1, .is_write = false, .reg = 7 },
	};

	check_table(t, ARRAY_SIZE(t));
}
END_TEST

START_TEST(test_immediates)
{
	static const struct good_insn t[] = {
		{ "movl $0x12345678,(%rax)",
		  { 0xc7, 0x00, 0x78, 0x56, 0x34, 0x12 },
		  .length = 6, .size = 4, .is_write = true,
		  .has_imm = true, .imm = 0x12345678 },
		/* 64-bit stores take an imm32, sign-extended to 64 bits. */
		{ "movq $0xffffffffffffffff,(%rax)",
		  { 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff },
		  .length = 7, .size = 8, .is_write = true,
		  .has_imm = true, .imm = 0xffffffffffffffff },
		{ "movq $0x7fffffff,(%rax)",
		  { 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f },
		  .length = 7, .size = 8, .is_write = true,
		  .has_imm = true, .imm = 0x7fffffff },
		{ "movq $0xffffffff80000000,(%rax)",
		  { 0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80 },
		  .length = 7, .size = 8, .is_write = true,
		  .has_imm = true, .imm = 0xffffffff80000000 },
		/* A 32-bit imm with bit 31 set is not extended. */
		{ "movl $0x80000000,(%rax)",
		  { 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80 },
		  .length = 6, .size = 4, .is_write = true,
		  .has_imm = true, .imm = 0x80000000 },
		{ "movw $0xbeef,(%rax)", { 0x66, 0xc7, 0x00, 0xef, 0xbe },
		  .length = 5, .size = 2, .is_write = true,
		  .has_imm = true, .imm = 0xbeef },
		{ "movb $0xab,(%rax)", { 0xc6, 0x00, 0xab },
		  .length = 3, .size = 1, .is_write = true,
		  .has_imm = true, .imm = 0xab },
		{ "movb $0x80,(%r8)", { 0x41, 0xc6, 0x00, 0x80 },
		  .length = 4, .size = 1, .is_write = true,
		  .has_imm = true, .imm = 0x80 },
		/* The immediate follows the displacement. */
		{ "movl $0x1,0x300(%rbp)",
		  { 0xc7, 0x85, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00,
		    0x00 },
		  .length = 10, .size = 4, .is_write = true,
		  .has_imm = true, .imm = 1 },
		{ "movl $0x5,0x10(%rip)",
		  { 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00,
		    0x00 },
		  .length = 10, .size = 4, .is_write = true,
		  .has_imm = true, .imm = 5 },
		{ "movl $0x1,0x4(%rsp)",
		  { 0xc7, 0x44, 0x24, 0x04, 0x01, 0x00, 0x00, 0x00 },
		  .length = 8, .size = 4, .is_write = true,
		  .has_imm = true, .imm = 1 },
		{ "movw $0x1234,0x8(%rip)",
		  { 0x66, 0xc7, 0x05, 0x08, 0x00, 0x00, 0x00, 0x34, 0x12 },
		  .length = 9, .size = 2, .is_write = true,
		  .has_imm = true, .imm = 0x1234 },
		{ "movb $0x7f,-0x80(%rbp,%rcx,1)",
		  { 0xc6, 0x44, 0x0d, 0x80, 0x7f },
		  .length = 5, .size = 1, .is_write = true,
		  .has_imm = true, .imm = 0x7f },
	};

	check_table(t, ARRAY_SIZE(t));
}
END_TEST

/* MOVZX: size is the memory operand's, zero_extend_to the register's. */
START_TEST(test_movzx)
{
	static const struct good_insn t[] = {
		{ "movzbl (%rax),%ecx", { 0x0f, 0xb6, 0x08 }, .length = 3,
		  .size = 1, .reg = 1, .zero_extend_to = 4 },
		{ "movzwl (%rax),%ecx", { 0x0f, 0xb7, 0x08 }, .length = 3,
		  .size = 2, .reg = 1, .zero_extend_to = 4 },
		{ "movzbq (%rax),%r10", { 0x4c, 0x0f, 0xb6, 0x10 },
		  .length = 4, .size = 1, .reg = 10, .zero_extend_to = 8 },
		{ "movzbw (%rax),%cx", { 0x66, 0x0f, 0xb6, 0x08 },
		  .length = 4, .size = 1, .reg = 1, .zero_extend_to = 2 },
		/* The destination is 32-bit: register 4 is ESP, not AH. */
		{ "movzbl (%rax),%esp", { 0x0f, 0xb6, 0x20 }, .length = 3,
		  .size = 1, .reg = 4, .zero_extend_to = 4 },
		{ "movzwq 0x8(%rdi),%rax", { 0x48, 0x0f, 0xb7, 0x47, 0x08 },
		  .length = 5, .size = 2, .reg = 0, .zero_extend_to = 8 },
	};

	check_table(t, ARRAY_SIZE(t));
}
END_TEST

/* Every ModRM / SIB / displacement form, on a plain 32-bit store. */
START_TEST(test_addressing)
{
	static const struct good_insn t[] = {
		/* mod 0 rm 5: RIP-relative disp32. */
		{ "mov %ecx,0x12345678(%rip)",
		  { 0x89, 0x0d, 0x78, 0x56, 0x34, 0x12 },
		  .length = 6, .size = 4, .is_write = true, .reg = 1 },
		/* SIB with a base, no displacement. */
		{ "mov %edx,(%rax,%rbx,4)", { 0x89, 0x14, 0x98 },
		  .length = 3, .size = 4, .is_write = true, .reg = 2 },
		/* SIB without a base (base 5, mod 0): disp32. */
		{ "mov %esi,0x1000(,%rcx,8)",
		  { 0x89, 0x34, 0xcd, 0x00, 0x10, 0x00, 0x00 },
		  .length = 7, .size = 4, .is_write = true, .reg = 6 },
		/* SIB with neither base nor index: an absolute address. */
		{ "mov %ebx,0x7ffff000",
		  { 0x89, 0x1c, 0x25, 0x00, 0xf0, 0xff, 0x7f },
		  .length = 7, .size = 4, .is_write = true, .reg = 3 },
		/* rm 4 is a SIB even for RSP alone. */
		{ "mov %edi,(%rsp)", { 0x89, 0x3c, 0x24 },
		  .length = 3, .size = 4, .is_write = true, .reg = 7 },
		{ "mov %eax,0x10(%rsp)", { 0x89, 0x44, 0x24, 0x10 },
		  .length = 4, .size = 4, .is_write = true, .reg = 0 },
		{ "mov %eax,0x1000(%rax,%rbx,2)",
		  { 0x89, 0x84, 0x58, 0x00, 0x10, 0x00, 0x00 },
		  .length = 7, .size = 4, .is_write = true, .reg = 0 },
		/* R13 as a base needs a disp8 (mod 0 would be RIP-relative). */
		{ "mov %eax,0x0(%r13)", { 0x41, 0x89, 0x45, 0x00 },
		  .length = 4, .size = 4, .is_write = true, .reg = 0 },
		/* R12 as a base needs a SIB, like RSP. */
		{ "mov %eax,(%r12)", { 0x41, 0x89, 0x04, 0x24 },
		  .length = 4, .size = 4, .is_write = true, .reg = 0 },
		/* REX.X: r9 as the index. */
		{ "mov %eax,0x10(%rax,%r9,4)", { 0x42, 0x89, 0x44, 0x88, 0x10 },
		  .length = 5, .size = 4, .is_write = true, .reg = 0 },
		{ "mov %esp,0x0(%r13,%r14,8)",
		  { 0x43, 0x89, 0x64, 0xf5, 0x00 },
		  .length = 5, .size = 4, .is_write = true, .reg = 4 },
		/* disp8 is signed, but only its length matters here. */
		{ "mov %r15,-0x8(%r13)", { 0x4d, 0x89, 0x7d, 0xf8 },
		  .length = 4, .size = 8, .is_write = true, .reg = 15 },
	};

	check_table(t, ARRAY_SIZE(t));
}
END_TEST

START_TEST(test_prefixes)
{
	static const struct good_insn t[] = {
		{ "mov %eax,%fs:(%rax)", { 0x64, 0x89, 0x00 },
		  .length = 3, .size = 4, .is_write = true, .reg = 0 },
		{ "cs mov 0x10(%rax),%eax", { 0x2e, 0x8b, 0x40, 0x10 },
		  .length = 4, .size = 4, .is_write = false, .reg = 0 },
		{ "ds mov %eax,(%rax)", { 0x3e, 0x89, 0x00 },
		  .length = 3, .size = 4, .is_write = true, .reg = 0 },
		{ "es mov (%rax),%eax", { 0x26, 0x8b, 0x00 },
		  .length = 3, .size = 4, .is_write = false, .reg = 0 },
		{ "ss mov (%rax),%eax", { 0x36, 0x8b, 0x00 },
		  .length = 3, .size = 4, .is_write = false, .reg = 0 },
		/* 67: 32-bit addressing, encoded like 64-bit addressing. */
		{ "mov %eax,(%eax)", { 0x67, 0x89, 0x00 },
		  .length = 3, .size = 4, .is_write = true, .reg = 0 },
		{ "mov %eax,%gs:0x8(%ebx)", { 0x65, 0x67, 0x89, 0x43, 0x08 },
		  .length = 5, .size = 4, .is_write = true, .reg = 0 },
		{ "mov %eax,0x0(%ebp,%esi,2)",
		  { 0x67, 0x89, 0x44, 0x75, 0x00 },
		  .length = 5, .size = 4, .is_write = true, .reg = 0 },
		{ "mov %ax,%fs:0x7ffffff0(%ebp)",
		  { 0x64, 0x67, 0x66, 0x89, 0x85, 0xf0, 0xff, 0xff, 0x7f },
		  .length = 9, .size = 2, .is_write = true, .reg = 0 },
		/* REX.W wins over 66. */
		{ "data16 mov %rax,(%rdi)", { 0x66, 0x48, 0x89, 0x07 },
		  .length = 4, .size = 8, .is_write = true, .reg = 0 },
		/* 15 bytes, the most an instruction may have. */
		{ "ds ds ds movq $-1,0x1000(%rax,%rbx,2)",
		  { 0x3e, 0x3e, 0x3e, 0x48, 0xc7, 0x84, 0x58, 0x00, 0x10, 0x00,
		    0x00, 0xff, 0xff, 0xff, 0xff },
		  .length = 15, .size = 8, .is_write = true,
		  .has_imm = true, .imm = 0xffffffffffffffff },
		{ "13 x ds, mov %eax,(%rdx)",
		  { 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
		    0x3e, 0x3e, 0x3e, 0x89, 0x02 },
		  .length = 15, .size = 4, .is_write = true, .reg = 0 },
	};

	check_table(t, ARRAY_SIZE(t));
}
END_TEST

/* ---- Refused forms ---- */

START_TEST(test_refuse_register_operands)
{
	/* mod 3: the operand is a register, which cannot be MMIO. */
	static const struct bad_insn t[] = {
		{ "mov %eax,%edx", { 0x89, 0xc2 }, 2 },
		{ "mov %ecx,%eax (8b)", { 0x8b, 0xc1 }, 2 },
		{ "mov %al,%dl", { 0x88, 0xc2 }, 2 },
		{ "mov %dl,%al (8a)", { 0x8a, 0xc2 }, 2 },
		{ "mov %rax,%r15", { 0x49, 0x89, 0xc7 }, 3 },
		{ "movl $0x1,%eax (c7)",
		  { 0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00 }, 6 },
		{ "movb $0x1,%al (c6)", { 0xc6, 0xc0, 0x01 }, 3 },
		{ "movzbl %al,%ecx", { 0x0f, 0xb6, 0xc8 }, 3 },
		{ "movzwl %ax,%ecx", { 0x0f, 0xb7, 0xc8 }, 3 },
	};

	check_refused(t, ARRAY_SIZE(t));
}
END_TEST

START_TEST(test_refuse_c6_c7_other_reg)
{
	unsigned int r;

	/* C6/C7 with a reg field other than 0 are not MOVs (e.g. XBEGIN). */
	for (r = 1; r < 8; r++) {
		uint8_t c7[6] = { 0xc7, (uint8_t)(r << 3), 1, 0, 0, 0 };
		uint8_t c6[3] = { 0xc6, (uint8_t)(r << 3), 1 };
		struct mmio_insn mi;

		ck_assert_msg(!decode_exact(c7, sizeof(c7), &mi),
			      "c7 /%u accepted", r);
		ck_assert_msg(!decode_exact(c6, sizeof(c6), &mi),
			      "c6 /%u accepted", r);
	}
}
END_TEST

START_TEST(test_refuse_other_opcodes)
{
	static const struct bad_insn t[] = {
		{ "rep movsb", { 0xf3, 0xa4 }, 2 },
		{ "movsl", { 0xa5 }, 1 },
		{ "add %eax,(%rdx)", { 0x01, 0x02 }, 2 },
		{ "lock xchg %eax,(%rdx)", { 0xf0, 0x87, 0x02 }, 3 },
		{ "xchg %eax,(%rdx)", { 0x87, 0x02 }, 2 },
		{ "movabs %eax,0xfee000b0",
		  { 0xa3, 0xb0, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, 9 },
		{ "mov $0x1,%eax (b8)", { 0xb8, 0x01, 0x00, 0x00, 0x00 }, 5 },
		{ "movnti %eax,(%rdx)", { 0x0f, 0xc3, 0x02 }, 3 },
		{ "cmpxchg %eax,(%rdx)", { 0x0f, 0xb1, 0x02 }, 3 },
		{ "movsbl (%rax),%ecx", { 0x0f, 0xbe, 0x08 }, 3 },
		{ "nop", { 0x90 }, 1 },
		/* A REX prefix must come last, right before the opcode. */
		{ "rex.W data16 mov (48 66 89 02)",
		  { 0x48, 0x66, 0x89, 0x02 }, 4 },
		{ "two REX prefixes (40 48 89 02)",
		  { 0x40, 0x48, 0x89, 0x02 }, 4 },
		/* Prefixes and nothing else. */
		{ "66 67 3e 48", { 0x66, 0x67, 0x3e, 0x48 }, 4 },
	};

	check_refused(t, ARRAY_SIZE(t));
}
END_TEST

START_TEST(test_refuse_empty)
{
	struct mmio_insn mi;

	ck_assert(!decode_exact(NULL, 0, &mi));
	ck_assert(!decode_mmio(NULL, 0, &mi));
}
END_TEST

/*
 * An instruction is at most 15 bytes.  n prefixes then `mov %eax,(%rdx)`
 * are n + 2 bytes: refused from n = 14 on, even when more bytes follow.
 */
START_TEST(test_refuse_over_15_bytes)
{
	uint8_t buf[40];
	unsigned int n;

	for (n = 0; n <= 30; n++) {
		struct mmio_insn mi;
		bool ok;

		memset(buf, 0x3e, n);
		buf[n] = 0x89;
		buf[n + 1] = 0x02;
		memset(buf + n + 2, 0x00, sizeof(buf) - n - 2);

		ok = decode_exact(buf, n + 2, &mi);
		ck_assert_msg(ok == (n <= 13), "%u prefixes: %d", n, ok);
		if (ok)
			ck_assert_uint_eq(mi.length, n + 2);
		/* The same with the whole buffer available. */
		ok = decode_exact(buf, sizeof(buf), &mi);
		ck_assert_msg(ok == (n <= 13), "%u prefixes, long buffer: %d",
			      n, ok);
	}
}
END_TEST

/* ---- Fuzz ---- */

/* xorshift64: a fixed seed makes every run try the same bytes. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Bytes that steer random strings towards the forms the decoder knows. */
static const uint8_t interesting[] = {
	0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x40, 0x41, 0x44,
	0x48, 0x4c, 0x4f, 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0x0f, 0xb6,
	0xb7, 0x04, 0x05, 0x24, 0x25, 0x44, 0x84, 0x00, 0xff, 0xf3,
};

static bool same_insn(const struct mmio_insn *a, const struct mmio_insn *b)
{
	return a->length == b->length && a->size == b->size &&
	       a->is_write == b->is_write && a->has_imm == b->has_imm &&
	       a->imm == b->imm && a->reg == b->reg &&
	       a->high_byte == b->high_byte &&
	       a->zero_extend_to == b->zero_extend_to;
}

START_TEST(test_fuzz_random_bytes)
{
	unsigned int iter, accepted = 0;

	rng_state = 0x2545f4914f6cdd1dULL;
	for (iter = 0; iter < 100000; iter++) {
		uint8_t bytes[15];
		size_t avail = rng_next() % 16, i;
		struct mmio_insn mi, again;

		for (i = 0; i < avail; i++) {
			uint64_t r = rng_next();

			if (r & 1)
				bytes[i] = (uint8_t)(r >> 8);
			else
				bytes[i] = interesting[(r >> 8) %
						       ARRAY_SIZE(interesting)];
		}
		if (!decode_exact(bytes, avail, &mi))
			continue;

		accepted++;
		FAST_ASSERT(mi.length >= 2 && mi.length <= avail);
		FAST_ASSERT(mi.size == 1 || mi.size == 2 || mi.size == 4 ||
			    mi.size == 8);
		FAST_ASSERT(mi.reg <= 15);
		FAST_ASSERT(!mi.high_byte || (mi.size == 1 && mi.reg <= 3));
		FAST_ASSERT(!mi.has_imm || mi.is_write);
		FAST_ASSERT(!mi.zero_extend_to ||
			    (!mi.is_write && mi.size <= 2));
		/* The first length bytes alone decode the same. */
		FAST_ASSERT(decode_exact(bytes, mi.length, &again));
		FAST_ASSERT(same_insn(&mi, &again));
	}
	/* The steering works: many strings reach the accepted forms. */
	ck_assert_uint_gt(accepted, 1000);
}
END_TEST

Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc;

	tc = tcase_create("accepted");
	tcase_add_test(tc, test_stores);
	tcase_add_test(tc, test_loads);
	tcase_add_test(tc, test_byte_registers);
	tcase_add_test(tc, test_immediates);
	tcase_add_test(tc, test_movzx);
	tcase_add_test(tc, test_addressing);
	tcase_add_test(tc, test_prefixes);
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_add_test(tc, test_refuse_register_operands);
	tcase_add_test(tc, test_refuse_c6_c7_other_reg);
	tcase_add_test(tc, test_refuse_other_opcodes);
	tcase_add_test(tc, test_refuse_empty);
	tcase_add_test(tc, test_refuse_over_15_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("fuzz");
	tcase_add_test(tc, test_fuzz_random_bytes);
	suite_add_tcase(s, tc);
	return s;
}
