// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_usage.c - GET /v1/usage: what billing pulls (docs/usage.md).
 *
 * Two shapes, chosen by the query:
 *
 *   lifetime (none of from, to, granularity, format given): one record per
 *   server, its CPU time in ns since it was created (servers.cpu_time_*),
 *   as before the hourly meters existed.  Deleted servers stay listed with
 *   their final figures (deleted_at set) for usage_retention_days, whatever
 *   else is deleted: when a tenant's deletion takes its deleted servers'
 *   rows, usage_records keeps their figures (migrations.c).
 *
 *   periods (any of them given): one record per server and period (hour,
 *   day or calendar month, UTC) that has usage, every meter of usage.h
 *   summed from usage_hourly by SQLite's integer sum(), so a period's total
 *   is exactly the sum of its hours.  The range is widened to whole
 *   periods: from rounds down to its period's start, to up to its period's
 *   end (exclusive); at most USAGE_EXPORT_MAX_DAYS.  JSON, or CSV with a
 *   header row of usage_csv_header's columns.  Pages by keyset on (server
 *   id, period): next_cursor in the JSON, the X-Next-Cursor header in CSV.
 *
 * Customers see their tenant's servers only (req_scope), in both shapes.
 *
 * And GET /v1/servers/{id}/usage/recent: the server's last hour per minute,
 * from memory (usage_recent.c), for the web panel's "Last hour" graphs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "router.h"
#include "usage.h"
#include "usage_recent.h"
#include "util.h"

/* The longest range one request may ask for: a year and a month. */
#define USAGE_EXPORT_MAX_DAYS	400

static const struct column lifetime_columns[] = {
	{ "server_id", COL_TEXT, NULL },
	{ "tenant_id", COL_TEXT, NULL },
	{ "external_id", COL_TEXT, NULL },
	{ "hostname", COL_TEXT, NULL },
	{ "cpu_time_ns", COL_INT, NULL },
	{ "sampled_at", COL_TIME, NULL },
	{ "created_at", COL_TIME, NULL },
	{ "deleted_at", COL_TIME, NULL },
	COLUMNS_END
};

static int lifetime_list(struct request *req)
{
	const char *params[] = { req_scope(req), req_query(req, "tenant_id"),
				 req_query(req, "server_id"), req_query(req, "external_id") };

	/* seq is the server's in both: one order, one cursor. */
	return api_list(req, lifetime_columns,
			"FROM (SELECT seq, id AS server_id, tenant_id, external_id,"
			" hostname, cpu_time_base_ns + cpu_time_live_ns AS cpu_time_ns,"
			" usage_sampled_at AS sampled_at, created_at, deleted_at FROM servers"
			" UNION ALL SELECT seq, server_id, tenant_id, external_id, hostname,"
			" cpu_time_ns, sampled_at, created_at, deleted_at FROM usage_records)"
			" WHERE (?1 IS NULL OR tenant_id = ?1)"
			" AND (?2 IS NULL OR tenant_id = ?2)"
			" AND (?3 IS NULL OR server_id = ?3)"
			" AND (?4 IS NULL OR external_id = ?4)", 4, params);
}

/* --- periods --- */

enum granularity { HOUR, DAY, MONTH };

/* The servers whose usage a page may hold, in id order: live and deleted
 * ones (servers), and those whose rows went with their tenant
 * (usage_records).  ?1 scope, ?2 tenant_id, ?3 server_id, ?4
 * external_id, ?5 the cursor's server. */
static const char servers_sql[] =
	"SELECT id, tenant_id, external_id, hostname FROM (SELECT id, tenant_id,"
	" external_id, hostname FROM servers UNION ALL SELECT server_id, tenant_id,"
	" external_id, hostname FROM usage_records)"
	" WHERE (?1 IS NULL OR tenant_id = ?1) AND (?2 IS NULL OR tenant_id = ?2)"
	" AND (?3 IS NULL OR id = ?3) AND (?4 IS NULL OR external_id = ?4)"
	" AND id >= ?5 ORDER BY id";

/* One server's periods in [?2, ?3): each a seek on usage_hourly's
 * primary key (server_id, hour_start). */
#define SUM(name) ", sum(" #name ")"
#define PERIODS_SQL(period) \
	"SELECT " period " AS period" USAGE_METERS(SUM) " FROM usage_hourly" \
	" WHERE server_id = ?1 AND hour_start >= ?2 AND hour_start < ?3" \
	" GROUP BY period ORDER BY period"

static const char *const periods_sql[] = {
	[HOUR] = PERIODS_SQL("hour_start"),
	[DAY] = PERIODS_SQL("(hour_start - hour_start % 86400)"),
	[MONTH] = PERIODS_SQL("CAST(strftime('%s', hour_start, 'unixepoch',"
			      " 'start of month') AS INTEGER)"),
};
#undef SUM
#undef PERIODS_SQL

#define FIRST_METER_COL	1	/* after the period's start */

static int64_t period_start(enum granularity g, int64_t t)
{
	return g == HOUR ? usage_hour_start(t) : g == DAY ? usage_day_start(t) :
	       usage_month_start(t);
}

