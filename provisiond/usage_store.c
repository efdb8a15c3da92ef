// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage_store.c - a server's sample into usage_hourly, and the reading it
 * came from into usage_cursors, in one transaction (usage.h).
 *
 * Why that never loses or counts twice: the buckets only ever grow by
 * (reading - cursor), and the cursor becomes the reading in the same
 * commit.  Replaying a sample finds the cursor already at it and adds 0;
 * a crash before the commit leaves both as they were, and the next
 * sample's delta covers the lost interval.  What is lost for good is only
 * what a domain counted after its last committed sample and before it was
 * destroyed without one (an appliance crash): at most monitor_interval.
 */
#include <string.h>

#include "db.h"
#include "usage.h"

#define COL(name) ", " #name
#define PARAM(name) ", ?"
#define ADD(name) ", " #name " = " #name " + excluded." #name

static const char add_hour_sql[] =
	"INSERT INTO usage_hourly (server_id, tenant_id, hour_start"
	USAGE_METERS(COL) ") VALUES (?, ?, ?" USAGE_METERS(PARAM) ")"
	" ON CONFLICT (server_id, hour_start) DO UPDATE SET tenant_id = excluded.tenant_id"
	USAGE_METERS(ADD);

static const char get_cursor_sql[] =
	"SELECT generation, domid, sampled_at, month_start, month_traffic_bytes"
	USAGE_COUNTER_METERS(COL) " FROM usage_cursors WHERE server_id = ?";

static const char put_cursor_sql[] =
	"INSERT OR REPLACE INTO usage_cursors (server_id, generation, domid,"
	" sampled_at, month_start, month_traffic_bytes" USAGE_COUNTER_METERS(COL)
	") VALUES (?, ?, ?, ?, ?, ?" USAGE_COUNTER_METERS(PARAM) ")";

#undef COL
#undef PARAM
#undef ADD

struct cursor {
	bool found;
	int64_t generation, domid, sampled_at, month_start;
	uint64_t month_traffic;
	struct usage_reading reading;
};

static int get_cursor(sqlite3 *w, const char *server_id, struct cursor *c)
{
	sqlite3_stmt *st = db_cached(w, get_cursor_sql, "s", server_id);
	int rc;

	memset(c, 0, sizeof(*c));
	if (!st)
		return SQLITE_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->found = true;
		c->generation = sqlite3_column_int64(st, 0);
		c->domid = sqlite3_column_int64(st, 1);
		c->sampled_at = sqlite3_column_int64(st, 2);
		c->month_start = sqlite3_column_int64(st, 3);
		c->month_traffic = (uint64_t)sqlite3_column_int64(st, 4);
		for (int i = 0; i < USAGE_COUNTERS; i++)
			c->reading.c[i] = (uint64_t)sqlite3_column_int64(st, 5 + i);
	}
	db_release(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int put_cursor(sqlite3 *w, const char *server_id, const struct cursor *c)
{
	sqlite3_stmt *st = db_cached(w, put_cursor_sql, "siiiii", server_id,
				     c->generation, c->domid, c->sampled_at,
				     c->month_start, (int64_t)c->month_traffic);
	int rc;

	if (!st)
		return SQLITE_ERROR;
	for (int i = 0; i < USAGE_COUNTERS; i++)
		sqlite3_bind_int64(st, 7 + i, (int64_t)c->reading.c[i]);
	rc = sqlite3_step(st);
	db_release(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int add_hour(sqlite3 *w, const struct usage_sample *s, int64_t hour,
		    const uint64_t meters[UM_COUNT])
{
	sqlite3_stmt *st = db_cached(w, add_hour_sql, "ssi", s->server_id,
				     s->tenant_id, hour);
	int rc;

	if (!st)
		return SQLITE_ERROR;
	for (int i = 0; i < UM_COUNT; i++)
		sqlite3_bind_int64(st, 4 + i, (int64_t)meters[i]);
	rc = sqlite3_step(st);
	db_release(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int usage_record(sqlite3 *w, const struct usage_sample *s, uint64_t *month_traffic,
		 struct usage_counted *counted)
{
	struct cursor c, next;
	struct usage_reading now;
	struct usage_split split;
	uint64_t delta[USAGE_COUNTERS], meters[UM_COUNT];
	int64_t from, month = usage_month_start(s->at), hour;
	bool same;
	int rc = get_cursor(w, s->server_id, &c);

	if (rc != SQLITE_OK)
		return rc;
	from = c.found ? c.sampled_at : s->created_at;
	same = c.found && c.generation == s->generation && c.domid == s->domid;

	/* Counters without a reading stand still: the cursor's value if this
	 * is its instance, else 0 (a new instance that was never read). */
	now = s->reading;
	for (int i = 0; i < USAGE_COUNTERS; i++) {
		bool cpu = i == UM_cpu_ns || i == UM_steal_ns;

		if (s->domid < 0 || (cpu ? !s->have_cpu : !s->have_io))
			now.c[i] = same || s->domid < 0 ? c.reading.c[i] : 0;
	}
	if (s->domid < 0)	/* no domain: nothing counted, no new instance */
		memset(delta, 0, sizeof(delta));
	else
		usage_counter_delta(&c.reading, same, &now, delta);

	next = c;
	next.found = true;
	if (s->domid >= 0) {
		next.generation = s->generation;
		next.domid = s->domid;
	} else if (!c.found) {
		next.generation = s->generation;
		next.domid = -1;
	}
	next.reading = now;
	/* Time never runs backwards for the buckets (a clock set back). */
	next.sampled_at = s->at > from ? s->at : from;
	if (c.month_start != month) {
		next.month_start = month;
		next.month_traffic = 0;
	}

	usage_split_begin(&split, from, s->at, delta, &s->levels);
	while (usage_split_next(&split, &hour, meters)) {
		if (hour >= month)
			next.month_traffic += meters[UM_net_rx_bytes] +
					      meters[UM_net_tx_bytes];
		if (!memcmp(meters, (uint64_t[UM_COUNT]){ 0 }, sizeof(meters)))
			continue;
		rc = add_hour(w, s, hour, meters);
		if (rc != SQLITE_OK)
			return rc;
	}
	rc = put_cursor(w, s->server_id, &next);
	if (rc == SQLITE_OK && month_traffic)
		*month_traffic = next.month_traffic;
	if (rc == SQLITE_OK && counted) {
		counted->from = from;
		counted->to = s->at;
		memcpy(counted->delta, delta, sizeof(delta));
	}
	return rc;
}
