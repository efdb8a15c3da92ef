// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for quota/fairshare.c, weighted fair sharing by virtual time.
 *
 * Covered: exact vtime after specific charges at several weights; no
 * drift (a billion 1 ns charges equal one 1 s charge); the carry surviving a
 * weight change; bad weights (0 and above 65535, clamped and reported);
 * huge charges (weight 1 with ran_ns up to 2^63 and 2^64 - 1, clipped at
 * VTIME_MAX_STEP_NS); three years of weight-1 uptime wrapping the vtime;
 * wrap-safe comparisons; wake placement (bank forgotten, bounded head start,
 * stale wrapped vtimes kept in a window).  Then a tiny deterministic
 * one-CPU simulator: weights 1:2:4:8 and 1..8 give their shares within 0.5%
 * over 10 s of 1 ms slices; an I/O-bound vCPU next to two hogs runs at
 * once on every wake-up; a vCPU that slept 10 s cannot bank that time.
 */
#include <stdint.h>
#include <check.h>

#include "fairshare.h"
#include "suites.h"

START_TEST(test_charge_exact_values)
{
	struct vtime v;

	vtime_init(&v, 0);
	ck_assert(vtime_charge(&v, 1000, HV_SCHED_WEIGHT_DEFAULT));
	ck_assert_uint_eq(v.ns, 1000);
	ck_assert_uint_eq(v.carry, 0);

	/* Weight 512 ages at half speed: 1001 ns -> 500 virtual ns, 256/512 left. */
	vtime_init(&v, 0);
	ck_assert(vtime_charge(&v, 1001, 512));
	ck_assert_uint_eq(v.ns, 500);
	ck_assert_uint_eq(v.carry, 256);
	ck_assert(vtime_charge(&v, 1, 512));
	ck_assert_uint_eq(v.ns, 501);
	ck_assert_uint_eq(v.carry, 0);

	/* Weight 3: 1 ns is 85 1/3 virtual ns; three of them are exactly 256. */
	vtime_init(&v, 7);
	ck_assert(vtime_charge(&v, 1, 3));
	ck_assert_uint_eq(v.ns, 7 + 85);
	ck_assert_uint_eq(v.carry, 1);
	ck_assert(vtime_charge(&v, 1, 3));
	ck_assert(vtime_charge(&v, 1, 3));
	ck_assert_uint_eq(v.ns, 7 + 256);
	ck_assert_uint_eq(v.carry, 0);

	/* Weight 65535: 256 ns are 1 virtual ns and 1/65535 */
	vtime_init(&v, 0);
	ck_assert(vtime_charge(&v, 256, 65535));
	ck_assert_uint_eq(v.ns, 1);
	ck_assert_uint_eq(v.carry, 1);

	/* Weight 1 ages 256 times as fast as real time. */
	vtime_init(&v, 0);
	ck_assert(vtime_charge(&v, 10 * MS, 1));
	ck_assert_uint_eq(v.ns, 2560 * MS);

	/* 0 ns charges nothing */
	ck_assert(vtime_charge(&v, 0, 7));
	ck_assert_uint_eq(v.ns, 2560 * MS);
}
END_TEST

START_TEST(test_no_drift_billion_charges)
{
	struct vtime many;
	struct vtime once;
	uint64_t i;

	vtime_init(&many, 0);
	vtime_init(&once, 0);
	for (i = 0; i < 1000000000ull; i++)
		vtime_charge(&many, 1, 3);
	ck_assert(vtime_charge(&once, SEC, 3));
	/* 1e9 * 256 / 3 = 85333333333 remainder 1 */
	ck_assert_uint_eq(once.ns, 85333333333ull);
	ck_assert_uint_eq(once.carry, 1);
	ck_assert_uint_eq(many.ns, once.ns);
	ck_assert_uint_eq(many.carry, once.carry);
}
END_TEST

