/* SPDX-License-Identifier: GPL-2.0-only */
/* Bringing up the other CPUs (APs) with INIT-SIPI-SIPI (smp.c). */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <hv/frame.h>
#include <hv/percpu.h>
#include <hv/smp.h>

/*
 * Starts every CPU in apic_ids except the boot CPU, one at a time; each runs
 * ap_setup() on itself and then idles.  Returns the number of CPUs online,
 * the boot CPU included.
 */
unsigned int smp_boot_aps(struct frame_allocator *fa, const uint32_t *apic_ids,
			  unsigned int n);

/*
 * What every AP does once in long mode with its stack (arch/x86/setup.c).
 */
void ap_setup(struct percpu *p);

#endif
