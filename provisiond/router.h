// SPDX-License-Identifier: GPL-2.0-only
/*
 * router.h - from a request to a handler: path and method, authentication,
 * scope, query and body validation, and for writes the transaction, the
 * Idempotency-Key and the audit log.
 */
#ifndef PROVISIOND_ROUTER_H
#define PROVISIOND_ROUTER_H

#include "http.h"
#include "validate.h"

#define R_PUBLIC	0x1	/* no token needed */
#define R_ADMIN		0x2	/* admin scope only (403 for customers) */
#define R_WRITE		0x4	/* changes state: one write transaction */

struct route {
	const char *method;
	const char *pattern;		/* "/v1/servers/{id}/start" */
	unsigned flags;
	const char *const *query;	/* allowed query parameters, or NULL */
	const struct field_spec *body;	/* NULL: the request takes no body */
	const char *action;		/* audit log action of a write */
	int (*handler)(struct request *req);
};

/* Runs the request through the route table; sets req's answer. */
void router_handle(struct request *req);

/* The table, for tests and --help listings. */
extern const struct route routes[];

#endif
