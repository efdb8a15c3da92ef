// SPDX-License-Identifier: GPL-2.0-only
/*
 * db.c - connections, the writer mutex, the reader pool and the statement
 * helpers (see db.h for the discipline).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "metrics.h"

/* How long SQLite waits for a lock held by another process (the
 * --create-admin-token command, an operator's sqlite3 shell). */
#define BUSY_TIMEOUT_MS	5000

/*
 * The statement cache.  Compiling SQL (sqlite3_prepare) costs more than
 * running the small queries the API makes: a list request spent a fifth
 * of its time compiling its two statements.  So each pooled connection
 * keeps up to STMT_CACHE statements compiled, found again by their SQL
 * text: db_cached() hands one out (compiling it the first time),
 * db_release() resets it for the next caller.  db_run() goes through the
 * cache too.  A connection is used by one thread at a time (the reader
 * pool, the writer mutex), and so is its cache: no lock of its own.  When
 * the cache is full, statements are compiled and finalized as before.  SQL
 * texts must therefore be few and fixed: values go in bound parameters.
 */
#define STMT_CACHE	64

struct cached_stmt {
	sqlite3_stmt *st;		/* NULL: a free slot */
	bool in_use;			/* handed out, not yet released */
};

struct conn {
	sqlite3 *c;
	struct cached_stmt cache[STMT_CACHE];
};

/*
 * Requests first.  Each job step and each usage sample is a transaction
 * of its own, with its fsync; a client waiting for its write request
 * should not also wait for the job workers' queue.  So db_write_begin()
 * (requests) counts the requests waiting for the writer, and
 * db_write_begin_background() (jobs, the monitor) lets them go first: it
 * waits while any is waiting, at most BACKGROUND_YIELD_MS, so that a
 * stream of requests delays jobs but cannot stop them.
 */
#define BACKGROUND_YIELD_MS	50

static struct {
	pthread_mutex_t write_lock;
	struct conn writer;
	int64_t write_began_us;		/* monotonic; for the write metric */

	pthread_mutex_t prio_lock;	/* guards requests_waiting */
	pthread_cond_t no_requests;
	int requests_waiting;

	pthread_mutex_t pool_lock;
	pthread_cond_t pool_free;
	struct conn *readers;
	bool *in_use;
	int nreaders;
} db = {
	.write_lock = PTHREAD_MUTEX_INITIALIZER,
	.prio_lock = PTHREAD_MUTEX_INITIALIZER,
	.no_requests = PTHREAD_COND_INITIALIZER,
	.pool_lock = PTHREAD_MUTEX_INITIALIZER,
	.pool_free = PTHREAD_COND_INITIALIZER,
};

