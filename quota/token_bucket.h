// SPDX-License-Identifier: GPL-2.0-only
/*
 * I/O rate limiting with token buckets, with Firecracker's semantics.
 *
 * What it promises
 * ----------------
 * A bucket is {size, refill_time_ns, one_time_burst}: it holds up to `size`
 * tokens (bytes for a bandwidth limit, operations for an IOPS limit) and
 * refills at size / refill_time_ns tokens per ns, so the sustained rate is
 * size / refill_time.  As in Firecracker:
 *
 *  - size 0 (or refill_time_ns 0) means unlimited: every request passes;
 *  - a bucket starts full;
 *  - the one-time burst is extra tokens spent before the bucket's own, and
 *    never refilled;
 *  - a request is all or nothing (tb_consume returns false and takes
 *    nothing); the device then leaves the request queued, never drops it;
 *  - a request larger than the bucket would never fit, so it is let through
 *    once and leaves the bucket in debt ("overconsumption"): the device is
 *    blocked until refill has paid the overdraft back;
 *  - changing the limits (tb_update) gives the device a fresh, full bucket.
 *
 * Where it differs, on purpose, all to enforce the rate more exactly:
 *
 *  - Refill is exact integer arithmetic in ns: the fraction of a token not
 *    yet earned is carried (refill_carry), so 1000 refills of 1 ms give
 *    exactly what one refill of 1 s gives, at any rate.  (Firecracker carries
 *    it by moving its timestamp, rounding to whole ns.)
 *  - tb_wait_ns() says exactly when a request will fit, so a backend sleeps
 *    until that ns.  Firecracker (and Cloud Hypervisor) re-check after a
 *    fixed 100 ms, which caps a bucket of size 10 refilled every 10 ms at
 *    ~100 ops/s instead of 1000.
 *  - An oversized request passes only when the bucket is full, and its
 *    overdraft (request - size, after the burst) is real debt that refill
 *    repays before the bucket fills again.  Firecracker lets it pass at any
 *    fill level and blocks the device for overdraft / rate with a timer,
 *    but the refill that accrued while blocked is credited afterwards, so
 *    it undercharges by up to one bucket.  Here, whatever the request mix,
 *    the tokens consumed over any window of T ns never exceed
 *    max(size, largest request) + burst + ceil(T * size / refill_time_ns).
 *
 * Using it: a backend with a bandwidth and an ops bucket checks both with
 * tb_wait_ns() (0 means tb_consume would succeed now) before consuming from
 * either, so a refusal never leaves one of them charged.  tb_consume with 0
 * tokens only brings the bucket up to date.
 *
 * Units: tokens are whatever the caller counts (bytes or operations);
 * times in ns from one monotonic clock.  If now_ns goes backwards, the
 * bucket treats it as no time having passed (nothing is refilled, nothing
 * is taken back).  Products such as elapsed_ns * size are done in 128 bits,
 * so any 64-bit size, refill time and clock value work; waits that would
 * not fit in 64 bits saturate at UINT64_MAX.
 *
 * Freestanding: <stdint.h> and <stdbool.h> only, pure functions over the
 * state they are handed.
 */
#ifndef QUOTA_TOKEN_BUCKET_H
#define QUOTA_TOKEN_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct token_bucket {
	/* Tokens a full bucket holds (bytes or ops); 0 = unlimited. */
	uint64_t size;
	/* Time to refill an empty bucket to full, ns; 0 = unlimited. */
	uint64_t refill_time_ns;
	/* Burst tokens left: spent before the bucket's own, never refilled. */
	uint64_t one_time_burst;
	/* Tokens in the bucket now, 0..size. */
	uint64_t budget;
	/*
	 * Tokens overdrawn by an oversized request, repaid by refill before
	 * the budget grows again.  budget is 0 while debt is not; debt + size
	 * never exceeds UINT64_MAX.
	 */
	uint64_t debt;
	/*
	 * Refill earned towards the next whole token, in 1/refill_time_ns of a
	 * token (elapsed_ns * size not yet divided out): 0..refill_time_ns - 1;
	 * 0 while the bucket is full.
	 */
	uint64_t refill_carry;
	/* Time up to which refill has been counted, ns. */
	uint64_t last_refill_ns;
};

/*
 * Sets up a full bucket at now_ns: size tokens, refilled from empty in
 * refill_time_ns ns, plus one_time_burst tokens spent first.  size 0 or
 * refill_time_ns 0 make it unlimited.
 */
void tb_init(struct token_bucket *b, uint64_t size, uint64_t refill_time_ns,
	     uint64_t one_time_burst, uint64_t now_ns);

/*
 * Changes the limits of a bucket in use, as Firecracker does: the bucket is
 * replaced by a full one with the new limits and burst, and any debt is
 * forgiven.  Same arguments as tb_init.
 */
void tb_update(struct token_bucket *b, uint64_t size, uint64_t refill_time_ns,
	       uint64_t one_time_burst, uint64_t now_ns);

/* True when the bucket does not limit (size or refill time 0). */
bool tb_unlimited(const struct token_bucket *b);

/*
 * Refills up to now_ns, then takes `tokens` (burst first, then the bucket)
 * if they are all there and returns true; otherwise takes nothing and
 * returns false.  Always true when unlimited or tokens is 0.  A request
 * larger than size (after the burst) succeeds when the bucket is full and
 * leaves request - burst - size tokens of debt.
 */
bool tb_consume(struct token_bucket *b, uint64_t tokens, uint64_t now_ns);

/*
 * How long from now_ns until tb_consume(b, tokens, ...) will succeed, in
 * ns, if nothing else is consumed meanwhile: 0 if it would succeed now;
 * otherwise the exact ns at which refill covers it (one ns earlier it
 * would still fail).  Saturates at UINT64_MAX.  Does not change the bucket.
 */
uint64_t tb_wait_ns(const struct token_bucket *b, uint64_t tokens, uint64_t now_ns);

#endif
