/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-CPU descriptor tables and start-up of one CPU's own state. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <hv/percpu.h>

/*
 * Loads p's GDT (code, data, TSS with the critical IST stack), the shared
 * IDT, and points GS at p.  p->arch.critical_stack_top must be set.
 */
void cpu_init_tables(struct percpu *p);

#endif
