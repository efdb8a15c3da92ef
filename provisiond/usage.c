// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage.c - the arithmetic of the billing meters (usage.h): differences of
 * counters and their split over hours.  Pure functions, no database.
 *
 * Exactness: a counter's delta d over the seconds [from, to) is cut at hour
 * boundaries b1 < b2 < ...; the part up to b is d * (b - from) / (to -
 * from) rounded down, in 128 bits, and each hour gets the difference of
 * two such cumulative parts.  The last cumulative part is d itself, so the
 * parts add up to d whatever the rounding.
 */
#include <string.h>
#include <time.h>

#include "usage.h"

#define USAGE_NAME(name) #name,
const char *const usage_meter_names[UM_COUNT] = { USAGE_METERS(USAGE_NAME) };
#undef USAGE_NAME

#define HOUR_S	3600

void usage_counter_delta(const struct usage_reading *prev, bool same_instance,
			 const struct usage_reading *now, uint64_t delta[USAGE_COUNTERS])
{
	for (int i = 0; i < USAGE_COUNTERS; i++) {
		if (same_instance && now->c[i] >= prev->c[i])
			delta[i] = now->c[i] - prev->c[i];
		else
			delta[i] = now->c[i];	/* a new counter, from 0 */
	}
}

static int64_t floor_to(int64_t t, int64_t unit)
{
	int64_t r = t % unit;

	return r < 0 ? t - r - unit : t - r;
}

int64_t usage_hour_start(int64_t t)
{
	return floor_to(t, HOUR_S);
}

int64_t usage_day_start(int64_t t)
{
	return floor_to(t, 86400);
}

int64_t usage_month_start(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int64_t)timegm(&tm);
}

int64_t usage_next_month(int64_t month_start)
{
	/* 32 days on from the 1st is always in the next month. */
	return usage_month_start(month_start + 32 * 86400);
}

uint64_t usage_share_upto(uint64_t delta, int64_t from, int64_t to, int64_t t)
{
	if (t <= from)
		return 0;
	if (t >= to)
		return delta;
	return (uint64_t)((unsigned __int128)delta * (uint64_t)(t - from) /
			  (uint64_t)(to - from));
}

void usage_split_begin(struct usage_split *s, int64_t from, int64_t to,
		       const uint64_t delta[USAGE_COUNTERS],
		       const struct usage_levels *levels)
{
	memset(s, 0, sizeof(*s));
	s->from = from;
	s->to = to;
	s->at = from < to ? from : to;
	memcpy(s->delta, delta, sizeof(s->delta));
	s->levels = *levels;
}

bool usage_split_next(struct usage_split *s, int64_t *hour_start,
		      uint64_t meters[UM_COUNT])
{
	int64_t end, secs;

	if (s->done)
		return false;
	memset(meters, 0, sizeof(uint64_t) * UM_COUNT);

	if (s->to <= s->from) {
		/* No time passed: what the counters moved goes to now's hour. */
		*hour_start = usage_hour_start(s->to);
		memcpy(meters, s->delta, sizeof(s->delta));
		s->done = true;
		return true;
	}

	/* The seconds [at, end): up to the end of at's hour, or to `to`. */
	*hour_start = usage_hour_start(s->at);
	end = *hour_start + HOUR_S;
	if (end > s->to)
		end = s->to;
	secs = end - s->at;

	for (int i = 0; i < USAGE_COUNTERS; i++) {
		uint64_t upto = usage_share_upto(s->delta[i], s->from, s->to, end);

		meters[i] = upto - s->given[i];
		s->given[i] = upto;
	}
	if (s->levels.exists) {
		meters[UM_existed_seconds] = (uint64_t)secs;
		meters[UM_disk_kib_seconds] = s->levels.disk_bytes / 1024 * (uint64_t)secs;
		meters[UM_address_seconds] = s->levels.addresses * (uint64_t)secs;
		if (s->levels.running)
			meters[UM_running_seconds] = (uint64_t)secs;
	}
	s->at = end;
	if (end >= s->to)
		s->done = true;
	return true;
}