static int64_t period_end(enum granularity g, int64_t start)
{
	return g == HOUR ? start + 3600 : g == DAY ? start + 86400 :
	       usage_next_month(start);
}

/* The cursor "<server id>.<first hour of the next period>" (opaque to
 * clients): the page goes on after that server's last period. */
static bool parse_cursor(const char *text, char server[ID_MAX], int64_t *hour)
{
	const char *dot = text ? strrchr(text, '.') : NULL;
	char *end;
	long long v;

	if (!dot || dot == text || (size_t)(dot - text) >= ID_MAX)
		return false;
	v = strtoll(dot + 1, &end, 10);
	if (*end || end == dot + 1 || v < 0)
		return false;
	memcpy(server, text, (size_t)(dot - text));
	server[dot - text] = '\0';
	*hour = v;
	return true;
}

/*
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF.
 * A field a spreadsheet would run as a formula (it starts with = + - @, a
 * tab or a CR: a hoster's external_id can be anything) gets a leading
 * single quote, so that opening the export never runs a customer's text.
 */
static void csv_field(struct textbuf *b, const char *s)
{
	bool formula;

	if (!s)
		return;
	formula = *s && strchr("=+-@\t\r", *s);
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		tb_puts(b, s);
		return;
	}
	tb_puts(b, formula ? "\"'" : "\"");
	for (; *s; s++)
		tb_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	tb_add(b, "\"", 1);
}

static void write_header(struct textbuf *b)
{
	tb_puts(b, "server_id,tenant_id,external_id,hostname,period_start,period_end");
	for (int i = 0; i < UM_COUNT; i++) {
		tb_add(b, ",", 1);
		tb_puts(b, usage_meter_names[i]);
	}
	tb_add(b, "\r\n", 2);
}

/* One record: the server's columns from server (servers_sql's row), the
 * period and its meters from st (periods_sql's row). */
static void write_row(struct textbuf *b, sqlite3_stmt *server, sqlite3_stmt *st,
		      enum granularity g, bool csv, bool first)
{
	static const char *const text_names[] = { "server_id", "tenant_id",
						  "external_id", "hostname" };
	int64_t start = sqlite3_column_int64(st, 0);
	char from[TIME_STR_LEN], to[TIME_STR_LEN], num[24];

	time_format(start, from);
	time_format(period_end(g, start), to);
	if (!csv)
		tb_puts(b, first ? "{" : ",{");
	for (int i = 0; i < 4; i++) {
		const char *v = (const char *)sqlite3_column_text(server, i);

		if (csv) {
			if (i)
				tb_add(b, ",", 1);
			csv_field(b, v);
			continue;
		}
		tb_puts(b, i ? ",\"" : "\"");
		tb_puts(b, text_names[i]);
		tb_puts(b, "\":");
		if (v)
			tb_json_string(b, v);
		else
			tb_puts(b, "null");
	}
	tb_puts(b, csv ? "," : ",\"period_start\":\"");
	tb_puts(b, from);
	tb_puts(b, csv ? "," : "\",\"period_end\":\"");
	tb_puts(b, to);
	if (!csv)
		tb_add(b, "\"", 1);
	for (int i = 0; i < UM_COUNT; i++) {
		if (csv) {
			tb_add(b, ",", 1);
		} else {
			tb_puts(b, ",\"");
			tb_puts(b, usage_meter_names[i]);
			tb_puts(b, "\":");
		}
		snprintf(num, sizeof(num), "%lld",
			 (long long)sqlite3_column_int64(st, FIRST_METER_COL + i));
		tb_puts(b, num);
	}
	tb_puts(b, csv ? "\r\n" : "}");
}

