// SPDX-License-Identifier: GPL-2.0-only
/*
 * A well-behaved domain that runs beside hostile ones: it computes for a
 * while, checking its own memory stays as it wrote it, and succeeds if
 * nothing another domain did reached it.
 */
#include "lib/guest.h"

#define WORDS (1024 * 1024)	/* 8 MiB of pattern */

static uint64_t pattern[WORDS];

void test_main(const struct hvm_start_info *si)
{
	uint64_t seed = 42, sum = 0;
	unsigned int round, i;

	(void)si;
	for (i = 0; i < WORDS; i++)
		pattern[i] = i * 0x9e3779b97f4a7c15ULL;
	for (round = 0; round < 150; round++) {
		for (i = 0; i < 200000; i++)
			sum += prng_next(&seed) >> 60;
		for (i = 0; i < WORDS; i += 4099)
			CHECK(pattern[i] == i * 0x9e3779b97f4a7c15ULL,
			      "memory changed under us at word %u", i);
		if (round % 25 == 0)
			printk("neighbour: round %u\n", round);
	}
	printk("neighbour: done (%lu)\n", sum);
}
