// SPDX-License-Identifier: GPL-2.0-only
/*
 * usage.c and usage_store.c: counter deltas (a reset, a new instance),
 * the split of an interval over hours (parts add up exactly, gauges by
 * the second), month starts; and against a migrated database, that a
 * sample replayed adds nothing, a new domain instance with the same
 * domain id counts from 0, and an interval crossing hours lands in each.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "usage.h"
#include "suites.h"

#define H	3600

static const struct usage_levels no_levels = { 0 };

START_TEST(delta_same_instance)
{
	struct usage_reading prev = { { 100, 5, 1000 } }, now = { { 250, 5, 4000 } };
	uint64_t d[USAGE_COUNTERS];

	usage_counter_delta(&prev, true, &now, d);
	ck_assert_uint_eq(d[UM_cpu_ns], 150);
	ck_assert_uint_eq(d[UM_steal_ns], 0);
	ck_assert_uint_eq(d[UM_disk_read_bytes], 3000);
}
END_TEST

START_TEST(delta_counter_reset_and_new_instance)
{
	struct usage_reading prev = { { 100, 50, 1000 } }, now = { { 40, 60, 1000 } };
	uint64_t d[USAGE_COUNTERS];

	/* cpu went backwards (a restarted counter): all of it is new. */
	usage_counter_delta(&prev, true, &now, d);
	ck_assert_uint_eq(d[UM_cpu_ns], 40);
	ck_assert_uint_eq(d[UM_steal_ns], 10);
	ck_assert_uint_eq(d[UM_disk_read_bytes], 0);
	/* Another instance: every counter from 0, even one that grew. */
	usage_counter_delta(&prev, false, &now, d);
	ck_assert_uint_eq(d[UM_cpu_ns], 40);
	ck_assert_uint_eq(d[UM_steal_ns], 60);
	ck_assert_uint_eq(d[UM_disk_read_bytes], 1000);
}
END_TEST

START_TEST(split_over_hours_is_exact)
{
	/* 10:50 to 13:10 (UTC of some day): 600 s, 3600 s, 3600 s, 600 s. */
	int64_t day = 1700006400, from = day + 10 * H + 50 * 60, to = day + 13 * H + 600;
	uint64_t delta[USAGE_COUNTERS] = { 1000000007, 3, UINT64_MAX / 2 };
	uint64_t m[UM_COUNT], sum[3] = { 0 };
	struct usage_levels lv = { .disk_bytes = 10240, .addresses = 2,
				   .exists = true, .running = true };
	struct usage_split s;
	int64_t hour, hours[8];
	uint64_t secs[8];
	int n = 0;

	ck_assert_int_eq(day % 86400, 0);
	usage_split_begin(&s, from, to, delta, &lv);
	while (usage_split_next(&s, &hour, m)) {
		ck_assert_int_lt(n, 8);
		hours[n] = hour;
		secs[n] = m[UM_existed_seconds];
		ck_assert_uint_eq(m[UM_running_seconds], m[UM_existed_seconds]);
		ck_assert_uint_eq(m[UM_address_seconds], 2 * m[UM_existed_seconds]);
		ck_assert_uint_eq(m[UM_disk_kib_seconds], 10 * m[UM_existed_seconds]);
		for (int i = 0; i < 3; i++)
			sum[i] += m[i];
		n++;
	}
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(hours[0], day + 10 * H);
	ck_assert_int_eq(hours[3], day + 13 * H);
	ck_assert_uint_eq(secs[0], 600);
	ck_assert_uint_eq(secs[1], 3600);
	ck_assert_uint_eq(secs[3], 600);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(sum[i], delta[i]);
}
END_TEST

START_TEST(split_empty_interval_and_hour_edges)
{
	uint64_t delta[USAGE_COUNTERS] = { 77 }, m[UM_COUNT];
	struct usage_levels lv = { .exists = true };
	struct usage_split s;
	int64_t hour;

	/* No time passed: the counters go to now's hour, no gauge. */
	usage_split_begin(&s, 5 * H + 10, 5 * H + 10, delta, &lv);
	ck_assert(usage_split_next(&s, &hour, m));
	ck_assert_int_eq(hour, 5 * H);
	ck_assert_uint_eq(m[UM_cpu_ns], 77);
	ck_assert_uint_eq(m[UM_existed_seconds], 0);
	ck_assert(!usage_split_next(&s, &hour, m));

	/* Exactly one hour on its boundaries: one bucket, not two. */
	usage_split_begin(&s, 5 * H, 6 * H, delta, &no_levels);
	ck_assert(usage_split_next(&s, &hour, m));
	ck_assert_int_eq(hour, 5 * H);
	ck_assert_uint_eq(m[UM_cpu_ns], 77);
	ck_assert(!usage_split_next(&s, &hour, m));
}
END_TEST

START_TEST(month_starts)
{
	/* 2026-02-28 23:59:59 UTC, 2026-03-01 00:00:00, 2024-12-31 12:00. */
	ck_assert_int_eq(usage_month_start(1772323199), 1769904000);
	ck_assert_int_eq(usage_month_start(1772323200), 1772323200);
	ck_assert_int_eq(usage_next_month(1769904000), 1772323200);
	ck_assert_int_eq(usage_next_month(usage_month_start(1735646400)), 1735689600);
	ck_assert_int_eq(usage_day_start(1772323199), 1772236800);
}
END_TEST

/* --- the store --- */

static char path[64];

