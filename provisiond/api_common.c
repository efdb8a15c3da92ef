// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_common.c - what the resource handlers share: rows to JSON, fetching
 * one object as the caller may see it, and paginated lists (see api.h).
 *
 * Pagination is by keyset: every table has `seq`, its order of creation;
 * a page is "seq > cursor ORDER BY seq LIMIT n", and next_cursor is the
 * last seq returned.  Unlike offsets, a cursor stays right while rows are
 * added or deleted between pages.  The cursor is opaque to clients.
 *
 * Rows become JSON in two ways that must agree: row_to_json() builds a
 * Jansson object, for handlers that answer one object (and may add to
 * it); list pages, the API's most frequent and largest answers, are
 * written as JSON text straight from the statement (row_write_json()),
 * which costs a fraction of building Jansson objects and dumping them.
 * Both switch on the column's type, in the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "dev_forward.h"
#include "db.h"
#include "ipam.h"
#include "log.h"
#include "router.h"

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
			if (!v) {
				/* Not UTF-8 (written before requests were
				 * checked): as in the list pages. */
				char *text = strdup((const char *)sqlite3_column_text(st, i));

				if (text)
					utf8_scrub(text);
				v = text ? json_string(text) : json_null();
				free(text);
			}
			break;
		}
		json_object_set_new(obj, c->name, v);
	}
	return obj;
}

/* --- JSON text (list pages) --- */

