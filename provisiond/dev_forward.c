// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev_forward.c - make run's port forwards to servers (dev_forward.h).
 */
#include "db.h"
#include "dev_forward.h"
#include "log.h"

static int forward_base;

void dev_forward_init(int base)
{
	forward_base = base;
}

int dev_forward_assign(const char *server_id)
{
	sqlite3 *w;
	int rc;

	if (!forward_base)
		return 0;
	w = db_write_begin_background();
	if (!w)
		return -1;
	/* Ports of an earlier base are dropped first; then the lowest free
	 * one in the range, for a server with a live IPv4 and no port. */
	rc = db_run(w, "DELETE FROM server_forwards WHERE host_port NOT BETWEEN ?1 AND ?2",
		    "ii", (int64_t)forward_base,
		    (int64_t)forward_base + DEV_FORWARD_SLOTS - 1);
	if (rc == SQLITE_OK)
		rc = db_run(w, "INSERT INTO server_forwards (server_id, host_port, port)"
			       " WITH RECURSIVE slot(n) AS (SELECT 0 UNION ALL"
			       "   SELECT n + 1 FROM slot WHERE n + 1 < ?3)"
			       " SELECT ?1, ?2 + n, ?4 FROM slot"
			       " WHERE NOT EXISTS (SELECT 1 FROM server_forwards WHERE server_id = ?1)"
			       "   AND EXISTS (SELECT 1 FROM ip_allocations WHERE server_id = ?1"
			       "     AND family = 4 AND released_at IS NULL)"
			       "   AND ?2 + n NOT IN (SELECT host_port FROM server_forwards)"
			       " ORDER BY n LIMIT 1", "siii", server_id, (int64_t)forward_base,
			       (int64_t)DEV_FORWARD_SLOTS, (int64_t)DEV_FORWARD_PORT);
	if (rc != SQLITE_OK) {
		db_write_rollback(w);
		return -1;
	}
	if (sqlite3_changes(w) == 0 &&
	    db_int(w, "SELECT count(*) FROM server_forwards", -1) >= DEV_FORWARD_SLOTS)
		log_warn("server %s: all %d forwarded ports are taken: it gets none",
			 server_id, DEV_FORWARD_SLOTS);
	return db_write_commit(w) == SQLITE_OK ? 0 : -1;
}

int dev_forward_load(sqlite3 *db, const char *server_id, struct hvb_nic *nic)
{
	sqlite3_stmt *st;
	int rc;

	nic->fwd_host_port = nic->fwd_port = 0;
	if (!forward_base)
		return 0;
	st = db_prep(db, "SELECT host_port, port FROM server_forwards WHERE server_id = ?",
		     "s", server_id);
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		nic->fwd_host_port = (uint16_t)sqlite3_column_int(st, 0);
		nic->fwd_port = (uint16_t)sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
