// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for quota/token_bucket.c, Firecracker-style token buckets.
 *
 * Covered: a bucket starts full and refuses the request after the last
 * token, with tb_wait_ns exact to the ns; a consumer that sleeps exactly
 * tb_wait_ns gets exactly 1000 ops/s from {size 10, refill 10 ms} (where a
 * fixed 100 ms re-check gets ~100), exactly 1 MiB/s from a bandwidth bucket,
 * and every token of a 3-per-7-ms bucket at the exact ns it is due; no
 * drift (1000 refills of 1 ms equal one of 1 s); the one-time burst (spent
 * first, never refilled, partly used); oversized requests (pass once when
 * full, debt repaid before anything else, wait for a full bucket when not
 * full, UINT64_MAX tokens); tb_update on a busy bucket; unlimited buckets;
 * the clock going backwards; clocks near 2^63 and 2^64; a year of
 * idleness on a 1 TiB bucket; extreme sizes and refill times; and a
 * pseudo-random run checking that tb_wait_ns is 0 exactly when tb_consume
 * succeeds, is exact to the ns otherwise, and that the rate bound and the
 * state invariants hold throughout.
 */
#include <stdint.h>
#include <check.h>

#include "token_bucket.h"
#include "suites.h"

/* Consumes at `now` if it can; else checks the wait is exact and sleeps it. */
static uint64_t consume_or_sleep(struct token_bucket *b, uint64_t tokens, uint64_t now,
				 int *consumed)
{
	uint64_t wait;

	if (tb_consume(b, tokens, now)) {
		*consumed = 1;
		return now;
	}
	*consumed = 0;
	wait = tb_wait_ns(b, tokens, now);
	FAST_ASSERT(wait > 0 && wait != UINT64_MAX);
	return now + wait;
}

START_TEST(test_starts_full)
{
	struct token_bucket b;
	struct token_bucket copy;
	int i;

	tb_init(&b, 10, 10 * MS, 0, 5);
	ck_assert(!tb_unlimited(&b));
	ck_assert_uint_eq(tb_wait_ns(&b, 10, 5), 0);
	for (i = 0; i < 10; i++)
		ck_assert(tb_consume(&b, 1, 5));
	ck_assert(!tb_consume(&b, 1, 5));
	/* One token per ms: exactly 1 ms to wait, from the last refill. */
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 5), MS);
	ck_assert_uint_eq(tb_wait_ns(&b, 3, 5), 3 * MS);
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 5 + MS / 2), MS / 2);
	copy = b;
	ck_assert(!tb_consume(&copy, 1, 5 + MS - 1));
	ck_assert(tb_consume(&b, 1, 5 + MS));
	ck_assert_uint_eq(b.budget, 0);
	/* tokens 0 always pass */
	ck_assert(tb_consume(&b, 0, 5 + MS));
	ck_assert_uint_eq(tb_wait_ns(&b, 0, 5 + MS), 0);
}
END_TEST

START_TEST(test_sustained_1000_ops_per_second)
{
	struct token_bucket b;
	uint64_t now = 0;
	uint64_t done = 0;
	uint64_t done_after_first_second = 0;
	uint64_t refusals = 0;

	tb_init(&b, 10, 10 * MS, 0, 0);
	while (now < 10 * SEC) {
		int consumed;

		now = consume_or_sleep(&b, 1, now, &consumed);
		if (consumed) {
			done++;
			if (now >= SEC)
				done_after_first_second++;
		} else {
			refusals++;
		}
	}
	/* The 10 in the full bucket, then one every ms from 1 ms to 9999 ms. */
	ck_assert_uint_eq(done, 10009);
	ck_assert_uint_eq(done_after_first_second, 9000);
	/* Never woken early or late: one refusal per token due. */
	ck_assert_uint_eq(refusals, 10000);
}
END_TEST

START_TEST(test_sustained_bandwidth)
{
	/* 1 MiB per s in 64 KiB requests: one every 62.5 ms after the first 16. */
	struct token_bucket b;
	uint64_t now = 0;
	uint64_t bytes = 0;

	tb_init(&b, 1 << 20, SEC, 0, 0);
	while (now < 10 * SEC) {
		int consumed;

		now = consume_or_sleep(&b, 1 << 16, now, &consumed);
		if (consumed)
			bytes += 1 << 16;
	}
	ck_assert_uint_eq(bytes, (16 + 159) * (1ull << 16));
}
END_TEST

