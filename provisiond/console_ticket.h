// SPDX-License-Identifier: GPL-2.0-only
/*
 * console_ticket.h - the tickets that open a server's console WebSocket.
 *
 * A browser cannot put an Authorization header on a WebSocket, and the
 * session cookie alone must not open one (a WebSocket is not bound by the
 * same-origin policy).  So the panel first asks, with its credentials and
 * CSRF token, POST /v1/servers/{id}/console-ticket, and opens
 * /v1/console?ticket=T with what it got.  A ticket is 256 random bits,
 * kept here only as its SHA-256, for CONSOLE_TICKET_TTL_S seconds, and
 * taken out at its first use whatever the outcome: a ticket seen in a log
 * or a browser's history after use is worthless.  They live in memory: a
 * restart of provisiond forgets them, which costs a retry at most.
 */
#ifndef PROVISIOND_CONSOLE_TICKET_H
#define PROVISIOND_CONSOLE_TICKET_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "util.h"

#define CONSOLE_TICKET_TTL_S	30
#define CONSOLE_TICKET_HEX	64
#define CONSOLE_TICKETS_MAX	256	/* outstanding at once */

struct console_ticket {
	char server_id[ID_MAX];
	char token_id[ID_MAX];		/* who asked: checked again at use */
	bool write;			/* may type */
	int64_t expires_ms;		/* monotonic */
};

/*
 * A new ticket for server_id, asked for by token_id: ticket gets its text,
 * *expires_at the wall-clock second it expires.  0, or -1 when
 * CONSOLE_TICKETS_MAX unexpired tickets exist already (or no randomness).
 */
int console_ticket_issue(const char *server_id, const char *token_id, bool write,
			 char ticket[CONSOLE_TICKET_HEX + 1], int64_t *expires_at);

/*
 * Takes a ticket out: true with *t filled if it existed and had not
 * expired.  Either way it can never be used again.
 */
bool console_ticket_take(const char *ticket, struct console_ticket *t);

#endif
