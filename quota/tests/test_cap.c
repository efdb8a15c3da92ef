// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for quota/cap.c, hard CPU caps refilled every period.
 *
 * Covered: the state after cap_init; charge and refill by hand (debt carried
 * into the next period, parked until cap_next_refill_ns); a greedy domain
 * capped at 25% with 10 ms periods gets exactly 2.5 s in 10 simulated
 * seconds, both when preempted at budget exhaustion and when it always
 * overruns by running whole 1 ms slices, and 7 ms ones; bounded debt (one
 * long run parks the domain for at most period / budget + 1 refills; debt
 * is repaid by every period started, however many at once); a year of
 * missed periods in one refill; a 65-vCPU domain capped at 6500% and 3250%; the largest cap and
 * period; an odd period whose budget is not a whole ns; now_ns near 2^63 and
 * 2^64; cap_set up, down, to and from uncapped; uncapped domains; bad
 * arguments clamped and reported.
 */
#include <stdint.h>
#include <check.h>

#include "cap.h"
#include "suites.h"

/*
 * A tiny deterministic scheduler for one domain whose `vcpus` vCPUs are all
 * greedy, each on its own pCPU.  Every run is cut exactly where the
 * scheduler's timers would cut it: at the end of a 1 ms slice, when the
 * budget left (shared out among the running vCPUs) is gone, or at the next
 * refill.  A parked domain sleeps until cap_next_refill_ns().  Charge, then
 * refill, as cap.h says.  Returns the CPU time the domain got in
 * [start_ns, start_ns + total_ns).
 */
static uint64_t run_greedy_exact(struct cpu_cap *c, uint64_t vcpus,
				 uint64_t start_ns, uint64_t total_ns)
{
	uint64_t end = start_ns + total_ns;
	uint64_t now = start_ns;
	uint64_t used = 0;

	while (now < end) {
		uint64_t run = MS;
		uint64_t share;

		cap_refill(c, now);
		if (!cap_runnable(c)) {
			now = cap_next_refill_ns(c);
			continue;
		}
		/* Rounded up so a last few ns are not split into nothing. */
		share = (cap_budget_left_ns(c) + vcpus - 1) / vcpus;
		if (share < run)
			run = share;
		if (cap_next_refill_ns(c) - now < run)
			run = cap_next_refill_ns(c) - now;
		if (end - now < run)
			run = end - now;
		cap_charge(c, run * vcpus);
		used += run * vcpus;
		now += run;
	}
	return used;
}

/*
 * The same domain with one vCPU under a sloppy scheduler that only looks
 * at the cap between whole slices, so it overruns its budget every time.
 */
static uint64_t run_greedy_whole_slices(struct cpu_cap *c, uint64_t slice_ns,
					uint64_t start_ns, uint64_t total_ns)
{
	uint64_t end = start_ns + total_ns;
	uint64_t now = start_ns;
	uint64_t used = 0;

	while (now < end) {
		cap_refill(c, now);
		if (!cap_runnable(c)) {
			now = cap_next_refill_ns(c);
			continue;
		}
		cap_charge(c, slice_ns);
		used += slice_ns;
		now += slice_ns;
	}
	return used;
}

START_TEST(test_init)
{
	struct cpu_cap c;

	ck_assert(cap_init(&c, 25, QUOTA_CAP_PERIOD_DEFAULT_NS, 1000));
	ck_assert_uint_eq(c.cap_pct, 25);
	ck_assert_uint_eq(c.period_ns, 10 * MS);
	ck_assert_uint_eq(c.budget_per_period_ns, 2500000);
	ck_assert_int_eq(c.budget_ns, 2500000);
	ck_assert_uint_eq(cap_next_refill_ns(&c), 1000 + 10 * MS);
	ck_assert(cap_runnable(&c));
	ck_assert_uint_eq(cap_budget_left_ns(&c), 2500000);

	/* 150% = one and a half CPUs: 15 ms of CPU per 10 ms */
	ck_assert(cap_init(&c, 150, 10 * MS, 0));
	ck_assert_uint_eq(cap_budget_left_ns(&c), 15 * MS);
}
END_TEST