START_TEST(test_odd_rate_every_token_on_time)
{
	/* 3 tokens per 7 ms: token k is due at ceil(k * 7 ms / 3), to the ns. */
	struct token_bucket b;
	uint64_t now = 0;
	uint64_t refilled = 0;
	uint64_t done = 0;

	tb_init(&b, 3, 7 * MS, 0, 0);
	while (now < 7 * SEC) {
		int consumed;

		now = consume_or_sleep(&b, 1, now, &consumed);
		if (!consumed || ++done <= 3)
			continue;
		refilled++;
		FAST_ASSERT(now == (refilled * 7 * MS + 2) / 3);
	}
	ck_assert_uint_eq(done, 3 + 2999);
}
END_TEST

START_TEST(test_no_drift_1000_refills)
{
	/* 7000 tokens per 3 s, drained: 1000 refills of 1 ms vs one of 1 s. */
	struct token_bucket many;
	struct token_bucket once;
	uint64_t ms;

	tb_init(&many, 7000, 3 * SEC, 0, 0);
	ck_assert(tb_consume(&many, 7000, 0));
	once = many;
	for (ms = 1; ms <= 1000; ms++)
		ck_assert(tb_consume(&many, 0, ms * MS));	/* 0 tokens: just refill */
	ck_assert(tb_consume(&once, 0, SEC));

	/* 1e9 * 7000 / 3e9 = 2333 tokens and 1/3 of one (1e9 of 3e9). */
	ck_assert_uint_eq(once.budget, 2333);
	ck_assert_uint_eq(once.refill_carry, SEC);
	ck_assert_uint_eq(many.budget, once.budget);
	ck_assert_uint_eq(many.refill_carry, once.refill_carry);
	ck_assert_uint_eq(many.last_refill_ns, once.last_refill_ns);

	/* The same while repaying debt. */
	tb_init(&many, 7000, 3 * SEC, 0, 0);
	ck_assert(tb_consume(&many, 20000, 0));
	ck_assert_uint_eq(many.debt, 13000);
	once = many;
	for (ms = 1; ms <= 1000; ms++)
		tb_consume(&many, 0, ms * MS);
	tb_consume(&once, 0, SEC);
	ck_assert_uint_eq(once.debt, 13000 - 2333);
	ck_assert_uint_eq(many.debt, once.debt);
	ck_assert_uint_eq(many.refill_carry, once.refill_carry);
}
END_TEST

START_TEST(test_one_time_burst)
{
	struct token_bucket b;

	/* Burst 100 on a bucket of 10: 110 at once, then the bucket's rate. */
	tb_init(&b, 10, 10 * MS, 100, 0);
	ck_assert(tb_consume(&b, 100, 0));
	ck_assert_uint_eq(b.one_time_burst, 0);
	ck_assert_uint_eq(b.budget, 10);
	ck_assert(tb_consume(&b, 10, 0));
	ck_assert(!tb_consume(&b, 1, 0));
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 0), MS);

	/* It never refills: an hour later only the bucket's 10 are there. */
	ck_assert(tb_consume(&b, 10, 3600 * SEC));
	ck_assert(!tb_consume(&b, 1, 3600 * SEC));
	ck_assert_uint_eq(b.one_time_burst, 0);

	/* Spent first, one token at a time; the bucket is untouched meanwhile. */
	tb_init(&b, 10, 10 * MS, 3, 0);
	ck_assert(tb_consume(&b, 1, 0));
	ck_assert_uint_eq(b.one_time_burst, 2);
	ck_assert_uint_eq(b.budget, 10);

	/* A request larger than what is left of it takes the rest from the bucket. */
	ck_assert(tb_consume(&b, 8, 0));
	ck_assert_uint_eq(b.one_time_burst, 0);
	ck_assert_uint_eq(b.budget, 4);

	/* Refused: neither the burst nor the bucket is touched. */
	tb_init(&b, 10, 10 * MS, 5, 0);
	ck_assert(tb_consume(&b, 12, 0));	/* burst 5, bucket 7 */
	ck_assert_uint_eq(b.budget, 3);
	tb_init(&b, 10, 10 * MS, 5, 0);
	ck_assert(tb_consume(&b, 5, 0));
	ck_assert(tb_consume(&b, 8, 0));
	ck_assert(!tb_consume(&b, 5, 0));
	ck_assert_uint_eq(b.budget, 2);
	ck_assert_uint_eq(tb_wait_ns(&b, 5, 0), 3 * MS);
}
END_TEST

