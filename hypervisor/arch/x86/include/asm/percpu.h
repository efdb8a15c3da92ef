/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86's part of the per-CPU data (hv/percpu.h has the rest): each CPU's
 * own GDT and TSS, its stacks, its SVM state, its APIC ID.  The GS base
 * points at the CPU's struct percpu, whose first field points back at it,
 * so this_cpu() is one load from %gs:0.
 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <lib/types.h>

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

/* GDT: null, code, data, then the 16-byte TSS descriptor (asm/asm.h). */
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

/* A CPU's x86 state: its struct percpu's `arch`. */
struct arch_percpu {
	uint32_t apic_id;
	bool svm_enabled;
	struct svm_info svm;
	uint64_t stack_top;
	uint64_t critical_stack_top;	/* IST stack for #DF, NMI, #MC */
	volatile uint64_t timer_ticks;
	unsigned int fault_depth;	/* nested exceptions, to stop recursion */
	uint64_t gdt[GDT_ENTRIES] __aligned(8);
	struct tss tss __aligned(16);
};

struct percpu;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* Points GS at p; done once per CPU before anything calls this_cpu(). */
void percpu_install(struct percpu *p);

#endif
