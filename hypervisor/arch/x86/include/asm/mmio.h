/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulating one MMIO access of a guest: the instruction at RIP is fetched
 * and decoded (arch/x86/decode.c: the MOV forms), the stored value read
 * from its register or immediate, a loaded value written back the way the
 * instruction would (sub-registers, AH-DH, zero extension).
 */
#ifndef ASM_MMIO_H
#define ASM_MMIO_H

#include <asm/decode.h>
#include <hv/vcpu.h>

/* Decodes the instruction at v's RIP; false if it is not a supported MOV. */
bool mmio_decode_at_rip(struct vcpu *v, struct mmio_insn *mi);

/* The value a decoded store writes (mi->size bytes significant). */
uint64_t mmio_store_value(struct vcpu *v, const struct mmio_insn *mi);

/* Completes a decoded load of value (mi->size bytes) into its register. */
void mmio_load_value(struct vcpu *v, const struct mmio_insn *mi, uint64_t value);

/* Moves v past the emulated instruction. */
void mmio_complete(struct vcpu *v, const struct mmio_insn *mi);

#endif