static sqlite3 *migrated(void)
{
	char err[256];
	sqlite3 *db;
	int fd;

	strcpy(path, "/tmp/provisiond-usage-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(db_connect(path, false, &db, err, sizeof(err)), 0);
	ck_assert_int_eq(db_migrate(db, db_migrations, db_migrations_count, err,
				    sizeof(err)), 0);
	return db;
}

static void drop(sqlite3 *db)
{
	sqlite3_close(db);
	unlink(path);
}

static long long total(sqlite3 *db, const char *meter)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT coalesce(sum(%s), 0) FROM usage_hourly", meter);
	return db_int(db, sql, -1);
}

static void record(sqlite3 *db, struct usage_sample *s)
{
	ck_assert_int_eq(usage_record(db, s, NULL, NULL), SQLITE_OK);
}

START_TEST(store_replay_adds_nothing)
{
	sqlite3 *db = migrated();
	int64_t t0 = 1700006400;
	struct usage_sample s = {
		.server_id = "srv_1", .tenant_id = "ten_1", .created_at = t0,
		.at = t0 + 100, .generation = 1, .domid = 3,
		.have_cpu = true, .have_io = true,
		.levels = { .exists = true, .running = true },
	};

	s.reading.c[UM_cpu_ns] = 500;
	s.reading.c[UM_net_rx_bytes] = 9000;
	record(db, &s);
	record(db, &s);		/* the same sample again (a replay) */
	ck_assert_int_eq(total(db, "cpu_ns"), 500);
	ck_assert_int_eq(total(db, "net_rx_bytes"), 9000);
	ck_assert_int_eq(total(db, "existed_seconds"), 100);
	s.at += 50;
	s.reading.c[UM_cpu_ns] = 800;
	record(db, &s);
	ck_assert_int_eq(total(db, "cpu_ns"), 800);
	ck_assert_int_eq(total(db, "running_seconds"), 150);
	drop(db);
}
END_TEST

START_TEST(store_new_instance_same_domid)
{
	sqlite3 *db = migrated();
	int64_t t0 = 1700006400;
	struct usage_sample s = {
		.server_id = "srv_1", .tenant_id = "ten_1", .created_at = t0,
		.at = t0 + 10, .generation = 1, .domid = 3,
		.have_cpu = true, .have_io = true,
		.levels = { .exists = true },
	};

	s.reading.c[UM_disk_write_bytes] = 4096;
	record(db, &s);
	/* The domain was made anew in slot 3 and has already written more
	 * than its predecessor: a new generation says it is new. */
	s.generation = 2;
	s.at += 10;
	s.reading.c[UM_disk_write_bytes] = 8192;
	record(db, &s);
	ck_assert_int_eq(total(db, "disk_write_bytes"), 4096 + 8192);
	/* No domain for a while: nothing counted, time still exists. */
	s.domid = -1;
	s.at += 10;
	memset(&s.reading, 0, sizeof(s.reading));
	record(db, &s);
	ck_assert_int_eq(total(db, "disk_write_bytes"), 4096 + 8192);
	ck_assert_int_eq(total(db, "existed_seconds"), 30);
	/* A device backend that did not answer: its counters stand still. */
	s.domid = 3;
	s.at += 10;
	s.have_io = false;
	s.reading.c[UM_cpu_ns] = 7;
	record(db, &s);
	ck_assert_int_eq(total(db, "disk_write_bytes"), 4096 + 8192);
	ck_assert_int_eq(total(db, "cpu_ns"), 7);
	drop(db);
}
END_TEST

START_TEST(store_hour_boundary_and_month_traffic)
{
	sqlite3 *db = migrated();
	int64_t month = 1772323200;	/* 2026-03-01 00:00 UTC */
	uint64_t traffic = 0;
	struct usage_sample s = {
		.server_id = "srv_1", .tenant_id = "ten_1", .created_at = month - 1800,
		.at = month - 1800, .generation = 1, .domid = 1,
		.have_cpu = true, .have_io = true,
		.levels = { .exists = true },
	};

	record(db, &s);
	/* Half an hour before the month, half into it: 1000 bytes each way. */
	s.at = month + 1800;
	s.reading.c[UM_net_rx_bytes] = 1000;
	s.reading.c[UM_net_tx_bytes] = 1000;
	ck_assert_int_eq(usage_record(db, &s, &traffic, NULL), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM usage_hourly", -1), 2);
	ck_assert_int_eq(db_int(db, "SELECT net_rx_bytes FROM usage_hourly"
				    " WHERE hour_start = 1772319600", -1), 500);
	ck_assert_int_eq(total(db, "net_rx_bytes"), 1000);
	ck_assert_uint_eq(traffic, 1000);	/* this month's half, both ways */
	drop(db);
}
END_TEST

Suite *usage_suite(void)
{
	Suite *s = suite_create("usage");
	TCase *tc = tcase_create("usage");

	tcase_add_test(tc, delta_same_instance);
	tcase_add_test(tc, delta_counter_reset_and_new_instance);
	tcase_add_test(tc, split_over_hours_is_exact);
	tcase_add_test(tc, split_empty_interval_and_hour_edges);
	tcase_add_test(tc, month_starts);
	tcase_add_test(tc, store_replay_adds_nothing);
	tcase_add_test(tc, store_new_instance_same_domid);
	tcase_add_test(tc, store_hour_boundary_and_month_traffic);
	suite_add_tcase(s, tc);
	return s;
}