START_TEST(test_oversized_request)
{
	struct token_bucket b;
	struct token_bucket copy;

	/* 25 tokens from a full bucket of 10: passes, 15 tokens of debt. */
	tb_init(&b, 10, 10 * MS, 0, 0);
	ck_assert_uint_eq(tb_wait_ns(&b, 25, 0), 0);
	ck_assert(tb_consume(&b, 25, 0));
	ck_assert_uint_eq(b.budget, 0);
	ck_assert_uint_eq(b.debt, 15);
	/* Blocked until the debt is repaid and a token is there: 16 ms. */
	ck_assert(!tb_consume(&b, 1, 0));
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 0), 16 * MS);
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 15 * MS), MS);
	copy = b;
	ck_assert(!tb_consume(&copy, 1, 16 * MS - 1));
	ck_assert_uint_eq(copy.debt, 0);
	ck_assert(tb_consume(&b, 1, 16 * MS));
	ck_assert_uint_eq(b.debt, 0);
	ck_assert_uint_eq(b.budget, 0);

	/* Not full: it waits until the bucket is full, then passes. */
	tb_init(&b, 10, 10 * MS, 0, 0);
	ck_assert(tb_consume(&b, 5, 0));
	ck_assert(!tb_consume(&b, 25, 0));
	ck_assert_uint_eq(tb_wait_ns(&b, 25, 0), 5 * MS);
	copy = b;
	ck_assert(!tb_consume(&copy, 25, 5 * MS - 1));
	ck_assert(tb_consume(&b, 25, 5 * MS));
	ck_assert_uint_eq(b.debt, 15);

	/* A second oversized request waits for the debt and a full bucket. */
	ck_assert_uint_eq(tb_wait_ns(&b, 25, 5 * MS), 25 * MS);
	ck_assert(tb_consume(&b, 25, 30 * MS));

	/* The burst counts: 115 with burst 100 leaves 5 of debt. */
	tb_init(&b, 10, 10 * MS, 100, 0);
	ck_assert(tb_consume(&b, 115, 0));
	ck_assert_uint_eq(b.one_time_burst, 0);
	ck_assert_uint_eq(b.debt, 5);

	/* UINT64_MAX tokens: passes; the next token is further than 2^64 ns away. */
	tb_init(&b, 10, 10 * MS, 0, 0);
	ck_assert(tb_consume(&b, UINT64_MAX, 0));
	ck_assert_uint_eq(b.debt, UINT64_MAX - 10);
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 0), UINT64_MAX);
	ck_assert(!tb_consume(&b, 1, YEAR));
}
END_TEST

START_TEST(test_update_running_bucket)
{
	struct token_bucket b;

	/* In debt after an oversized request... */
	tb_init(&b, 10, 10 * MS, 0, 0);
	ck_assert(tb_consume(&b, 50, 0));
	ck_assert(!tb_consume(&b, 1, 2 * MS));
	/* ... new limits: a fresh full bucket with the new burst, debt forgiven. */
	tb_update(&b, 20, SEC, 5, 2 * MS);
	ck_assert_uint_eq(b.debt, 0);
	ck_assert_uint_eq(b.budget, 20);
	ck_assert(tb_consume(&b, 25, 2 * MS));
	ck_assert(!tb_consume(&b, 1, 2 * MS));
	/* The new rate: 20 per s, 50 ms per token. */
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 2 * MS), 50 * MS);
	ck_assert(tb_consume(&b, 1, 52 * MS));

	/* Lifting the limit, then putting one back. */
	tb_update(&b, 0, 0, 0, 60 * MS);
	ck_assert(tb_unlimited(&b));
	ck_assert(tb_consume(&b, UINT64_MAX, 60 * MS));
	tb_update(&b, 4, 4 * MS, 0, 70 * MS);
	ck_assert(tb_consume(&b, 4, 70 * MS));
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 70 * MS), MS);
}
END_TEST

