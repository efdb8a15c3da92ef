/* SPDX-License-Identifier: GPL-2.0-only */
/* The CPUs online (the bring-up itself is the architecture's: asm/smp.h). */
#ifndef HV_SMP_H
#define HV_SMP_H

#include <lib/types.h>

extern unsigned int nr_cpus_online;

#endif
