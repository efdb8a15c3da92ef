// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for hypervisor/common/format.c (hv_snprintf, hv_vsnprintf):
 * every conversion, widths with the '0' and '-' flags, zero padding of
 * negative numbers, the 64-bit extremes with l, ll and z, %s with NULL and
 * with a precision, truncation (return value and NUL), size 0, unknown
 * conversions and a lone '%' at the end of the format.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <check.h>

#include <hv/format.h>

#include "suites.h"

/*
 * Formats into a buffer filled with 'Z' and checks both the text and the
 * return value (the length of the whole output).  hv_snprintf carries
 * __attribute__((format(printf))), so the compiler checks these calls.
 */
#define CHECK_WITH(func, expected, ...)					\
	do {								\
		char buf_[128];						\
		int n_;							\
									\
		memset(buf_, 'Z', sizeof(buf_));			\
		n_ = func(buf_, sizeof(buf_), __VA_ARGS__);		\
		ck_assert_str_eq(buf_, expected);			\
		ck_assert_int_eq(n_, (int)strlen(expected));		\
	} while (0)

#define CHECK_FMT(expected, ...) CHECK_WITH(hv_snprintf, expected, __VA_ARGS__)

/*
 * The same formatter without the format attribute, for formats GCC would
 * (rightly) reject at compile time: unknown conversions, a trailing '%',
 * %s with a NULL pointer.  The point is what the formatter does with them.
 */
static int format_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define CHECK_UNCHECKED(expected, ...)					\
	CHECK_WITH(format_unchecked, expected, __VA_ARGS__)

START_TEST(test_signed)
{
	CHECK_FMT("0", "%d", 0);
	CHECK_FMT("42", "%d", 42);
	CHECK_FMT("-42", "%d", -42);
	CHECK_FMT("-7", "%i", -7);
	CHECK_FMT("2147483647", "%d", INT_MAX);
	CHECK_FMT("-2147483648", "%d", INT_MIN);
	CHECK_FMT("a=1, b=-2.", "a=%d, b=%i.", 1, -2);
}
END_TEST

START_TEST(test_unsigned_and_hex)
{
	CHECK_FMT("0", "%u", 0u);
	CHECK_FMT("4294967295", "%u", UINT_MAX);
	CHECK_FMT("0", "%x", 0u);
	CHECK_FMT("deadbeef", "%x", 0xdeadbeefu);
	CHECK_FMT("DEADBEEF", "%X", 0xdeadbeefu);
	/* Without l, %x reads an unsigned int: 32 bits, not 64. */
	CHECK_FMT("ffffffff", "%x", (unsigned int)-1);
}
END_TEST

START_TEST(test_pointer_char_string_percent)
{
	CHECK_FMT("0x1234", "%p", (void *)0x1234);
	CHECK_FMT("0xffff800000000000", "%p", (void *)0xffff800000000000ULL);
	CHECK_FMT("A", "%c", 'A');
	CHECK_FMT("[A]", "[%c]", 'A');
	CHECK_FMT("hello", "%s", "hello");
	CHECK_FMT("", "%s", "");
	CHECK_FMT("%", "%%");
	CHECK_FMT("100% sure", "%d%% %s", 100, "sure");
	CHECK_FMT("no conversions", "no conversions");
}
END_TEST

START_TEST(test_width_and_flags)
{
	CHECK_FMT("   42", "%5d", 42);
	CHECK_FMT("42   |", "%-5d|", 42);
	CHECK_FMT("00042", "%05d", 42);
	/* The number is longer than the width: never cut. */
	CHECK_FMT("12345", "%2d", 12345);
	CHECK_FMT("12345", "%05d", 12345);
	/*
	 * '-' wins over '0': pad on the right, with spaces.  (GCC warns that
	 * the '0' is ignored, hence the unchecked call.)
	 */
	CHECK_UNCHECKED("42   |", "%-05d|", 42);
	CHECK_UNCHECKED("42   |", "%0-5d|", 42);
	CHECK_FMT("0000beef", "%08x", 0xbeefu);
	CHECK_FMT("    BEEF", "%8X", 0xbeefu);
	CHECK_FMT("   ab", "%5s", "ab");
	CHECK_FMT("ab   |", "%-5s|", "ab");
	CHECK_FMT("  x", "%3c", 'x');
	CHECK_FMT("x  |", "%-3c|", 'x');
	CHECK_FMT("    0x1234", "%10p", (void *)0x1234);
	CHECK_FMT("0x1234    |", "%-10p|", (void *)0x1234);
}
END_TEST

