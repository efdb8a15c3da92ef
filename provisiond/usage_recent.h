// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage_recent.h - each server's counters over the last hour, per minute,
 * in memory (usage_recent.c): what GET /v1/servers/{id}/usage/recent
 * answers and the web panel's "Last hour" graphs draw when they open.
 * The hourly buckets in SQLite (usage.h) stay the durable record; this is
 * lost when provisiond restarts.
 */
#ifndef PROVISIOND_USAGE_RECENT_H
#define PROVISIOND_USAGE_RECENT_H

#include <stddef.h>
#include <stdint.h>

#include "usage.h"

#define RECENT_MINUTE_S		60	/* a slot's length, UTC-aligned */
#define RECENT_MINUTES		60	/* slots kept: the last hour */

/* The meters kept, in this order (usage.h's names). */
#define RECENT_METERS(X) \
	X(cpu_ns) X(steal_ns) X(disk_read_bytes) X(disk_write_bytes) \
	X(net_rx_bytes) X(net_tx_bytes)
#define RECENT_COUNT_ONE(name) + 1
enum { RECENT_NMETERS = 0 RECENT_METERS(RECENT_COUNT_ONE) };
#undef RECENT_COUNT_ONE

/* Which usage.h counter each kept meter is. */
extern const enum usage_meter recent_meter_of[RECENT_NMETERS];

/* One minute: its start (unix seconds, a multiple of RECENT_MINUTE_S; 0
 * in a slot never written), what each meter counted in it, and how many of
 * its seconds the samples so far covered (RECENT_MINUTE_S once the minute
 * is over and the server ran throughout; fewer for the minute in progress
 * or one in which the domain started or stopped): a rate is v / seconds. */
struct recent_minute {
	int64_t start;
	uint64_t v[RECENT_NMETERS];
	uint32_t seconds;
};

/* One server's ring: minute m lives in slot (m / 60) % 60, so a slot is
 * reused, and its old minute dropped, 60 minutes later. */
struct recent_ring {
	struct recent_minute slot[RECENT_MINUTES];
};

/* The start of t's minute, UTC. */
int64_t recent_minute_start(int64_t t);

/*
 * Adds a sample interval's counter deltas (usage.h's order) over the
 * seconds [from, to) to the ring, spread over the minutes the interval
 * covers in proportion to its seconds in each (usage_share_upto: the
 * parts add up exactly).  Parts in minutes older than the hour ending
 * with to's minute are not kept; an empty or backwards interval (to <=
 * from) goes to to's minute.
 */
void recent_ring_add(struct recent_ring *r, int64_t from, int64_t to,
		     const uint64_t delta[USAGE_COUNTERS]);

/* The ring's minutes within the hour ending with now's minute (now's
 * minute included, in progress), oldest first, into out; how many. */
size_t recent_ring_read(const struct recent_ring *r, int64_t now,
			struct recent_minute out[RECENT_MINUTES]);

/* --- every server's ring (thread-safe) --- */

/* The monitor's (or a job's final) sample of server_id, once committed. */
void usage_recent_add(const char *server_id, int64_t from, int64_t to,
		      const uint64_t delta[USAGE_COUNTERS]);

/* The server's minutes as recent_ring_read gives them (0 if it has none). */
size_t usage_recent_read(const char *server_id, int64_t now,
			 struct recent_minute out[RECENT_MINUTES]);

/* Frees the server's ring (the server was deleted). */
void usage_recent_forget(const char *server_id);

/* Frees the rings with no minute within the hour ending with now's
 * minute: servers no longer sampled (deleted, or stopped for an hour). */
void usage_recent_prune(int64_t now);

#endif
