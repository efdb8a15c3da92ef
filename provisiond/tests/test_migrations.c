// SPDX-License-Identifier: GPL-2.0-only
/*
 * Migrations and the connection settings (migrations.c, db.c): applied in
 * order, each in its own transaction, recorded, never twice; a failing one
 * leaves nothing behind; a newer database is refused; the schema's own
 * constraints hold (one active job per server, external_id unique among
 * live servers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "db.h"
#include "suites.h"

static char path[64];

static sqlite3 *open_fresh(void)
{
	char err[256];
	sqlite3 *db;
	int fd;

	strcpy(path, "/tmp/provisiond-mig-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(db_connect(path, false, &db, err, sizeof(err)), 0);
	return db;
}

static void drop(sqlite3 *db)
{
	char side[80];

	sqlite3_close(db);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static bool table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM sqlite_master WHERE name = ?",
				   "s", name);
	bool found = sqlite3_step(st) == SQLITE_ROW;

	sqlite3_finalize(st);
	return found;
}

START_TEST(fresh_database)
{
	static const char *const tables[] = {
		"schema_migrations", "tenants", "tokens", "plans", "images",
		"servers", "jobs", "idempotency_keys", "audit_log",
	};
	sqlite3 *db = open_fresh();
	char err[256];

	ck_assert_int_eq(db_migrate(db, db_migrations, db_migrations_count, err,
				    sizeof(err)), 0);
	ck_assert_int_eq(db_schema_version(db),
			 db_migrations[db_migrations_count - 1].version);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		ck_assert_msg(table_exists(db, tables[i]), "%s missing", tables[i]);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM schema_migrations", -1),
			 (long long)db_migrations_count);
	/* The connection settings provisiond relies on. */
	ck_assert_int_eq(db_int(db, "PRAGMA foreign_keys", -1), 1);
	ck_assert_int_eq(db_int(db, "PRAGMA synchronous", -1), 2);	/* FULL */
	{
		sqlite3_stmt *st = db_prep(db, "PRAGMA journal_mode", "");

		ck_assert(sqlite3_step(st) == SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
	}
	drop(db);
}
END_TEST

START_TEST(applied_once)
{
	sqlite3 *db = open_fresh();
	char err[256];

	ck_assert_int_eq(db_migrate(db, db_migrations, db_migrations_count, err,
				    sizeof(err)), 0);
	ck_assert_int_eq(db_migrate(db, db_migrations, db_migrations_count, err,
				    sizeof(err)), 0);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM schema_migrations", -1),
			 (long long)db_migrations_count);
	drop(db);
}
END_TEST

