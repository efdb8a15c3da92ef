// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for quota/div128.c, the 128-by-64-bit division the library uses
 * instead of libgcc's __udivti3.  On the host libgcc is there, so every
 * result is checked against the compiler's own 128-bit division: the edge
 * cases (divisor 1 and UINT64_MAX, the largest dividend whose quotient
 * fits, a running remainder that overflows 64 bits when doubled) and a
 * hundred thousand pseudo-random cases; then the rounding up and the
 * saturation of div128_round_up_saturating.
 */
#include <stdint.h>
#include <check.h>

#include "div128.h"
#include "suites.h"

static quota_u128 make_u128(uint64_t high, uint64_t low)
{
	return ((quota_u128)high << 64) | low;
}

/* Checks one division against the compiler's. */
static void check_division(quota_u128 dividend, uint64_t divisor)
{
	uint64_t remainder = 12345;
	uint64_t quotient = div128_by_u64(dividend, divisor, &remainder);

	FAST_ASSERT(quotient == (uint64_t)(dividend / divisor));
	FAST_ASSERT(remainder == (uint64_t)(dividend % divisor));
}

START_TEST(test_edges)
{
	uint64_t remainder;

	ck_assert_uint_eq(div128_by_u64(0, 7, &remainder), 0);
	ck_assert_uint_eq(remainder, 0);
	ck_assert_uint_eq(div128_by_u64(100, 7, &remainder), 14);
	ck_assert_uint_eq(remainder, 2);
	/* The largest dividend whose quotient fits, for divisor UINT64_MAX. */
	ck_assert_uint_eq(div128_by_u64(make_u128(UINT64_MAX - 1, UINT64_MAX),
					UINT64_MAX, &remainder), UINT64_MAX);
	ck_assert_uint_eq(remainder, UINT64_MAX - 1);
	/* 2^64 / 2 and (2^64 * 3 + 1) / 4 */
	ck_assert_uint_eq(div128_by_u64(make_u128(1, 0), 2, &remainder), 1ull << 63);
	ck_assert_uint_eq(remainder, 0);
	ck_assert_uint_eq(div128_by_u64(make_u128(3, 1), 4, &remainder),
			  0xC000000000000000ull);
	ck_assert_uint_eq(remainder, 1);

	check_division(make_u128(0, UINT64_MAX), 1);
	check_division(make_u128(UINT64_MAX - 1, 0), UINT64_MAX);
	check_division(make_u128((1ull << 63) + 5, 17), (1ull << 63) + 7);
	check_division(make_u128((1ull << 63) - 1, UINT64_MAX), 1ull << 63);
	check_division(make_u128(1, 0), 3);
	/* a year in ns times 1 TiB, by 10 s in ns */
	check_division((quota_u128)31536000000000000ull * (1ull << 40), 10000000000ull);
}
END_TEST

START_TEST(test_random_against_compiler)
{
	uint64_t seed = 42;
	int i;

	for (i = 0; i < 100000; i++) {
		uint64_t divisor = test_random(&seed) >> (test_random(&seed) % 64);
		uint64_t high;

		if (divisor == 0)
			divisor = 1;
		high = test_random(&seed) % divisor;	/* quotient fits */
		if (i % 3 == 0)
			high = 0;
		check_division(make_u128(high, test_random(&seed)), divisor);
	}
}
END_TEST

START_TEST(test_round_up_saturating)
{
	ck_assert_uint_eq(div128_round_up_saturating(10, 5), 2);
	ck_assert_uint_eq(div128_round_up_saturating(11, 5), 3);
	ck_assert_uint_eq(div128_round_up_saturating(0, 5), 0);
	ck_assert_uint_eq(div128_round_up_saturating(UINT64_MAX, 1), UINT64_MAX);
	/* 2^64 / 1 does not fit */
	ck_assert_uint_eq(div128_round_up_saturating(make_u128(1, 0), 1), UINT64_MAX);
	/* (UINT64_MAX * 2 + 1) / 2 rounds up to 2^64: saturates */
	ck_assert_uint_eq(div128_round_up_saturating(make_u128(1, UINT64_MAX - 1) + 1, 2),
			  UINT64_MAX);
	/* (2^64 - 2) * 3 / 3 exactly */
	ck_assert_uint_eq(div128_round_up_saturating((quota_u128)(UINT64_MAX - 1) * 3, 3),
			  UINT64_MAX - 1);
	ck_assert_uint_eq(div128_round_up_saturating((quota_u128)(UINT64_MAX - 1) * 3 + 1, 3),
			  UINT64_MAX);
}
END_TEST

Suite *div128_suite(void)
{
	Suite *s = suite_create("div128");
	TCase *tc;

	tc = tcase_create("divide");
	tcase_add_test(tc, test_edges);
	tcase_add_test(tc, test_random_against_compiler);
	tcase_add_test(tc, test_round_up_saturating);
	suite_add_tcase(s, tc);
	return s;
}
