/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Time: the TSC, calibrated once at boot against the legacy PIT, gives
 * delays and timestamps.  Under QEMU TCG the TSCs of different CPUs are not
 * synchronised, so a timestamp is only compared with one from the same CPU.
 */
#ifndef HV_TIME_H
#define HV_TIME_H

#include <hv/types.h>

extern uint64_t tsc_khz;	/* TSC ticks per millisecond */

/*
 * Runs fn(arg, start) and busy-waits `ms` milliseconds on PIT channel 2,
 * then calls fn(arg, end): callers measure their own clock across a known
 * interval.  Returns false when the PIT never signalled (no PIT).
 */
bool pit_measure(unsigned int ms, void (*fn)(void *arg, bool end), void *arg);

void time_calibrate(void);
void udelay(uint64_t us);
uint64_t tsc_to_ns(uint64_t tsc);

#endif
