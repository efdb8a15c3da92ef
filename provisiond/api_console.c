// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_console.c - a server's console in the browser: the ticket (POST
 * /v1/servers/{id}/console-ticket) and the WebSocket it opens (GET
 * /v1/console?ticket=T), handed to the console hub (console.h).
 *
 * Everything that can refuse the socket is checked before the upgrade, so
 * a refusal is an ordinary JSON error: the WebSocket headers (400), the
 * ticket (403 console_ticket_invalid: unknown, used or expired; it is used
 * up by this very request), the ticket's token (still valid), the server
 * (404 if the token may not see it, 403 if suspended for a customer) and
 * its domain (409 if it does not run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "audit.h"
#include "console.h"
#include "console_ticket.h"
#include "log.h"
#include "static.h"

/* The server as the caller may see it: 0, or the error answer's status. */
static int usable_server(struct request *req, const char *id)
{
	json_t *server;
	bool suspended;
	const char *state;
	int status = 0;

	if (fetch_server(req, id, &server))
		return req_internal(req, "fetch server");
	if (!server)
		return req_error(req, 404, "not_found", "server %s not found", id);
	audit_target(req, "server", id,
		     json_string_value(json_object_get(server, "tenant_id")));
	suspended = json_is_true(json_object_get(server, "suspended"));
	state = json_string_value(json_object_get(server, "actual_state"));
	if (suspended && !req->who.admin)
		status = req_error(req, 403, "server_suspended",
				   "server %s is suspended", id);
	else if (!state || strcmp(state, "running") != 0)
		status = req_error(req, 409, "invalid_state",
				   "server %s is not running: it has no console", id);
	json_decref(server);
	return status;
}

int servers_console_ticket(struct request *req)
{
	char ticket[CONSOLE_TICKET_HEX + 1], expires[TIME_STR_LEN], url[128];
	json_t *w = json_object_get(req->json, "write");
	bool write = json_is_true(w);
	int64_t expires_at;

	if (usable_server(req, req->id))
		return req->status;
	if (console_ticket_issue(req->id, req->who.token_id, write, ticket,
				 &expires_at) != 0)
		return req_error(req, 503, "unavailable",
				 "too many console tickets are open; retry in a few seconds");
	time_format(expires_at, expires);
	snprintf(url, sizeof(url), "/v1/console?ticket=%s", ticket);
	str_copy(req->location, url, sizeof(req->location));
	snprintf(req->audit_detail, sizeof(req->audit_detail), "%s ticket",
		 write ? "read-write" : "read-only");
	req_reply(req, 201, json_pack("{s:s, s:s, s:s, s:s, s:b}", "ticket", ticket,
				      "expires_at", expires, "url", url,
				      "server_id", req->id, "write", write));
	memset(ticket, 0, sizeof(ticket));
	return 201;
}

/* Whether a comma-separated header holds token (case-insensitive). */
static bool header_has(const char *value, const char *token)
{
	size_t n = strlen(token);

	while (value && *value) {
		size_t len;

		value += strspn(value, " \t,");
		len = strcspn(value, " \t,");
		if (len == n && strncasecmp(value, token, n) == 0)
			return true;
		value += len;
	}
	return false;
}

static void audit_open(struct request *req, const struct console_ticket *t)
{
	struct audit_entry e = {
		.actor = req->who.token_id,
		.actor_scope = req->who.admin ? "admin" : "customer",
		.actor_tenant_id = req->who.admin ? NULL : req->who.tenant_id,
		.action = "console.open",
		.target_type = "server",
		.target_id = t->server_id,
		.tenant_id = req->audit_tenant[0] ? req->audit_tenant : NULL,
		.ok = req->status < 400,
		.status = req->status < 400 ? 101 : req->status,
		.error_code = req->error_code[0] ? req->error_code : NULL,
		.request_id = req->request_id,
		.detail = t->write ? "read-write" : "read-only",
	};

	audit_write_now(&e);
}

int console_open(struct request *req)
{
	const char *key = req_header(req, "Sec-WebSocket-Key");
	const char *version = req_header(req, "Sec-WebSocket-Version");
	struct console_ticket t;
	struct console_open *o;
	enum auth_result res;
	uint32_t domid = 0;
	bool refused;
	int err;

	if (!header_has(req_header(req, "Upgrade"), "websocket") ||
	    !header_has(req_header(req, "Connection"), "upgrade") ||
	    !version || strcmp(version, "13") != 0 || !ws_key_valid(key))
		return req_error(req, 400, "invalid_request",
				 "GET /v1/console is a WebSocket (RFC 6455, version 13):"
				 " Upgrade, Connection and Sec-WebSocket-Key are required");
	if (!console_ticket_take(req_query(req, "ticket"), &t))
		return req_error(req, 403, "console_ticket_invalid",
				 "the console ticket is unknown, used or expired;"
				 " ask for a new one");

	/* The ticket acts for the token that asked for it, if that still can. */
	res = auth_principal(req->db, t.token_id, now_s(), &req->who);
	if (res == AUTH_ERROR)
		return req_internal(req, "token lookup failed");
	if (res != AUTH_OK) {
		memset(&req->who, 0, sizeof(req->who));
		return req_error(req, 403, "console_ticket_invalid",
				 "the token that asked for this ticket is no longer valid");
	}
	req->authenticated = true;
	refused = usable_server(req, t.server_id) != 0;
	if (!refused) {
		err = console_domain(t.server_id, &domid);
		if (err < 0 || err > 1)
			refused = req_error(req, 503, "unavailable",
					    "the hypervisor did not answer; retry later");
		else if (err == 1)
			refused = req_error(req, 409, "invalid_state",
					    "server %s is not running: it has no console",
					    t.server_id);
	}
	if (!refused) {
		o = calloc(1, sizeof(*o));
		if (!o)
			return req_internal(req, "out of memory");
		str_copy(o->server_id, t.server_id, sizeof(o->server_id));
		o->domid = domid;
		o->write = t.write;
		ws_accept_key(key, o->accept);
		req->upgrade = o;
		req->status = 101;
	}
	audit_open(req, &t);
	return req->status;
}

/* libmicrohttpd: the 101 answer is out; the socket is ours. */
static void on_upgraded(void *cls, struct MHD_Connection *conn, void *con_cls,
			const char *extra, size_t extra_len, MHD_socket sock,
			struct MHD_UpgradeResponseHandle *urh)
{
	struct request *req = con_cls;

	(void)cls;
	(void)conn;
	console_attach(req->upgrade, sock, urh, extra, extra_len);
}

enum MHD_Result console_queue_upgrade(struct request *req)
{
	struct MHD_Response *resp = MHD_create_response_for_upgrade(on_upgraded, NULL);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "websocket");
	MHD_add_response_header(resp, "Sec-WebSocket-Accept", req->upgrade->accept);
	MHD_add_response_header(resp, "X-Request-Id", req->request_id);
	web_security_headers(resp);
	ret = MHD_queue_response(req->conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
	MHD_destroy_response(resp);
	return ret;
}