START_TEST(test_zero_pad_negative)
{
	/* The zeros go between the sign and the digits. */
	CHECK_FMT("-0042", "%05d", -42);
	CHECK_FMT("-000000001", "%010ld", -1L);
	/* With spaces the sign stays next to the digits. */
	CHECK_FMT("  -42", "%5d", -42);
	/* Width equal to the length: no padding, sign kept. */
	CHECK_FMT("-42", "%03d", -42);
}
END_TEST

START_TEST(test_64bit_extremes)
{
	CHECK_FMT("-9223372036854775808", "%ld", (long)INT64_MIN);
	CHECK_FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	CHECK_FMT("9223372036854775807", "%lld", (long long)INT64_MAX);
	CHECK_FMT("-9223372036854775808", "%li", (long)INT64_MIN);
	CHECK_FMT("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
	CHECK_FMT("18446744073709551615", "%llu",
		  (unsigned long long)UINT64_MAX);
	CHECK_FMT("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
	CHECK_FMT("FFFFFFFFFFFFFFFF", "%llX", (unsigned long long)UINT64_MAX);
	CHECK_FMT("18446744073709551615", "%zu", SIZE_MAX);
	CHECK_FMT("ffffffffffffffff", "%zx", SIZE_MAX);
	CHECK_FMT("-5", "%zd", (ssize_t)-5);
	/* The widest number with a width and zero padding. */
	CHECK_FMT("-9223372036854775808", "%020ld", (long)INT64_MIN);
	CHECK_FMT("-9223372036854775808", "%5ld", (long)INT64_MIN);
	CHECK_FMT(" -9223372036854775808", "%21ld", (long)INT64_MIN);
	CHECK_FMT("-09223372036854775808", "%021ld", (long)INT64_MIN);
}
END_TEST

START_TEST(test_string_null)
{
	char buf[32];
	int n;

	n = format_unchecked(buf, sizeof(buf), "[%s]", (char *)NULL);
	ck_assert_str_eq(buf, "[(null)]");
	ck_assert_int_eq(n, 8);
}
END_TEST

START_TEST(test_string_precision)
{
	/* Not NUL-terminated: the precision must stop the read at 3 bytes. */
	const char raw[3] = { 'a', 'b', 'c' };

	CHECK_FMT("abc", "%.3s", "abcdef");
	CHECK_FMT("ab", "%.*s", 2, "abcdef");
	CHECK_FMT("abc", "%.10s", "abc");
	CHECK_FMT("", "%.0s", "abc");
	CHECK_FMT("", "%.*s", 0, "abc");
	/* A negative precision from * means "no precision", as in C. */
	CHECK_FMT("abc", "%.*s", -1, "abc");
	CHECK_FMT("   ab", "%5.2s", "abcdef");
	CHECK_FMT("ab   |", "%-5.*s|", 2, "abcdef");
	CHECK_FMT("abc", "%.3s", raw);
	CHECK_FMT("ab|7", "%.*s|%d", 2, "abcdef", 7);
}
END_TEST

START_TEST(test_truncation)
{
	char buf[8];
	int n;

	/* size 4: three characters and the NUL; the return is the full length. */
	memset(buf, 'Z', sizeof(buf));
	n = hv_snprintf(buf, 4, "hello");
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(buf, "hel");
	ck_assert_int_eq(buf[4], 'Z');

	/* Output exactly size - 1 long: fits, nothing cut. */
	memset(buf, 'Z', sizeof(buf));
	n = hv_snprintf(buf, 6, "hello");
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_eq(buf[6], 'Z');

	/* Output exactly size long: the last character gives way to the NUL. */
	memset(buf, 'Z', sizeof(buf));
	n = hv_snprintf(buf, 5, "hello");
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(buf, "hell");
	ck_assert_int_eq(buf[5], 'Z');

	/* Cut inside a number and inside padding. */
	memset(buf, 'Z', sizeof(buf));
	n = hv_snprintf(buf, 3, "%d", 12345);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(buf, "12");
	memset(buf, 'Z', sizeof(buf));
	n = hv_snprintf(buf, 4, "%8d", 1);
	ck_assert_int_eq(n, 8);
	ck_assert_str_eq(buf, "   ");

	/* size 1: only the NUL. */
	memset(buf, 'Z', sizeof(buf));
	n = hv_snprintf(buf, 1, "%s", "hello");
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], 'Z');
}
END_TEST

