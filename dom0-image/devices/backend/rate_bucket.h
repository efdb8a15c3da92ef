/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rate_bucket.h - how every device of hv-backend sizes a token bucket for
 * a rate (bytes/s or requests/s), shared by blk and net.
 *
 * For a rate R: the smallest exact {size, refill time} with size / refill
 * = R, scaled up to hold 1/RATE_BUCKETS_PER_S s of R and at least two
 * tokens.  Why not less: a bucket caps what it accrues, so the time
 * between a token falling due and our taking it (the timerfd's wake-up,
 * the loop) is lost whenever the bucket is full or cannot hold the waiting
 * request.  With one request at a time that loss comes every request: a
 * bucket of one token at 50 requests/s measured 46.6/s in a guest, 1.45 ms
 * lost per 20 ms.  A bucket with room for a request and 100 ms more keeps
 * the loss to the requests larger than 100 ms of R, each losing one
 * wake-up's delay (about 1% of its time), and lets a fresh bucket through
 * 100 ms of R before the rate holds.
 */
#ifndef DOM0_DEVICES_RATE_BUCKET_H
#define DOM0_DEVICES_RATE_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

#include "token_bucket.h"

#define RATE_BUCKETS_PER_S	10	/* a bucket holds 1/10 s of its rate */

/* Sets tb up for rate (0 = unlimited), full at now: tb_init when fresh,
 * tb_update (debt forgiven) for a bucket in use. */
void rate_bucket_set(struct token_bucket *tb, uint64_t rate, uint64_t now,
		     bool fresh);

#endif
