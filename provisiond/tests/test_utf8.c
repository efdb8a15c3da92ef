// SPDX-License-Identifier: GPL-2.0-only
/*
 * util.c's UTF-8 checks, which stand between every request and the
 * database, the log and the audit trail: each code point's shortest form is
 * taken, and every other form RFC 3629 forbids is refused.
 */
#include <string.h>

#include "suites.h"
#include "util.h"

/* The test's own encoder: the shortest form of cp, in len bytes (len may
 * be longer than needed, to make an overlong form). */
static size_t encode(uint32_t cp, size_t len, unsigned char out[4])
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };

	if (len == 1) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	for (size_t i = len - 1; i > 0; i--) {
		out[i] = 0x80 | (cp & 0x3f);
		cp >>= 6;
	}
	out[0] = lead[len] | (unsigned char)cp;
	return len;
}

static size_t shortest(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

START_TEST(every_code_point_in_its_shortest_form)
{
	unsigned char b[4];

	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		size_t len = encode(cp, shortest(cp), b);
		bool surrogate = cp >= 0xd800 && cp <= 0xdfff;

		/* (plain ifs: a ck_assert per code point is slow under ASan) */
		if (utf8_sequence(b, len) != (surrogate ? 0 : len))
			ck_abort_msg("U+%04X: wrong answer", cp);
		/* Cut short anywhere: refused. */
		for (size_t cut = 1; cut < len; cut++)
			if (utf8_sequence(b, cut) != 0)
				ck_abort_msg("U+%04X cut to %zu accepted", cp, cut);
	}
}
END_TEST

START_TEST(overlong_forms_are_refused)
{
	unsigned char b[4];

	/* Every code point that fits a shorter form, in each longer one. */
	for (uint32_t cp = 0; cp < 0x10000; cp++)
		for (size_t len = shortest(cp) + 1; len <= 4; len++) {
			if (len == 1)
				continue;
			encode(cp, len, b);
			if (utf8_sequence(b, len) != 0)
				ck_abort_msg("U+%04X in %zu bytes accepted", cp, len);
		}
}
END_TEST

START_TEST(bytes_that_start_nothing)
{
	unsigned char b[4] = { 0, 0x80, 0x80, 0x80 };

	for (unsigned c = 0x80; c <= 0xff; c++) {
		b[0] = (unsigned char)c;
		if (c >= 0xc2 && c <= 0xf4)
			continue;	/* lead bytes: covered above */
		ck_assert_msg(utf8_sequence(b, 4) == 0, "lead %02x accepted", c);
	}
	/* Beyond U+10FFFF, with a valid-looking tail. */
	ck_assert_uint_eq(utf8_sequence((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
	/* A lead byte followed by a non-continuation. */
	ck_assert_uint_eq(utf8_sequence((const unsigned char *)"\xe2\x28\xa1", 3), 0);
	ck_assert_uint_eq(utf8_sequence((const unsigned char *)"", 0), 0);
}
END_TEST

START_TEST(strings_checked_and_scrubbed)
{
	char bad[] = "srv_\xff" "1\xe2\x82" "x\xc3\xa9";

	ck_assert(utf8_valid("plain ascii"));
	ck_assert(utf8_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
	ck_assert(!utf8_valid(bad));
	utf8_scrub(bad);
	ck_assert_str_eq(bad, "srv_?1??x\xc3\xa9");
	ck_assert(utf8_valid(bad));
	ck_assert_uint_eq(utf8_length("h\xc3\xa9llo \xe2\x82\xac"), 7);
	ck_assert(has_control_chars("a\tb"));
	ck_assert(has_control_chars("a\x7f"));
	ck_assert(!has_control_chars("caf\xc3\xa9"));
}
END_TEST

Suite *utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("utf8");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, every_code_point_in_its_shortest_form);
	tcase_add_test(tc, overlong_forms_are_refused);
	tcase_add_test(tc, bytes_that_start_nothing);
	tcase_add_test(tc, strings_checked_and_scrubbed);
	suite_add_tcase(s, tc);
	return s;
}
