// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hard CPU caps: a per-domain budget refilled every period (as Xen credit2).
 *
 * What it promises
 * ----------------
 * A cap is in percent of one pCPU: 50 = half a CPU, 150 = one and a half,
 * 0 = uncapped; up to 100 x the domain's vCPU count is meaningful.  Each
 * period of period_ns the domain is granted
 *
 *	budget = period_ns * cap_pct / 100	(ns of CPU time)
 *
 * shared by all its vCPUs.  The scheduler charges every run to it
 * (cap_charge) and parks the domain's vCPUs while cap_runnable() is false;
 * cap_next_refill_ns() says when the refill will let them run again, so the
 * scheduler arms an exact timer instead of polling.
 *
 * Exact long-run average: a greedy domain gets exactly cap_pct/100 of a CPU
 * over whole periods.  Two things make it so.  Overruns (a vCPU preempted a
 * little after its budget ran out) are debt carried into the next period,
 * not forgiven; and the grant's remainder (period_ns * cap_pct mod 100, in
 * 1/100 ns) is carried from period to period, so odd periods lose nothing
 * either.  Unused budget is not carried: a domain idle for a while cannot
 * then burst above its cap (use it or lose it, as credit2).
 *
 * Bounded debt: debt never exceeds one period of CPU time (period_ns), or
 * one period's budget when that is more (caps above 100%).  So an overrun
 * of up to a whole period is repaid in full whatever the cap: a timer that
 * stops a 5% domain 3 ms into its 0.5 ms budget costs it its next 5
 * periods, and the cap still holds.  (With debt bounded at one budget, the
 * first design, late timers under emulation took a 5% cap to about 8%.)
 * After a single long run (a missed timer, a long hypercall) the domain is
 * parked until its grants have repaid the debt: it runs again at the
 * (period_ns / budget + 1)th refill at the latest (the 5th at 25%, the
 * 21st at 5%, the 101st at 1%), never starved for longer; what one run
 * takes beyond the bound is forgiven, the price of that guarantee.  A
 * scheduler that preempts on time at budget exhaustion
 * (cap_budget_left_ns) never comes near it.
 *
 * Recommended period: 10 ms (QUOTA_CAP_PERIOD_DEFAULT_NS), credit2's.
 * Short enough that a capped domain is never parked much longer than
 * (1 - cap) x 10 ms, so a 25% domain is stalled for at most 7.5 ms at a time,
 * where cgroup cpu.max's default 100 ms period stalls it for 75 ms; long
 * enough that the refill timer costs 100 interrupts/s per capped domain and
 * that even a 1% cap's 100 us budget is well above timer granularity.
 * Precision: a greedy domain that is preempted at budget exhaustion gets
 * exactly cap x (whole periods); over any window of W ns its CPU time is
 * within one period's budget of cap x W.  With 10 ms periods over a 10 s
 * window that is within 0.1% of the cap: 25% gives 2.5 s +- 2.5 ms.  One
 * preempted late is within that plus the debt it carries at the window's
 * ends (at most one period: 10 ms, 0.1 percentage point over 10 s).
 *
 * Using it: charge, then refill.  At every scheduling event, cap_charge()
 * the time each of the domain's vCPUs ran since it was last charged, then
 * cap_refill(now).  At the refill timer, charge the running vCPUs up to now
 * first, so a run is counted in the period it happened in.  A vCPU that
 * starts running should be given at most cap_budget_left_ns() (split among
 * the domain's vCPUs that run at once), so overruns stay tiny.
 *
 * Units: times and budgets in ns, caps in percent of one pCPU.  Clock values
 * (now_ns) come from one monotonic ns clock that does not wrap (2^64 ns are
 * 584 years); near 2^64 the next refill time saturates at UINT64_MAX.
 *
 * Bad arguments are clamped, never refused, and reported by a false
 * return: a domain is always accounted.  The control plane should check
 * cap_pct against 100 x the vCPU count itself.
 *
 * Freestanding: <stdint.h> and <stdbool.h> only, pure functions over the
 * state they are handed.
 */
#ifndef QUOTA_CAP_H
#define QUOTA_CAP_H

#include <stdbool.h>
#include <stdint.h>

/* Largest cap, percent of one pCPU: 65535 vCPUs x 100. */
#define QUOTA_CAP_PCT_MAX		6553500u
/* Period bounds and default, ns (cgroup cpu.max also allows 1 ms .. 1 s). */
#define QUOTA_CAP_PERIOD_MIN_NS		1000000ull	/* 1 ms */
#define QUOTA_CAP_PERIOD_MAX_NS		1000000000ull	/* 1 s */
#define QUOTA_CAP_PERIOD_DEFAULT_NS	10000000ull	/* 10 ms */

/* One domain's cap.  Set up with cap_init(). */
struct cpu_cap {
	/* The cap, percent of one pCPU; 0 = uncapped. */
	uint32_t cap_pct;
	/*
	 * The part of period_ns * cap_pct / 100 not yet granted, in 1/100 ns
	 * (0..99); carried so that odd periods lose nothing in the long run.
	 */
	uint32_t grant_remainder;
	/* Length of one budget period, ns. */
	uint64_t period_ns;
	/* Budget granted per period, ns: period_ns * cap_pct / 100, rounded down. */
	uint64_t budget_per_period_ns;
	/*
	 * CPU time the domain may still use this period, ns.  Negative is
	 * debt, never below -max(period_ns, budget_per_period_ns).
	 * Meaningless when uncapped.
	 */
	int64_t budget_ns;
	/* When the next period starts and the budget is refilled, ns (absolute). */
	uint64_t next_refill_ns;
};

/*
 * Sets up a cap of cap_pct percent (0 = uncapped) with periods of period_ns
 * starting at now_ns; the first period's budget is granted at once.
 * Returns false when an argument was out of range and was clamped:
 * cap_pct above QUOTA_CAP_PCT_MAX, period_ns outside
 * QUOTA_CAP_PERIOD_MIN_NS..QUOTA_CAP_PERIOD_MAX_NS (0 included).
 */
bool cap_init(struct cpu_cap *c, uint32_t cap_pct, uint64_t period_ns,
	      uint64_t now_ns);

/*
 * Charges ran_ns of CPU time (ns) used by any of the domain's vCPUs.
 * Debt saturates at one period (period_ns), or one period's budget when
 * that is more.  No effect when uncapped.
 */
void cap_charge(struct cpu_cap *c, uint64_t ran_ns);

/*
 * Starts every period that began at or before now_ns, however many were
 * missed (a year of idleness is one call).  Each period started grants a
 * budget that first repays the debt; what would be left beyond one period's
 * budget is dropped (unused budget is lost).  So one period repays the debt
 * from a new budget, and several repay it with several, never leaving more
 * than one fresh budget.  Returns the number of periods started (0 when
 * now_ns is before cap_next_refill_ns(), and always 0 uncapped).
 */
uint64_t cap_refill(struct cpu_cap *c, uint64_t now_ns);

/* True when the domain may run: uncapped, or budget left (> 0 ns). */
bool cap_runnable(const struct cpu_cap *c);

/*
 * CPU time the domain may still use this period, ns: 0 when out of budget
 * or in debt, UINT64_MAX when uncapped.  For the preemption timer.
 */
uint64_t cap_budget_left_ns(const struct cpu_cap *c);

/*
 * When the next refill is due, ns (absolute, same clock as now_ns): the
 * time to arm a parked domain's wake-up timer for.  UINT64_MAX when
 * uncapped (no timer needed).
 */
uint64_t cap_next_refill_ns(const struct cpu_cap *c);

/*
 * Changes the cap of a running domain, effective at once (periods and
 * their length unchanged).  The current period is treated as if the new
 * cap had applied since it began: what the domain used this period is
 * charged against the new budget, so raising the cap can unpark it now and
 * lowering it can put it in (bounded) debt.  From uncapped, a fresh period
 * starts at now_ns; to 0, the domain is uncapped.  Returns false when
 * new_pct was above QUOTA_CAP_PCT_MAX and was clamped.
 */
bool cap_set(struct cpu_cap *c, uint32_t new_pct, uint64_t now_ns);

#endif
