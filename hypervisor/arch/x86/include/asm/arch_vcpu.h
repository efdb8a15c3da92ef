/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86's part of a vCPU (hv/vcpu.h has the rest): the guest registers SVM
 * does not keep in the VMCB, its VMCB, its virtual local APIC, its KVM
 * paravirtual MSRs and its exit counters, by SVM exit code.
 */
#ifndef ASM_ARCH_VCPU_H
#define ASM_ARCH_VCPU_H

#include <lib/types.h>
#include <public/hvabi.h>
#include <asm/vlapic.h>
#include <asm/vmcb.h>

struct vcpu;

/*
 * Guest general-purpose registers other than RAX and RSP, which live in the
 * VMCB.  The order is fixed: svm_run.S addresses the fields by offset.
 */
struct vcpu_regs {
	uint64_t rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Exit statistics: one counter per exit code below 0xa0, plus these two. */
#define EXIT_STAT_NPF		0xa0
#define EXIT_STAT_OTHER		0xa1
#define EXIT_STAT_SLOTS		0xa2

/* The exit code a slot counts (hvabi.h's HV_EXIT_OTHER for the rest). */
static inline uint32_t exit_stat_code(unsigned int slot)
{
	return slot == EXIT_STAT_NPF ? 0x400 :
	       slot == EXIT_STAT_OTHER ? HV_EXIT_OTHER : slot;
}

/* A vCPU's x86 state: its struct vcpu's `arch`. */
struct arch_vcpu {
	struct vcpu_regs regs;
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	bool nmi_pending;		/* an NMI arrived for the guest */
	struct vlapic vlapic;		/* customer vCPUs only */
	uint64_t kvmclock_gpa;		/* its kvmclock page, 0 = off */
	uint64_t steal_time_msr;	/* MSR_KVM_STEAL_TIME as written */
	uint64_t steal_time_published;	/* steal_ns already in its area */
	uint64_t exits[EXIT_STAT_SLOTS];
	uint64_t exits_tsc[EXIT_STAT_SLOTS];	/* TSC ticks handling them */
	uint64_t nr_exits;
};

/*
 * Reads or writes guest register n in the x86 encoding order (0 = RAX,
 * 1 = RCX, 2 = RDX, 3 = RBX, 4 = RSP, 5 = RBP, 6 = RSI, 7 = RDI, 8-15).
 */
uint64_t vcpu_get_reg(struct vcpu *v, unsigned int n);
void vcpu_set_reg(struct vcpu *v, unsigned int n, uint64_t value);

#endif
