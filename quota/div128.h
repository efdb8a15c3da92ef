// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dividing a 128-bit number by a 64-bit one, without libgcc.
 *
 * Exact rate arithmetic needs products wider than 64 bits: a token bucket
 * refills elapsed_ns * size / refill_time_ns tokens, and elapsed_ns * size
 * overflows 64 bits as soon as both are large (a year of idleness on a
 * 1 GiB/s bucket).  GCC multiplies `unsigned __int128` inline, but dividing
 * one calls __udivti3 from libgcc, which the freestanding hypervisor does
 * not link.  These helpers do that division with 64-bit operations only.
 *
 * Internal to the quota library; not part of its API.
 */
#ifndef QUOTA_DIV128_H
#define QUOTA_DIV128_H

#include <stdint.h>

typedef unsigned __int128 quota_u128;

/*
 * floor(dividend / divisor), the remainder stored in *remainder.
 * The quotient must fit in 64 bits: the caller guarantees divisor != 0 and
 * (dividend >> 64) < divisor.
 */
uint64_t div128_by_u64(quota_u128 dividend, uint64_t divisor, uint64_t *remainder);

/*
 * ceil(dividend / divisor), or UINT64_MAX when that does not fit in 64 bits.
 * divisor must not be 0.
 */
uint64_t div128_round_up_saturating(quota_u128 dividend, uint64_t divisor);

#endif