START_TEST(test_charge_and_refill)
{
	struct cpu_cap c;

	cap_init(&c, 25, 10 * MS, 0);
	cap_charge(&c, 1 * MS);
	ck_assert_int_eq(c.budget_ns, 1500000);
	ck_assert(cap_runnable(&c));

	/* An overrun of 0.5 ms: debt, parked. */
	cap_charge(&c, 2 * MS);
	ck_assert_int_eq(c.budget_ns, -500000);
	ck_assert(!cap_runnable(&c));
	ck_assert_uint_eq(cap_budget_left_ns(&c), 0);

	/* Nothing happens before the refill is due... */
	ck_assert_uint_eq(cap_refill(&c, 10 * MS - 1), 0);
	ck_assert(!cap_runnable(&c));
	/* ... then the debt is repaid from the new budget. */
	ck_assert_uint_eq(cap_refill(&c, 10 * MS), 1);
	ck_assert_int_eq(c.budget_ns, 2000000);
	ck_assert_uint_eq(cap_next_refill_ns(&c), 20 * MS);
	ck_assert(cap_runnable(&c));

	/* Unused budget is not carried over. */
	ck_assert_uint_eq(cap_refill(&c, 20 * MS + 5), 1);
	ck_assert_int_eq(c.budget_ns, 2500000);
	ck_assert_uint_eq(cap_next_refill_ns(&c), 30 * MS);

	/* Exactly used up: not runnable (budget must be > 0). */
	cap_charge(&c, 2500000);
	ck_assert(!cap_runnable(&c));
}
END_TEST

START_TEST(test_greedy_25_percent_exact)
{
	struct cpu_cap c;

	cap_init(&c, 25, 10 * MS, 0);
	ck_assert_uint_eq(run_greedy_exact(&c, 1, 0, 10 * SEC), 2500 * MS);
}
END_TEST

START_TEST(test_greedy_overrunning_slices_exact)
{
	/*
	 * Runs 3 ms in one period (0.5 ms over), 2 ms in the next (repaying),
	 * and so on: still exactly 25% over 10 s because the debt is carried.
	 */
	struct cpu_cap c;

	cap_init(&c, 25, 10 * MS, 0);
	ck_assert_uint_eq(run_greedy_whole_slices(&c, MS, 0, 10 * SEC), 2500 * MS);

	/*
	 * 7 ms slices against a 2.5 ms budget: 4.5 ms of debt each time,
	 * within the bound of one period, repaid in full: 25%, give or take
	 * the 6 ms of debt the last slice leaves at the end of the 10 s.
	 */
	cap_init(&c, 25, 10 * MS, 0);
	ck_assert_uint_eq(run_greedy_whole_slices(&c, 7 * MS, 0, 10 * SEC), 2506 * MS);

	/*
	 * 15 ms slices overrun by 12.5 ms, beyond the 10 ms bound: 2.5 ms of
	 * each is forgiven.  Each slice starts at a refill and is parked for
	 * 4 more, so 15 ms every 50 ms instead of 12.5 ms.
	 */
	cap_init(&c, 25, 10 * MS, 0);
	ck_assert_uint_eq(run_greedy_whole_slices(&c, 15 * MS, 0, 10 * SEC), 3000 * MS);
}
END_TEST