START_TEST(test_no_drift_any_weight)
{
	static const uint32_t weights[] = { 1, 3, 7, 255, 256, 257, 1000, 65535 };
	unsigned int w;
	uint64_t i;

	for (w = 0; w < sizeof(weights) / sizeof(weights[0]); w++) {
		struct vtime many;
		struct vtime once;
		uint64_t total_ns = 0;
		uint64_t seed = weights[w];

		vtime_init(&many, 0);
		vtime_init(&once, 0);
		for (i = 0; i < 100000; i++) {
			uint64_t ran = test_random(&seed) % 3000000;

			vtime_charge(&many, ran, weights[w]);
			total_ns += ran;
		}
		vtime_charge(&once, total_ns, weights[w]);
		ck_assert_uint_eq(many.ns, once.ns);
		ck_assert_uint_eq(many.carry, once.carry);
		ck_assert_uint_eq(once.ns, (uint64_t)((unsigned __int128)total_ns * 256 / weights[w]));
	}
}
END_TEST

START_TEST(test_carry_survives_weight_change)
{
	struct vtime v;

	/* The carry is real time: 1 ns at 65535 leaves 256/256 ns pending... */
	vtime_init(&v, 0);
	ck_assert(vtime_charge(&v, 1, 65535));
	ck_assert_uint_eq(v.ns, 0);
	ck_assert_uint_eq(v.carry, 256);
	/* ... which a charge at weight 2 turns into virtual time: (256 + 256) / 2. */
	ck_assert(vtime_charge(&v, 1, 2));
	ck_assert_uint_eq(v.ns, 256);
	ck_assert_uint_eq(v.carry, 0);

	/* A carry larger than the new weight is fine too. */
	vtime_init(&v, 0);
	ck_assert(vtime_charge(&v, 255, 65535));	/* 65280 pending */
	ck_assert_uint_eq(v.carry, 65280);
	ck_assert(vtime_charge(&v, 0, 256));		/* 65280 / 256 = 255 */
	ck_assert_uint_eq(v.ns, 255);
	ck_assert_uint_eq(v.carry, 0);
}
END_TEST

START_TEST(test_bad_weights_clamped)
{
	struct vtime v;

	ck_assert(!quota_weight_valid(0));
	ck_assert(quota_weight_valid(1));
	ck_assert(quota_weight_valid(65535));
	ck_assert(!quota_weight_valid(65536));
	ck_assert_uint_eq(quota_weight_clamp(0), 1);
	ck_assert_uint_eq(quota_weight_clamp(256), 256);
	ck_assert_uint_eq(quota_weight_clamp(100000), 65535);
	ck_assert_uint_eq(quota_weight_clamp(UINT32_MAX), 65535);

	/* Weight 0 is charged as weight 1 (the smallest share), and reported. */
	vtime_init(&v, 0);
	ck_assert(!vtime_charge(&v, 1000, 0));
	ck_assert_uint_eq(v.ns, 256000);

	/* Above the maximum: charged as 65535, reported. */
	vtime_init(&v, 0);
	ck_assert(!vtime_charge(&v, 65535, 100000));
	ck_assert_uint_eq(v.ns, 256);
	ck_assert_uint_eq(v.carry, 0);
}
END_TEST

