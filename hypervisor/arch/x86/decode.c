// SPDX-License-Identifier: GPL-2.0-only
/*
 * A decoder for the instructions guests use to touch MMIO (see hv/decode.h).
 *
 * Without decode assists (TCG has none) a nested page fault tells us only
 * the guest-physical address; the instruction must be fetched and decoded
 * here to learn its length, direction, width and register.  Linux's
 * readl/writel and friends compile to plain MOVs, so that is what we accept:
 *   88/89   MOV r/m, reg        8A/8B   MOV reg, r/m
 *   C6/C7   MOV r/m, imm        0F B6/B7 MOVZX reg, r/m8/16
 * with the 66 (16-bit), 67 (address size), segment and REX prefixes.
 * Anything else is refused, never guessed at.  Pure code, host-tested.
 */
#include <asm/decode.h>
#include <lib/string.h>

/* Length of the ModRM operand (ModRM, SIB, displacement) at p. */
static int modrm_length(const uint8_t *p, size_t avail, uint8_t *modrm_out)
{
	uint8_t modrm, mod, rm;
	int len = 1;

	if (avail < 1)
		return -1;
	modrm = p[0];
	mod = modrm >> 6;
	rm = modrm & 7;
	*modrm_out = modrm;
	if (mod == 3)
		return -1;	/* a register operand cannot be MMIO */
	/* 32- and 64-bit addressing (the 67 prefix) share this encoding. */
	if (rm == 4) {		/* SIB follows */
		if (avail < 2)
			return -1;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;	/* no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		len += 4;		/* RIP-relative disp32 */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return (size_t)len <= avail ? len : -1;
}

bool decode_mmio(const uint8_t *insn, size_t avail, struct mmio_insn *out)
{
	bool opsize16 = false;
	uint8_t rex = 0, opcode, modrm = 0;
	size_t i = 0;
	int mlen;

	memset(out, 0, sizeof(*out));
	if (avail > 15)
		avail = 15;

	/* Legacy prefixes, then at most one REX right before the opcode. */
	for (; i < avail; i++) {
		uint8_t b = insn[i];

		if (b == 0x66)
			opsize16 = true;
		else if (b == 0x67)
			continue;	/* address size: same ModRM layout */
		else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
			 b == 0x64 || b == 0x65)
			continue;
		else
			break;
	}
	if (i < avail && (insn[i] & 0xf0) == 0x40)
		rex = insn[i++];
	if (i >= avail)
		return false;

	opcode = insn[i++];
	out->size = (rex & 0x8) ? 8 : opsize16 ? 2 : 4;
	switch (opcode) {
	case 0x88:		/* MOV r/m8, r8 */
	case 0x8a:		/* MOV r8, r/m8 */
		out->size = 1;
		/* fall through */
	case 0x89:		/* MOV r/m, r */
	case 0x8b:		/* MOV r, r/m */
		out->is_write = opcode == 0x88 || opcode == 0x89;
		mlen = modrm_length(insn + i, avail - i, &modrm);
		if (mlen < 0)
			return false;
		i += mlen;
		break;
	case 0xc6:		/* MOV r/m8, imm8 */
	case 0xc7: {		/* MOV r/m, imm16/32 (sign-extended to 64) */
		unsigned int imm_len;

		if (opcode == 0xc6)
			out->size = 1;
		imm_len = out->size == 8 ? 4 : out->size;
		out->is_write = true;
		out->has_imm = true;
		mlen = modrm_length(insn + i, avail - i, &modrm);
		if (mlen < 0 || ((modrm >> 3) & 7) != 0)
			return false;
		i += mlen;
		if (i + imm_len > avail)
			return false;
		out->imm = 0;
		memcpy(&out->imm, insn + i, imm_len);
		if (out->size == 8 && (out->imm & 0x80000000ULL))
			out->imm |= 0xffffffff00000000ULL;
		i += imm_len;
		break;
	}
	case 0x0f:		/* MOVZX r, r/m8 or r/m16 */
		if (i >= avail || (insn[i] != 0xb6 && insn[i] != 0xb7))
			return false;
		out->size = insn[i] == 0xb6 ? 1 : 2;
		out->zero_extend_to = (rex & 0x8) ? 8 : opsize16 ? 2 : 4;
		i++;
		mlen = modrm_length(insn + i, avail - i, &modrm);
		if (mlen < 0)
			return false;
		i += mlen;
		break;
	default:
		return false;
	}

	out->reg = ((modrm >> 3) & 7) | ((rex & 0x4) ? 8 : 0);
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
	out->high_byte = out->size == 1 && !rex && !out->zero_extend_to &&
			 out->reg >= 4 && out->reg <= 7;
	if (out->high_byte)
		out->reg -= 4;
	out->length = (uint8_t)i;
	return true;
}
