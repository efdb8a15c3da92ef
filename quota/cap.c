// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hard CPU caps, a budget refilled every period (see cap.h for what it
 * promises).
 *
 * Sizes: period_ns <= 1e9 and cap_pct <= 6553500, so period_ns * cap_pct
 * < 6.6e15 and every budget fits an int64_t with a wide margin; so do the
 * grants of the at most 101 periods that repay a debt together (< 6.7e17).
 */
#include "cap.h"

static uint64_t saturating_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/*
 * The budgets of the next k periods together, ns, carrying the 1/100 ns
 * remainder.  k is 1, or the few periods that repay a debt together
 * (k <= debt / budget + 1 <= 101, see cap_refill), so the product fits.
 */
static int64_t grant_periods(struct cpu_cap *c, uint64_t k)
{
	uint64_t hundredths = c->period_ns * c->cap_pct * k + c->grant_remainder;

	c->grant_remainder = (uint32_t)(hundredths % 100);
	return (int64_t)(hundredths / 100);
}

/* The budget of the period starting now, ns. */
static int64_t grant_next_period(struct cpu_cap *c)
{
	return grant_periods(c, 1);
}

static void start_capped(struct cpu_cap *c, uint64_t now_ns)
{
	c->budget_per_period_ns = c->period_ns * c->cap_pct / 100;
	c->grant_remainder = 0;
	c->budget_ns = grant_next_period(c);
	c->next_refill_ns = saturating_add(now_ns, c->period_ns);
}

bool cap_init(struct cpu_cap *c, uint32_t cap_pct, uint64_t period_ns,
	      uint64_t now_ns)
{
	bool in_range = true;

	if (cap_pct > QUOTA_CAP_PCT_MAX) {
		cap_pct = QUOTA_CAP_PCT_MAX;
		in_range = false;
	}
	if (period_ns < QUOTA_CAP_PERIOD_MIN_NS) {
		period_ns = QUOTA_CAP_PERIOD_MIN_NS;
		in_range = false;
	}
	if (period_ns > QUOTA_CAP_PERIOD_MAX_NS) {
		period_ns = QUOTA_CAP_PERIOD_MAX_NS;
		in_range = false;
	}

	c->cap_pct = cap_pct;
	c->period_ns = period_ns;
	c->budget_per_period_ns = 0;
	c->grant_remainder = 0;
	c->budget_ns = 0;
	c->next_refill_ns = UINT64_MAX;
	if (cap_pct != 0)
		start_capped(c, now_ns);
	return in_range;
}

/* The most debt a domain can carry, ns (see cap.h): >= one budget. */
static int64_t debt_bound(const struct cpu_cap *c, uint64_t per_period_ns)
{
	return (int64_t)(per_period_ns > c->period_ns ? per_period_ns :
			 c->period_ns);
}

void cap_charge(struct cpu_cap *c, uint64_t ran_ns)
{
	int64_t most_debt = -debt_bound(c, c->budget_per_period_ns);
	/* How far the budget can fall before the debt bound: >= 0. */
	uint64_t room = (uint64_t)(c->budget_ns - most_debt);

	if (c->cap_pct == 0)
		return;
	if (ran_ns >= room)
		c->budget_ns = most_debt;
	else
		c->budget_ns -= (int64_t)ran_ns;
}

uint64_t cap_refill(struct cpu_cap *c, uint64_t now_ns)
{
	uint64_t periods;

	if (c->cap_pct == 0 || now_ns < c->next_refill_ns)
		return 0;

	periods = (now_ns - c->next_refill_ns) / c->period_ns + 1;
	/*
	 * In debt: each period started repays it with its grant, however
	 * many there were, and what is left beyond one budget is lost.
	 * Not in debt, or so many periods that the debt is repaid anyway:
	 * one fresh budget, unused budget being lost.
	 */
	if (c->budget_ns < 0 &&
	    periods <= (uint64_t)-c->budget_ns / c->budget_per_period_ns + 1) {
		c->budget_ns += grant_periods(c, periods);
		if (c->budget_ns > (int64_t)c->budget_per_period_ns)
			c->budget_ns = (int64_t)c->budget_per_period_ns;
	} else {
		c->budget_ns = grant_next_period(c);
	}

	/* periods * period_ns <= now_ns - next_refill_ns + period_ns: no overflow */
	c->next_refill_ns = saturating_add(c->next_refill_ns, periods * c->period_ns);
	return periods;
}

bool cap_runnable(const struct cpu_cap *c)
{
	return c->cap_pct == 0 || c->budget_ns > 0;
}

uint64_t cap_budget_left_ns(const struct cpu_cap *c)
{
	if (c->cap_pct == 0)
		return UINT64_MAX;
	return c->budget_ns > 0 ? (uint64_t)c->budget_ns : 0;
}

uint64_t cap_next_refill_ns(const struct cpu_cap *c)
{
	return c->cap_pct == 0 ? UINT64_MAX : c->next_refill_ns;
}

bool cap_set(struct cpu_cap *c, uint32_t new_pct, uint64_t now_ns)
{
	bool in_range = true;
	int64_t old_per_period;
	int64_t new_per_period;

	if (new_pct > QUOTA_CAP_PCT_MAX) {
		new_pct = QUOTA_CAP_PCT_MAX;
		in_range = false;
	}
	if (new_pct == 0) {
		c->cap_pct = 0;
		c->next_refill_ns = UINT64_MAX;
		return in_range;
	}
	if (c->cap_pct == 0) {
		c->cap_pct = new_pct;
		start_capped(c, now_ns);
		return in_range;
	}

	/* Bring the old cap up to date first, so "this period" is now's. */
	cap_refill(c, now_ns);
	old_per_period = (int64_t)c->budget_per_period_ns;
	new_per_period = (int64_t)(c->period_ns * new_pct / 100);

	/*
	 * used = old_per_period - budget_ns; the new budget is
	 * new_per_period - used, within the same bounds as ever: the debt
	 * bound of cap_charge, and no more than one period's budget (a
	 * carried 1/100 ns remainder can add 1 ns).
	 */
	c->budget_ns += new_per_period - old_per_period;
	if (c->budget_ns < -debt_bound(c, (uint64_t)new_per_period))
		c->budget_ns = -debt_bound(c, (uint64_t)new_per_period);
	if (c->budget_ns > new_per_period)
		c->budget_ns = new_per_period;
	c->cap_pct = new_pct;
	c->budget_per_period_ns = (uint64_t)new_per_period;
	c->grant_remainder = 0;
	return in_range;
}
