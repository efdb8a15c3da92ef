// SPDX-License-Identifier: GPL-2.0-only
/*
 * console_ticket.c - single-use console tickets (see console_ticket.h): a
 * fixed table of their digests, searched in full (it is small), each slot
 * compared in constant time.
 */
#include <pthread.h>
#include <string.h>

#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "console_ticket.h"

struct slot {
	bool used;
	unsigned char hash[SHA256_DIGEST_SIZE];
	struct console_ticket t;
};

static struct {
	pthread_mutex_t lock;
	struct slot slots[CONSOLE_TICKETS_MAX];
} tickets = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void digest(const char *ticket, unsigned char out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, strlen(ticket), (const uint8_t *)ticket);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

int console_ticket_issue(const char *server_id, const char *token_id, bool write,
			 char ticket[CONSOLE_TICKET_HEX + 1], int64_t *expires_at)
{
	unsigned char raw[CONSOLE_TICKET_HEX / 2];
	int64_t now = mono_ms();
	struct slot *free_slot = NULL;

	if (random_bytes(raw, sizeof(raw)) != 0)
		return -1;
	hex_encode(raw, sizeof(raw), ticket);
	memset(raw, 0, sizeof(raw));

	pthread_mutex_lock(&tickets.lock);
	for (int i = 0; i < CONSOLE_TICKETS_MAX && !free_slot; i++) {
		struct slot *s = &tickets.slots[i];

		if (!s->used || s->t.expires_ms <= now)
			free_slot = s;
	}
	if (free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->used = true;
		digest(ticket, free_slot->hash);
		str_copy(free_slot->t.server_id, server_id, sizeof(free_slot->t.server_id));
		str_copy(free_slot->t.token_id, token_id, sizeof(free_slot->t.token_id));
		free_slot->t.write = write;
		free_slot->t.expires_ms = now + CONSOLE_TICKET_TTL_S * 1000;
	}
	pthread_mutex_unlock(&tickets.lock);
	if (!free_slot) {
		memset(ticket, 0, CONSOLE_TICKET_HEX + 1);
		return -1;
	}
	*expires_at = now_s() + CONSOLE_TICKET_TTL_S;
	return 0;
}

bool console_ticket_take(const char *ticket, struct console_ticket *t)
{
	unsigned char h[SHA256_DIGEST_SIZE];
	int64_t now = mono_ms();
	bool ok = false;

	if (!ticket || strlen(ticket) != CONSOLE_TICKET_HEX)
		return false;
	digest(ticket, h);
	pthread_mutex_lock(&tickets.lock);
	for (int i = 0; i < CONSOLE_TICKETS_MAX; i++) {
		struct slot *s = &tickets.slots[i];

		if (s->used && memeql_sec(s->hash, h, sizeof(h))) {
			ok = s->t.expires_ms > now;
			if (ok)
				*t = s->t;
			memset(s, 0, sizeof(*s));
		}
	}
	pthread_mutex_unlock(&tickets.lock);
	return ok;
}
