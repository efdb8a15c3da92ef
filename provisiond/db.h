// SPDX-License-Identifier: GPL-2.0-only
/*
 * db.h - the SQLite store: connections, the single writer, migrations.
 *
 * The database is the truth about what should exist.  It runs in WAL mode
 * with foreign keys on and a busy timeout, and is written by one connection
 * only, guarded by a mutex: every change in the process takes the writer,
 * runs one BEGIN IMMEDIATE ... COMMIT and lets go.  Writers therefore queue
 * on the mutex instead of racing for SQLite's lock, so no client ever sees
 * SQLITE_BUSY.  Reads go through a small pool of read-only connections,
 * which WAL lets run alongside the writer.
 *
 * Keep writer transactions short: nothing slow (no hypervisor call, no
 * network) happens while the writer is held.
 */
#ifndef PROVISIOND_DB_H
#define PROVISIOND_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <sqlite3.h>

/*
 * Opens the writer and nreaders readers on path (creating the file), sets
 * the pragmas and applies the migrations.  0, or -1 with err filled in.
 */
int db_open(const char *path, int nreaders, char *err, size_t errlen);
void db_close(void);

/* Takes the writer and begins an immediate transaction; NULL on failure.
 * For requests, which a client waits for. */
sqlite3 *db_write_begin(void);

/* The same for work nobody waits on (job steps, usage samples): requests
 * waiting for the writer go first (see db.c). */
sqlite3 *db_write_begin_background(void);

/* Commits and lets go of the writer.  On failure rolls back; returns rc. */
int db_write_commit(sqlite3 *db);

/* Rolls back and lets go of the writer. */
void db_write_rollback(sqlite3 *db);

/* A read-only connection from the pool (waits if all are in use). */
sqlite3 *db_read_get(void);
void db_read_put(sqlite3 *db);

/*
 * One connection with provisiond's pragmas, for the pool, the tests and
 * --create-admin-token.  0 or -1 with err.
 */
int db_connect(const char *path, bool readonly, sqlite3 **out, char *err,
	       size_t errlen);

/*
 * Prepares sql and binds its parameters from the variadic arguments, one
 * per character of types:
 *	's'  const char *	(NULL binds SQL NULL)
 *	'i'  int64_t
 *	'd'  int
 *	'b'  const void *, int	(a blob and its length)
 *	'n'  (no argument)	SQL NULL
 *	'j'  json_t *		a JSON integer, string or boolean (as 0/1);
 *				NULL or JSON null binds SQL NULL
 * Returns NULL (after logging) on failure.
 */
sqlite3_stmt *db_prep(sqlite3 *db, const char *sql, const char *types, ...);

/*
 * db_prep from the connection's statement cache (see db.c): for the
 * statements every request runs.  The statement must be given back with
 * db_release(), never sqlite3_finalize().  sql must be a fixed text (values
 * go in parameters), or the cache fills up with texts seen once.
 */
sqlite3_stmt *db_cached(sqlite3 *db, const char *sql, const char *types, ...);

/* Gives back a statement from db_cached() (reset for its next use).
 * NULL is ignored. */
void db_release(sqlite3_stmt *st);

/* db_cached, then steps to the end and releases the statement.  SQLITE_OK,
 * or the error (logged). */
int db_run(sqlite3 *db, const char *sql, const char *types, ...);

/* A single integer (first column of the first row); dflt if no row. */
long long db_int(sqlite3 *db, const char *sql, long long dflt);

/* --- migrations (migrations.c) --- */

struct migration {
	int version;		/* strictly increasing from 1 */
	const char *name;
	const char *sql;	/* one or more statements */
};

extern const struct migration db_migrations[];
extern const size_t db_migrations_count;

/*
 * Applies, in order, each migration newer than the database's version, each
 * in its own transaction, recording it in schema_migrations.  Refuses a
 * database newer than the list.  0, or -1 with err.
 */
int db_migrate(sqlite3 *db, const struct migration *list, size_t count,
	       char *err, size_t errlen);

/* The highest version in schema_migrations (0 if none). */
int db_schema_version(sqlite3 *db);

#endif