static int exec_pragma(sqlite3 *c, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(c, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", sql, msg ? msg : "failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int db_connect(const char *path, bool readonly, sqlite3 **out, char *err,
	       size_t errlen)
{
	int flags = SQLITE_OPEN_NOMUTEX |
		    (readonly ? SQLITE_OPEN_READONLY :
				SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	sqlite3 *c = NULL;

	if (sqlite3_open_v2(path, &c, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 c ? sqlite3_errmsg(c) : "cannot open");
		sqlite3_close(c);
		return -1;
	}
	sqlite3_busy_timeout(c, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(c, 0);

	if (!readonly) {
		sqlite3_stmt *st;
		bool wal = false;

		/* journal_mode answers with the mode it is now in. */
		if (sqlite3_prepare_v2(c, "PRAGMA journal_mode=WAL", -1, &st,
				       NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				wal = strcmp((const char *)sqlite3_column_text(st, 0),
					     "wal") == 0;
			sqlite3_finalize(st);
		}
		if (!wal) {
			snprintf(err, errlen, "%s: cannot switch to WAL mode: %s",
				 path, sqlite3_errmsg(c));
			sqlite3_close(c);
			return -1;
		}
		/* FULL: an acknowledged change survives a power cut, not
		 * only a crash of provisiond. */
		if (exec_pragma(c, "PRAGMA synchronous=FULL", err, errlen) < 0) {
			sqlite3_close(c);
			return -1;
		}
	}
	if (exec_pragma(c, "PRAGMA foreign_keys=ON", err, errlen) < 0) {
		sqlite3_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* Finalizes the connection's cached statements, then closes it. */
static void conn_close(struct conn *k)
{
	for (int i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(k->cache[i].st);
		k->cache[i].st = NULL;
		k->cache[i].in_use = false;
	}
	if (k->c)
		sqlite3_close(k->c);
	k->c = NULL;
}

/* The pooled connection c, or NULL (a connection of db_connect()'s own,
 * as the unit tests make: it has no cache). */
static struct conn *conn_of(sqlite3 *c)
{
	if (c == db.writer.c)
		return &db.writer;
	for (int i = 0; i < db.nreaders; i++)
		if (db.readers[i].c == c)
			return &db.readers[i];
	return NULL;
}

/* A statement for sql from c's cache, compiled the first time; NULL if
 * c has no cache or it is full (the caller compiles it uncached). */
static sqlite3_stmt *cache_take(sqlite3 *c, const char *sql)
{
	struct conn *k = conn_of(c);
	struct cached_stmt *free_slot = NULL;

	if (!k)
		return NULL;
	for (int i = 0; i < STMT_CACHE; i++) {
		struct cached_stmt *e = &k->cache[i];

		if (!e->st) {
			if (!free_slot)
				free_slot = e;
		} else if (!e->in_use && strcmp(sqlite3_sql(e->st), sql) == 0) {
			e->in_use = true;
			return e->st;
		}
	}
	if (!free_slot)
		return NULL;
	if (sqlite3_prepare_v3(c, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &free_slot->st, NULL) != SQLITE_OK) {
		sqlite3_finalize(free_slot->st);
		free_slot->st = NULL;
		return NULL;	/* the caller's own prepare reports it */
	}
	free_slot->in_use = true;
	return free_slot->st;
}

void db_release(sqlite3_stmt *st)
{
	struct conn *k;

	if (!st)
		return;
	k = conn_of(sqlite3_db_handle(st));
	for (int i = 0; k && i < STMT_CACHE; i++) {
		if (k->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			k->cache[i].in_use = false;
			return;
		}
	}
	sqlite3_finalize(st);	/* not cached */
}

int db_open(const char *path, int nreaders, char *err, size_t errlen)
{
	if (db_connect(path, false, &db.writer.c, err, errlen) < 0)
		return -1;
	if (db_migrate(db.writer.c, db_migrations, db_migrations_count, err,
		       errlen) < 0) {
		conn_close(&db.writer);
		return -1;
	}

	db.readers = calloc((size_t)nreaders, sizeof(*db.readers));
	db.in_use = calloc((size_t)nreaders, sizeof(*db.in_use));
	if (!db.readers || !db.in_use) {
		snprintf(err, errlen, "out of memory");
		db_close();
		return -1;
	}
	for (int i = 0; i < nreaders; i++) {
		if (db_connect(path, true, &db.readers[i].c, err, errlen) < 0) {
			db_close();
			return -1;
		}
		db.nreaders = i + 1;
	}
	return 0;
}

void db_close(void)
{
	for (int i = 0; i < db.nreaders; i++)
		conn_close(&db.readers[i]);
	free(db.readers);
	free(db.in_use);
	db.readers = NULL;
	db.in_use = NULL;
	db.nreaders = 0;
	conn_close(&db.writer);
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* With the writer held: begins the transaction, or lets go on failure. */
static sqlite3 *begin_immediate(void)
{
	if (sqlite3_exec(db.writer.c, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		log_error("database: BEGIN IMMEDIATE: %s", sqlite3_errmsg(db.writer.c));
		pthread_mutex_unlock(&db.write_lock);
		return NULL;
	}
	db.write_began_us = mono_us();
	return db.writer.c;
}

/* With the writer held, at the end of its transaction. */
static void write_ended(void)
{
	metrics_db_write_observe((double)(mono_us() - db.write_began_us) / 1e6);
}

sqlite3 *db_write_begin(void)
{
	pthread_mutex_lock(&db.prio_lock);
	db.requests_waiting++;
	pthread_mutex_unlock(&db.prio_lock);

	pthread_mutex_lock(&db.write_lock);

	pthread_mutex_lock(&db.prio_lock);
	if (--db.requests_waiting == 0)
		pthread_cond_broadcast(&db.no_requests);
	pthread_mutex_unlock(&db.prio_lock);
	return begin_immediate();
}

sqlite3 *db_write_begin_background(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);	/* condition waits take it */
	until.tv_nsec += BACKGROUND_YIELD_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&db.prio_lock);
	while (db.requests_waiting > 0 &&
	       pthread_cond_timedwait(&db.no_requests, &db.prio_lock, &until) == 0)
		;
	pthread_mutex_unlock(&db.prio_lock);

	pthread_mutex_lock(&db.write_lock);
	return begin_immediate();
}

int db_write_commit(sqlite3 *c)
{
	int rc = sqlite3_exec(c, "COMMIT", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		log_error("database: COMMIT: %s", sqlite3_errmsg(c));
		sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
	}
	write_ended();
	pthread_mutex_unlock(&db.write_lock);
	return rc;
}

void db_write_rollback(sqlite3 *c)
{
	if (sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		log_error("database: ROLLBACK: %s", sqlite3_errmsg(c));
	write_ended();
	pthread_mutex_unlock(&db.write_lock);
}

sqlite3 *db_read_get(void)
{
	sqlite3 *c = NULL;

	pthread_mutex_lock(&db.pool_lock);
	while (!c) {
		for (int i = 0; i < db.nreaders; i++) {
			if (!db.in_use[i]) {
				db.in_use[i] = true;
				c = db.readers[i].c;
				break;
			}
		}
		if (!c)
			pthread_cond_wait(&db.pool_free, &db.pool_lock);
	}
	pthread_mutex_unlock(&db.pool_lock);
	return c;
}

void db_read_put(sqlite3 *c)
{
	pthread_mutex_lock(&db.pool_lock);
	for (int i = 0; i < db.nreaders; i++)
		if (db.readers[i].c == c)
			db.in_use[i] = false;
	pthread_cond_signal(&db.pool_free);
	pthread_mutex_unlock(&db.pool_lock);
}

static int bind_json(sqlite3_stmt *st, int i, const json_t *v)
{
	if (json_is_integer(v))
		return sqlite3_bind_int64(st, i, json_integer_value(v));
	if (json_is_string(v))
		return sqlite3_bind_text(st, i, json_string_value(v), -1,
					 SQLITE_TRANSIENT);
	if (json_is_boolean(v))
		return sqlite3_bind_int(st, i, json_is_true(v));
	return sqlite3_bind_null(st, i);
}

static sqlite3_stmt *prep_va(sqlite3 *c, bool cached, const char *sql,
			     const char *types, va_list ap)
{
	sqlite3_stmt *st = cached ? cache_take(c, sql) : NULL;
	int rc = SQLITE_OK;

	if (!st && sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("database: prepare: %s: %s", sqlite3_errmsg(c), sql);
		sqlite3_finalize(st);
		return NULL;
	}
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		const char *s;
		const void *blob;
		int len;

		switch (types[i]) {
		case 's':
			s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, i + 1);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
			break;
		case 'b':
			blob = va_arg(ap, const void *);
			len = va_arg(ap, int);
			rc = sqlite3_bind_blob(st, i + 1, blob, len, SQLITE_TRANSIENT);
			break;
		case 'n':
			rc = sqlite3_bind_null(st, i + 1);
			break;
		case 'j':
			rc = bind_json(st, i + 1, va_arg(ap, json_t *));
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK) {
		log_error("database: bind: %s: %s", sqlite3_errstr(rc), sql);
		if (cached)
			db_release(st);
		else
			sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *db_prep(sqlite3 *c, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, types);
	st = prep_va(c, false, sql, types, ap);
	va_end(ap);
	return st;
}

sqlite3_stmt *db_cached(sqlite3 *c, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, types);
	st = prep_va(c, true, sql, types, ap);
	va_end(ap);
	return st;
}

int db_run(sqlite3 *c, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	st = prep_va(c, true, sql, types, ap);
	va_end(ap);
	if (!st)
		return SQLITE_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE && rc != SQLITE_CONSTRAINT)
		log_error("database: %s: %s", sqlite3_errmsg(c), sql);
	db_release(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

long long db_int(sqlite3 *c, const char *sql, long long dflt)
{
	sqlite3_stmt *st = db_prep(c, sql, "");
	long long v = dflt;

	if (!st)
		return dflt;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}
