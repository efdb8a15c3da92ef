// SPDX-License-Identifier: GPL-2.0-only
/*
 * Token buckets with Firecracker's semantics and exact refill (see
 * token_bucket.h for what they promise).
 *
 * The state is a level that can go negative: budget tokens in hand, or
 * debt tokens owed (never both).  Refill adds
 *
 *	(elapsed_ns * size + refill_carry) / refill_time_ns
 *
 * tokens, computed in 128 bits, and keeps the remainder in refill_carry.
 * "Missing" tokens (debt + size - budget) is how far the level is from
 * full; refill never goes past full, and drops its carry when it gets there,
 * so time spent full is never banked.
 */
#include "token_bucket.h"
#include "div128.h"

void tb_init(struct token_bucket *b, uint64_t size, uint64_t refill_time_ns,
	     uint64_t one_time_burst, uint64_t now_ns)
{
	b->size = size;
	b->refill_time_ns = refill_time_ns;
	b->one_time_burst = one_time_burst;
	b->budget = size;	/* buckets start full */
	b->debt = 0;
	b->refill_carry = 0;
	b->last_refill_ns = now_ns;
}

void tb_update(struct token_bucket *b, uint64_t size, uint64_t refill_time_ns,
	       uint64_t one_time_burst, uint64_t now_ns)
{
	tb_init(b, size, refill_time_ns, one_time_burst, now_ns);
}

bool tb_unlimited(const struct token_bucket *b)
{
	return b->size == 0 || b->refill_time_ns == 0;
}

/* Tokens refill must add to bring the bucket to full. */
static uint64_t missing_tokens(const struct token_bucket *b)
{
	return b->debt + (b->size - b->budget);	/* <= UINT64_MAX, see .h */
}

/* Adds the tokens earned from last_refill_ns to now_ns. */
static void tb_refill(struct token_bucket *b, uint64_t now_ns)
{
	uint64_t missing = missing_tokens(b);
	quota_u128 earned;	/* in 1/refill_time_ns tokens */
	uint64_t tokens;
	uint64_t elapsed_ns;

	if (now_ns <= b->last_refill_ns)
		return;		/* no time passed, or the clock went back */
	elapsed_ns = now_ns - b->last_refill_ns;
	b->last_refill_ns = now_ns;

	earned = (quota_u128)elapsed_ns * b->size + b->refill_carry;
	if (earned >= (quota_u128)missing * b->refill_time_ns) {
		b->debt = 0;
		b->budget = b->size;
		b->refill_carry = 0;
		return;
	}

	/* Fewer than `missing` tokens: the quotient fits 64 bits. */
	tokens = div128_by_u64(earned, b->refill_time_ns, &b->refill_carry);
	if (tokens <= b->debt) {
		b->debt -= tokens;
	} else {
		b->budget += tokens - b->debt;
		b->debt = 0;
	}
}

bool tb_consume(struct token_bucket *b, uint64_t tokens, uint64_t now_ns)
{
	uint64_t from_burst;
	uint64_t from_bucket;

	if (tb_unlimited(b))
		return true;
	tb_refill(b, now_ns);
	if (tokens == 0)
		return true;
	if (b->debt > 0)
		return false;	/* still paying back an oversized request */

	/* The one-time burst is spent first. */
	from_burst = tokens < b->one_time_burst ? tokens : b->one_time_burst;
	from_bucket = tokens - from_burst;

	if (from_bucket <= b->budget) {
		b->one_time_burst -= from_burst;
		b->budget -= from_bucket;
		return true;
	}
	/*
	 * Larger than the bucket: it would never fit, so it passes once the
	 * bucket is full and the overdraft becomes debt.  (While burst is
	 * left the bucket is always full: nothing has touched it yet.)
	 */
	if (from_bucket > b->size && b->budget == b->size) {
		b->one_time_burst -= from_burst;
		b->budget = 0;
		b->debt = from_bucket - b->size;
		return true;
	}
	return false;
}

uint64_t tb_wait_ns(const struct token_bucket *b, uint64_t tokens, uint64_t now_ns)
{
	struct token_bucket later = *b;
	uint64_t from_burst;
	uint64_t from_bucket;
	uint64_t level_needed;	/* budget that lets the request through */
	uint64_t to_refill;	/* tokens refill must still add for that */
	uint64_t clock_behind_ns = 0;
	quota_u128 to_earn;	/* in 1/refill_time_ns tokens */
	uint64_t wait_ns;

	if (tb_unlimited(b) || tokens == 0)
		return 0;

	tb_refill(&later, now_ns);
	if (now_ns < later.last_refill_ns)
		clock_behind_ns = later.last_refill_ns - now_ns;

	from_burst = tokens < later.one_time_burst ? tokens : later.one_time_burst;
	from_bucket = tokens - from_burst;
	/* An oversized request waits for a full bucket (see tb_consume). */
	level_needed = from_bucket <= later.size ? from_bucket : later.size;
	if (later.debt == 0 && later.budget >= level_needed)
		return 0;

	/* <= missing_tokens(&later), so refill reaches it exactly when it should */
	to_refill = later.debt + (level_needed - later.budget);
	/*
	 * Smallest wait_ns with wait_ns * size + carry >= to_refill * refill_time_ns:
	 * the first ns at which tb_refill adds to_refill tokens.  carry is below
	 * refill_time_ns <= to_refill * refill_time_ns, so no underflow.
	 */
	to_earn = (quota_u128)to_refill * later.refill_time_ns - later.refill_carry;
	wait_ns = div128_round_up_saturating(to_earn, later.size);
	return wait_ns > UINT64_MAX - clock_behind_ns ? UINT64_MAX : wait_ns + clock_behind_ns;
}
