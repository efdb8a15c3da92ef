/* SPDX-License-Identifier: GPL-2.0-only */
/* Bringing up the other CPUs (APs) with INIT-SIPI-SIPI. */
#ifndef HV_SMP_H
#define HV_SMP_H

#include <hv/frame.h>
#include <hv/percpu.h>

extern unsigned int nr_cpus_online;

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
