// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for lib/cpuset.c: CPU lists parsed ("1,2",
 * "1-3", their mixes) and refused (empty items, backward ranges, CPU 64 and
 * beyond, stray characters), printed back with ranges joined, truncation
 * when the buffer is short, and the choice of the least loaded allowed CPU.
 */
#include <string.h>
#include <check.h>

#include <lib/cpuset.h>

#include "suites.h"

/* Parses the NUL-terminated s; *set is left alone on failure. */
static bool parse(const char *s, uint64_t *set)
{
	return cpuset_parse(s, strlen(s), set);
}

START_TEST(test_parse_lists)
{
	uint64_t set;

	ck_assert(parse("1", &set));
	ck_assert_uint_eq(set, 0x2);
	ck_assert(parse("1,2", &set));
	ck_assert_uint_eq(set, 0x6);
	ck_assert(parse("1-3", &set));
	ck_assert_uint_eq(set, 0xe);
	ck_assert(parse("0-1,5", &set));
	ck_assert_uint_eq(set, 0x23);
	ck_assert(parse("3,1", &set));		/* any order */
	ck_assert_uint_eq(set, 0xa);
	ck_assert(parse("2,2-3,3", &set));	/* repeats are harmless */
	ck_assert_uint_eq(set, 0xc);
	ck_assert(parse("4-4", &set));
	ck_assert_uint_eq(set, 0x10);
	ck_assert(parse("0-63", &set));
	ck_assert_uint_eq(set, UINT64_MAX);
	ck_assert(parse("63", &set));
	ck_assert_uint_eq(set, 1ULL << 63);
	ck_assert(parse("007", &set));		/* leading zeros are decimal */
	ck_assert_uint_eq(set, 0x80);
}
END_TEST

START_TEST(test_parse_refused)
{
	static const char *const bad[] = {
		"", ",", "1,", ",1", "1,,2", "-", "-1", "1-", "3-1", "1--2",
		"64", "0-64", "99999999999", "1 ,2", " 1", "1 ", "a", "1a",
		"+1", "0x1", "1-2-3", "1;2",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t set = 0x5a5a;

		ck_assert_msg(!parse(bad[i], &set), "'%s' was accepted", bad[i]);
		ck_assert_uint_eq(set, 0x5a5a);
	}
}
END_TEST

START_TEST(test_parse_len)
{
	uint64_t set;

	/* Only len bytes count: the rest of a longer word is not read. */
	ck_assert(cpuset_parse("1-2 cap=5", 3, &set));
	ck_assert_uint_eq(set, 0x6);
	ck_assert(!cpuset_parse("1-2", 2, &set));	/* "1-" */
	ck_assert(!cpuset_parse("1", 0, &set));
}
END_TEST

START_TEST(test_format)
{
	char buf[CPUSET_LIST_LEN];

	ck_assert(cpuset_format(0, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "");
	ck_assert(cpuset_format(0x2, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "1");
	ck_assert(cpuset_format(0x6, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "1,2");
	ck_assert(cpuset_format(0xe, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "1-3");
	ck_assert(cpuset_format(0x2e, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "1-3,5");
	ck_assert(cpuset_format(UINT64_MAX, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "0-63");
	ck_assert(cpuset_format(1ULL << 63 | 1, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "0,63");
	/* The longest list: every other CPU. */
	ck_assert(cpuset_format(0x5555555555555555ULL, buf, sizeof(buf)));
	ck_assert_uint_eq(strlen(buf), 5 * 1 + 27 * 2 + 31);	/* 31 commas */
}
END_TEST

START_TEST(test_format_round_trip)
{
	static const uint64_t sets[] = {
		0x1, 0x3, 0x7, 0xf0, 0x8000000000000001ULL, 0x123456789abcdefULL,
		0xfedcba9876543210ULL, UINT64_MAX - 1,
	};
	char buf[CPUSET_LIST_LEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		uint64_t back = 0;

		ck_assert(cpuset_format(sets[i], buf, sizeof(buf)));
		ck_assert(parse(buf, &back));
		ck_assert_uint_eq(back, sets[i]);
	}
}
END_TEST

START_TEST(test_format_short_buffer)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	ck_assert(!cpuset_format(0x2e | 1ULL << 40, buf, 6));	/* "1-3,5,40" */
	ck_assert_str_eq(buf, "1-3,5");
	ck_assert_int_eq(buf[6], 'X');
	ck_assert(!cpuset_format(0x2, buf, 1));
	ck_assert_str_eq(buf, "");
	ck_assert(!cpuset_format(0x2, buf, 0));
	ck_assert(cpuset_format(0xe, buf, 4));			/* "1-3" fits */
	ck_assert_str_eq(buf, "1-3");
}
END_TEST

START_TEST(test_least_loaded)
{
	unsigned int load[4] = { 0, 3, 1, 1 };

	/* CPU 0 is the least loaded but not allowed. */
	ck_assert_int_eq(cpuset_least_loaded(0xe, load, 4), 2);
	/* A tie goes to the lowest number. */
	ck_assert_int_eq(cpuset_least_loaded(0xc, load, 4), 2);
	ck_assert_int_eq(cpuset_least_loaded(0x2, load, 4), 1);
	ck_assert_int_eq(cpuset_least_loaded(0xf, load, 4), 0);
	/* Nothing allowed, or allowed only beyond nr. */
	ck_assert_int_eq(cpuset_least_loaded(0, load, 4), -1);
	ck_assert_int_eq(cpuset_least_loaded(0x30, load, 4), -1);
	ck_assert_int_eq(cpuset_least_loaded(0xf, load, 0), -1);
}
END_TEST

START_TEST(test_least_loaded_64)
{
	unsigned int load[CPUSET_MAX_CPUS];
	unsigned int i;

	for (i = 0; i < CPUSET_MAX_CPUS; i++)
		load[i] = 100 - i;
	ck_assert_int_eq(cpuset_least_loaded(UINT64_MAX, load, 64), 63);
	/* nr beyond 64 is taken as 64: no read past the array. */
	ck_assert_int_eq(cpuset_least_loaded(UINT64_MAX >> 1, load, 1000), 62);
}
END_TEST

Suite *cpuset_suite(void)
{
	Suite *s = suite_create("cpuset");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_lists);
	tcase_add_test(tc, test_parse_refused);
	tcase_add_test(tc, test_parse_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_round_trip);
	tcase_add_test(tc, test_format_short_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("least_loaded");
	tcase_add_test(tc, test_least_loaded);
	tcase_add_test(tc, test_least_loaded_64);
	suite_add_tcase(s, tc);
	return s;
}