START_TEST(test_debt_is_bounded)
{
	struct cpu_cap c;

	/* A single 1 s run against a 2.5 ms budget (a missed timer). */
	cap_init(&c, 25, 10 * MS, 0);
	cap_charge(&c, SEC);
	/* Debt bounded at one period of CPU time, 10 ms, not the 2.5 ms budget. */
	ck_assert_int_eq(c.budget_ns, -10 * (int64_t)MS);
	/* Each refill repays 2.5 ms: parked through the 4th refill... */
	ck_assert_uint_eq(cap_refill(&c, 10 * MS), 1);
	ck_assert_int_eq(c.budget_ns, -7500000);
	ck_assert_uint_eq(cap_refill(&c, 20 * MS), 1);
	ck_assert_uint_eq(cap_refill(&c, 30 * MS), 1);
	ck_assert_uint_eq(cap_refill(&c, 40 * MS), 1);
	ck_assert_int_eq(c.budget_ns, 0);
	ck_assert(!cap_runnable(&c));
	ck_assert_uint_eq(cap_next_refill_ns(&c), 50 * MS);
	/* ... and no longer: period_ns / budget + 1 = 5 refills. */
	ck_assert_uint_eq(cap_refill(&c, 50 * MS), 1);
	ck_assert(cap_runnable(&c));
	ck_assert_int_eq(c.budget_ns, 2500000);

	/* Charging UINT64_MAX ns is the same bounded debt. */
	cap_charge(&c, UINT64_MAX);
	ck_assert_int_eq(c.budget_ns, -10 * (int64_t)MS);

	/* Two periods started at once (a run across a refill): both repay. */
	ck_assert_uint_eq(cap_refill(&c, 70 * MS), 2);
	ck_assert_int_eq(c.budget_ns, -5 * (int64_t)MS);
	ck_assert_uint_eq(cap_next_refill_ns(&c), 80 * MS);

	/* Three periods repay the 5 ms left and more: one budget, no more. */
	ck_assert_uint_eq(cap_refill(&c, 100 * MS), 3);
	ck_assert_int_eq(c.budget_ns, 2500000);
	ck_assert_uint_eq(cap_next_refill_ns(&c), 110 * MS);

	/* Exactly repaid by two periods: 0, parked until the next. */
	cap_charge(&c, 7500000);
	ck_assert_int_eq(c.budget_ns, -5 * (int64_t)MS);
	ck_assert_uint_eq(cap_refill(&c, 120 * MS), 2);
	ck_assert_int_eq(c.budget_ns, 0);
	ck_assert(!cap_runnable(&c));

	/* 5% and a 3 ms run (a late timer): parked for exactly 5 periods. */
	cap_init(&c, 5, 10 * MS, 0);
	cap_charge(&c, 3 * MS);
	ck_assert_int_eq(c.budget_ns, -2500000);
	ck_assert_uint_eq(cap_refill(&c, 50 * MS), 5);
	ck_assert_int_eq(c.budget_ns, 0);
	ck_assert_uint_eq(cap_refill(&c, 60 * MS), 1);
	ck_assert_int_eq(c.budget_ns, 500000);
}
END_TEST

START_TEST(test_refill_after_a_year)
{
	struct cpu_cap c;

	cap_init(&c, 25, 10 * MS, 0);
	cap_charge(&c, 4 * MS);
	/* From the first refill at 10 ms to one year: 3153600000 periods. */
	ck_assert_uint_eq(cap_refill(&c, YEAR), 3153600000ull);
	ck_assert_int_eq(c.budget_ns, 2500000);
	ck_assert_uint_eq(cap_next_refill_ns(&c), YEAR + 10 * MS);
	/* And the domain goes on exactly as before. */
	ck_assert_uint_eq(run_greedy_exact(&c, 1, YEAR, SEC), 250 * MS);
}
END_TEST

START_TEST(test_65_vcpus)
{
	struct cpu_cap c;

	/* 6500% on 65 pCPUs: 650 ms per 10 ms, never parked, all 650 s in 10 s. */
	ck_assert(cap_init(&c, 6500, 10 * MS, 0));
	ck_assert_uint_eq(c.budget_per_period_ns, 650 * MS);
	ck_assert_uint_eq(run_greedy_exact(&c, 65, 0, 10 * SEC), 650 * SEC);

	/* 3250%: half of it. */
	ck_assert(cap_init(&c, 3250, 10 * MS, 0));
	ck_assert_uint_eq(run_greedy_exact(&c, 65, 0, 10 * SEC), 325 * SEC);

	/* 65 vCPUs overrunning the 325 ms budget together: debt, carried. */
	ck_assert(cap_init(&c, 3250, 10 * MS, 0));
	cap_charge(&c, 65 * 6 * MS);
	ck_assert_int_eq(c.budget_ns, -65 * (int64_t)MS);
	ck_assert_uint_eq(cap_refill(&c, 10 * MS), 1);
	ck_assert_int_eq(c.budget_ns, 260 * (int64_t)MS);
	/* 65 vCPUs each running a whole second past it: bounded at one budget. */
	cap_charge(&c, 65 * SEC);
	ck_assert_int_eq(c.budget_ns, -325 * (int64_t)MS);
}
END_TEST

START_TEST(test_largest_cap_and_period)
{
	struct cpu_cap c;

	ck_assert(cap_init(&c, QUOTA_CAP_PCT_MAX, QUOTA_CAP_PERIOD_MAX_NS, 0));
	ck_assert_uint_eq(c.budget_per_period_ns, 65535ull * SEC);
	cap_charge(&c, UINT64_MAX);
	ck_assert_int_eq(c.budget_ns, -(int64_t)(65535ull * SEC));
	ck_assert_uint_eq(cap_refill(&c, SEC), 1);
	ck_assert_int_eq(c.budget_ns, 0);
	ck_assert_uint_eq(cap_refill(&c, 2 * SEC), 1);
	ck_assert_int_eq(c.budget_ns, 65535ll * (int64_t)SEC);
}
END_TEST

