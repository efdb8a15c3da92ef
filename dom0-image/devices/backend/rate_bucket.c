// SPDX-License-Identifier: GPL-2.0-only
/* Token buckets sized for a rate (rate_bucket.h). */
#include "rate_bucket.h"

#define NS_PER_S	1000000000ull

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

void rate_bucket_set(struct token_bucket *tb, uint64_t rate, uint64_t now,
		     bool fresh)
{
	uint64_t size = 0, refill = 0;

	if (rate) {
		uint64_t g = gcd(rate, NS_PER_S);
		uint64_t want = rate / RATE_BUCKETS_PER_S;
		uint64_t k;

		if (want < 2)
			want = 2;

		size = rate / g;
		refill = NS_PER_S / g;
		k = (want + size - 1) / size;
		size *= k;
		refill *= k;
	}
	if (fresh)
		tb_init(tb, size, refill, 0, now);
	else
		tb_update(tb, size, refill, 0, now);
}
