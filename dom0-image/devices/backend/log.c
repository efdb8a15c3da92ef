// SPDX-License-Identifier: GPL-2.0-only
/* hv-backend's log (log.h). */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static void vlog(const char *fmt, va_list ap)
{
	fputs("hv-backend: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_limited(struct log_limit *l, uint64_t now_ns, const char *fmt, ...)
{
	va_list ap;

	if (now_ns - l->window_start_ns >= LOG_WINDOW_NS || now_ns < l->window_start_ns) {
		if (l->dropped)
			log_msg("(%u similar lines dropped)", l->dropped);
		l->window_start_ns = now_ns;
		l->printed = 0;
		l->dropped = 0;
	}
	if (l->printed >= LOG_BURST) {
		l->dropped++;
		return;
	}
	l->printed++;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
