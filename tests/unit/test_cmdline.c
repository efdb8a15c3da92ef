// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for hypervisor/common/cmdline.c: flags and key=value options,
 * "last one wins", keys that are prefixes of other keys, value truncation
 * and NUL termination, NULL and zero-sized value buffers, empty command
 * lines, runs of spaces and tabs, and cmdline_for_each_key's order and
 * lengths.
 */
#include <string.h>
#include <check.h>

#include <hv/cmdline.h>

#include "suites.h"

/*
 * Value buffers are pre-filled with 'X' so a test can see that nothing was
 * written past val_size.
 */
#define VAL_FILL 'X'

static void fill(char *val, size_t size)
{
	memset(val, VAL_FILL, size);
}

START_TEST(test_flag)
{
	char val[16];

	fill(val, sizeof(val));
	ck_assert(cmdline_get("debug_exit quiet", "quiet", val, sizeof(val)));
	/* A flag has the value "". */
	ck_assert_str_eq(val, "");

	fill(val, sizeof(val));
	ck_assert(cmdline_get("debug_exit quiet", "debug_exit", val,
			      sizeof(val)));
	ck_assert_str_eq(val, "");

	ck_assert(!cmdline_get("debug_exit quiet", "verbose", val,
			       sizeof(val)));
}
END_TEST

START_TEST(test_key_value)
{
	const char *cmd = "test_fault=ud loglevel=7 serial=0x3f8";
	char val[16];

	ck_assert(cmdline_get(cmd, "test_fault", val, sizeof(val)));
	ck_assert_str_eq(val, "ud");
	ck_assert(cmdline_get(cmd, "loglevel", val, sizeof(val)));
	ck_assert_str_eq(val, "7");
	ck_assert(cmdline_get(cmd, "serial", val, sizeof(val)));
	ck_assert_str_eq(val, "0x3f8");

	/* Everything after the first '=' is the value, '=' included. */
	ck_assert(cmdline_get("opt=a=b", "opt", val, sizeof(val)));
	ck_assert_str_eq(val, "a=b");

	/* "key=" is present, with an empty value. */
	fill(val, sizeof(val));
	ck_assert(cmdline_get("opt= other", "opt", val, sizeof(val)));
	ck_assert_str_eq(val, "");

	/* A value is not a key. */
	ck_assert(!cmdline_get("mode=debug", "debug", val, sizeof(val)));
}
END_TEST

START_TEST(test_last_one_wins)
{
	char val[16];

	ck_assert(cmdline_get("a=1 b=x a=2", "a", val, sizeof(val)));
	ck_assert_str_eq(val, "2");

	/* The last word decides, whether it is a flag or key=value. */
	ck_assert(cmdline_get("a a=3", "a", val, sizeof(val)));
	ck_assert_str_eq(val, "3");
	ck_assert(cmdline_get("a=3 a", "a", val, sizeof(val)));
	ck_assert_str_eq(val, "");
}
END_TEST

START_TEST(test_prefix_keys)
{
	char val[16];

	/* "debug" is a prefix of "debug_exit" but a different option. */
	ck_assert(!cmdline_get("debug_exit", "debug", val, sizeof(val)));
	ck_assert(!cmdline_get("debug", "debug_exit", val, sizeof(val)));
	ck_assert(!cmdline_get("debug_exit=1", "debug", val, sizeof(val)));
	ck_assert(!cmdline_get("debug_exit", "deb", val, sizeof(val)));

	ck_assert(cmdline_get("debug_exit debug=3", "debug", val,
			      sizeof(val)));
	ck_assert_str_eq(val, "3");
	ck_assert(cmdline_get("debug=3 debug_exit", "debug_exit", val,
			      sizeof(val)));
	ck_assert_str_eq(val, "");
	ck_assert(cmdline_get("debug=3 debug_exit", "debug", val,
			      sizeof(val)));
	ck_assert_str_eq(val, "3");
}
END_TEST

START_TEST(test_value_truncated)
{
	char val[8];

	/* val_size 4: three characters and the NUL, nothing beyond. */
	fill(val, sizeof(val));
	ck_assert(cmdline_get("name=abcdefgh x", "name", val, 4));
	ck_assert_str_eq(val, "abc");
	ck_assert_int_eq(val[4], VAL_FILL);

	/* A value that fits exactly: val_size - 1 characters. */
	fill(val, sizeof(val));
	ck_assert(cmdline_get("name=abc", "name", val, 4));
	ck_assert_str_eq(val, "abc");
	ck_assert_int_eq(val[4], VAL_FILL);

	/* val_size 1 leaves room only for the NUL. */
	fill(val, sizeof(val));
	ck_assert(cmdline_get("name=abcdefgh", "name", val, 1));
	ck_assert_int_eq(val[0], '\0');
	ck_assert_int_eq(val[1], VAL_FILL);

	/* The value ends at the next space or tab. */
	ck_assert(cmdline_get("name=ab cd", "name", val, sizeof(val)));
	ck_assert_str_eq(val, "ab");
	ck_assert(cmdline_get("name=ab\tcd", "name", val, sizeof(val)));
	ck_assert_str_eq(val, "ab");
}
END_TEST