START_TEST(test_huge_charges)
{
	struct vtime v;

	/* 2^54 ns at weight 1 is exactly the largest step: still exact. */
	vtime_init(&v, 5);
	ck_assert(vtime_charge(&v, 1ull << 54, 1));
	ck_assert_uint_eq(v.ns, 5 + VTIME_MAX_STEP_NS);

	/* One ns more saturates the step, drops the carry, says so. */
	vtime_init(&v, 5);
	v.carry = 1;
	ck_assert(!vtime_charge(&v, (1ull << 54) + 1, 1));
	ck_assert_uint_eq(v.ns, 5 + VTIME_MAX_STEP_NS);
	ck_assert_uint_eq(v.carry, 0);

	/* ran_ns = 2^63 at weight 1 (would be 2^71) and at 256 (2^63). */
	vtime_init(&v, 0);
	ck_assert(!vtime_charge(&v, 1ull << 63, 1));
	ck_assert_uint_eq(v.ns, VTIME_MAX_STEP_NS);
	vtime_init(&v, 0);
	ck_assert(!vtime_charge(&v, 1ull << 63, 256));
	ck_assert_uint_eq(v.ns, VTIME_MAX_STEP_NS);
	vtime_init(&v, 0);
	ck_assert(!vtime_charge(&v, UINT64_MAX, 0));
	ck_assert_uint_eq(v.ns, VTIME_MAX_STEP_NS);

	/* UINT64_MAX ns at weight 65535 is only ~2^56 virtual ns: exact. */
	vtime_init(&v, 0);
	ck_assert(vtime_charge(&v, UINT64_MAX, 65535));
	ck_assert_uint_eq(v.ns, (uint64_t)((unsigned __int128)UINT64_MAX * 256 / 65535));
	ck_assert_uint_eq(v.carry, (uint32_t)((unsigned __int128)UINT64_MAX * 256 % 65535));

	/* 2^62 ns at weight 256 is exactly the largest step. */
	vtime_init(&v, 0);
	ck_assert(vtime_charge(&v, 1ull << 62, 256));
	ck_assert_uint_eq(v.ns, 1ull << 62);
}
END_TEST

START_TEST(test_years_of_uptime_wrap)
{
	/*
	 * Three years of a weight-1 vCPU charged an hour at a time: 2.4e19
	 * virtual ns, more than 2^64.  The vtime wraps once, every charge
	 * still compares as later, and the value is the exact total mod 2^64.
	 */
	const uint64_t hour = 3600 * SEC;
	const uint64_t hours = 3 * 365 * 24;
	struct vtime v;
	uint64_t i;
	int wraps = 0;

	vtime_init(&v, 0);
	for (i = 0; i < hours; i++) {
		uint64_t before = v.ns;

		FAST_ASSERT(vtime_charge(&v, hour, 1));
		FAST_ASSERT(vtime_before(before, v.ns));
		if (v.ns < before)
			wraps++;
	}
	ck_assert_int_eq(wraps, 1);
	ck_assert_uint_eq(v.ns, (uint64_t)((unsigned __int128)hours * hour * 256));

	/* Right at the edge: charging across 2^64 */
	vtime_init(&v, UINT64_MAX - 9);
	ck_assert(vtime_charge(&v, 100, 256));
	ck_assert_uint_eq(v.ns, 90);
	ck_assert(vtime_before(UINT64_MAX - 9, v.ns));
}
END_TEST

START_TEST(test_compare_across_wrap)
{
	ck_assert(vtime_before(1, 2));
	ck_assert(!vtime_before(2, 1));
	ck_assert(!vtime_before(5, 5));
	ck_assert(vtime_before(UINT64_MAX, 0));
	ck_assert(!vtime_before(0, UINT64_MAX));
	ck_assert(vtime_before(UINT64_MAX - 100, 100));
	/* The largest distance that still compares right: 2^63 - 1. */
	ck_assert(vtime_before(0, (1ull << 63) - 1));
	ck_assert(!vtime_before((1ull << 63) - 1, 0));
	ck_assert(vtime_before(UINT64_MAX, (1ull << 63) - 2));

	ck_assert_int_eq(vtime_cmp(3, 3), 0);
	ck_assert_int_eq(vtime_cmp(UINT64_MAX, 3), -1);
	ck_assert_int_eq(vtime_cmp(3, UINT64_MAX), 1);
	ck_assert_uint_eq(vtime_min(UINT64_MAX - 1, 3), UINT64_MAX - 1);
	ck_assert_uint_eq(vtime_max(UINT64_MAX - 1, 3), 3);
	ck_assert_uint_eq(vtime_min(3, 4), 3);
	ck_assert_uint_eq(vtime_max(3, 4), 4);
	ck_assert_uint_eq(vtime_max(7, 7), 7);
}
END_TEST

