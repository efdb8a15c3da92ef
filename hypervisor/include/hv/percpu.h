/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU data: one struct percpu per CPU, this CPU's from this_cpu()
 * (asm/percpu.h says how the architecture finds it, and what its `arch`
 * part holds).
 */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <lib/types.h>
#include <asm/percpu.h>

#define MAX_CPUS 64

struct vcpu;

struct percpu {
	struct percpu *self;		/* must stay first: this_cpu() reads it */
	unsigned int index;		/* 0 = the boot CPU */
	volatile bool online;		/* set by the CPU itself when up */
	struct vcpu *current_vcpu;	/* the guest this CPU runs, if any */
	struct vcpu *last_vcpu;		/* the guest it ran last (TLB hygiene) */
	volatile bool need_resched;	/* set by the tick: slice is over */
	uint64_t timer_deadline;	/* host TSC the one-shot timer is set for */
	struct arch_percpu arch;
};

extern struct percpu percpu_area[MAX_CPUS];
extern unsigned int nr_cpus_present;	/* CPUs the firmware reported */

#endif
