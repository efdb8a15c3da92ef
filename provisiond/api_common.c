// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_common.c - what the resource handlers share: rows to JSON, fetching
 * one object as the caller may see it, and paginated lists (see api.h).
 *
 * Pagination is by keyset: every table has `seq`, its order of creation;
 * a page is "seq > cursor ORDER BY seq LIMIT n", and next_cursor is the
 * last seq returned.  Unlike offsets, a cursor stays right while rows are
 * added or deleted between pages.  The cursor is opaque to clients.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "log.h"

#define LIST_DEFAULT	50
#define LIST_MAX	200

void columns_sql(const struct column *cols, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const struct column *c = cols; c->name; c++) {
		int n = snprintf(buf + used, size - used, "%s%s AS \"%s\"",
				 c == cols ? "" : ", ", c->expr ? c->expr : c->name,
				 c->name);

		if (n < 0 || (size_t)n >= size - used) {
			log_error("columns_sql: buffer too small");
			return;
		}
		used += (size_t)n;
	}
}

json_t *row_to_json(sqlite3_stmt *st, const struct column *cols)
{
	json_t *obj = json_object();
	int i = 0;

	for (const struct column *c = cols; c->name; c++, i++) {
		json_t *v;
		char when[TIME_STR_LEN];

		if (sqlite3_column_type(st, i) == SQLITE_NULL) {
			json_object_set_new(obj, c->name, json_null());
			continue;
		}
		switch (c->type) {
		case COL_INT:
			v = json_integer(sqlite3_column_int64(st, i));
			break;
		case COL_BOOL:
			v = json_boolean(sqlite3_column_int64(st, i) != 0);
			break;
		case COL_TIME:
			time_format(sqlite3_column_int64(st, i), when);
			v = json_string(when);
			break;
		case COL_JSON:
			v = json_loads((const char *)sqlite3_column_text(st, i), 0, NULL);
			if (!v)
				v = json_null();
			break;
		default:
			v = json_string((const char *)sqlite3_column_text(st, i));
			break;
		}
		json_object_set_new(obj, c->name, v);
	}
	return obj;
}

static sqlite3_stmt *prepare_params(sqlite3 *db, const char *sql, int nparams,
				    const char *const params[])
{
	sqlite3_stmt *st = db_prep(db, sql, "");

	if (!st)
		return NULL;
	for (int i = 0; i < nparams; i++) {
		if (params[i])
			sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, i + 1);
	}
	return st;
}

int api_fetch(sqlite3 *db, const struct column *cols, const char *from_where,
	      int nparams, const char *const params[], json_t **out)
{
	char sql[4096], list[2048];
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	columns_sql(cols, list, sizeof(list));
	snprintf(sql, sizeof(sql), "SELECT %s %s", list, from_where);
	st = prepare_params(db, sql, nparams, params);
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = row_to_json(st, cols);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int api_list(struct request *req, const struct column *cols,
	     const char *from_where, int nparams, const char *const params[])
{
	const char *limit_s = req_query(req, "limit");
	const char *cursor_s = req_query(req, "cursor");
	int64_t limit = LIST_DEFAULT, cursor = 0, last = 0;
	char sql[4096], list[2048];
	json_t *items;
	sqlite3_stmt *st;
	int ncols = 0, rc, count = 0;
	bool more = false;

	if (limit_s && !parse_int_param(limit_s, 1, LIST_MAX, &limit))
		return req_error(req, 400, "invalid_query",
				 "limit: must be an integer from 1 to %d", LIST_MAX);
	if (cursor_s && !parse_int_param(cursor_s, 0, INT64_MAX, &cursor))
		return req_error(req, 400, "invalid_query",
				 "cursor: not a cursor this server returned");

	for (const struct column *c = cols; c->name; c++)
		ncols++;
	columns_sql(cols, list, sizeof(list));
	snprintf(sql, sizeof(sql), "SELECT %s, seq %s AND seq > %lld ORDER BY seq LIMIT %lld",
		 list, from_where, (long long)cursor, (long long)limit + 1);
	st = prepare_params(req->db, sql, nparams, params);
	if (!st)
		return req_internal(req, "list query");

	items = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == limit) {
			more = true;
			break;
		}
		json_array_append_new(items, row_to_json(st, cols));
		last = sqlite3_column_int64(st, ncols);
		count++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(items);
		return req_internal(req, "list query");
	}

	if (more) {
		char next[24];

		snprintf(next, sizeof(next), "%lld", (long long)last);
		return req_reply(req, 200, json_pack("{s:o, s:s}", "items", items,
						     "next_cursor", next));
	}
	return req_reply(req, 200, json_pack("{s:o, s:n}", "items", items,
					     "next_cursor"));
}

const char *body_str(struct request *req, const char *name)
{
	return req->json ? json_string_value(json_object_get(req->json, name)) : NULL;
}

bool body_has(struct request *req, const char *name)
{
	return req->json && json_object_get(req->json, name) != NULL;
}

void audit_target(struct request *req, const char *type, const char *id,
		  const char *tenant_id)
{
	req->audit_type = type;
	str_copy(req->audit_target, id ? id : "", sizeof(req->audit_target));
	str_copy(req->audit_tenant, tenant_id ? tenant_id : "", sizeof(req->audit_tenant));
}

const struct column server_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "tenant_id", COL_TEXT, NULL },
	{ "plan_id", COL_TEXT, NULL },
	{ "image_id", COL_TEXT, NULL },
	{ "hostname", COL_TEXT, NULL },
	{ "external_id", COL_TEXT, NULL },
	{ "desired_state", COL_TEXT, NULL },
	{ "actual_state", COL_TEXT, NULL },
	{ "suspended", COL_BOOL, NULL },
	{ "domain_id", COL_INT, NULL },
	{ "active_job_id", COL_TEXT,
	  "(SELECT j.id FROM jobs j WHERE j.server_id = servers.id"
	  " AND j.state IN ('queued', 'running'))" },
	{ "created_at", COL_TIME, NULL },
	{ "updated_at", COL_TIME, NULL },
	COLUMNS_END
};

const struct column job_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "server_id", COL_TEXT, NULL },
	{ "tenant_id", COL_TEXT, NULL },
	{ "kind", COL_TEXT, NULL },
	{ "state", COL_TEXT, NULL },
	{ "params", COL_JSON, NULL },
	{ "attempts", COL_INT, NULL },
	{ "error", COL_JSON,
	  "CASE WHEN error_code IS NULL THEN NULL ELSE json_object('code', error_code,"
	  " 'message', error_message, 'retryable',"
	  " json(CASE WHEN error_retryable THEN 'true' ELSE 'false' END)) END" },
	{ "created_by", COL_TEXT, NULL },
	{ "created_at", COL_TIME, NULL },
	{ "started_at", COL_TIME, NULL },
	{ "finished_at", COL_TIME, NULL },
	COLUMNS_END
};

int fetch_server(struct request *req, const char *id, json_t **out)
{
	const char *params[] = { id, req_scope(req) };

	return api_fetch(req->db, server_columns,
			 "FROM servers WHERE id = ?1 AND deleted_at IS NULL"
			 " AND (?2 IS NULL OR tenant_id = ?2)", 2, params, out);
}

int fetch_job(sqlite3 *db, const char *id, const char *scope, json_t **out)
{
	const char *params[] = { id, scope };

	return api_fetch(db, job_columns,
			 "FROM jobs WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
			 2, params, out);
}
