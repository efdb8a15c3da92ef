// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_webhooks.c - /v1/webhooks (admin): the hoster's endpoints for
 * events, and each one's delivery history.  What is delivered and how is
 * webhook.h's; which events exist is events.h's.
 *
 * The URL is checked here (webhook_url_check(): http(s), no credentials,
 * not the appliance itself) without resolving names: a DNS lookup has no
 * place inside the write transaction.  The delivery thread checks the
 * addresses a name resolves to at every attempt.  The secret is stored as
 * given (it is the HMAC key) and never answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "events.h"
#include "webhook.h"

static const struct column webhook_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "url", COL_TEXT, NULL },
	{ "event_types", COL_JSON, NULL },
	{ "enabled", COL_BOOL, NULL },
	{ "created_at", COL_TIME, NULL },
	{ "updated_at", COL_TIME, NULL },
	COLUMNS_END
};

static const struct column delivery_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "event_id", COL_TEXT, NULL },
	{ "type", COL_TEXT, "event_type" },
	{ "state", COL_TEXT, NULL },
	{ "attempts", COL_INT, NULL },
	{ "last_status", COL_INT, NULL },
	{ "last_error", COL_TEXT, NULL },
	{ "created_at", COL_TIME, NULL },
	{ "delivered_at", COL_TIME, NULL },
	{ "next_attempt_at", COL_TIME, NULL },
	COLUMNS_END
};

static int fetch_webhook(struct request *req, const char *id, json_t **out)
{
	const char *params[1] = { id };

	return api_fetch(req->db, webhook_columns, "FROM webhooks WHERE id = ?1", 1,
			 params, out);
}

/* url, secret and event_types of the body, where present: 0 or the 400
 * answer naming the field. */
static int check_fields(struct request *req)
{
	const char *url = body_str(req, "url"), *secret = body_str(req, "secret");
	json_t *types = json_object_get(req->json, "event_types"), *t;
	char why[200];
	size_t i;

	if (url && webhook_url_check(url, webhook_settings.allow_loopback, why,
				     sizeof(why)) < 0)
		return req_field_error(req, "url", "url: %s", why);
	/* The contract counts characters; the key's size is in bytes. */
	if (secret && (strlen(secret) < WEBHOOK_SECRET_MIN ||
		       strlen(secret) > WEBHOOK_SECRET_MAX))
		return req_field_error(req, "secret", "secret: must be %d to %d bytes",
				       WEBHOOK_SECRET_MIN, WEBHOOK_SECRET_MAX);
	json_array_foreach(types, i, t)
		if (!event_type_known(json_string_value(t)))
			return req_field_error(req, "event_types",
					       "event_types[%zu]: not an event type", i);
	return 0;
}

int webhooks_create(struct request *req)
{
	json_t *enabled = json_object_get(req->json, "enabled"), *hook;
	char id[ID_MAX], location[64], *types;
	int64_t now = now_s();
	int rc;

	if ((rc = check_fields(req)))
		return rc;
	types = json_dumps(json_object_get(req->json, "event_types"), JSON_COMPACT);
	if (!types)
		return req_internal(req, "event_types as JSON");
	if (id_new("whk", id))
		rc = req_internal(req, "random id");
	else if (db_run(req->db, "INSERT INTO webhooks (id, url, secret, event_types,"
				 " enabled, created_at, updated_at)"
				 " VALUES (?, ?, ?, ?, ?, ?, ?)", "ssssdii", id,
			 body_str(req, "url"), body_str(req, "secret"), types,
			 enabled ? (int)json_is_true(enabled) : 1, now, now) != SQLITE_OK)
		rc = req_internal(req, "insert webhook");
	free(types);
	if (rc)
		return rc;
	audit_target(req, "webhook", id, NULL);
	if (fetch_webhook(req, id, &hook) || !hook)
		return req_internal(req, "read back webhook");
	snprintf(location, sizeof(location), "/v1/webhooks/%s", id);
	str_copy(req->location, location, sizeof(req->location));
	return req_reply(req, 201, hook);
}

int webhooks_list(struct request *req)
{
	const char *params[1] = { "" };

	return api_list(req, webhook_columns, "FROM webhooks WHERE ?1 IS NOT NULL", 1,
			params);
}

int webhooks_get(struct request *req)
{
	json_t *hook;

	if (fetch_webhook(req, req->id, &hook))
		return req_internal(req, "fetch webhook");
	if (!hook)
		return req_error(req, 404, "not_found", "webhook %s not found", req->id);
	return req_reply(req, 200, hook);
}

int webhooks_update(struct request *req)
{
	json_t *hook, *types = json_object_get(req->json, "event_types");
	char *types_text = NULL;
	int rc;

	if (fetch_webhook(req, req->id, &hook))
		return req_internal(req, "fetch webhook");
	if (!hook)
		return req_error(req, 404, "not_found", "webhook %s not found", req->id);
	json_decref(hook);
	audit_target(req, "webhook", req->id, NULL);
	if ((rc = check_fields(req)))
		return rc;
	if (types && !(types_text = json_dumps(types, JSON_COMPACT)))
		return req_internal(req, "event_types as JSON");
	/* coalesce: a field left out keeps its value. */
	rc = db_run(req->db, "UPDATE webhooks SET url = coalesce(?2, url),"
			     " secret = coalesce(?3, secret),"
			     " event_types = coalesce(?4, event_types),"
			     " enabled = coalesce(?5, enabled), updated_at = ?6"
			     " WHERE id = ?1", "ssssji", req->id, body_str(req, "url"),
		    body_str(req, "secret"), types_text,
		    json_object_get(req->json, "enabled"), now_s());
	free(types_text);
	if (rc != SQLITE_OK)
		return req_internal(req, "update webhook");
	if (fetch_webhook(req, req->id, &hook) || !hook)
		return req_internal(req, "read back webhook");
	return req_reply(req, 200, hook);
}

int webhooks_delete(struct request *req)
{
	json_t *hook;

	if (fetch_webhook(req, req->id, &hook))
		return req_internal(req, "fetch webhook");
	if (!hook)
		return req_error(req, 404, "not_found", "webhook %s not found", req->id);
	json_decref(hook);
	audit_target(req, "webhook", req->id, NULL);
	/* Its deliveries go with it (ON DELETE CASCADE). */
	if (db_run(req->db, "DELETE FROM webhooks WHERE id = ?", "s", req->id) != SQLITE_OK)
		return req_internal(req, "delete webhook");
	return req_reply(req, 204, NULL);
}

int webhook_deliveries_list(struct request *req)
{
	const char *params[1] = { req->id };
	json_t *hook;

	if (fetch_webhook(req, req->id, &hook))
		return req_internal(req, "fetch webhook");
	if (!hook)
		return req_error(req, 404, "not_found", "webhook %s not found", req->id);
	json_decref(hook);
	return api_list(req, delivery_columns,
			"FROM webhook_deliveries WHERE webhook_id = ?1", 1, params);
}