START_TEST(test_wake_placement)
{
	const uint64_t queue_min = 1000 * SEC;
	const uint64_t credit = QUOTA_WAKE_CREDIT_DEFAULT_NS;

	/* Slept long: the bank is forgotten, the head start kept. */
	ck_assert_uint_eq(vtime_on_wake(0, queue_min, credit), queue_min - credit);
	ck_assert_uint_eq(vtime_on_wake(queue_min - credit - 1, queue_min, credit),
			  queue_min - credit);
	/* Behind by less than the credit: keeps its own vtime. */
	ck_assert_uint_eq(vtime_on_wake(queue_min - MS, queue_min, credit), queue_min - MS);
	ck_assert_uint_eq(vtime_on_wake(queue_min - credit, queue_min, credit),
			  queue_min - credit);
	/* Ahead (it ran last): keeps its vtime, sleeping does not clean its debt. */
	ck_assert_uint_eq(vtime_on_wake(queue_min + 5 * MS, queue_min, credit),
			  queue_min + 5 * MS);
	ck_assert_uint_eq(vtime_on_wake(queue_min + VTIME_WAKE_MAX_LEAD_NS, queue_min, credit),
			  queue_min + VTIME_WAKE_MAX_LEAD_NS);
	/* Further ahead than any charge can put it: held at the lead bound. */
	ck_assert_uint_eq(vtime_on_wake(queue_min + (1ull << 40), queue_min, credit),
			  queue_min + VTIME_WAKE_MAX_LEAD_NS);
	/* No credit: placed at the minimum. */
	ck_assert_uint_eq(vtime_on_wake(0, queue_min, 0), queue_min);
	/* A credit beyond 2^62 is taken as 2^62. */
	ck_assert_uint_eq(vtime_on_wake(queue_min + 1, queue_min, UINT64_MAX),
			  queue_min + 1);
	ck_assert_uint_eq(vtime_on_wake(queue_min - (1ull << 63) + 1, queue_min, UINT64_MAX),
			  queue_min - VTIME_MAX_STEP_NS);
	/* Near 0 the placement wraps below it and still compares as earlier. */
	ck_assert_uint_eq(vtime_on_wake(UINT64_MAX - (1ull << 40), 1000, credit),
			  1000 - credit);
	ck_assert(vtime_before(vtime_on_wake(0, 1000, credit), 1000));
}
END_TEST

START_TEST(test_wake_stale_vtime_stays_in_window)
{
	/*
	 * Whatever a stale own vtime is (it may have wrapped any number of
	 * times), the waker lands in [min - credit, min + lead].
	 */
	const uint64_t credit = QUOTA_WAKE_CREDIT_DEFAULT_NS;
	uint64_t seed = 7;
	int i;

	for (i = 0; i < 100000; i++) {
		uint64_t queue_min = test_random(&seed);
		uint64_t own = i < 4096 ? queue_min + ((uint64_t)i << 52) : test_random(&seed);
		uint64_t placed = vtime_on_wake(own, queue_min, credit);

		FAST_ASSERT(placed - (queue_min - credit) <= credit + VTIME_WAKE_MAX_LEAD_NS);
	}
}
END_TEST

/* ---- A tiny deterministic scheduler: one CPU, run the earliest vtime ---- */

struct sim_vcpu {
	struct vtime vtime;
	uint32_t weight;
	uint64_t ran_ns;
};

/* Index of the runnable vCPU with the earliest vtime; ties go to the lowest index. */
static int earliest(const struct sim_vcpu *vcpus, const int *runnable, int n)
{
	int best = -1;
	int i;

	for (i = 0; i < n; i++) {
		if (!runnable[i])
			continue;
		if (best < 0 || vtime_before(vcpus[i].vtime.ns, vcpus[best].vtime.ns))
			best = i;
	}
	return best;
}

/* Greedy vCPUs sharing one CPU in slices of slice_ns for total_ns. */
static void run_greedy(struct sim_vcpu *vcpus, int n, uint64_t slice_ns, uint64_t total_ns)
{
	int runnable[16];
	uint64_t now;
	int i;

	for (i = 0; i < n; i++)
		runnable[i] = 1;
	for (now = 0; now < total_ns; now += slice_ns) {
		int next = earliest(vcpus, runnable, n);

		vtime_charge(&vcpus[next].vtime, slice_ns, vcpus[next].weight);
		vcpus[next].ran_ns += slice_ns;
	}
}

