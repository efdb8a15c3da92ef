/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * a * b / c without overflow in the product, for converting between clocks
 * (TSC ticks, APIC counts, nanoseconds).  The 128-by-64 division is the
 * quota library's (quota/div128.c): the hypervisor links no libgcc.
 */
#ifndef HV_MULDIV_H
#define HV_MULDIV_H

#include <lib/types.h>
#include <div128.h>

/* floor(a * b / c), or UINT64_MAX when it does not fit; c must not be 0. */
static inline uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c)
{
	quota_u128 product = (quota_u128)a * b;
	uint64_t rem;

	if ((uint64_t)(product >> 64) >= c)
		return UINT64_MAX;
	return div128_by_u64(product, c, &rem);
}

#endif
