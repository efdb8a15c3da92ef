/* SPDX-License-Identifier: GPL-2.0-only */
/* The Check suites of the quota library's unit tests, one per source file. */
#ifndef QUOTA_TEST_SUITES_H
#define QUOTA_TEST_SUITES_H

#include <stdint.h>
#include <check.h>

Suite *fairshare_suite(void);		/* quota/fairshare.c */
Suite *cap_suite(void);			/* quota/cap.c */
Suite *token_bucket_suite(void);	/* quota/token_bucket.c */
Suite *div128_suite(void);		/* quota/div128.c */

#define MS	1000000ull		/* ns in a millisecond */
#define SEC	1000000000ull		/* ns in a second */
#define YEAR	(365ull * 24 * 3600 * SEC)

/*
 * Like ck_assert, but silent when it holds.  Check records every passing
 * ck_assert through a pipe to the parent, far too slow in loops that run a
 * million times; use this one there.
 */
#define FAST_ASSERT(expr)						\
	do {								\
		if (!(expr))						\
			ck_abort_msg("Assertion '%s' failed", #expr);	\
	} while (0)

/* A small deterministic pseudo-random generator (64-bit LCG, top bits). */
static inline uint64_t test_random(uint64_t *state)
{
	uint64_t high;

	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	high = *state >> 32;
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (high << 32) | (*state >> 32);
}

#endif
