/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * printf-style formatting into a buffer.  Supports %d %i %u %x %X %p %s %c %%
 * with the flags '0' and '-', a field width, a precision for %s (".N" or
 * ".*"), and the length modifiers l, ll and z.  Output is always NUL-terminated when size > 0; the return value is
 * the length the full output would have had, as in C99.  Named hv_* so the
 * host unit tests do not replace the C library's own.
 */
#ifndef HV_FORMAT_H
#define HV_FORMAT_H

#include <stdarg.h>
#include <lib/types.h>

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
