// SPDX-License-Identifier: GPL-2.0-only
/*
 * 128-by-64-bit division with 64-bit operations only (see div128.h).
 *
 * Schoolbook binary long division: 64 steps of shift and subtract.  That
 * costs a few hundred cycles, which is fine for where it is used (token
 * refills in dom0's backends, cap and bucket set-up); the scheduler's hot
 * path, vtime_charge, needs no 128-bit division at all.
 */
#include "div128.h"

uint64_t div128_by_u64(quota_u128 dividend, uint64_t divisor, uint64_t *remainder)
{
	uint64_t high = (uint64_t)(dividend >> 64);
	uint64_t low = (uint64_t)dividend;
	uint64_t quotient = 0;
	int bit;

	if (high == 0) {
		*remainder = low % divisor;
		return low / divisor;
	}

	/*
	 * `high` is the running remainder, always < divisor.  Each step moves
	 * the next bit of `low` into it.  Doubling it can overflow 64 bits
	 * (it is below 2 * divisor < 2^65); the bit shifted out says so, and
	 * then the value certainly is >= divisor.  The subtraction wraps back
	 * to the right value.
	 */
	for (bit = 0; bit < 64; bit++) {
		uint64_t overflowed = high >> 63;

		high = (high << 1) | (low >> 63);
		low <<= 1;
		quotient <<= 1;
		if (overflowed || high >= divisor) {
			high -= divisor;
			quotient |= 1;
		}
	}
	*remainder = high;
	return quotient;
}

uint64_t div128_round_up_saturating(quota_u128 dividend, uint64_t divisor)
{
	uint64_t quotient;
	uint64_t remainder;

	if ((uint64_t)(dividend >> 64) >= divisor)
		return UINT64_MAX;	/* the quotient is 2^64 or more */
	quotient = div128_by_u64(dividend, divisor, &remainder);
	if (remainder == 0)
		return quotient;
	return quotient == UINT64_MAX ? UINT64_MAX : quotient + 1;
}
