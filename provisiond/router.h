// SPDX-License-Identifier: GPL-2.0-only
/*
 * router.h - from a request to a handler: path and method, authentication,
 * scope, query and body validation, and for writes the transaction, the
 * Idempotency-Key and the audit log.
 *
 * The route table is generated from api/openapi.yaml at build time
 * (provisiond/gen_contract.py -> build/provisiond/gen/contract.c), one row
 * per operation: the contract is the only list of what provisiond serves.
 */
#ifndef PROVISIOND_ROUTER_H
#define PROVISIOND_ROUTER_H

#include <stdbool.h>
#include <stdio.h>

#include "http.h"
#include "validate.h"

#define R_PUBLIC	0x1	/* security: [] - no token needed */
#define R_ADMIN		0x2	/* x-admin-only - 403 for customers */
#define R_WRITE		0x4	/* not GET: one write transaction */

struct route {
	const char *method;
	const char *pattern;		/* "/v1/servers/{id}/start" */
	const char *operation_id;	/* the contract's operationId */
	unsigned flags;
	const struct field_spec *query;	/* query parameters, or NULL: none */
	const struct field_spec *body;	/* NULL: the request takes no body */
	bool body_required;		/* requestBody.required: no body is 400 */
	const char *action;		/* x-audit-action of a write */
	int (*handler)(struct request *req);	/* x-handler */
};

/* Runs the request through the route table; sets req's answer. */
void router_handle(struct request *req);

/* The table (generated), ending with a NULL method. */
extern const struct route routes[];

/* Prints "METHOD PATH operationId" for every route (--routes). */
void router_print(FILE *out);

#endif
