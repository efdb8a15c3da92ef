// SPDX-License-Identifier: GPL-2.0-only
/*
 * events.h - the events the hoster's webhooks receive (docs/webhooks.md),
 * and the one function every producer calls.
 *
 * An event is written into the webhook outbox (webhook_deliveries, one row
 * per enabled endpoint that subscribed to its type) inside the caller's
 * own write transaction: it exists if and only if the state change it
 * reports committed.  The delivery thread (webhook.h) sends it later; a
 * crash between the commit and the delivery delays it, never loses it.
 */
#ifndef PROVISIOND_EVENTS_H
#define PROVISIOND_EVENTS_H

#include <stdbool.h>
#include <jansson.h>
#include <sqlite3.h>

#define EVENT_JOB_SUCCEEDED		"job.succeeded"
#define EVENT_JOB_FAILED		"job.failed"
#define EVENT_SERVER_STATE_CHANGED	"server.state_changed"
#define EVENT_SERVER_SUSPENDED		"server.suspended"
#define EVENT_SERVER_UNSUSPENDED	"server.unsuspended"
#define EVENT_SERVER_TRAFFIC_OVERAGE	"server.traffic_overage"

/* Every type, ending with NULL (the contract's WebhookEventType lists the
 * same names). */
extern const char *const event_types[];

bool event_type_known(const char *type);

/*
 * Records one event of type about tenant_id / server_id (either may be
 * NULL) with data (a JSON object; the reference is taken, NULL for {}),
 * for every enabled webhook subscribed to type.  w is the writer inside
 * the transaction that made the change.  SQLITE_OK or the error (the
 * caller rolls back: no change without its event).
 */
int event_emit(sqlite3 *w, const char *type, const char *tenant_id,
	       const char *server_id, json_t *data);

/*
 * server.state_changed, if the server's actual_state now differs from
 * before (what it was when the caller's transaction began); cause says
 * what saw or made the change ("monitor", "job", "reconciler").
 * SQLITE_OK or the error.
 */
int event_server_state(sqlite3 *w, const char *server_id, const char *before,
		       const char *cause);

/* The server's actual_state into out (size >= 16); "" if there is none. */
void event_server_state_now(sqlite3 *db, const char *server_id, char out[16]);

#endif
