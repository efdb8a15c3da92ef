/* SPDX-License-Identifier: GPL-2.0-only */
/* The HVCALL_* hypercalls of include/public/hvabi.h. */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <hv/domain.h>

/*
 * Runs hypercall nr for domain d.  kernel_mode says whether the caller ran
 * at CPL 0.  Returns the value for the caller's RAX: >= 0 on success, a
 * negated HV_E* code on failure.  Every argument is checked here.
 */
int64_t hypercall(struct domain *d, bool kernel_mode, uint64_t nr,
		  const uint64_t args[4]);

#endif
