// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage_recent.c: the last hour's per-minute ring.  Minutes are UTC
 * aligned; an interval over several minutes is spread in proportion and
 * its parts add up exactly; after 60 minutes a slot is reused and the
 * old minute is gone; reads return only the last hour, oldest first; the
 * server index keeps rings apart, forgets and prunes them.
 */
#include <string.h>

#include "usage_recent.h"
#include "suites.h"

/* 2026-12-04T14:00:00Z: an hour's start, so minutes are easy to name. */
#define T0	1796392800LL
#define MIN	60

static void deltas(uint64_t d[USAGE_COUNTERS], uint64_t cpu, uint64_t rx)
{
	memset(d, 0, sizeof(uint64_t) * USAGE_COUNTERS);
	d[UM_cpu_ns] = cpu;
	d[UM_net_rx_bytes] = rx;
	d[UM_disk_read_ops] = 999;	/* not a kept meter */
}

/* Index of a kept meter in recent_minute.v. */
static int kept(enum usage_meter m)
{
	for (int i = 0; i < RECENT_NMETERS; i++)
		if (recent_meter_of[i] == m)
			return i;
	ck_abort_msg("meter %d not kept", m);
	return -1;
}

START_TEST(minute_alignment)
{
	ck_assert_int_eq(T0 % 3600, 0);
	ck_assert_int_eq(recent_minute_start(T0 + 59), T0);
	ck_assert_int_eq(recent_minute_start(T0 + 60), T0 + MIN);
	ck_assert_int_eq(recent_minute_start(-1), -60);

	/* A sample inside one minute lands in that minute, whole. */
	static struct recent_ring r;
	struct recent_minute out[RECENT_MINUTES];
	uint64_t d[USAGE_COUNTERS];

	memset(&r, 0, sizeof(r));
	deltas(d, 5000, 7);
	recent_ring_add(&r, T0 + 10, T0 + 15, d);
	ck_assert_uint_eq(recent_ring_read(&r, T0 + 20, out), 1);
	ck_assert_int_eq(out[0].start, T0);
	ck_assert_uint_eq(out[0].v[kept(UM_cpu_ns)], 5000);
	ck_assert_uint_eq(out[0].v[kept(UM_net_rx_bytes)], 7);
	ck_assert_uint_eq(out[0].v[kept(UM_disk_write_bytes)], 0);
	ck_assert_uint_eq(out[0].seconds, 5);	/* what a rate divides by */

	/* An empty or backwards interval goes to the minute it ends in. */
	recent_ring_add(&r, T0 + 70, T0 + 70, d);
	recent_ring_add(&r, T0 + 200, T0 + 65, d);
	ck_assert_uint_eq(recent_ring_read(&r, T0 + 70, out), 2);
	ck_assert_int_eq(out[1].start, T0 + MIN);
	ck_assert_uint_eq(out[1].v[kept(UM_cpu_ns)], 10000);
	ck_assert_uint_eq(out[1].seconds, 0);	/* counts without a rate */
}
END_TEST

START_TEST(spread_over_minutes_is_exact)
{
	static struct recent_ring r;
	struct recent_minute out[RECENT_MINUTES];
	uint64_t d[USAGE_COUNTERS], cpu = 0, rx = 0;
	size_t n;

	memset(&r, 0, sizeof(r));
	/* [T0+50, T0+200): 10 s, 60 s, 60 s, 20 s of 150; odd deltas that
	 * do not divide evenly. */
	deltas(d, 1000000007, 151);
	recent_ring_add(&r, T0 + 50, T0 + 200, d);
	n = recent_ring_read(&r, T0 + 200, out);
	ck_assert_uint_eq(n, 4);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(out[i].start, T0 + (int64_t)i * MIN);
		cpu += out[i].v[kept(UM_cpu_ns)];
		rx += out[i].v[kept(UM_net_rx_bytes)];
	}
	ck_assert_uint_eq(cpu, 1000000007);
	ck_assert_uint_eq(rx, 151);
	/* In proportion: 10/150 and 60/150 of the delta, rounded down. */
	ck_assert_uint_eq(out[0].v[kept(UM_cpu_ns)], 66666667);
	ck_assert_uint_eq(out[1].v[kept(UM_cpu_ns)], 400000002);
	/* [50, 200): 10 s of the first minute, all of the next two, 20 s of
	 * the last. */
	ck_assert_uint_eq(out[0].seconds, 10);
	ck_assert_uint_eq(out[1].seconds, 60);
	ck_assert_uint_eq(out[2].seconds, 60);
	ck_assert_uint_eq(out[3].seconds, 20);
	/* An interval ending on a boundary leaves the next minute alone. */
	recent_ring_add(&r, T0 + 200, T0 + 240, d);
	ck_assert_uint_eq(recent_ring_read(&r, T0 + 240, out), 4);
	ck_assert_uint_eq(out[3].v[kept(UM_cpu_ns)] + out[2].v[kept(UM_cpu_ns)] +
			  out[1].v[kept(UM_cpu_ns)] + out[0].v[kept(UM_cpu_ns)],
			  2 * 1000000007ULL);
}
END_TEST

