// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage_recent.c - the last hour of each server's counters, per minute,
 * in memory (usage_recent.h).
 *
 * Design:
 *   - One ring per server of RECENT_MINUTES one-minute slots, aligned to
 *     UTC minutes: minute m goes to slot (m / 60) % 60, and a slot found
 *     holding an older minute is cleared first, so minutes older than an
 *     hour fall out by themselves and a ring's size never changes.
 *   - A sample's interval [from, to) is spread over the minutes it covers
 *     in proportion to its seconds in each, like the hourly buckets
 *     (usage.c): with a monitor_interval that does not divide a minute, a
 *     minute gets what was counted in it, not a whole sample or none.
 *     The parts of a delta add up to it exactly (usage_share_upto).
 *   - Memory: a ring (3.75 KiB: 60 slots of 64 bytes) is allocated for
 *     a server at its first sample and freed when the server is deleted
 *     (usage_recent_forget, from the delete job), or by
 *     usage_recent_prune, which the monitor calls after each sample, once
 *     none of its minutes is within the hour (a server stopped for an
 *     hour, or deleted another way, such as with its tenant).  So memory
 *     is one ring per server sampled in the last hour; there is no fixed
 *     maximum number of servers.
 *   - Threads: the monitor thread (and a job's final sample) writes, the
 *     HTTP threads read; one mutex guards every ring and the index.
 *     Readers copy the minutes out under it.
 *   - Lost on restart: after one, the graphs fill again from the next
 *     samples.  The hourly buckets in SQLite are the durable record.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "usage_recent.h"
#include "util.h"

#define RECENT_ENUM(name) UM_##name,
const enum usage_meter recent_meter_of[RECENT_NMETERS] = { RECENT_METERS(RECENT_ENUM) };
#undef RECENT_ENUM

int64_t recent_minute_start(int64_t t)
{
	int64_t r = t % RECENT_MINUTE_S;

	return r < 0 ? t - r - RECENT_MINUTE_S : t - r;
}

/* The first minute of the hour that ends with t's minute. */
static int64_t oldest_kept(int64_t t)
{
	return recent_minute_start(t) - (RECENT_MINUTES - 1) * RECENT_MINUTE_S;
}

static struct recent_minute *slot_of(struct recent_ring *r, int64_t minute)
{
	int64_t n = minute / RECENT_MINUTE_S % RECENT_MINUTES;

	return &r->slot[n < 0 ? n + RECENT_MINUTES : n];
}

/* Adds part to minute's slot, unless the slot holds a newer minute (then
 * this one is more than an hour older than the ring's newest). */
static void add_to_minute(struct recent_ring *r, int64_t minute,
			  const uint64_t part[RECENT_NMETERS], uint32_t seconds)
{
	struct recent_minute *s = slot_of(r, minute);

	if (s->start > minute)
		return;
	if (s->start < minute) {
		memset(s, 0, sizeof(*s));
		s->start = minute;
	}
	for (int i = 0; i < RECENT_NMETERS; i++)
		s->v[i] += part[i];
	s->seconds += seconds;
	if (s->seconds > RECENT_MINUTE_S)	/* overlapping samples: a minute has 60 */
		s->seconds = RECENT_MINUTE_S;
}

void recent_ring_add(struct recent_ring *r, int64_t from, int64_t to,
		     const uint64_t delta[USAGE_COUNTERS])
{
	int64_t first = recent_minute_start(from), oldest;
	uint64_t part[RECENT_NMETERS];

	if (to <= from) {
		for (int i = 0; i < RECENT_NMETERS; i++)
			part[i] = delta[recent_meter_of[i]];
		add_to_minute(r, recent_minute_start(to), part, 0);
		return;
	}
	/* The last second counted is to - 1: its minute is the newest. */
	oldest = oldest_kept(to - 1);
	/* Minutes before the hour kept would only be dropped: skip them,
	 * which also keeps a sample spanning days (the first after a long
	 * stop) to 60 steps. */
	for (int64_t m = first < oldest ? oldest : first; m < to; m += RECENT_MINUTE_S) {
		int64_t end = m + RECENT_MINUTE_S;
		/* The seconds of [from, to) within this minute. */
		int64_t covered = (to < end ? to : end) - (from > m ? from : m);

		for (int i = 0; i < RECENT_NMETERS; i++) {
			uint64_t d = delta[recent_meter_of[i]];

			part[i] = usage_share_upto(d, from, to, end) -
				  usage_share_upto(d, from, to, m);
		}
		add_to_minute(r, m, part, (uint32_t)covered);
	}
}

size_t recent_ring_read(const struct recent_ring *r, int64_t now,
			struct recent_minute out[RECENT_MINUTES])
{
	int64_t oldest = oldest_kept(now);
	size_t n = 0;

	for (int k = 0; k < RECENT_MINUTES; k++) {
		int64_t m = oldest + (int64_t)k * RECENT_MINUTE_S;
		const struct recent_minute *s = slot_of((struct recent_ring *)r, m);

		if (s->start == m)
			out[n++] = *s;
	}
	return n;
}

/* --- every server's ring --- */

struct server_ring {
	char server_id[ID_MAX];
	struct recent_ring ring;
};

/* Sorted by server id, for bsearch: the monitor looks up every server at
 * every sample. */
static struct {
	pthread_mutex_t lock;
	struct server_ring **rings;
	size_t n, cap;
} recent = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int by_id(const void *key, const void *elem)
{
	return strcmp(key, (*(struct server_ring *const *)elem)->server_id);
}

/* The index where server_id is, or would be inserted; *found says which.
 * Called with the lock held. */
static size_t position(const char *server_id, bool *found)
{
	size_t lo = 0, hi = recent.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = by_id(server_id, &recent.rings[mid]);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

/* The server's ring, made if it has none (NULL: out of memory).  Called
 * with the lock held. */
static struct recent_ring *ring_for(const char *server_id)
{
	bool found;
	size_t at = position(server_id, &found);
	struct server_ring *sr;

	if (found)
		return &recent.rings[at]->ring;
	if (recent.n == recent.cap) {
		size_t cap = recent.cap ? recent.cap * 2 : 64;
		struct server_ring **grown = realloc(recent.rings, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		recent.rings = grown;
		recent.cap = cap;
	}
	sr = calloc(1, sizeof(*sr));
	if (!sr || !str_copy(sr->server_id, server_id, sizeof(sr->server_id))) {
		free(sr);
		return NULL;
	}
	memmove(&recent.rings[at + 1], &recent.rings[at],
		(recent.n - at) * sizeof(recent.rings[0]));
	recent.rings[at] = sr;
	recent.n++;
	return &sr->ring;
}

/* Frees the ring at index at.  Called with the lock held. */
static void remove_at(size_t at)
{
	free(recent.rings[at]);
	memmove(&recent.rings[at], &recent.rings[at + 1],
		(recent.n - at - 1) * sizeof(recent.rings[0]));
	recent.n--;
}

void usage_recent_add(const char *server_id, int64_t from, int64_t to,
		      const uint64_t delta[USAGE_COUNTERS])
{
	struct recent_ring *r;

	pthread_mutex_lock(&recent.lock);
	r = ring_for(server_id);
	if (r)		/* out of memory: the graphs miss this sample only */
		recent_ring_add(r, from, to, delta);
	pthread_mutex_unlock(&recent.lock);
}

size_t usage_recent_read(const char *server_id, int64_t now,
			 struct recent_minute out[RECENT_MINUTES])
{
	bool found;
	size_t at, n = 0;

	pthread_mutex_lock(&recent.lock);
	at = position(server_id, &found);
	if (found)
		n = recent_ring_read(&recent.rings[at]->ring, now, out);
	pthread_mutex_unlock(&recent.lock);
	return n;
}

void usage_recent_forget(const char *server_id)
{
	bool found;
	size_t at;

	pthread_mutex_lock(&recent.lock);
	at = position(server_id, &found);
	if (found)
		remove_at(at);
	pthread_mutex_unlock(&recent.lock);
}

/* Whether the ring holds a minute that starts at oldest or later. */
static bool has_minute_since(const struct recent_ring *r, int64_t oldest)
{
	for (int k = 0; k < RECENT_MINUTES; k++)
		if (r->slot[k].start >= oldest)
			return true;
	return false;
}

void usage_recent_prune(int64_t now)
{
	int64_t oldest = oldest_kept(now);

	pthread_mutex_lock(&recent.lock);
	for (size_t i = recent.n; i-- > 0;)
		if (!has_minute_since(&recent.rings[i]->ring, oldest))
			remove_at(i);
	pthread_mutex_unlock(&recent.lock);
}
