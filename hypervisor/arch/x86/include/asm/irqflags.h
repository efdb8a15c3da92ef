/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few x86 primitives common code needs inline (hv/arch.h includes this
 * header): a spin-wait hint and saving, disabling and restoring this CPU's
 * interrupt flag, as the spinlocks (hv/spinlock.h) and the console take them.
 */
#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H

#include <lib/types.h>

/* A hint, in a spin-wait loop, that the CPU is waiting. */
static inline void arch_cpu_relax(void)
{
	__builtin_ia32_pause();
}

/* Disable interrupts, returning the old RFLAGS for arch_irq_restore(). */
static inline uint64_t arch_irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void arch_irq_restore(uint64_t flags)
{
	__asm__ volatile("pushq %0; popfq" : : "r"(flags) : "memory", "cc");
}

#endif
