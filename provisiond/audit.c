// SPDX-License-Identifier: GPL-2.0-only
/*
 * audit.c - writing and listing the audit log (see audit.h).
 */
#include "api.h"
#include "audit.h"
#include "db.h"
#include "log.h"
#include "util.h"

int audit_write(sqlite3 *wdb, const struct audit_entry *e)
{
	char id[ID_MAX];

	if (id_new("aud", id))
		return SQLITE_ERROR;
	return db_run(wdb, "INSERT INTO audit_log (id, at, actor, actor_scope,"
			   " actor_tenant_id, action, target_type, target_id,"
			   " tenant_id, result, status, error_code, request_id, detail)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?)",
		      "sissssssssdsss",
		      id, now_s(), e->actor, e->actor_scope, e->actor_tenant_id,
		      e->action, e->target_type, e->target_id, e->tenant_id,
		      e->ok ? "ok" : "error", e->status, e->error_code,
		      e->request_id, e->detail);
}

void audit_write_now(const struct audit_entry *e)
{
	sqlite3 *w = db_write_begin();

	if (!w) {
		log_error("audit: cannot record %s on %s", e->action,
			  e->target_id ? e->target_id : "-");
		return;
	}
	if (audit_write(w, e) != SQLITE_OK) {
		db_write_rollback(w);
		return;
	}
	db_write_commit(w);
}

static const struct column audit_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "at", COL_TIME, NULL },
	{ "actor", COL_TEXT, TOKEN_ID_SEEN_BY_SCOPE("actor") },
	{ "actor_scope", COL_TEXT, NULL },
	{ "actor_tenant_id", COL_TEXT, NULL },
	{ "action", COL_TEXT, NULL },
	{ "target_type", COL_TEXT, NULL },
	{ "target_id", COL_TEXT, NULL },
	{ "tenant_id", COL_TEXT, NULL },
	{ "result", COL_TEXT, NULL },
	{ "status", COL_INT, NULL },
	{ "error_code", COL_TEXT, NULL },
	{ "request_id", COL_TEXT, NULL },
	{ "detail", COL_TEXT, NULL },
	COLUMNS_END
};

/*
 * GET /v1/audit: admins see everything; a customer sees the entries about
 * its tenant's objects and its own tenant's requests, with "admin" as the
 * actor where an admin token acted (?1 is the scope: see the columns).
 */
int audit_list(struct request *req)
{
	const char *params[] = {
		req_scope(req),
		req_query(req, "tenant_id"),
		req_query(req, "target_id"),
		req_query(req, "action"),
	};

	return api_list(req, audit_columns,
			"FROM audit_log WHERE (?1 IS NULL OR tenant_id = ?1)"
			" AND (?2 IS NULL OR tenant_id = ?2)"
			" AND (?3 IS NULL OR target_id = ?3)"
			" AND (?4 IS NULL OR action = ?4)", 4, params);
}
