/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A virtual CPU: the guest's registers that SVM does not keep in the VMCB,
 * its VMCB, and what the exit handlers need to know about it.
 */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include <lib/types.h>
#include <fairshare.h>
#include <asm/vlapic.h>
#include <asm/vmcb.h>

struct domain;

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

/* A vCPU's own state; its domain's state is checked as well. */
enum vcpu_state {
	VCPU_DOWN,		/* not started (an AP waiting for INIT-SIPI) */
	VCPU_RUNNABLE,
	VCPU_BLOCKED,		/* in HLT, waiting for an interrupt */
};

struct vcpu {
	struct vcpu_regs regs;
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	struct domain *dom;
	unsigned int id;		/* within its domain */
	/*
	 * The CPU it is placed on, whose run ring holds it; changed only by
	 * that CPU, with both rings' locks held (sched.c).
	 */
	unsigned int pcpu;
	uint64_t affinity;		/* CPUs it may run on (hv/cpuset.h);
					   0 = every domain CPU */
	bool nmi_pending;		/* an NMI arrived for the guest */
	volatile enum vcpu_state state;
	struct vcpu *next_on_cpu;	/* the scheduler's ring on its pCPU */
	struct vlapic vlapic;		/* customer vCPUs only */
	uint64_t kvmclock_gpa;		/* its kvmclock page, 0 = off */
	uint64_t steal_time_msr;	/* MSR_KVM_STEAL_TIME as written */
	uint64_t steal_time_published;	/* steal_ns already in its area */

	/*
	 * Accounting, in ns of its CPU's TSC: time it ran (from VMRUN to the
	 * exit, its exits' handling included) and time it was runnable but
	 * another vCPU had its CPU (steal).  Monotonic for the vCPU's life.
	 */
	struct vtime vt;		/* weighted virtual time (sched.c) */
	bool slept;			/* blocked since it last ran */
	uint64_t run_ns;
	uint64_t steal_ns;
	uint64_t waiting_since;		/* TSC when it last became runnable
					   and not running; 0 = not waiting */
	uint64_t exits[EXIT_STAT_SLOTS];
	uint64_t nr_exits;
};

/*
 * Reads or writes guest register n in the x86 encoding order (0 = RAX,
 * 1 = RCX, 2 = RDX, 3 = RBX, 4 = RSP, 5 = RBP, 6 = RSI, 7 = RDI, 8-15).
 */
uint64_t vcpu_get_reg(struct vcpu *v, unsigned int n);
void vcpu_set_reg(struct vcpu *v, unsigned int n, uint64_t value);

#endif
