// SPDX-License-Identifier: GPL-2.0-only
/* MMIO instruction emulation helpers (see hv/mmio.h). */
#include <asm/guest_mem.h>
#include <asm/mmio.h>
#include <asm/svm_vcpu.h>

bool mmio_decode_at_rip(struct vcpu *v, struct mmio_insn *mi)
{
	uint8_t insn[15];
	size_t n = guest_fetch_insn(v, insn, sizeof(insn));

	return n > 0 && decode_mmio(insn, n, mi);
}

uint64_t mmio_store_value(struct vcpu *v, const struct mmio_insn *mi)
{
	uint64_t value;

	if (mi->has_imm)
		return mi->imm;
	value = vcpu_get_reg(v, mi->reg);
	return mi->high_byte ? value >> 8 : value;
}

void mmio_load_value(struct vcpu *v, const struct mmio_insn *mi, uint64_t value)
{
	uint64_t old = vcpu_get_reg(v, mi->reg);
	unsigned int width = mi->zero_extend_to ? mi->zero_extend_to : mi->size;

	if (mi->size < 8)
		value &= (1ULL << (8 * mi->size)) - 1;
	if (mi->high_byte) {
		vcpu_set_reg(v, mi->reg, (old & ~0xff00ULL) | (value << 8));
		return;
	}
	switch (width) {
	case 1:
		value |= old & ~0xffULL;
		break;
	case 2:
		value |= old & ~0xffffULL;
		break;
	default:
		/* 32-bit results zero the upper half, as in 64-bit mode. */
		break;
	}
	vcpu_set_reg(v, mi->reg, value);
}

void mmio_complete(struct vcpu *v, const struct mmio_insn *mi)
{
	/*
	 * Not vcpu_skip_insn: the CPU saves a next RIP only for intercepted
	 * instructions, and a nested page fault is not one of them.
	 */
	v->arch.vmcb->save.rip += mi->length;
	v->arch.vmcb->control.int_state &= ~1ULL;
}
