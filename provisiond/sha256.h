// SPDX-License-Identifier: GPL-2.0-only
/*
 * sha256.h - SHA-256 (FIPS 180-4), for API tokens and request fingerprints.
 *
 * Tokens are 256 bits from getrandom(2), so a fast hash is the right one:
 * there is nothing to brute-force, and the lookup needs the same digest
 * every time (a salted password hash such as yescrypt would not give that).
 */
#ifndef PROVISIOND_SHA256_H
#define PROVISIOND_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32

struct sha256 {
	uint32_t state[8];
	uint64_t bytes;		/* message length so far */
	unsigned char block[64];
	size_t used;		/* bytes waiting in block[] */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);

/* One call: the digest of len bytes. */
void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);

#endif