START_TEST(test_odd_period_remainder_carried)
{
	/*
	 * 33% of 1000001 ns is 330000.33 ns: the 1/100 ns remainders are
	 * carried, so 300 periods grant exactly 300 * 1000001 * 33 / 100 ns.
	 */
	const uint64_t period = 1000001;
	struct cpu_cap c;

	ck_assert(cap_init(&c, 33, period, 0));
	ck_assert_uint_eq(run_greedy_exact(&c, 1, 0, 300 * period),
			  300 * period * 33 / 100);
	ck_assert_uint_eq(300 * period * 33 / 100, 99000099);
}
END_TEST

START_TEST(test_clock_near_the_top)
{
	struct cpu_cap c;
	const uint64_t start = (1ull << 63) - MS;

	/* Around 2^63 ns (292 years of uptime): business as usual. */
	cap_init(&c, 25, 10 * MS, start);
	ck_assert_uint_eq(run_greedy_exact(&c, 1, start, 100 * MS), 25 * MS);
	ck_assert_uint_eq(cap_next_refill_ns(&c), start + 100 * MS);

	/* Near 2^64 the next refill saturates instead of wrapping to 0. */
	cap_init(&c, 25, 10 * MS, UINT64_MAX - 5 * MS);
	ck_assert_uint_eq(cap_next_refill_ns(&c), UINT64_MAX);
	cap_charge(&c, 3 * MS);
	ck_assert_uint_eq(cap_refill(&c, UINT64_MAX - 1), 0);
	ck_assert(!cap_runnable(&c));
	ck_assert_uint_eq(cap_refill(&c, UINT64_MAX), 1);
	ck_assert(cap_runnable(&c));
	ck_assert_uint_eq(cap_next_refill_ns(&c), UINT64_MAX);
}
END_TEST

START_TEST(test_set_raise_and_lower)
{
	struct cpu_cap c;

	/* 25% used up at 3 ms: raising to 50% unparks it at once. */
	cap_init(&c, 25, 10 * MS, 0);
	cap_charge(&c, 2500000);
	ck_assert(!cap_runnable(&c));
	ck_assert(cap_set(&c, 50, 3 * MS));
	ck_assert(cap_runnable(&c));
	ck_assert_int_eq(c.budget_ns, 2500000);	/* 5 ms - 2.5 ms used */
	ck_assert_uint_eq(cap_next_refill_ns(&c), 10 * MS);	/* periods unchanged */
	ck_assert_uint_eq(cap_refill(&c, 10 * MS), 1);
	ck_assert_int_eq(c.budget_ns, 5 * (int64_t)MS);

	/* 50% with 1 ms used, lowered to 10%: the 1 ms allowed is used. */
	cap_init(&c, 50, 10 * MS, 0);
	cap_charge(&c, MS);
	ck_assert(cap_set(&c, 10, 2 * MS));
	ck_assert_int_eq(c.budget_ns, 0);
	ck_assert(!cap_runnable(&c));

	/* 50% with 5 ms used, lowered to 10%: 4 ms over, repaid in full. */
	cap_init(&c, 50, 10 * MS, 0);
	cap_charge(&c, 5 * MS);
	ck_assert(cap_set(&c, 10, 6 * MS));
	ck_assert_int_eq(c.budget_ns, -4 * (int64_t)MS);
	ck_assert_uint_eq(cap_refill(&c, 10 * MS), 1);
	ck_assert_int_eq(c.budget_ns, -3 * (int64_t)MS);
	ck_assert_uint_eq(cap_refill(&c, 40 * MS), 3);
	ck_assert_int_eq(c.budget_ns, 0);
	ck_assert_uint_eq(cap_refill(&c, 50 * MS), 1);
	ck_assert_int_eq(c.budget_ns, (int64_t)MS);

	/* 300% with 25 ms used, lowered to 10%: 24 ms over, bounded at 10 ms. */
	cap_init(&c, 300, 10 * MS, 0);
	cap_charge(&c, 25 * MS);
	ck_assert(cap_set(&c, 10, 6 * MS));
	ck_assert_int_eq(c.budget_ns, -10 * (int64_t)MS);

	/* cap_set brings missed periods up to date before changing. */
	cap_init(&c, 20, 10 * MS, 0);
	cap_charge(&c, 2 * MS);
	ck_assert(cap_set(&c, 30, 35 * MS));
	ck_assert_int_eq(c.budget_ns, 3 * (int64_t)MS);
	ck_assert_uint_eq(cap_next_refill_ns(&c), 40 * MS);
}
END_TEST

