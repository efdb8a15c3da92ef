// SPDX-License-Identifier: GPL-2.0-only
/*
 * Weighted fair sharing by virtual time.
 *
 * What it promises
 * ----------------
 * Every vCPU carries a virtual time (vtime, in virtual ns).  Running for
 * ran_ns of real CPU time advances it by
 *
 *	ran_ns * HV_SCHED_WEIGHT_DEFAULT / weight
 *
 * so a vCPU of the default weight 256 ages at the speed of the real clock, one
 * of weight 512 at half that speed.  A scheduler that always runs the vCPU
 * with the smallest vtime therefore hands out CPU in proportion to weight
 * (512 gets twice what 256 gets, as in Xen credit1 and credit2) and is work
 * conserving: an idle CPU always runs whoever is runnable.  There is no
 * credit to run out of and no periodic recharge, unlike Xen credit1.
 *
 * Exact, no drift: the division's remainder is carried in the state, so
 * charging 1 ns a billion times gives exactly the vtime of charging 1 s once,
 * at any weight.  Charges are differences of ns timestamps, never tick
 * samples (a guest that yields just before each tick must still pay).
 *
 * Wrap-around
 * -----------
 * vtime wraps modulo 2^64 on purpose.  It cannot be made never to wrap: at
 * weight 1 it runs 256 times faster than real time, so 2^64 virtual ns are
 * only 2.28 years of CPU, a plausible uptime.  So vtimes are compared only
 * through vtime_before() and friends, which look at the signed difference
 * (like Linux's CFS vruntime and the kernel's time_before()).  That is right
 * as long as the two values are less than 2^63 apart.  The library keeps it
 * so: one charge moves a vtime by at most VTIME_MAX_STEP_NS (2^62), and
 * vtime_on_wake() puts a waking vCPU within a small window around the run
 * queue's minimum, however long it slept.
 *
 * Waking from sleep
 * -----------------
 * A vCPU that slept kept its old, small vtime; left alone it would run
 * until it caught up with the others, i.e. it would bank all the time it
 * slept.  vtime_on_wake() forgets that bank but keeps a bounded head start:
 * the waker goes to at least queue_min - wake_credit_ns, so it runs before the
 * CPU hogs at once (an I/O-bound domain stays responsive) yet can only run
 * ahead of them for wake_credit_ns of virtual time, i.e.
 * wake_credit_ns * weight / 256 ns of real time.
 *
 * Units: every vtime and credit is in virtual ns; ran_ns is real CPU ns;
 * weight is dimensionless (1..65535, default 256).
 *
 * Freestanding: <stdint.h> and <stdbool.h> only, no libc, no globals, no
 * floating point, 64-bit division only.  Every function is pure over the
 * state it is handed.
 */