static int periods_list(struct request *req)
{
	const struct field_spec *limit_spec = field_spec_find(req->route->query, "limit");
	const char *g_text = req_query(req, "granularity");
	const char *format = req_query(req, "format");
	const char *from_text = req_query(req, "from"), *to_text = req_query(req, "to");
	const char *cursor_text = req_query(req, "cursor");
	enum granularity g = HOUR;
	bool csv = format && strcmp(format, "csv") == 0;
	int64_t from, to, limit, after_hour = 0, last_hour = 0;
	char after_server[ID_MAX] = "", last_server[ID_MAX] = "";
	char from_s[TIME_STR_LEN], to_s[TIME_STR_LEN];
	struct textbuf page = { 0 };
	sqlite3_stmt *servers, *st;
	int rc, count = 0;
	bool more = false;

	if (!limit_spec)
		return req_internal(req, "usage without the contract's limit parameter");
	limit = limit_spec->dflt;
	if (req_query(req, "limit") && !parse_int_param(req_query(req, "limit"),
							limit_spec->min, limit_spec->max,
							&limit))
		return req_internal(req, "limit not checked by the router");
	/* The router checked the enums; these are the contract's values. */
	if (g_text && strcmp(g_text, "day") == 0)
		g = DAY;
	else if (g_text && strcmp(g_text, "month") == 0)
		g = MONTH;
	if (from_text && !time_parse(from_text, &from))
		return req_field_error(req, "from", "from: not an ISO-8601 date-time");
	if (to_text && !time_parse(to_text, &to))
		return req_field_error(req, "to", "to: not an ISO-8601 date-time");
	if (!to_text)
		to = now_s();
	if (!from_text)
		from = usage_month_start(to_text ? to - 1 : to);
	if (from >= to)
		return req_field_error(req, "from", "from: must be before to");
	if (cursor_text && !parse_cursor(cursor_text, after_server, &after_hour))
		return req_error(req, 400, "invalid_query",
				 "cursor: not a cursor this server returned");

	/* Whole periods: from down to its period's start, to up to its end. */
	from = period_start(g, from);
	to = period_start(g, to - 1);
	to = period_end(g, to);
	if (to - from > (int64_t)USAGE_EXPORT_MAX_DAYS * 86400 +
			 (g == MONTH ? 31 * 86400 : 0))
		return req_field_error(req, "to", "to: the range from %s to %s is longer"
				       " than %d days", from_text ? from_text : "the month's start",
				       to_text ? to_text : "now", USAGE_EXPORT_MAX_DAYS);

	servers = db_cached(req->db, servers_sql, "sssss", req_scope(req),
			    req_query(req, "tenant_id"), req_query(req, "server_id"),
			    req_query(req, "external_id"), after_server);
	if (!servers)
		return req_internal(req, "usage query");

	time_format(from, from_s);
	time_format(to, to_s);
	if (csv) {
		write_header(&page);
	} else {
		tb_puts(&page, "{\"granularity\":\"");
		tb_puts(&page, g == HOUR ? "hour" : g == DAY ? "day" : "month");
		tb_puts(&page, "\",\"from\":\"");
		tb_puts(&page, from_s);
		tb_puts(&page, "\",\"to\":\"");
		tb_puts(&page, to_s);
		tb_puts(&page, "\",\"items\":[");
	}
	rc = SQLITE_DONE;
	while (!more && (rc = sqlite3_step(servers)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(servers, 0);
		/* The cursor's server goes on after its last period. */
		int64_t start = strcmp(id, after_server) == 0 && after_hour > from ?
				after_hour : from;

		st = db_cached(req->db, periods_sql[g], "sii", id, start, to);
		if (!st) {
			rc = SQLITE_ERROR;
			break;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (count == limit) {
				more = true;
				break;
			}
			write_row(&page, servers, st, g, csv, count == 0);
			str_copy(last_server, id, ID_MAX);
			last_hour = period_end(g, sqlite3_column_int64(st, 0));
			count++;
		}
		db_release(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
		rc = SQLITE_ROW;
	}
	db_release(servers);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(page.data);
		return req_internal(req, "usage query");
	}
	if (more)
		snprintf(req->next_cursor, sizeof(req->next_cursor), "%s.%lld",
			 last_server, (long long)last_hour);
	if (!csv) {
		tb_puts(&page, "],\"next_cursor\":");
		if (more) {
			tb_json_string(&page, req->next_cursor);
			req->next_cursor[0] = '\0';	/* in the body, not a header */
		} else {
			tb_puts(&page, "null");
		}
		tb_puts(&page, "}");
	}
	if (page.failed) {
		free(page.data);
		return req_internal(req, "out of memory");
	}
	if (csv)
		req->content_type = "text/csv; charset=utf-8";
	return req_reply_text(req, 200, page.data);
}

int usage_list(struct request *req)
{
	if (req_query(req, "from") || req_query(req, "to") ||
	    req_query(req, "granularity") || req_query(req, "format"))
		return periods_list(req);
	return lifetime_list(req);
}

/* --- GET /v1/servers/{id}/usage/recent: the last hour per minute --- */

int server_usage_recent(struct request *req)
{
	struct recent_minute minutes[RECENT_MINUTES];
	char start[TIME_STR_LEN];
	json_t *server, *list, *out;
	size_t n;

	/* fetch_server applies the caller's scope: another tenant's server
	 * is 404, as for GET /v1/servers/{id}. */
	if (fetch_server(req, req->id, &server))
		return req_internal(req, "fetch server");
	if (!server)
		return req_error(req, 404, "not_found", "server %s not found", req->id);
	json_decref(server);

	n = usage_recent_read(req->id, now_s(), minutes);
	list = json_array();
	out = json_pack("{s:s, s:i, s:o}", "server_id", req->id,
			"minute_seconds", RECENT_MINUTE_S, "minutes", list);
	if (!out)
		return req_internal(req, "recent usage");
	for (size_t i = 0; i < n; i++) {
		json_t *m;

		time_format(minutes[i].start, start);
		m = json_pack("{s:s, s:i}", "start", start, "seconds", (int)minutes[i].seconds);
		for (int k = 0; m && k < RECENT_NMETERS; k++)
			json_object_set_new(m, usage_meter_names[recent_meter_of[k]],
					    json_integer((json_int_t)minutes[i].v[k]));
		if (!m || json_array_append_new(list, m)) {
			json_decref(out);
			return req_internal(req, "recent usage");
		}
	}
	return req_reply(req, 200, out);
}
