// SPDX-License-Identifier: GPL-2.0-only
/*
 * util.h - small helpers every part of provisiond uses: clocks, random
 * bytes and resource ids, hex, RFC 3339 timestamps, bounded string copies.
 */
#ifndef PROVISIOND_UTIL_H
#define PROVISIOND_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Resource ids are a type prefix and 16 hex digits of randomness,
 * "srv_8f3a2c1d9e7b4a60": unguessable, never reused, and short enough that
 * a server id is also its domain's name in the hypervisor (HV_NAME_LEN 32).
 */
#define ID_HEX_LEN	16
#define ID_MAX		32	/* buffer size for any id, NUL included */

/* Wall-clock seconds since the epoch (timestamps stored in the database). */
int64_t now_s(void);

/* Monotonic milliseconds (deadlines and durations; never jumps). */
int64_t mono_ms(void);

/* Sleeps for ms milliseconds (restarted after signals). */
void sleep_ms(int64_t ms);

/* Fills buf with len bytes from getrandom(2).  Returns 0, or -errno. */
int random_bytes(void *buf, size_t len);

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void hex_encode(const void *buf, size_t len, char *out);

/* Decodes exactly 2 * len hex digits; false on any other character. */
bool hex_decode(const char *hex, void *out, size_t len);

/* A new id "<prefix>_<16 hex>" into out[ID_MAX].  Returns 0 or -errno. */
int id_new(const char *prefix, char out[ID_MAX]);

/* True if s is "<prefix>_" followed by exactly 16 lower-case hex digits. */
bool id_valid(const char *prefix, const char *s);

/* Formats epoch seconds as RFC 3339 UTC, "2024-05-01T12:00:00Z" (21 bytes). */
#define TIME_STR_LEN	21
void time_format(int64_t t, char out[TIME_STR_LEN]);

/*
 * Parses an RFC 3339 date-time ("2024-05-01T12:00:00Z", with optional
 * fractional seconds, which are dropped, and "Z" or a "+hh:mm"/"-hh:mm"
 * offset) into epoch seconds.  False if s is anything else.
 */
bool time_parse(const char *s, int64_t *out);

/* Copies src into dst[size], always NUL-terminated; true if it all fit. */
bool str_copy(char *dst, const char *src, size_t size);

/*
 * The length (1 to 4) of the well-formed UTF-8 sequence at the start of
 * s[0..avail), or 0 if it does not start one: a stray continuation byte, a
 * truncated sequence, an overlong form, a surrogate (U+D800..U+DFFF) or a
 * code point above U+10FFFF (RFC 3629).
 */
size_t utf8_sequence(const unsigned char *s, size_t avail);

/* True if the NUL-terminated s is well-formed UTF-8 throughout. */
bool utf8_valid(const char *s);

/* Replaces each byte of s that does not belong to a well-formed UTF-8
 * sequence with '?', so that s can go into JSON. */
void utf8_scrub(char *s);

/* Number of UTF-8 code points in s (s is valid UTF-8: Jansson checks). */
size_t utf8_length(const char *s);

/* True if s holds a control character (U+0000..U+001F, U+007F). */
bool has_control_chars(const char *s);

#endif