START_TEST(test_val_null_or_empty)
{
	char val[4];

	/* Only presence is asked: nothing is written. */
	ck_assert(cmdline_get("a=1 b", "a", NULL, 0));
	ck_assert(cmdline_get("a=1 b", "b", NULL, 16));
	ck_assert(!cmdline_get("a=1 b", "c", NULL, 0));

	/* val_size 0: no room even for the NUL, so val is left alone. */
	fill(val, sizeof(val));
	ck_assert(cmdline_get("a=1", "a", val, 0));
	ck_assert_int_eq(val[0], VAL_FILL);
}
END_TEST

START_TEST(test_empty_cmdline)
{
	char val[4];

	ck_assert(!cmdline_get("", "a", val, sizeof(val)));
	ck_assert(!cmdline_get("   ", "a", val, sizeof(val)));
	ck_assert(!cmdline_get(" \t \t", "a", val, sizeof(val)));
}
END_TEST

START_TEST(test_whitespace)
{
	const char *cmd = "  \t a=1 \t\t  b  \tc=xyz\t";
	char val[8];

	ck_assert(cmdline_get(cmd, "a", val, sizeof(val)));
	ck_assert_str_eq(val, "1");
	ck_assert(cmdline_get(cmd, "b", val, sizeof(val)));
	ck_assert_str_eq(val, "");
	ck_assert(cmdline_get(cmd, "c", val, sizeof(val)));
	ck_assert_str_eq(val, "xyz");
	ck_assert(!cmdline_get(cmd, "d", val, sizeof(val)));
}
END_TEST

/* What cmdline_for_each_key reported, in order. */
struct seen_keys {
	int count;
	char key[8][16];
	size_t len[8];
};

static void record_key(const char *key, size_t len, void *arg)
{
	struct seen_keys *seen = arg;

	ck_assert_int_lt(seen->count, 8);
	ck_assert_uint_lt(len, sizeof(seen->key[0]));
	memcpy(seen->key[seen->count], key, len);
	seen->key[seen->count][len] = '\0';
	seen->len[seen->count] = len;
	seen->count++;
}

START_TEST(test_for_each_key)
{
	struct seen_keys seen = { 0 };

	cmdline_for_each_key("  debug_exit\ttest_fault=ud  \t a=b=c quiet ",
			     record_key, &seen);
	ck_assert_int_eq(seen.count, 4);
	ck_assert_str_eq(seen.key[0], "debug_exit");
	ck_assert_uint_eq(seen.len[0], 10);
	ck_assert_str_eq(seen.key[1], "test_fault");
	ck_assert_uint_eq(seen.len[1], 10);
	ck_assert_str_eq(seen.key[2], "a");
	ck_assert_uint_eq(seen.len[2], 1);
	ck_assert_str_eq(seen.key[3], "quiet");
	ck_assert_uint_eq(seen.len[3], 5);
}
END_TEST

START_TEST(test_for_each_key_repeats_and_empty)
{
	struct seen_keys seen = { 0 };

	/* Every word is reported, duplicates included. */
	cmdline_for_each_key("x=1 x=2 x", record_key, &seen);
	ck_assert_int_eq(seen.count, 3);
	ck_assert_str_eq(seen.key[0], "x");
	ck_assert_str_eq(seen.key[1], "x");
	ck_assert_str_eq(seen.key[2], "x");

	/* Nothing to report: fn is never called. */
	memset(&seen, 0, sizeof(seen));
	cmdline_for_each_key("", record_key, &seen);
	ck_assert_int_eq(seen.count, 0);
	cmdline_for_each_key(" \t  \t", record_key, &seen);
	ck_assert_int_eq(seen.count, 0);
}
END_TEST

Suite *cmdline_suite(void)
{
	Suite *s = suite_create("cmdline");
	TCase *tc;

	tc = tcase_create("get");
	tcase_add_test(tc, test_flag);
	tcase_add_test(tc, test_key_value);
	tcase_add_test(tc, test_last_one_wins);
	tcase_add_test(tc, test_prefix_keys);
	tcase_add_test(tc, test_value_truncated);
	tcase_add_test(tc, test_val_null_or_empty);
	tcase_add_test(tc, test_empty_cmdline);
	tcase_add_test(tc, test_whitespace);
	suite_add_tcase(s, tc);

	tc = tcase_create("for_each_key");
	tcase_add_test(tc, test_for_each_key);
	tcase_add_test(tc, test_for_each_key_repeats_and_empty);
	suite_add_tcase(s, tc);
	return s;
}
