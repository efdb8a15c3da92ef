// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for quota/meter.c, usage meters for billing.
 *
 * Covered: meter_init; meter_add (exact, saturating at UINT64_MAX and
 * reporting it); meter_delta within a generation, across a generation
 * change (including counters that grew past their old values after the
 * reset, which only the generation can reveal), with a counter that went
 * backwards in the same generation, with saturated counters, and with the
 * result written over one of its inputs.
 */
#include <stdint.h>
#include <check.h>

#include "meter.h"
#include "suites.h"

static struct usage_meter sample(uint64_t generation, uint64_t bytes_in,
				 uint64_t bytes_out, uint64_t cpu_ns, uint64_t io_ops)
{
	struct usage_meter m = {
		.generation = generation, .bytes_in = bytes_in,
		.bytes_out = bytes_out, .cpu_ns = cpu_ns, .io_ops = io_ops,
	};

	return m;
}

static void check_meter(const struct usage_meter *m, uint64_t generation,
			uint64_t bytes_in, uint64_t bytes_out, uint64_t cpu_ns,
			uint64_t io_ops)
{
	ck_assert_uint_eq(m->generation, generation);
	ck_assert_uint_eq(m->bytes_in, bytes_in);
	ck_assert_uint_eq(m->bytes_out, bytes_out);
	ck_assert_uint_eq(m->cpu_ns, cpu_ns);
	ck_assert_uint_eq(m->io_ops, io_ops);
}

START_TEST(test_init_and_add)
{
	struct usage_meter m;

	m = sample(9, 1, 2, 3, 4);
	meter_init(&m, 7);
	check_meter(&m, 7, 0, 0, 0, 0);

	ck_assert(meter_add(&m.bytes_in, 1500));
	ck_assert(meter_add(&m.bytes_in, 64));
	ck_assert(meter_add(&m.cpu_ns, 10 * MS));
	ck_assert(meter_add(&m.io_ops, 1));
	ck_assert(meter_add(&m.bytes_out, 0));
	check_meter(&m, 7, 1564, 0, 10 * MS, 1);
}
END_TEST

START_TEST(test_add_saturates)
{
	uint64_t counter = UINT64_MAX - 10;

	ck_assert(meter_add(&counter, 10));
	ck_assert_uint_eq(counter, UINT64_MAX);
	ck_assert(meter_add(&counter, 0));
	ck_assert(!meter_add(&counter, 1));
	ck_assert_uint_eq(counter, UINT64_MAX);

	counter = UINT64_MAX - 10;
	ck_assert(!meter_add(&counter, 11));
	ck_assert_uint_eq(counter, UINT64_MAX);
	counter = 1;
	ck_assert(!meter_add(&counter, UINT64_MAX));
	ck_assert_uint_eq(counter, UINT64_MAX);
}
END_TEST

START_TEST(test_delta_same_generation)
{
	struct usage_meter prev = sample(3, 1000, 2000, 5 * SEC, 40);
	struct usage_meter now = sample(3, 1500, 2000, 7 * SEC, 45);
	struct usage_meter delta;

	ck_assert_int_eq(meter_delta(&prev, &now, &delta), METER_DELTA_CONTINUOUS);
	check_meter(&delta, 3, 500, 0, 2 * SEC, 5);

	/* From zero to the top. */
	prev = sample(3, 0, 0, 0, 0);
	now = sample(3, UINT64_MAX, 1, 2, 3);
	ck_assert_int_eq(meter_delta(&prev, &now, &delta), METER_DELTA_CONTINUOUS);
	check_meter(&delta, 3, UINT64_MAX, 1, 2, 3);
}
END_TEST

START_TEST(test_delta_across_restart)
{
	struct usage_meter prev = sample(3, 1000, 2000, 5 * SEC, 40);
	struct usage_meter now = sample(4, 10, 20, 30, 4);
	struct usage_meter delta;

	/* Restarted from zero: all of now is new usage. */
	ck_assert_int_eq(meter_delta(&prev, &now, &delta), METER_DELTA_RESTARTED);
	check_meter(&delta, 4, 10, 20, 30, 4);

	/*
	 * Restarted and already past the old values: subtracting would bill
	 * 4 s instead of the 9 s used since the restart.
	 */
	now = sample(4, 5000, 6000, 9 * SEC, 100);
	ck_assert_int_eq(meter_delta(&prev, &now, &delta), METER_DELTA_RESTARTED);
	check_meter(&delta, 4, 5000, 6000, 9 * SEC, 100);

	/* Any change of generation counts, even to a smaller number. */
	now = sample(1, 5, 6, 7, 8);
	ck_assert_int_eq(meter_delta(&prev, &now, &delta), METER_DELTA_RESTARTED);
	check_meter(&delta, 1, 5, 6, 7, 8);
}
END_TEST

START_TEST(test_delta_went_backwards)
{
	/* Same generation, the CPU counter went back: an unannounced restart. */
	struct usage_meter prev = sample(3, 1000, 2000, 5 * SEC, 40);
	struct usage_meter now = sample(3, 1200, 2100, 2 * SEC, 41);
	struct usage_meter delta;

	ck_assert_int_eq(meter_delta(&prev, &now, &delta), METER_DELTA_WENT_BACKWARDS);
	check_meter(&delta, 3, 200, 100, 2 * SEC, 1);
}
END_TEST

START_TEST(test_delta_saturated)
{
	/* A counter stuck at UINT64_MAX stops billing; it never wraps to huge. */
	struct usage_meter prev = sample(3, UINT64_MAX, UINT64_MAX - 5, 0, 0);
	struct usage_meter now = sample(3, UINT64_MAX, UINT64_MAX, 0, 0);
	struct usage_meter delta;

	ck_assert_int_eq(meter_delta(&prev, &now, &delta), METER_DELTA_CONTINUOUS);
	check_meter(&delta, 3, 0, 5, 0, 0);
}
END_TEST

START_TEST(test_delta_in_place)
{
	struct usage_meter prev = sample(3, 10, 20, 30, 40);
	struct usage_meter now = sample(3, 11, 22, 33, 44);

	ck_assert_int_eq(meter_delta(&prev, &now, &prev), METER_DELTA_CONTINUOUS);
	check_meter(&prev, 3, 1, 2, 3, 4);

	prev = sample(3, 10, 20, 30, 40);
	ck_assert_int_eq(meter_delta(&prev, &now, &now), METER_DELTA_CONTINUOUS);
	check_meter(&now, 3, 1, 2, 3, 4);

	prev = sample(3, 10, 20, 30, 40);
	now = sample(5, 1, 2, 3, 4);
	ck_assert_int_eq(meter_delta(&prev, &now, &prev), METER_DELTA_RESTARTED);
	check_meter(&prev, 5, 1, 2, 3, 4);
}
END_TEST

Suite *meter_suite(void)
{
	Suite *s = suite_create("meter");
	TCase *tc;

	tc = tcase_create("add");
	tcase_add_test(tc, test_init_and_add);
	tcase_add_test(tc, test_add_saturates);
	suite_add_tcase(s, tc);

	tc = tcase_create("delta");
	tcase_add_test(tc, test_delta_same_generation);
	tcase_add_test(tc, test_delta_across_restart);
	tcase_add_test(tc, test_delta_went_backwards);
	tcase_add_test(tc, test_delta_saturated);
	tcase_add_test(tc, test_delta_in_place);
	suite_add_tcase(s, tc);
	return s;
}
