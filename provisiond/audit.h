// SPDX-License-Identifier: GPL-2.0-only
/*
 * audit.h - the audit log: who did what to which object, when, and how it
 * ended.
 *
 * Every write request from an authenticated caller is recorded: a success
 * in the same transaction as the change itself (so the log can never
 * disagree with the data), a refusal or failure in a transaction of its
 * own.  The job workers record how each job ended, the reconciler what it
 * found and did.  Actors: a token id, "worker", "reconciler" or "cli".
 */
#ifndef PROVISIOND_AUDIT_H
#define PROVISIOND_AUDIT_H

#include <stdbool.h>
#include <sqlite3.h>

struct audit_entry {
	const char *actor;		/* token id, "worker", "reconciler", "cli" */
	const char *actor_scope;	/* admin, customer, system */
	const char *actor_tenant_id;	/* a customer's tenant, else NULL */
	const char *action;		/* "server.create", "job.start", ... */
	const char *target_type;	/* "server", "tenant", ... or NULL */
	const char *target_id;
	const char *tenant_id;		/* the tenant the target belongs to */
	bool ok;
	int status;			/* HTTP status, 0 for none */
	const char *error_code;
	const char *request_id;
	const char *detail;
};

/* Inserts one entry in the caller's write transaction.  SQLITE_OK or rc. */
int audit_write(sqlite3 *wdb, const struct audit_entry *e);

/* audit_write in a transaction of its own (for refusals and the worker). */
void audit_write_now(const struct audit_entry *e);

#endif
