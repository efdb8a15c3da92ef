// SPDX-License-Identifier: GPL-2.0-only
/*
 * tls.h - the API's HTTPS certificate: made on first start, or the
 * hoster's own, checked before it is served.
 */
#ifndef PROVISIOND_TLS_H
#define PROVISIOND_TLS_H

#include <stdbool.h>
#include <stddef.h>

/* "AB:CD:..." for a SHA-256 digest, with its NUL. */
#define TLS_FINGERPRINT_LEN	(32 * 3)

struct tls_identity {
	char *cert_pem;			/* NUL-terminated PEM, malloc'd */
	char *key_pem;
	char fingerprint[TLS_FINGERPRINT_LEN];	/* SHA-256 of the DER cert */
	bool generated;			/* made by this start */
};

/*
 * The certificate and key at cert_path and key_path, checked (tls_check).
 * If neither file exists, makes a self-signed ECDSA P-256 certificate for
 * this host, valid TLS_CERT_DAYS, and writes both (the key mode 600).  One
 * file without the other is an error: the hoster's pair is half there.
 * 0, or -1 with err.
 */
int tls_load_or_create(const char *cert_path, const char *key_path,
		       struct tls_identity *out, char *err, size_t errlen);

/*
 * Whether cert_pem (one certificate, or a chain with the server's first)
 * and key_pem are a pair ready to serve: both parse, the key is the
 * certificate's, and the certificate is valid now.  Fills fingerprint
 * (TLS_FINGERPRINT_LEN bytes) when not NULL.  0, or -1 with err.
 */
int tls_check(const char *cert_pem, const char *key_pem, char *fingerprint,
	      char *err, size_t errlen);

/*
 * Keeps a pair (checked with tls_check first) to be served from the next
 * start: it is written beside the files as CERT.new and KEY.new, which
 * tls_load_or_create() moves into place.  The key is written first and the
 * certificate last, so CERT.new exists only beside a complete pair; a
 * crash while they are moved into place is finished at the next start.
 * 0, or -1 with err.
 */
int tls_store_pending(const char *cert_path, const char *key_path,
		      const char *cert_pem, const char *key_pem,
		      char *fingerprint, char *err, size_t errlen);

void tls_identity_free(struct tls_identity *id);

#endif
