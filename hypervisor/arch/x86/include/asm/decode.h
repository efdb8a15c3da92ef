/* SPDX-License-Identifier: GPL-2.0-only */
/* Decoding the MOV instructions guests use for MMIO (see arch/x86/decode.c). */
#ifndef ASM_DECODE_H
#define ASM_DECODE_H

#include <lib/types.h>

struct mmio_insn {
	uint8_t length;		/* bytes, prefixes included */
	uint8_t size;		/* bytes accessed in memory: 1, 2, 4 or 8 */
	bool is_write;		/* store to memory */
	bool has_imm;		/* the stored value is imm, not a register */
	uint64_t imm;
	uint8_t reg;		/* register operand, x86 numbering 0-15 */
	bool high_byte;		/* reg is AH/CH/DH/BH (bits 8-15 of reg) */
	uint8_t zero_extend_to;	/* MOVZX: destination size, else 0 */
};

/*
 * Decodes the instruction at insn (avail bytes available, at most 15 used).
 * Returns false for anything but the supported MOV forms.
 */
bool decode_mmio(const uint8_t *insn, size_t avail, struct mmio_insn *out);

#endif
