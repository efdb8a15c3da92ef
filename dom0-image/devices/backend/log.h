/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h - hv-backend's log: lines on stderr (hvctl points it at
 * <run dir>/<domid>.log).  What a guest can cause goes through
 * log_limited(), which lets LOG_BURST lines through per LOG_WINDOW_NS and
 * then says how many it dropped, so a hostile guest cannot fill dom0's
 * disk.
 */
#ifndef DOM0_DEVICES_LOG_H
#define DOM0_DEVICES_LOG_H

#include <stdint.h>

#define LOG_BURST	10
#define LOG_WINDOW_NS	(10ull * 1000000000ull)

struct log_limit {
	uint64_t window_start_ns;
	unsigned printed;
	unsigned dropped;
};

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_limited(struct log_limit *l, uint64_t now_ns, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
