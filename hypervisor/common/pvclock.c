// SPDX-License-Identifier: GPL-2.0-only
/* kvmclock arithmetic (see hv/pvclock.h). */
#include <hv/pvclock.h>

#define NSEC_PER_MSEC 1000000ULL

void pvclock_scale(uint64_t tsc_khz, uint32_t *mul, int8_t *shift)
{
	/*
	 * We want mul / 2^32 * 2^shift = ns per tick = 1e6 / tsc_khz, with
	 * mul as large as fits in 32 bits (the most precision).  Scale the
	 * ratio into [2^31, 2^32) by moving factors of two into shift.
	 */
	uint64_t num = NSEC_PER_MSEC, den = tsc_khz ? tsc_khz : 1;
	int s = 0;

	/* Keep the ratio num / den * 2^s equal to ns per tick. */
	while (num >= den * 2) {	/* slower than 500 MHz */
		den <<= 1;
		s++;
	}
	while (num < den) {		/* faster than 1 GHz */
		num <<= 1;
		s--;
	}
	/* Now num / den is in [1, 2): mul = num / den * 2^31 < 2^32. */
	*mul = (uint32_t)((num << 31) / den);
	*shift = (int8_t)(s + 1);
}

uint64_t pvclock_scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}
