/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A virtual CPU: its place in its domain and on the CPUs, its state and its
 * accounting; `arch` (asm/arch_vcpu.h) holds the architecture's part (on x86
 * the registers, the VMCB, the virtual local APIC).
 */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include <lib/types.h>
#include <fairshare.h>
#include <asm/arch_vcpu.h>

struct domain;

/* A vCPU's own state; its domain's state is checked as well. */
enum vcpu_state {
	VCPU_DOWN,		/* not started (an AP waiting for INIT-SIPI) */
	VCPU_RUNNABLE,
	VCPU_BLOCKED,		/* in HLT, waiting for an interrupt */
};

struct vcpu {
	struct domain *dom;
	unsigned int id;		/* within its domain */
	/*
	 * The CPU it is placed on, whose run ring holds it; changed only by
	 * that CPU, with both rings' locks held (sched.c).
	 */
	unsigned int pcpu;
	uint64_t affinity;		/* CPUs it may run on (hv/cpuset.h);
					   0 = every domain CPU */
	volatile enum vcpu_state state;
	struct vcpu *next_on_cpu;	/* the scheduler's ring on its pCPU */

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
	struct arch_vcpu arch;		/* asm/arch_vcpu.h */
};

#endif
