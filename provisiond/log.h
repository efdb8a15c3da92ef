// SPDX-License-Identifier: GPL-2.0-only
/*
 * log.h - provisiond's log: one line per event on stderr, with a level.
 *
 *	2024-05-01T12:00:00Z provisiond[123] warn: domain srv_... is an orphan
 *
 * dom0's init collects stderr; on a development host it is the terminal or
 * the file the API tests read.  Messages below the configured level are
 * dropped before they are formatted.
 */
#ifndef PROVISIOND_LOG_H
#define PROVISIOND_LOG_H

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* "error", "warn", "info", "debug" -> level; -1 for anything else. */
int log_level_parse(const char *name);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
