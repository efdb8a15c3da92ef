// SPDX-License-Identifier: GPL-2.0-only
/*
 * idempotency.h - Idempotency-Key: a retried write returns the first result.
 *
 * A client that did not get an answer (timeout, dropped connection,
 * provisiond killed) retries its POST with the same Idempotency-Key header.
 * Keys belong to a principal (the admin scope, or one tenant), live for
 * 24 hours, and remember a fingerprint of the request (method, path,
 * body): the same key with a different request is refused with 422.
 *
 * The lookup, the change and the stored answer are all in the writer's one
 * transaction, so two concurrent retries, or a crash at any point, can
 * never apply the change twice.  Only successful (2xx) answers are stored:
 * a refused request changed nothing and may be retried as it is.
 */
#ifndef PROVISIOND_IDEMPOTENCY_H
#define PROVISIOND_IDEMPOTENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

#include <nettle/sha2.h>

#define IDEM_KEY_MAX		255
#define IDEM_RETENTION_S	(24 * 3600)

enum idem_result {
	IDEM_NEW,		/* not seen: run the request */
	IDEM_REPLAY,		/* seen: *status, *body, *location are the answer */
	IDEM_MISMATCH,		/* seen with a different request */
	IDEM_ERROR,
};

/* 1 to 255 printable ASCII characters. */
bool idem_key_valid(const char *key);

void idem_fingerprint(const char *method, const char *path, const char *body,
		      size_t len, unsigned char out[SHA256_DIGEST_SIZE]);

/* *body and *location are malloc'ed on IDEM_REPLAY (location may be NULL). */
enum idem_result idem_lookup(sqlite3 *wdb, const char *principal,
			     const char *key, const unsigned char fp[SHA256_DIGEST_SIZE],
			     int *status, char **body, char **location);

/* Stores an answer, and drops keys older than the retention. */
int idem_store(sqlite3 *wdb, const char *principal, const char *key,
	       const unsigned char fp[SHA256_DIGEST_SIZE], int status, const char *body,
	       const char *location);

#endif