START_TEST(wrap_around_drops_old_minutes)
{
	static struct recent_ring r;
	struct recent_minute out[RECENT_MINUTES];
	uint64_t d[USAGE_COUNTERS];

	memset(&r, 0, sizeof(r));
	/* One sample a minute for 90 minutes, minute k counting k + 1. */
	for (int k = 0; k < 90; k++) {
		deltas(d, (uint64_t)k + 1, 0);
		recent_ring_add(&r, T0 + k * MIN, T0 + k * MIN + 30, d);
	}
	/* The last hour: minutes 30 .. 89, oldest first, each its own. */
	ck_assert_uint_eq(recent_ring_read(&r, T0 + 89 * MIN + 45, out), 60);
	for (int i = 0; i < 60; i++) {
		ck_assert_int_eq(out[i].start, T0 + (30 + i) * MIN);
		ck_assert_uint_eq(out[i].v[kept(UM_cpu_ns)], (uint64_t)(31 + i));
	}
	/* Ten minutes later, ten fewer; an hour later, none. */
	ck_assert_uint_eq(recent_ring_read(&r, T0 + 99 * MIN, out), 50);
	ck_assert_int_eq(out[0].start, T0 + 40 * MIN);
	ck_assert_uint_eq(recent_ring_read(&r, T0 + 149 * MIN, out), 0);

	/* A minute more than an hour older than the ring's newest is not
	 * written over the newer one in its slot. */
	deltas(d, 1000, 0);
	recent_ring_add(&r, T0 + 29 * MIN, T0 + 29 * MIN + 1, d);
	ck_assert_uint_eq(recent_ring_read(&r, T0 + 89 * MIN, out), 60);
	ck_assert_int_eq(out[59].start, T0 + 89 * MIN);
	ck_assert_uint_eq(out[59].v[kept(UM_cpu_ns)], 90);
}
END_TEST

START_TEST(long_interval_keeps_the_last_hour_part)
{
	static struct recent_ring r;
	struct recent_minute out[RECENT_MINUTES];
	uint64_t d[USAGE_COUNTERS], sum = 0;

	memset(&r, 0, sizeof(r));
	/* Two hours in one sample (a first sample after a long stop): the
	 * last hour's 60 minutes get half, a minute's share each. */
	deltas(d, 120 * 1000, 0);
	recent_ring_add(&r, T0, T0 + 120 * MIN, d);
	ck_assert_uint_eq(recent_ring_read(&r, T0 + 120 * MIN - 1, out), 60);
	for (int i = 0; i < 60; i++) {
		ck_assert_int_eq(out[i].start, T0 + (60 + i) * MIN);
		ck_assert_uint_eq(out[i].v[kept(UM_cpu_ns)], 1000);
		sum += out[i].v[kept(UM_cpu_ns)];
	}
	ck_assert_uint_eq(sum, 60 * 1000);
}
END_TEST

START_TEST(servers_index)
{
	struct recent_minute out[RECENT_MINUTES];
	uint64_t d[USAGE_COUNTERS];

	deltas(d, 100, 0);
	usage_recent_add("srv_b", T0, T0 + 10, d);
	usage_recent_add("srv_a", T0, T0 + 10, d);
	usage_recent_add("srv_c", T0, T0 + 10, d);
	usage_recent_add("srv_a", T0 + 10, T0 + 20, d);
	ck_assert_uint_eq(usage_recent_read("srv_a", T0 + 20, out), 1);
	ck_assert_uint_eq(out[0].v[kept(UM_cpu_ns)], 200);
	ck_assert_uint_eq(usage_recent_read("srv_b", T0 + 20, out), 1);
	ck_assert_uint_eq(out[0].v[kept(UM_cpu_ns)], 100);
	ck_assert_uint_eq(usage_recent_read("srv_x", T0 + 20, out), 0);

	usage_recent_forget("srv_b");
	ck_assert_uint_eq(usage_recent_read("srv_b", T0 + 20, out), 0);
	ck_assert_uint_eq(usage_recent_read("srv_c", T0 + 20, out), 1);

	/* srv_c sampled again later; srv_a not for an hour: pruned. */
	usage_recent_add("srv_c", T0 + 30 * MIN, T0 + 61 * MIN, d);
	usage_recent_prune(T0 + 61 * MIN);
	ck_assert_uint_eq(usage_recent_read("srv_a", T0 + 20, out), 0);
	ck_assert_uint_eq(usage_recent_read("srv_c", T0 + 61 * MIN, out), 31);
	usage_recent_forget("srv_c");
}
END_TEST

Suite *usage_recent_suite(void)
{
	Suite *s = suite_create("usage_recent");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, minute_alignment);
	tcase_add_test(tc, spread_over_minutes_is_exact);
	tcase_add_test(tc, wrap_around_drops_old_minutes);
	tcase_add_test(tc, long_interval_keeps_the_last_hour_part);
	tcase_add_test(tc, servers_index);
	suite_add_tcase(s, tc);
	return s;
}