/* |ran / total - weight / sum_of_weights| <= 0.5% of weight / sum_of_weights */
static void check_share(const struct sim_vcpu *vcpu, uint64_t total_ns, uint64_t weight_sum)
{
	/* ran * sum vs total * weight, scaled by 1000 to compare 0.5% in integers */
	unsigned __int128 got = (unsigned __int128)vcpu->ran_ns * weight_sum * 1000;
	unsigned __int128 want = (unsigned __int128)total_ns * vcpu->weight * 1000;
	unsigned __int128 slack = (unsigned __int128)total_ns * vcpu->weight * 5;

	ck_assert_msg(got + slack >= want && got <= want + slack,
		      "weight %u ran %llu ns of %llu", vcpu->weight,
		      (unsigned long long)vcpu->ran_ns, (unsigned long long)total_ns);
}

START_TEST(test_shares_1_2_4_8)
{
	struct sim_vcpu vcpus[4] = {
		{ .weight = 1 }, { .weight = 2 }, { .weight = 4 }, { .weight = 8 },
	};
	int i;

	run_greedy(vcpus, 4, 1 * MS, 10 * SEC);
	for (i = 0; i < 4; i++)
		check_share(&vcpus[i], 10 * SEC, 15);
	/*
	 * The exact outcome of this deterministic run, each within one slice
	 * of the ideal 666.7, 1333.3, 2666.7 and 5333.3 ms.
	 */
	ck_assert_uint_eq(vcpus[0].ran_ns, 667 * MS);
	ck_assert_uint_eq(vcpus[1].ran_ns, 1334 * MS);
	ck_assert_uint_eq(vcpus[2].ran_ns, 2667 * MS);
	ck_assert_uint_eq(vcpus[3].ran_ns, 5332 * MS);
}
END_TEST

START_TEST(test_shares_1_to_8)
{
	/* Xen's SOSP 2003 experiment (weights 1..8, each within 4%): here 0.5%. */
	struct sim_vcpu vcpus[8] = { { .weight = 0 } };
	int i;

	for (i = 0; i < 8; i++)
		vcpus[i].weight = (uint32_t)(i + 1) * HV_SCHED_WEIGHT_DEFAULT;
	run_greedy(vcpus, 8, 1 * MS, 10 * SEC);
	for (i = 0; i < 8; i++)
		check_share(&vcpus[i], 10 * SEC, 36 * HV_SCHED_WEIGHT_DEFAULT);
}
END_TEST

START_TEST(test_io_bound_stays_responsive)
{
	/*
	 * Two CPU hogs and one I/O-bound vCPU, all weight 256: the I/O vCPU
	 * wakes every 5 ms, runs 100 us and sleeps.  The scheduler places it
	 * with vtime_on_wake and preempts a hog when a waker is earlier.  It
	 * must run the moment it wakes, every time, and get all it asked for.
	 */
	struct sim_vcpu vcpus[3] = {		/* 0: I/O, 1 and 2: hogs */
		{ .weight = 256 }, { .weight = 256 }, { .weight = 256 },
	};
	int runnable[3] = { 0, 1, 1 };
	const uint64_t total = 10 * SEC;
	uint64_t queue_min = 0;
	uint64_t next_wake = 0;
	uint64_t woke_at = 0;
	uint64_t worst_latency = 0;
	uint64_t wakes = 0;
	uint64_t now = 0;

	while (now < total) {
		uint64_t run;
		int next;

		if (!runnable[0] && now >= next_wake) {
			vcpus[0].vtime.ns = vtime_on_wake(vcpus[0].vtime.ns, queue_min,
							  QUOTA_WAKE_CREDIT_DEFAULT_NS);
			runnable[0] = 1;
			woke_at = next_wake;
			next_wake += 5 * MS;
			wakes++;
		}
		next = earliest(vcpus, runnable, 3);
		queue_min = vtime_max(queue_min, vcpus[next].vtime.ns);
		if (next == 0) {
			if (now - woke_at > worst_latency)
				worst_latency = now - woke_at;
			run = 100000;
			runnable[0] = 0;
		} else {
			run = 1 * MS;
			if (!runnable[0] && next_wake - now < run)
				run = next_wake - now;	/* the waker preempts */
		}
		vtime_charge(&vcpus[next].vtime, run, vcpus[next].weight);
		vcpus[next].ran_ns += run;
		now += run;
	}
	ck_assert_uint_eq(wakes, 2000);
	ck_assert_uint_eq(worst_latency, 0);
	ck_assert_uint_eq(vcpus[0].ran_ns, 2000 * 100000ull);
	ck_assert_uint_eq(vcpus[1].ran_ns + vcpus[2].ran_ns, total - 200 * MS);
	ck_assert(vcpus[1].ran_ns - vcpus[2].ran_ns + MS <= 2 * MS);
}
END_TEST

