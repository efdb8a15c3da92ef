/* SPDX-License-Identifier: GPL-2.0-only */
/* The TSC's calibration against the legacy PIT (time.c; see hv/time.h). */
#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <lib/types.h>

/*
 * Runs fn(arg, start) and busy-waits `ms` milliseconds on PIT channel 2,
 * then calls fn(arg, end): callers measure their own clock across a known
 * interval.  Returns false when the PIT never signalled (no PIT).
 */
bool pit_measure(unsigned int ms, void (*fn)(void *arg, bool end), void *arg);

/* Measures tsc_khz against the PIT (2 GHz assumed without one); boot CPU. */
void time_calibrate(void);

#endif
