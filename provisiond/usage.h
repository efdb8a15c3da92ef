// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage.h - the billing meters of a server and the arithmetic that turns
 * raw readings into hourly buckets (usage.c), and the store that keeps
 * buckets and readings in SQLite (usage_store.c).  docs/usage.md is the
 * user's side of it.
 *
 * Two kinds of meter, all exact integers:
 *   counters  read from the hypervisor and the device backend, monotonic
 *             for one domain's life (CPU and steal ns, disk and network
 *             bytes and operations); a sample adds the difference to the
 *             previous reading of the same domain instance.
 *   gauges    levels integrated over time (allocated disk in KiB-seconds,
 *             IP addresses held in address-seconds, seconds the server
 *             existed and ran); a sample adds level x seconds elapsed.
 * A sample's interval, the seconds from the previous sample to this one,
 * is spread over the UTC hours it covers in proportion to the seconds in
 * each, with integer arithmetic whose parts add up to the whole exactly.
 */
#ifndef PROVISIOND_USAGE_H
#define PROVISIOND_USAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

/* The one list of meters: column names in usage_hourly, JSON and CSV.
 * Counters first (USAGE_COUNTERS of them), then gauges. */
#define USAGE_COUNTER_METERS(X) \
	X(cpu_ns) X(steal_ns) \
	X(disk_read_bytes) X(disk_write_bytes) X(disk_read_ops) X(disk_write_ops) \
	X(net_rx_bytes) X(net_tx_bytes) X(net_rx_packets) X(net_tx_packets)
#define USAGE_GAUGE_METERS(X) \
	X(disk_kib_seconds) X(address_seconds) X(existed_seconds) X(running_seconds)
#define USAGE_METERS(X) USAGE_COUNTER_METERS(X) USAGE_GAUGE_METERS(X)

#define USAGE_ENUM(name) UM_##name,
enum usage_meter { USAGE_METERS(USAGE_ENUM) UM_COUNT };
#undef USAGE_ENUM
#define USAGE_COUNTERS	(UM_disk_kib_seconds)	/* counters: 0 .. this - 1 */

extern const char *const usage_meter_names[UM_COUNT];

/* One reading of a domain's counters (indexes UM_cpu_ns .. counters). */
struct usage_reading {
	uint64_t c[USAGE_COUNTERS];
};

/* The gauges' levels at a sample. */
struct usage_levels {
	uint64_t disk_bytes;		/* allocated volumes */
	uint64_t addresses;		/* IP addresses held */
	bool exists;			/* not deleted */
	bool running;			/* its domain runs */
};

/*
 * What a counter added since the previous reading: now - prev, or, when
 * the reading is of another domain instance (same_instance false) or the
 * counter went backwards (its device backend restarted), all of now: a
 * new counter starts from 0.
 */
void usage_counter_delta(const struct usage_reading *prev, bool same_instance,
			 const struct usage_reading *now, uint64_t delta[USAGE_COUNTERS]);

/*
 * The part of a delta counted over [from, to) that falls in [from, t):
 * delta * (t - from) / (to - from) rounded down (0 before from, all of
 * delta from `to` on; to > from).  Cutting an interval at t1 < t2 < ...
 * and giving each piece the difference of two such parts hands out the
 * delta exactly, whatever the rounding.
 */
uint64_t usage_share_upto(uint64_t delta, int64_t from, int64_t to, int64_t t);

/*
 * Spreads an interval's counter deltas and gauges over the UTC hours of
 * the seconds [from, to): usage_split_begin, then usage_split_next until it returns
 * false, each call giving one hour's start and its meters.  The parts of
 * each counter add up to its delta exactly.  An empty or backwards
 * interval (to <= from) puts the deltas in the hour of `to`, gauges 0.
 */
struct usage_split {
	int64_t from, to, at;		/* at: where the next part starts */
	uint64_t delta[USAGE_COUNTERS];
	uint64_t given[USAGE_COUNTERS];	/* handed out so far */
	struct usage_levels levels;
	bool done;
};

void usage_split_begin(struct usage_split *s, int64_t from, int64_t to,
		       const uint64_t delta[USAGE_COUNTERS],
		       const struct usage_levels *levels);
bool usage_split_next(struct usage_split *s, int64_t *hour_start,
		      uint64_t meters[UM_COUNT]);

/* The start (unix seconds) of t's hour, day and calendar month, UTC. */
int64_t usage_hour_start(int64_t t);
int64_t usage_day_start(int64_t t);
int64_t usage_month_start(int64_t t);
/* The start of the month after the one that starts at month_start. */
int64_t usage_next_month(int64_t month_start);

/* --- the store (usage_store.c) --- */

/* One sample of one server, as the monitor or a job takes it. */
struct usage_sample {
	const char *server_id;
	const char *tenant_id;
	int64_t at;			/* unix seconds */
	int64_t created_at;		/* the server's: where time starts */
	int64_t generation;		/* servers.domain_generation */
	int64_t domid;			/* -1: no domain */
	bool have_cpu;			/* reading's cpu_ns and steal_ns valid */
	bool have_io;			/* reading's disk and net valid */
	struct usage_reading reading;
	struct usage_levels levels;
};

/*
 * Adds a sample to the server's hourly buckets and replaces its cursor
 * (the reading the next delta starts from), in the caller's write
 * transaction, so that either both are kept or neither: a crash can lose
 * the interval since the last commit but never count one twice.  Counters
 * without a reading (no domain, or the backend did not answer) add 0 and
 * keep the cursor's value.  *month_traffic (may be NULL) gets the server's
 * rx + tx bytes in the calendar month of s->at; *counted (may be NULL)
 * what this sample added, for the last hour's minutes (usage_recent.h),
 * which the caller keeps once the transaction commits.  SQLITE_OK or an
 * error.
 */
/* What a sample counted: its counters' deltas over the seconds [from, to). */
struct usage_counted {
	int64_t from, to;
	uint64_t delta[USAGE_COUNTERS];
};

int usage_record(sqlite3 *w, const struct usage_sample *s, uint64_t *month_traffic,
		 struct usage_counted *counted);

#endif