START_TEST(test_unlimited)
{
	struct token_bucket b;

	tb_init(&b, 0, 10 * MS, 5, 0);
	ck_assert(tb_unlimited(&b));
	ck_assert(tb_consume(&b, UINT64_MAX, 0));
	ck_assert(tb_consume(&b, UINT64_MAX, 0));
	ck_assert_uint_eq(tb_wait_ns(&b, UINT64_MAX, 0), 0);

	/* Refill time 0 is unlimited too, as in Firecracker. */
	tb_init(&b, 10, 0, 0, 0);
	ck_assert(tb_unlimited(&b));
	ck_assert(tb_consume(&b, 1000, 0));
	ck_assert(tb_consume(&b, 1000, 0));
}
END_TEST

START_TEST(test_clock_going_backwards)
{
	struct token_bucket b;

	tb_init(&b, 10, 10 * MS, 0, 10 * MS);
	ck_assert(tb_consume(&b, 10, 10 * MS));
	/* Earlier than the last refill: nothing refilled, nothing taken back. */
	ck_assert(!tb_consume(&b, 1, 5 * MS));
	ck_assert_uint_eq(b.last_refill_ns, 10 * MS);
	/* The wait counts from the last refill: 5 ms behind plus 1 ms. */
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 5 * MS), 6 * MS);
	ck_assert(tb_consume(&b, 1, 11 * MS));
}
END_TEST

START_TEST(test_clock_near_the_top)
{
	struct token_bucket b;
	uint64_t start = (1ull << 63) - 5 * MS;
	uint64_t now;

	tb_init(&b, 10, 10 * MS, 0, start);
	ck_assert(tb_consume(&b, 10, start));
	ck_assert_uint_eq(tb_wait_ns(&b, 5, start), 5 * MS);
	ck_assert(tb_consume(&b, 5, start + 5 * MS));

	/* Up to the last ns of the clock. */
	start = UINT64_MAX - 20 * MS;
	tb_init(&b, 10, 10 * MS, 0, start);
	ck_assert(tb_consume(&b, 10, start));
	for (now = start + MS; now <= UINT64_MAX - MS; now += MS)
		ck_assert(tb_consume(&b, 1, now));
	/* 1 ns short of the next token, then the last ns there is. */
	ck_assert(!tb_consume(&b, 1, UINT64_MAX - 1));
	ck_assert_uint_eq(b.refill_carry, (MS - 1) * 10);
	ck_assert_uint_eq(tb_wait_ns(&b, 1, UINT64_MAX - 1), 1);
	ck_assert(tb_consume(&b, 1, UINT64_MAX));
	ck_assert_uint_eq(b.budget, 0);
	ck_assert_uint_eq(b.refill_carry, 0);
	/* The next one is due after the clock's end: the wait is still exact. */
	ck_assert_uint_eq(tb_wait_ns(&b, 1, UINT64_MAX), MS);
}
END_TEST

START_TEST(test_year_of_idleness)
{
	/* 1 TiB per second, drained, then a year idle: 128-bit refill, full. */
	struct token_bucket b;

	tb_init(&b, 1ull << 40, SEC, 0, 0);
	ck_assert(tb_consume(&b, 1ull << 40, 0));
	ck_assert(!tb_consume(&b, 1, 0));
	ck_assert(tb_consume(&b, 1ull << 40, YEAR));
	ck_assert_uint_eq(b.budget, 0);
	ck_assert_uint_eq(b.refill_carry, 0);
	/* 2^40 tokens per 1e9 ns: 1 token every 1e9 / 2^40 ns, 1100 tokens in 1 ns. */
	ck_assert(tb_consume(&b, 0, YEAR + 1));
	ck_assert_uint_eq(b.budget, (1ull << 40) / SEC);
	ck_assert_uint_eq(b.refill_carry, (1ull << 40) % SEC);
	/* Deep debt after a year: repaid in one refill too. */
	tb_init(&b, 1ull << 40, SEC, 0, 0);
	ck_assert(tb_consume(&b, UINT64_MAX, 0));
	ck_assert(tb_consume(&b, 1ull << 40, 100 * YEAR));
}
END_TEST