START_TEST(test_set_uncapped)
{
	struct cpu_cap c;

	/* 0 = uncapped: always runnable, no timer, charges ignored. */
	ck_assert(cap_init(&c, 0, 10 * MS, 0));
	ck_assert(cap_runnable(&c));
	cap_charge(&c, UINT64_MAX);
	ck_assert(cap_runnable(&c));
	ck_assert_uint_eq(cap_budget_left_ns(&c), UINT64_MAX);
	ck_assert_uint_eq(cap_next_refill_ns(&c), UINT64_MAX);
	ck_assert_uint_eq(cap_refill(&c, YEAR), 0);

	/* Capping it starts a fresh period now. */
	ck_assert(cap_set(&c, 40, 55 * MS));
	ck_assert_int_eq(c.budget_ns, 4 * (int64_t)MS);
	ck_assert_uint_eq(cap_next_refill_ns(&c), 65 * MS);
	cap_charge(&c, 10 * MS);
	ck_assert(!cap_runnable(&c));

	/* Uncapping a parked domain lets it run at once. */
	ck_assert(cap_set(&c, 0, 56 * MS));
	ck_assert(cap_runnable(&c));
	ck_assert_uint_eq(cap_next_refill_ns(&c), UINT64_MAX);
	ck_assert_uint_eq(cap_refill(&c, 100 * MS), 0);
}
END_TEST

START_TEST(test_bad_arguments_clamped)
{
	struct cpu_cap c;

	ck_assert(!cap_init(&c, QUOTA_CAP_PCT_MAX + 1, 10 * MS, 0));
	ck_assert_uint_eq(c.cap_pct, QUOTA_CAP_PCT_MAX);
	ck_assert(!cap_init(&c, UINT32_MAX, 10 * MS, 0));
	ck_assert_uint_eq(c.cap_pct, QUOTA_CAP_PCT_MAX);

	/* Period 0 would divide by zero: clamped to the minimum. */
	ck_assert(!cap_init(&c, 25, 0, 0));
	ck_assert_uint_eq(c.period_ns, QUOTA_CAP_PERIOD_MIN_NS);
	ck_assert_uint_eq(c.budget_per_period_ns, 250000);
	ck_assert(!cap_init(&c, 25, 5 * SEC, 0));
	ck_assert_uint_eq(c.period_ns, QUOTA_CAP_PERIOD_MAX_NS);
	ck_assert(!cap_init(&c, 0, 0, 0));
	ck_assert_uint_eq(c.period_ns, QUOTA_CAP_PERIOD_MIN_NS);
	ck_assert(cap_runnable(&c));

	ck_assert(cap_init(&c, 25, QUOTA_CAP_PERIOD_MIN_NS, 0));
	ck_assert(cap_init(&c, 25, QUOTA_CAP_PERIOD_MAX_NS, 0));

	cap_init(&c, 25, 10 * MS, 0);
	ck_assert(!cap_set(&c, UINT32_MAX, 0));
	ck_assert_uint_eq(c.cap_pct, QUOTA_CAP_PCT_MAX);
	ck_assert(cap_runnable(&c));
}
END_TEST

Suite *cap_suite(void)
{
	Suite *s = suite_create("cap");
	TCase *tc;

	tc = tcase_create("basics");
	tcase_add_test(tc, test_init);
	tcase_add_test(tc, test_charge_and_refill);
	tcase_add_test(tc, test_debt_is_bounded);
	tcase_add_test(tc, test_refill_after_a_year);
	tcase_add_test(tc, test_bad_arguments_clamped);
	suite_add_tcase(s, tc);

	tc = tcase_create("greedy");
	tcase_add_test(tc, test_greedy_25_percent_exact);
	tcase_add_test(tc, test_greedy_overrunning_slices_exact);
	tcase_add_test(tc, test_65_vcpus);
	tcase_add_test(tc, test_odd_period_remainder_carried);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_largest_cap_and_period);
	tcase_add_test(tc, test_clock_near_the_top);
	suite_add_tcase(s, tc);

	tc = tcase_create("set");
	tcase_add_test(tc, test_set_raise_and_lower);
	tcase_add_test(tc, test_set_uncapped);
	suite_add_tcase(s, tc);
	return s;
}
