/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU data.  Each CPU's GS base points at its own struct percpu, whose
 * first field points back at itself, so this_cpu() is one load from %gs:0.
 */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <asm/asm.h>
#include <lib/types.h>
#include <asm/x86.h>

#define MAX_CPUS 64
#define CPU_STACK_SIZE (16 * KiB)

/* Hardware task state segment, 64-bit form (AMD APM vol. 2, 12.2.5). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

/* GDT: null, code, data, then the 16-byte TSS descriptor (hv/asm.h). */
#define GDT_ENTRIES	5

/* Interrupt stack table slot for faults that must not use the normal stack. */
#define IST_CRITICAL	1

struct svm_info {
	uint32_t revision;
	uint32_t nr_asids;
	uint32_t features;		/* CPUID 0x8000000A EDX */
	uint64_t host_save_pa;		/* VM_HSAVE_PA area */
	uint64_t host_state_pa;		/* our VMSAVE'd FS/GS/TR/syscall state */
};

struct vcpu;

struct percpu {
	struct percpu *self;		/* must stay first: %gs:0 */
	unsigned int index;		/* 0 = the boot CPU */
	uint32_t apic_id;
	volatile bool online;		/* set by the CPU itself when up */
	bool svm_enabled;
	struct svm_info svm;
	uint64_t stack_top;
	uint64_t critical_stack_top;	/* IST stack for #DF, NMI, #MC */
	volatile uint64_t timer_ticks;
	unsigned int fault_depth;	/* nested exceptions, to stop recursion */
	struct vcpu *current_vcpu;	/* the guest this CPU runs, if any */
	struct vcpu *last_vcpu;		/* the guest it ran last (TLB hygiene) */
	volatile bool need_resched;	/* set by the tick: slice is over */
	uint64_t timer_deadline;	/* host TSC the one-shot timer is set for */
	uint64_t gdt[GDT_ENTRIES] __aligned(8);
	struct tss tss __aligned(16);
};

extern struct percpu percpu_area[MAX_CPUS];
extern unsigned int nr_cpus_present;	/* CPUs the firmware reported */

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* Points GS at p; done once per CPU before anything calls this_cpu(). */
static inline void percpu_install(struct percpu *p)
{
	p->self = p;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}

#endif