START_TEST(test_extreme_sizes)
{
	struct token_bucket b;

	/* The whole 64-bit range refilled every ns. */
	tb_init(&b, UINT64_MAX, 1, 0, 0);
	ck_assert(tb_consume(&b, UINT64_MAX, 0));
	ck_assert_uint_eq(tb_wait_ns(&b, UINT64_MAX, 0), 1);
	ck_assert(tb_consume(&b, UINT64_MAX, 1));

	/* One token per 2^64 - 1 ns. */
	tb_init(&b, 1, UINT64_MAX, 0, 0);
	ck_assert(tb_consume(&b, 1, 0));
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 0), UINT64_MAX);
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 1ull << 63), UINT64_MAX - (1ull << 63));
	ck_assert(!tb_consume(&b, 1, UINT64_MAX - 1));
	ck_assert(tb_consume(&b, 1, UINT64_MAX));

	/* Size 1, refill 1 ns: 2 tokens are oversized, pass when full. */
	tb_init(&b, 1, 1, 0, 0);
	ck_assert(tb_consume(&b, 2, 0));
	ck_assert_uint_eq(tb_wait_ns(&b, 2, 0), 2);
	ck_assert_uint_eq(tb_wait_ns(&b, 1, 0), 2);
}
END_TEST

/* Invariants of token_bucket.h. */
static void check_invariants(const struct token_bucket *b)
{
	FAST_ASSERT(b->budget <= b->size);
	FAST_ASSERT(b->debt == 0 || b->budget == 0);
	FAST_ASSERT(b->debt <= UINT64_MAX - b->size);
	FAST_ASSERT(b->refill_carry < b->refill_time_ns);
	FAST_ASSERT(b->budget < b->size || b->refill_carry == 0);
	FAST_ASSERT(b->one_time_burst == 0 || b->budget == b->size);
}

START_TEST(test_random_wait_is_exact)
{
	uint64_t seed = 2024;
	int round;

	for (round = 0; round < 40; round++) {
		struct token_bucket b;
		uint64_t size = 1 + test_random(&seed) % (round < 20 ? 20 : 1000000);
		uint64_t refill = 1 + test_random(&seed) % (round % 2 ? 100 * MS : 997);
		uint64_t burst = round % 4 == 0 ? test_random(&seed) % (3 * size) : 0;
		uint64_t start = test_random(&seed) >> 2;
		uint64_t now = start;
		uint64_t consumed = 0;
		int i;

		tb_init(&b, size, refill, burst, now);
		for (i = 0; i < 5000; i++) {
			uint64_t tokens = test_random(&seed) % (size * 5 / 4 + 2);
			uint64_t wait;
			struct token_bucket copy;
			bool ok;

			now += test_random(&seed) % (2 * refill / size + 2);
			wait = tb_wait_ns(&b, tokens, now);
			copy = b;
			ok = tb_consume(&copy, tokens, now);
			FAST_ASSERT(ok == (wait == 0));
			if (!ok) {
				/* Exact: one ns early it fails, on time it passes. */
				copy = b;
				FAST_ASSERT(!tb_consume(&copy, tokens, now + wait - 1));
				copy = b;
				FAST_ASSERT(tb_consume(&copy, tokens, now + wait));
				/* Half the time the consumer sleeps, half it gives up. */
				if (test_random(&seed) % 2)
					now += wait;
				else
					tokens = 0;
			}
			FAST_ASSERT(tb_consume(&b, tokens, now));
			consumed += tokens;
			check_invariants(&b);
			/* Never more than a full bucket, the burst, the refill and the debt. */
			FAST_ASSERT(consumed <= size + burst + b.debt +
				    (uint64_t)(((unsigned __int128)(now - start) * size + refill - 1) / refill));
		}
	}
}
END_TEST

Suite *token_bucket_suite(void)
{
	Suite *s = suite_create("token_bucket");
	TCase *tc;

	tc = tcase_create("rate");
	tcase_add_test(tc, test_starts_full);
	tcase_add_test(tc, test_sustained_1000_ops_per_second);
	tcase_add_test(tc, test_sustained_bandwidth);
	tcase_add_test(tc, test_odd_rate_every_token_on_time);
	tcase_add_test(tc, test_no_drift_1000_refills);
	suite_add_tcase(s, tc);

	tc = tcase_create("firecracker");
	tcase_add_test(tc, test_one_time_burst);
	tcase_add_test(tc, test_oversized_request);
	tcase_add_test(tc, test_update_running_bucket);
	tcase_add_test(tc, test_unlimited);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_clock_going_backwards);
	tcase_add_test(tc, test_clock_near_the_top);
	tcase_add_test(tc, test_year_of_idleness);
	tcase_add_test(tc, test_extreme_sizes);
	tcase_add_test(tc, test_random_wait_is_exact);
	suite_add_tcase(s, tc);
	return s;
}