START_TEST(test_size_zero)
{
	char buf[4];
	int n;

	/* size 0 writes nothing at all, not even a NUL. */
	memset(buf, 'Z', sizeof(buf));
	n = hv_snprintf(buf, 0, "hello %d", 42);
	ck_assert_int_eq(n, 8);
	ck_assert_int_eq(buf[0], 'Z');

	/* So a NULL buffer is fine: the usual way to measure. */
	n = hv_snprintf(NULL, 0, "%s-%x", "abc", 0xffu);
	ck_assert_int_eq(n, 6);
}
END_TEST

START_TEST(test_unknown_conversion)
{
	char buf[32];
	int n;

	n = format_unchecked(buf, sizeof(buf), "%q");
	ck_assert_str_eq(buf, "%q");
	ck_assert_int_eq(n, 2);

	n = format_unchecked(buf, sizeof(buf), "a%yb");
	ck_assert_str_eq(buf, "a%yb");
	ck_assert_int_eq(n, 4);

	/* An unknown conversion takes no argument: 7 goes to the %d. */
	n = format_unchecked(buf, sizeof(buf), "%q %d", 7);
	ck_assert_str_eq(buf, "%q 7");
	ck_assert_int_eq(n, 4);
}
END_TEST

START_TEST(test_lone_percent_at_end)
{
	char buf[32];
	int n;

	/* The formatter stops cleanly: it must not read past the NUL. */
	memset(buf, 'Z', sizeof(buf));
	n = format_unchecked(buf, sizeof(buf), "abc%");
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(n, 3);

	n = format_unchecked(buf, sizeof(buf), "%");
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(n, 0);

	/* The same with flags, a width or a length modifier before the end. */
	n = format_unchecked(buf, sizeof(buf), "x%-05");
	ck_assert_str_eq(buf, "x");
	ck_assert_int_eq(n, 1);
	n = format_unchecked(buf, sizeof(buf), "x%l");
	ck_assert_str_eq(buf, "x");
	ck_assert_int_eq(n, 1);
	n = format_unchecked(buf, sizeof(buf), "x%.");
	ck_assert_str_eq(buf, "x");
	ck_assert_int_eq(n, 1);
}
END_TEST

Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc;

	tc = tcase_create("conversions");
	tcase_add_test(tc, test_signed);
	tcase_add_test(tc, test_unsigned_and_hex);
	tcase_add_test(tc, test_pointer_char_string_percent);
	tcase_add_test(tc, test_width_and_flags);
	tcase_add_test(tc, test_zero_pad_negative);
	tcase_add_test(tc, test_64bit_extremes);
	tcase_add_test(tc, test_string_null);
	tcase_add_test(tc, test_string_precision);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_size_zero);
	tcase_add_test(tc, test_unknown_conversion);
	tcase_add_test(tc, test_lone_percent_at_end);
	suite_add_tcase(s, tc);
	return s;
}