void tb_add(struct textbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *grown;

		while (b->len + n + 1 > cap)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (!grown) {
			b->failed = true;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void tb_puts(struct textbuf *b, const char *s)
{
	tb_add(b, s, strlen(s));
}

/* s as a JSON string: quotes, backslashes and control characters escaped;
 * UTF-8 as it is.  A byte that is not UTF-8 (a row written before requests
 * were checked) becomes '?' as in utf8_scrub(), so that the page stays
 * valid JSON. */
void tb_json_string(struct textbuf *b, const char *s)
{
	const char *run = s;

	tb_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[8];

		if (ch >= 0x80) {
			size_t n = utf8_sequence((const unsigned char *)s, strnlen(s, 4));

			if (n > 0) {
				s += n - 1;
				continue;
			}
			tb_add(b, run, (size_t)(s - run));
			run = s + 1;
			tb_add(b, "?", 1);
			continue;
		}
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		tb_add(b, run, (size_t)(s - run));
		run = s + 1;
		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			tb_add(b, esc, 2);
		} else if (ch == '\n') {
			tb_add(b, "\\n", 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			tb_add(b, esc, 6);
		}
	}
	tb_add(b, run, (size_t)(s - run));
	tb_add(b, "\"", 1);
}

/* The current row of st as a JSON object's text: row_to_json() in text. */
static void row_write_json(struct textbuf *b, sqlite3_stmt *st,
			   const struct column *cols)
{
	int i = 0;

	tb_add(b, "{", 1);
	for (const struct column *c = cols; c->name; c++, i++) {
		char num[TIME_STR_LEN + 24];
		char *text;
		json_t *v;

		if (i > 0)
			tb_add(b, ",", 1);
		tb_json_string(b, c->name);	/* our own names: plain ASCII */
		tb_add(b, ":", 1);
		if (sqlite3_column_type(st, i) == SQLITE_NULL) {
			tb_add(b, "null", 4);
			continue;
		}
		switch (c->type) {
		case COL_INT:
			snprintf(num, sizeof(num), "%lld",
				 (long long)sqlite3_column_int64(st, i));
			tb_puts(b, num);
			break;
		case COL_BOOL:
			tb_puts(b, sqlite3_column_int64(st, i) ? "true" : "false");
			break;
		case COL_TIME:
			time_format(sqlite3_column_int64(st, i), num);
			tb_json_string(b, num);
			break;
		case COL_JSON:
			/* Rare (job parameters and errors): through Jansson, so
			 * that bad JSON becomes null exactly as in row_to_json. */
			v = json_loads((const char *)sqlite3_column_text(st, i), 0, NULL);
			text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
			tb_puts(b, text ? text : "null");
			free(text);
			json_decref(v);
			break;
		default:
			tb_json_string(b, (const char *)sqlite3_column_text(st, i));
			break;
		}
	}
	tb_add(b, "}", 1);
}

/* --- queries --- */

/* A cached statement (db_cached) with text parameters ?1..?nparams. */
static sqlite3_stmt *prepare_params(sqlite3 *db, const char *sql, int nparams,
				    const char *const params[])
{
	sqlite3_stmt *st = db_cached(db, sql, "");

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
	char sql[12288], list[8192];
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
	db_release(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int api_list(struct request *req, const struct column *cols,
	     const char *from_where, int nparams, const char *const params[])
{
	/* The contract's Limit: its range was checked by the router. */
	const struct field_spec *limit_spec = field_spec_find(req->route->query, "limit");
	const char *limit_s = req_query(req, "limit");
	const char *cursor_s = req_query(req, "cursor");
	int64_t limit, cursor = 0, last = 0;
	char sql[12288], list[8192];
	struct textbuf page = { 0 };
	sqlite3_stmt *st;
	int ncols = 0, rc, count = 0;
	bool more = false;

	if (!limit_spec)
		return req_internal(req, "a list without the contract's limit parameter");
	limit = limit_spec->dflt;
	if (limit_s && !parse_int_param(limit_s, limit_spec->min, limit_spec->max, &limit))
		return req_internal(req, "limit not checked by the router");
	if (cursor_s && !parse_int_param(cursor_s, 0, INT64_MAX, &cursor))
		return req_error(req, 400, "invalid_query",
				 "cursor: not a cursor this server returned");

	for (const struct column *c = cols; c->name; c++)
		ncols++;
	/* The cursor and limit are parameters after the caller's, so that
	 * the text, and so the cached statement, is the same for every page. */
	columns_sql(cols, list, sizeof(list));
	snprintf(sql, sizeof(sql), "SELECT %s, seq %s AND seq > ?%d ORDER BY seq LIMIT ?%d",
		 list, from_where, nparams + 1, nparams + 2);
	st = prepare_params(req->db, sql, nparams, params);
	if (!st)
		return req_internal(req, "list query");
	sqlite3_bind_int64(st, nparams + 1, cursor);
	sqlite3_bind_int64(st, nparams + 2, limit + 1);	/* one more: is there more? */

	tb_puts(&page, "{\"items\":[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == limit) {
			more = true;
			break;
		}
		if (count > 0)
			tb_add(&page, ",", 1);
		row_write_json(&page, st, cols);
		last = sqlite3_column_int64(st, ncols);
		count++;
	}
	db_release(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(page.data);
		return req_internal(req, "list query");
	}

	if (more) {
		char next[48];

		snprintf(next, sizeof(next), "],\"next_cursor\":\"%lld\"}", (long long)last);
		tb_puts(&page, next);
	} else {
		tb_puts(&page, "],\"next_cursor\":null}");
	}
	if (page.failed) {
		free(page.data);
		return req_internal(req, "out of memory");
	}
	return req_reply_text(req, 200, page.data);
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
	{ "template_id", COL_TEXT, NULL },
	{ "hostname", COL_TEXT, NULL },
	{ "external_id", COL_TEXT, NULL },
	{ "desired_state", COL_TEXT, NULL },
	{ "actual_state", COL_TEXT, NULL },
	{ "suspended", COL_BOOL, NULL },
	{ "domain_id", COL_INT, NULL },
	{ "active_job_id", COL_TEXT,
	  "(SELECT j.id FROM jobs j WHERE j.server_id = servers.id"
	  " AND j.state IN ('queued', 'running'))" },
	{ "mac", COL_TEXT, NULL },
	{ "addresses", COL_JSON, IPAM_SERVER_ADDRESSES_SQL },	/* ipam.h */
	{ "forwards", COL_JSON, DEV_FORWARD_SERVER_SQL },	/* dev_forward.h */
	/* In the order the guest sees them: root, data, seed. */
	{ "volumes", COL_JSON,
	  "(SELECT json_group_array(json_object('id', v.id, 'kind', v.kind,"
	  " 'size_bytes', v.size_bytes, 'state', v.state)) FROM (SELECT * FROM volumes"
	  " WHERE server_id = servers.id ORDER BY CASE kind WHEN 'root' THEN 0"
	  " WHEN 'data' THEN 1 ELSE 2 END) v)" },
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
	{ "created_by", COL_TEXT, TOKEN_ID_SEEN_BY_SCOPE("created_by") },
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
	const char *params[] = { scope, id };	/* ?1: see job_columns */

	return api_fetch(db, job_columns,
			 "FROM jobs WHERE id = ?2 AND (?1 IS NULL OR tenant_id = ?1)",
			 2, params, out);
}
