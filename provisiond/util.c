// SPDX-License-Identifier: GPL-2.0-only
/*
 * util.c - clocks, randomness, ids, hex and timestamps (see util.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"

int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int64_t ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000,
	};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void hex_encode(const void *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool hex_decode(const char *hex, void *out, size_t len)
{
	unsigned char *p = out;

	for (size_t i = 0; i < len; i++) {
		int hi = hex_value(hex[2 * i]);
		int lo = hi < 0 ? -1 : hex_value(hex[2 * i + 1]);

		if (lo < 0)
			return false;
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

int id_new(const char *prefix, char out[ID_MAX])
{
	unsigned char raw[ID_HEX_LEN / 2];
	char hex[ID_HEX_LEN + 1];
	int err = random_bytes(raw, sizeof(raw));

	if (err)
		return err;
	hex_encode(raw, sizeof(raw), hex);
	snprintf(out, ID_MAX, "%s_%s", prefix, hex);
	return 0;
}

bool id_valid(const char *prefix, const char *s)
{
	size_t plen = strlen(prefix);

	if (strncmp(s, prefix, plen) != 0 || s[plen] != '_')
		return false;
	s += plen + 1;
	for (int i = 0; i < ID_HEX_LEN; i++)
		if (hex_value(s[i]) < 0)
			return false;
	return s[ID_HEX_LEN] == '\0';
}

void time_format(int64_t t, char out[TIME_STR_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, TIME_STR_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Reads exactly n decimal digits. */
static bool digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*s)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*s += n;
	*out = v;
	return true;
}

static bool expect(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

bool time_parse(const char *s, int64_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int year, mon, day, hour, min, sec, off_h, off_m, off = 0;
	struct tm tm;

	if (!digits(&s, 4, &year) || !expect(&s, '-') ||
	    !digits(&s, 2, &mon) || !expect(&s, '-') ||
	    !digits(&s, 2, &day) || (*s != 'T' && *s != 't'))
		return false;
	s++;
	if (!digits(&s, 2, &hour) || !expect(&s, ':') ||
	    !digits(&s, 2, &min) || !expect(&s, ':') ||
	    !digits(&s, 2, &sec))
		return false;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1;

		s++;
		if (!digits(&s, 2, &off_h) || !expect(&s, ':') ||
		    !digits(&s, 2, &off_m) || off_h > 23 || off_m > 59)
			return false;
		off = sign * (off_h * 3600 + off_m * 60);
	} else {
		return false;
	}
	if (*s != '\0')
		return false;

	/* Leap seconds (sec 60) are not accepted: nothing here needs them. */
	if (year < 1970 || mon < 1 || mon > 12 || day < 1 ||
	    day > mdays[mon - 1] || hour > 23 || min > 59 || sec > 59)
		return false;
	if (mon == 2 && day == 29 &&
	    !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		return false;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) - off;
	return true;
}

bool str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size == 0)
		return false;
	if (len >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

size_t utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned char c, lo = 0x80, hi = 0xbf;	/* the second byte's range */
	size_t len;

	if (avail == 0)
		return 0;	/* and s[0] is not ours to read */
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* below: overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* above: surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;	/* below: overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above: beyond U+10FFFF */
	} else {
		return 0;	/* continuation byte, 0xc0/0xc1 (overlong), 0xf5.. */
	}
	if (avail < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	while (left > 0) {
		size_t n = utf8_sequence(p, left);

		if (n == 0)
			return false;
		p += n;
		left -= n;
	}
	return true;
}

void utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t left = strlen(s);

	while (left > 0) {
		size_t n = utf8_sequence(p, left);

		if (n == 0) {
			*p = '?';
			n = 1;
		}
		p += n;
		left -= n;
	}
}

size_t utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

bool has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}
