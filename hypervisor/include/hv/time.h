/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Time: the TSC, calibrated once at boot (against the legacy PIT:
 * asm/time.h), gives delays and timestamps.  Under QEMU TCG the TSCs of
 * different CPUs are not synchronised, so a timestamp is only compared with
 * one from the same CPU.
 */
#ifndef HV_TIME_H
#define HV_TIME_H

#include <lib/types.h>

extern uint64_t tsc_khz;	/* TSC ticks per millisecond */

void udelay(uint64_t us);
uint64_t tsc_to_ns(uint64_t tsc);

/*
 * dom0's view of time (HVCALL_SET_TIME): its calibrated TSC rate replaces
 * the PIT's, which is good to a few tenths of a percent at best under
 * emulation, and its wall clock at TSC `tsc` becomes the one customer
 * domains see.  khz 0 or wall_ns 0 leave that part as it is.  Returns 0, or
 * -HV_EINVAL when khz is more than 5% away from the PIT's calibration.
 */
int64_t time_set(uint64_t khz, uint64_t tsc, uint64_t wall_ns);

/* Wall-clock ns since 1970 (UTC) at host TSC `tsc`; 0 while unknown. */
uint64_t time_wall_ns_at(uint64_t tsc);

#endif
