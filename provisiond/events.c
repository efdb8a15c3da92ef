// SPDX-License-Identifier: GPL-2.0-only
/*
 * events.c - writing events into the webhook outbox (see events.h).
 *
 * The body each endpoint receives is made here, once, and stored with the
 * delivery: what is signed and sent on every retry is byte for byte what
 * the event was when it happened.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "events.h"
#include "log.h"
#include "util.h"

const char *const event_types[] = {
	EVENT_JOB_SUCCEEDED,
	EVENT_JOB_FAILED,
	EVENT_SERVER_STATE_CHANGED,
	EVENT_SERVER_SUSPENDED,
	EVENT_SERVER_UNSUSPENDED,
	EVENT_SERVER_TRAFFIC_OVERAGE,
	NULL
};

bool event_type_known(const char *type)
{
	for (const char *const *t = event_types; *t; t++)
		if (strcmp(*t, type) == 0)
			return true;
	return false;
}

int event_emit(sqlite3 *w, const char *type, const char *tenant_id,
	       const char *server_id, json_t *data)
{
	char id[ID_MAX], created[TIME_STR_LEN], *body;
	int64_t now = now_s();
	json_t *ev;
	int rc;

	if (!data)
		data = json_object();
	if (id_new("evt", id)) {
		json_decref(data);
		return SQLITE_ERROR;
	}
	time_format(now, created);
	ev = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:o}", "id", id, "type", type,
		       "created_at", created, "tenant_id", tenant_id,
		       "server_id", server_id, "data", data);
	body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	if (!body) {
		log_error("event %s: cannot write its JSON", type);
		return SQLITE_ERROR;
	}
	/* One pending delivery per enabled endpoint that wants the type, due
	 * at once.  Delivery ids need no secrecy: SQLite's randomblob. */
	rc = db_run(w, "INSERT INTO webhook_deliveries (id, webhook_id, event_id,"
		       " event_type, body, state, created_at, next_attempt_at)"
		       " SELECT 'dlv_' || lower(hex(randomblob(8))), h.id, ?1, ?2, ?3,"
		       " 'pending', ?4, ?4 FROM webhooks h WHERE h.enabled = 1"
		       " AND EXISTS (SELECT 1 FROM json_each(h.event_types)"
		       "   WHERE json_each.value = ?2)",
		    "sssi", id, type, body, now);
	free(body);
	return rc;
}

void event_server_state_now(sqlite3 *db, const char *server_id, char out[16])
{
	sqlite3_stmt *st = db_cached(db, "SELECT actual_state FROM servers WHERE id = ?",
				     "s", server_id);

	out[0] = '\0';
	if (st && sqlite3_step(st) == SQLITE_ROW)
		str_copy(out, (const char *)sqlite3_column_text(st, 0), 16);
	db_release(st);
}

int event_server_state(sqlite3 *w, const char *server_id, const char *before,
		       const char *cause)
{
	sqlite3_stmt *st = db_cached(w, "SELECT tenant_id, actual_state FROM servers"
					" WHERE id = ?", "s", server_id);
	char tenant[ID_MAX] = "", now[16] = "";

	if (!st)
		return SQLITE_ERROR;
	if (sqlite3_step(st) == SQLITE_ROW) {
		str_copy(tenant, (const char *)sqlite3_column_text(st, 0), sizeof(tenant));
		str_copy(now, (const char *)sqlite3_column_text(st, 1), sizeof(now));
	}
	db_release(st);
	if (!now[0] || !before || !before[0] || strcmp(before, now) == 0)
		return SQLITE_OK;
	return event_emit(w, EVENT_SERVER_STATE_CHANGED, tenant, server_id,
			  json_pack("{s:s, s:s, s:s}", "from", before, "to", now,
				    "cause", cause));
}
