// SPDX-License-Identifier: GPL-2.0-only
/*
 * Weighted fair sharing by virtual time (see fairshare.h for what it
 * promises).  This is the scheduler's hot path: two 64-bit divisions per
 * charge, no 128-bit arithmetic.
 */
#include "fairshare.h"

void vtime_init(struct vtime *v, uint64_t start_ns)
{
	v->ns = start_ns;
	v->carry = 0;
}

bool quota_weight_valid(uint32_t weight)
{
	return weight >= HV_SCHED_WEIGHT_MIN && weight <= HV_SCHED_WEIGHT_MAX;
}

uint32_t quota_weight_clamp(uint32_t weight)
{
	if (weight < HV_SCHED_WEIGHT_MIN)
		return HV_SCHED_WEIGHT_MIN;
	if (weight > HV_SCHED_WEIGHT_MAX)
		return HV_SCHED_WEIGHT_MAX;
	return weight;
}

bool vtime_charge(struct vtime *v, uint64_t ran_ns, uint32_t weight)
{
	uint64_t w = quota_weight_clamp(weight);
	bool exact = quota_weight_valid(weight);
	uint64_t whole_weights;
	uint64_t leftover_ns;
	uint64_t pending;
	uint64_t step;

	/*
	 * The common case, any slice below 2^53 ns (104 days): ran_ns * 256 +
	 * carry < 2^61 + 2^16 fits 64 bits, one division does, and the step
	 * stays below VTIME_MAX_STEP_NS even at weight 1.
	 */
	if (ran_ns < (1ull << 53)) {
		pending = ran_ns * HV_SCHED_WEIGHT_DEFAULT + v->carry;
		v->ns += pending / w;		/* wraps modulo 2^64 by design */
		v->carry = (uint32_t)(pending % w);
		return exact;
	}

	/*
	 * Longer: ran_ns * 256 may overflow 64 bits.  Split ran_ns into
	 * whole_weights * w + leftover_ns: then
	 *
	 *   (ran_ns * 256 + carry) / w
	 *     = whole_weights * 256 + (leftover_ns * 256 + carry) / w
	 *
	 * exactly, and leftover_ns * 256 + carry < 65535 * 256 + 65536 < 2^25.
	 */
	whole_weights = ran_ns / w;
	leftover_ns = ran_ns % w;
	pending = leftover_ns * HV_SCHED_WEIGHT_DEFAULT + v->carry;
	if (whole_weights > VTIME_MAX_STEP_NS / HV_SCHED_WEIGHT_DEFAULT) {
		v->ns += VTIME_MAX_STEP_NS;
		v->carry = 0;
		return false;
	}
	/* whole_weights * 256 <= 2^62 and pending / w < 2^25: no overflow. */
	step = whole_weights * HV_SCHED_WEIGHT_DEFAULT + pending / w;
	if (step > VTIME_MAX_STEP_NS) {
		v->ns += VTIME_MAX_STEP_NS;
		v->carry = 0;
		return false;
	}
	v->ns += step;		/* wraps modulo 2^64 by design */
	v->carry = (uint32_t)(pending % w);
	return exact;
}

bool vtime_before(uint64_t a, uint64_t b)
{
	/* b - a in 1..2^63-1, i.e. (int64_t)(a - b) < 0 without the cast. */
	uint64_t b_minus_a = b - a;

	return b_minus_a != 0 && b_minus_a < (1ull << 63);
}

int vtime_cmp(uint64_t a, uint64_t b)
{
	if (a == b)
		return 0;
	return vtime_before(a, b) ? -1 : 1;
}

uint64_t vtime_min(uint64_t a, uint64_t b)
{
	return vtime_before(b, a) ? b : a;
}

uint64_t vtime_max(uint64_t a, uint64_t b)
{
	return vtime_before(a, b) ? b : a;
}

uint64_t vtime_on_wake(uint64_t own_vtime, uint64_t queue_min_vtime,
		       uint64_t wake_credit_ns)
{
	uint64_t earliest;
	uint64_t latest;

	if (wake_credit_ns > VTIME_MAX_STEP_NS)
		wake_credit_ns = VTIME_MAX_STEP_NS;
	earliest = queue_min_vtime - wake_credit_ns;	/* may wrap: fine */
	latest = queue_min_vtime + VTIME_WAKE_MAX_LEAD_NS;

	/*
	 * Both bounds are within 2^62 of queue_min_vtime, so comparing own_vtime
	 * with them is meaningful whenever own_vtime is within 2^62 of it too;
	 * and if own_vtime is so stale that it is not, the result still lands
	 * in [earliest, latest].
	 */
	if (vtime_before(own_vtime, earliest))
		return earliest;	/* slept: forget the bank, keep the credit */
	if (vtime_before(latest, own_vtime))
		return latest;
	return own_vtime;
}