/*
 * Two hogs run for 10 s while vCPU 0 sleeps; then vCPU 0 wakes and turns
 * greedy too.  Returns what vCPU 0 gets in the next 300 ms.  With
 * placement, it gets its third plus the 3 ms credit; without, it would
 * run alone for the whole 300 ms, cashing in the sleep.
 */
static uint64_t run_after_long_sleep(int use_wake_placement)
{
	struct sim_vcpu vcpus[3] = {
		{ .weight = 256 }, { .weight = 256 }, { .weight = 256 },
	};
	int runnable[3] = { 0, 1, 1 };
	uint64_t queue_min = 0;
	uint64_t now;

	for (now = 0; now < 10 * SEC; now += MS) {
		int next = earliest(vcpus, runnable, 3);

		queue_min = vtime_max(queue_min, vcpus[next].vtime.ns);
		vtime_charge(&vcpus[next].vtime, MS, vcpus[next].weight);
	}
	if (use_wake_placement)
		vcpus[0].vtime.ns = vtime_on_wake(vcpus[0].vtime.ns, queue_min,
						  QUOTA_WAKE_CREDIT_DEFAULT_NS);
	runnable[0] = 1;
	for (now = 0; now < 300 * MS; now += MS) {
		int next = earliest(vcpus, runnable, 3);

		vtime_charge(&vcpus[next].vtime, MS, vcpus[next].weight);
		vcpus[next].ran_ns += MS;
	}
	return vcpus[0].ran_ns;
}

START_TEST(test_sleeper_cannot_bank)
{
	/* Its 3 ms head start, then a third of 297 ms, plus ties (lowest index). */
	ck_assert_uint_eq(run_after_long_sleep(1), 103 * MS);
	ck_assert_uint_eq(run_after_long_sleep(0), 300 * MS);
}
END_TEST

Suite *fairshare_suite(void)
{
	Suite *s = suite_create("fairshare");
	TCase *tc;

	tc = tcase_create("charge");
	tcase_add_test(tc, test_charge_exact_values);
	tcase_add_test(tc, test_no_drift_any_weight);
	tcase_add_test(tc, test_carry_survives_weight_change);
	tcase_add_test(tc, test_bad_weights_clamped);
	tcase_add_test(tc, test_huge_charges);
	tcase_add_test(tc, test_years_of_uptime_wrap);
	suite_add_tcase(s, tc);

	/* A billion charges take a few seconds under the sanitizers. */
	tc = tcase_create("billion");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_no_drift_billion_charges);
	suite_add_tcase(s, tc);

	tc = tcase_create("compare");
	tcase_add_test(tc, test_compare_across_wrap);
	suite_add_tcase(s, tc);

	tc = tcase_create("wake");
	tcase_add_test(tc, test_wake_placement);
	tcase_add_test(tc, test_wake_stale_vtime_stays_in_window);
	suite_add_tcase(s, tc);

	tc = tcase_create("shares");
	tcase_add_test(tc, test_shares_1_2_4_8);
	tcase_add_test(tc, test_shares_1_to_8);
	tcase_add_test(tc, test_io_bound_stays_responsive);
	tcase_add_test(tc, test_sleeper_cannot_bank);
	suite_add_tcase(s, tc);
	return s;
}
