// SPDX-License-Identifier: GPL-2.0-only
/*
 * log.c - levelled log lines on stderr (see log.h).
 *
 * Each line is formatted into one buffer and written with a single write(2),
 * so lines from the HTTP threads, the job workers and the monitor never
 * interleave, and a kill -9 never leaves half a line in a stdio buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static volatile enum log_level current_level = LOG_INFO;

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	struct tm tm;
	time_t now;
	size_t len;
	va_list ap;
	int n;

	if (level > current_level)
		return;

	now = time(NULL);
	gmtime_r(&now, &tm);
	len = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line + len, sizeof(line) - len, " provisiond[%d] %s: ",
		     (int)getpid(), level_names[level]);
	if (n > 0)
		len += (size_t)n;

	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (n > 0)
		len += (size_t)n;

	/* Truncated lines still end in a newline. */
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';

	/* Nothing useful can be done if stderr is gone. */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}