#ifndef QUOTA_FAIRSHARE_H
#define QUOTA_FAIRSHARE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Weights, as in Xen: HV_SCHED_WEIGHT_MIN..HV_SCHED_WEIGHT_MAX (1..65535),
 * default HV_SCHED_WEIGHT_DEFAULT (256; 512 gets twice as much CPU).  The
 * hypercall ABI is their one definition; included by its path relative to
 * this file so that every build of quota/ (the hypervisor's, dom0's, the
 * tests') finds it without another include directory.
 */
#include "../hypervisor/include/public/hvabi.h"

/*
 * Largest change of a vtime by one call, in virtual ns (2^62, 146 years).
 * Keeps every vtime the library produces within 2^63 of its neighbours.
 */
#define VTIME_MAX_STEP_NS	(1ull << 62)

/*
 * How far ahead of the queue minimum vtime_on_wake() may leave a waker, in
 * virtual ns (2^36, about 69 s).  A vCPU that ran last is legitimately ahead
 * by its last charge (a slice: 10 ms at weight 256, 2.6 s at weight 1); more
 * than this can only be a vtime so stale that it wrapped (see vtime_on_wake).
 */
#define VTIME_WAKE_MAX_LEAD_NS	(1ull << 36)

/*
 * Recommended wake credit, in virtual ns: 3 ms, as Linux CFS grants a waking
 * task (half its 6 ms latency target).  Enough for an I/O-bound vCPU to
 * handle a request before the hogs get the CPU back; small next to a 10 ms
 * cap period, so the head start cannot be used to dodge fairness.
 */
#define QUOTA_WAKE_CREDIT_DEFAULT_NS	3000000ull

/* One vCPU's virtual time.  Zero-initialised is a valid start. */
struct vtime {
	/* Virtual time, virtual ns, modulo 2^64: compare with vtime_before(). */
	uint64_t ns;
	/*
	 * CPU time charged but not yet worth a whole virtual ns, in units of
	 * 1/HV_SCHED_WEIGHT_DEFAULT real ns (the remainder of ran_ns * 256 / weight);
	 * always below 65536.  It is real time, not virtual, so it stays right
	 * when the weight changes between charges.
	 */
	uint32_t carry;
};

/* Starts a vtime at start_ns (virtual ns), e.g. the run queue's minimum. */
void vtime_init(struct vtime *v, uint64_t start_ns);

/* True when weight is within HV_SCHED_WEIGHT_MIN..HV_SCHED_WEIGHT_MAX. */
bool quota_weight_valid(uint32_t weight);

/*
 * The weight actually used for `weight`: 0 becomes 1, anything above 65535
 * becomes 65535.  0 is clamped to the smallest share rather than refused or
 * taken as the default, so that a bad value can never get a domain more CPU
 * and never stops its time from being accounted.  The control plane should
 * reject bad weights itself with quota_weight_valid().
 */
uint32_t quota_weight_clamp(uint32_t weight);

/*
 * Charges ran_ns of real CPU time (ns, any value up to 2^64 - 1) at weight:
 * v->ns grows by (ran_ns * 256 + v->carry) / weight, the remainder goes to
 * v->carry.  v->ns wraps modulo 2^64 by design.
 *
 * Returns true when the charge was exact.  Returns false, after still
 * charging, when weight was out of range (charged at quota_weight_clamp(weight))
 * or when the step would exceed VTIME_MAX_STEP_NS (2^62 virtual ns, i.e.
 * ran_ns above 2^54 ns = 208 days at weight 1, above 2^62 ns at weight 256):
 * the step then saturates at VTIME_MAX_STEP_NS and the carry is dropped.
 * A scheduler charging slices never gets near that.
 */
bool vtime_charge(struct vtime *v, uint64_t ran_ns, uint32_t weight);

/*
 * The vtime a vCPU gets when it wakes up, all values in virtual ns:
 *
 *	own_vtime clamped to [queue_min_vtime - wake_credit_ns,
 *			      queue_min_vtime + VTIME_WAKE_MAX_LEAD_NS]
 *
 * queue_min_vtime is the run queue's minimum vtime, kept monotonic by the
 * scheduler (see vtime_max); for an empty queue pass the last value it had.
 * wake_credit_ns above VTIME_MAX_STEP_NS is taken as VTIME_MAX_STEP_NS.
 *
 * The upper clamp makes the result safe whatever own_vtime is: a vCPU that
 * slept so long that the queue's vtime moved 2^63 ns (1.1 years next to a
 * lone weight-1 hog, 292 years at weight 256) has a vtime that wrapped and
 * may look ahead; it then waits at most VTIME_WAKE_MAX_LEAD_NS of virtual
 * time instead of decades.  A scheduler that knows the vCPU slept more than
 * 2^54 ns (208 days) of real time can pass own_vtime = queue_min_vtime.
 */
uint64_t vtime_on_wake(uint64_t own_vtime, uint64_t queue_min_vtime,
		       uint64_t wake_credit_ns);

/*
 * Wrap-safe comparisons of two vtimes (virtual ns).  Correct when the two
 * are less than 2^63 apart; a vtime a is "before" b when b - a, modulo 2^64,
 * is in 1..2^63 - 1.
 */
bool vtime_before(uint64_t a, uint64_t b);
/* -1 if a is before b, 0 if equal, 1 if after. */
int vtime_cmp(uint64_t a, uint64_t b);
/* The earlier of the two. */
uint64_t vtime_min(uint64_t a, uint64_t b);
/* The later of the two: queue_min = vtime_max(queue_min, lowest runnable). */
uint64_t vtime_max(uint64_t a, uint64_t b);

#endif