START_TEST(in_order_and_atomic)
{
	static const struct migration list[] = {
		{ 1, "one", "CREATE TABLE a (x INTEGER);" },
		{ 2, "two", "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (2);" },
		/* Fails half-way: table c must not survive. */
		{ 3, "three", "CREATE TABLE c (x INTEGER); INSERT INTO nowhere VALUES (1);" },
		{ 4, "four", "CREATE TABLE d (x INTEGER);" },
	};
	sqlite3 *db = open_fresh();
	char err[256];

	ck_assert_int_eq(db_migrate(db, list, 4, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "migration 3 (three)") != NULL, "%s", err);
	ck_assert_int_eq(db_schema_version(db), 2);
	ck_assert(table_exists(db, "a") && table_exists(db, "b"));
	ck_assert(!table_exists(db, "c") && !table_exists(db, "d"));
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM a", -1), 1);

	/* Fixed, the run carries on from where it stopped. */
	{
		struct migration fixed[4];

		memcpy(fixed, list, sizeof(fixed));
		fixed[2].sql = "CREATE TABLE c (x INTEGER);";
		ck_assert_int_eq(db_migrate(db, fixed, 4, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(db_schema_version(db), 4);
	ck_assert(table_exists(db, "c") && table_exists(db, "d"));
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM a", -1), 1);
	drop(db);
}
END_TEST

START_TEST(refuses_bad_lists_and_newer_databases)
{
	static const struct migration unordered[] = {
		{ 2, "two", "SELECT 1;" },
		{ 1, "one", "SELECT 1;" },
	};
	static const struct migration newer[] = {
		{ 1, "one", "SELECT 1;" },
		{ 2, "two", "SELECT 1;" },
	};
	sqlite3 *db = open_fresh();
	char err[256];

	ck_assert_int_eq(db_migrate(db, unordered, 2, err, sizeof(err)), -1);
	ck_assert(strstr(err, "out of order") != NULL);
	ck_assert_int_eq(db_migrate(db, newer, 2, err, sizeof(err)), 0);
	/* A provisiond that only knows version 1 must not touch it. */
	ck_assert_int_eq(db_migrate(db, newer, 1, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "newer") != NULL, "%s", err);
	drop(db);
}
END_TEST

START_TEST(schema_constraints)
{
	sqlite3 *db = open_fresh();
	char err[256];

	ck_assert_int_eq(db_migrate(db, db_migrations, db_migrations_count, err,
				    sizeof(err)), 0);
	ck_assert_int_eq(db_run(db,
		"INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('t', 'T', 0, 0);", ""),
		SQLITE_OK);
	ck_assert_int_eq(db_run(db,
		"INSERT INTO servers (id, tenant_id, hostname, external_id, desired_state,"
		" actual_state, created_at, updated_at)"
		" VALUES ('s1', 't', 'h', 'ext', 'running', 'provisioning', 0, 0)", ""),
		SQLITE_OK);
	/* external_id: unique among live servers ... */
	ck_assert_int_eq(db_run(db,
		"INSERT INTO servers (id, tenant_id, hostname, external_id, desired_state,"
		" actual_state, created_at, updated_at)"
		" VALUES ('s2', 't', 'h', 'ext', 'running', 'provisioning', 0, 0)", ""),
		SQLITE_CONSTRAINT);
	/* ... and free again once the holder is deleted. */
	ck_assert_int_eq(db_run(db, "UPDATE servers SET deleted_at = 1 WHERE id = 's1'", ""),
			 SQLITE_OK);
	ck_assert_int_eq(db_run(db,
		"INSERT INTO servers (id, tenant_id, hostname, external_id, desired_state,"
		" actual_state, created_at, updated_at)"
		" VALUES ('s2', 't', 'h', 'ext', 'running', 'provisioning', 0, 0)", ""),
		SQLITE_OK);

	/* One queued or running job per server. */
	ck_assert_int_eq(db_run(db, "INSERT INTO jobs (id, server_id, tenant_id, kind, state,"
				    " created_by, created_at) VALUES ('j1', 's2', 't', 'create',"
				    " 'queued', 'x', 0)", ""), SQLITE_OK);
	ck_assert_int_eq(db_run(db, "INSERT INTO jobs (id, server_id, tenant_id, kind, state,"
				    " created_by, created_at) VALUES ('j2', 's2', 't', 'start',"
				    " 'queued', 'x', 0)", ""), SQLITE_CONSTRAINT);
	ck_assert_int_eq(db_run(db, "UPDATE jobs SET state = 'succeeded' WHERE id = 'j1'", ""),
			 SQLITE_OK);
	ck_assert_int_eq(db_run(db, "INSERT INTO jobs (id, server_id, tenant_id, kind, state,"
				    " created_by, created_at) VALUES ('j2', 's2', 't', 'start',"
				    " 'queued', 'x', 0)", ""), SQLITE_OK);
	/* Unknown kinds and states are refused by the schema itself. */
	ck_assert_int_eq(db_run(db, "UPDATE jobs SET state = 'done' WHERE id = 'j2'", ""),
			 SQLITE_CONSTRAINT);
	/* Foreign keys are enforced. */
	ck_assert_int_eq(db_run(db, "INSERT INTO jobs (id, server_id, tenant_id, kind, state,"
				    " created_by, created_at) VALUES ('j3', 'nope', 't', 'start',"
				    " 'failed', 'x', 0)", ""), SQLITE_CONSTRAINT);
	drop(db);
}
END_TEST

/* usage_totals (migration 10): backfilled from the hours already there,
 * then kept equal to the hours' sums by the triggers, through inserts and
 * the upserts the monitor makes. */
START_TEST(usage_totals_follow_the_hours)
{
	static const char add[] =
		"INSERT INTO usage_hourly (server_id, tenant_id, hour_start, cpu_ns,"
		" net_tx_packets) VALUES (?, 't', ?, ?, ?) ON CONFLICT (server_id, hour_start)"
		" DO UPDATE SET cpu_ns = cpu_ns + excluded.cpu_ns,"
		" net_tx_packets = net_tx_packets + excluded.net_tx_packets";
	sqlite3 *db = open_fresh();
	size_t before = 0;
	char err[256];

	while (before < db_migrations_count && db_migrations[before].version < 10)
		before++;
	ck_assert_int_eq(db_migrate(db, db_migrations, before, err, sizeof(err)), 0);
	ck_assert_int_eq(db_run(db, add, "siii", "a", 0, 5, 1), SQLITE_OK);
	ck_assert_int_eq(db_run(db, add, "siii", "a", 3600, 7, 2), SQLITE_OK);
	ck_assert_int_eq(db_migrate(db, db_migrations, db_migrations_count, err,
				    sizeof(err)), 0);
	ck_assert_int_eq(db_int(db, "SELECT cpu_ns FROM usage_totals WHERE server_id = 'a'", -1),
			 12);
	ck_assert_int_eq(db_run(db, add, "siii", "a", 3600, 100, 10), SQLITE_OK);	/* update */
	ck_assert_int_eq(db_run(db, add, "siii", "a", 7200, 1000, 20), SQLITE_OK);	/* insert */
	ck_assert_int_eq(db_run(db, add, "siii", "b", 0, 3, 4), SQLITE_OK);		/* new server */
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM usage_totals t WHERE cpu_ns <>"
				    " (SELECT sum(cpu_ns) FROM usage_hourly h WHERE h.server_id ="
				    " t.server_id) OR net_tx_packets <> (SELECT sum(net_tx_packets)"
				    " FROM usage_hourly h WHERE h.server_id = t.server_id)", -1), 0);
	ck_assert_int_eq(db_int(db, "SELECT cpu_ns FROM usage_totals WHERE server_id = 'a'", -1),
			 1112);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM usage_totals", -1), 2);
	drop(db);
}
END_TEST

Suite *migrations_suite(void)
{
	Suite *s = suite_create("migrations");
	TCase *tc = tcase_create("migrations");

	tcase_add_test(tc, fresh_database);
	tcase_add_test(tc, applied_once);
	tcase_add_test(tc, usage_totals_follow_the_hours);
	tcase_add_test(tc, in_order_and_atomic);
	tcase_add_test(tc, refuses_bad_lists_and_newer_databases);
	tcase_add_test(tc, schema_constraints);
	suite_add_tcase(s, tc);
	return s;
}
