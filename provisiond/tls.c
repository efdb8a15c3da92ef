// SPDX-License-Identifier: GPL-2.0-only
/*
 * tls.c - the API's HTTPS certificate (see tls.h), with GnuTLS, which
 * libmicrohttpd serves TLS with.
 *
 * On the first start of an appliance there is no certificate: provisiond
 * makes a self-signed one for the host (ECDSA P-256: small and fast to
 * make on a cold start) and keeps it with its data, so that it, and its
 * fingerprint, stay the same across restarts and upgrades.  The console
 * and GET /v1/system show the fingerprint, which a hoster compares with
 * what a client sees the first time it connects.  A hoster replaces it by
 * putting its own pair in the files (or naming others in the config):
 * it is checked, then served from the next start.  An admin may also
 * upload one through the API (tls_store_pending): it waits beside the
 * files until the next start, which moves it into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "log.h"
#include "tls.h"
#include "util.h"

/* A made certificate's lifetime: a hoster replaces it long before. */
#define TLS_CERT_DAYS		(10 * 365)
/* Valid from a little before now: a client's clock may be behind. */
#define TLS_CERT_BACKDATE_S	(24 * 3600)
/* Largest PEM file read (a key, or a certificate chain). */
#define TLS_PEM_MAX		(256 * 1024)

static int gtls_fail(int rc, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, gnutls_strerror(rc));
	return -1;
}

/* The whole file as a NUL-terminated string.  NULL with errno set. */
static char *read_pem(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(TLS_PEM_MAX + 1);
	n = buf ? fread(buf, 1, TLS_PEM_MAX + 1, f) : 0;
	if (!buf || ferror(f) || n > TLS_PEM_MAX) {
		fclose(f);
		free(buf);
		errno = buf ? EFBIG : ENOMEM;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Writes text to path through a temporary file and a rename, so that a
 * crash leaves the old file or the new one, never half of one. */
static int write_file(const char *path, const char *text, mode_t mode,
		      char *err, size_t errlen)
{
	char tmp[1100];
	size_t len = strlen(text);
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%.300s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || fchmod(fd, mode) < 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) < 0) {
		snprintf(err, errlen, "%.300s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void x509_free(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
}

static void fingerprint_of(gnutls_x509_crt_t crt, char out[TLS_FINGERPRINT_LEN])
{
	unsigned char digest[32];
	size_t size = sizeof(digest);

	out[0] = '\0';
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, digest, &size) < 0 ||
	    size != sizeof(digest))
		return;
	/* "AB:CD:...": 32 pairs and 31 colons fill TLS_FINGERPRINT_LEN. */
	for (size_t i = 0, pos = 0; i < size; i++)
		pos += (size_t)snprintf(out + pos, TLS_FINGERPRINT_LEN - pos, "%s%02X",
					i ? ":" : "", digest[i]);
}

int tls_check(const char *cert_pem, const char *key_pem, char *fingerprint,
	      char *err, size_t errlen)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t data;
	unsigned char cert_id[64], key_id[64];
	size_t cert_id_len = sizeof(cert_id), key_id_len = sizeof(key_id);
	time_t now = time(NULL);
	int rc = -1, g;

	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_privkey_init(&key) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* The first certificate of a chain is the server's. */
	data.data = (unsigned char *)cert_pem;
	data.size = (unsigned int)strlen(cert_pem);
	if ((g = gnutls_x509_crt_import(crt, &data, GNUTLS_X509_FMT_PEM)) < 0) {
		gtls_fail(g, "certificate: not a PEM X.509 certificate", err, errlen);
		goto out;
	}
	data.data = (unsigned char *)key_pem;
	data.size = (unsigned int)strlen(key_pem);
	if ((g = gnutls_x509_privkey_import2(key, &data, GNUTLS_X509_FMT_PEM, NULL,
					     GNUTLS_PKCS_PLAIN)) < 0) {
		gtls_fail(g, "private key: not an unencrypted PEM private key", err, errlen);
		goto out;
	}
	if (gnutls_x509_crt_get_key_id(crt, 0, cert_id, &cert_id_len) < 0 ||
	    gnutls_x509_privkey_get_key_id(key, 0, key_id, &key_id_len) < 0 ||
	    cert_id_len != key_id_len || memcmp(cert_id, key_id, key_id_len) != 0) {
		snprintf(err, errlen, "the private key is not the certificate's");
		goto out;
	}
	if (gnutls_x509_crt_get_expiration_time(crt) <= now) {
		snprintf(err, errlen, "the certificate has expired");
		goto out;
	}
	if (gnutls_x509_crt_get_activation_time(crt) > now) {
		snprintf(err, errlen, "the certificate is not valid yet");
		goto out;
	}
	if (fingerprint)
		fingerprint_of(crt, fingerprint);
	rc = 0;
out:
	x509_free(crt, key);
	return rc;
}

/* Exports a certificate or key as a malloc'd NUL-terminated PEM string. */
static char *export_pem(gnutls_datum_t *d)
{
	char *s = malloc(d->size + 1);

	if (s) {
		memcpy(s, d->data, d->size);
		s[d->size] = '\0';
	}
	gnutls_free(d->data);
	d->data = NULL;
	return s;
}

/* A new self-signed certificate for this host into out's PEM fields. */
static int make_certificate(struct tls_identity *out, char *err, size_t errlen)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	unsigned char serial[16];
	char host[256] = "";
	time_t now = time(NULL);
	int rc = -1, g;

	if (random_bytes(serial, sizeof(serial)) < 0) {
		snprintf(err, errlen, "no random bytes for the certificate's serial");
		return -1;
	}
	serial[0] &= 0x7f;	/* a positive number */
	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
		str_copy(host, "provisiond", sizeof(host));

	if ((g = gnutls_x509_privkey_init(&key)) < 0 ||
	    (g = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
			GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0) {
		gtls_fail(g, "making the TLS key", err, errlen);
		goto out;
	}
	if ((g = gnutls_x509_crt_init(&crt)) < 0 ||
	    (g = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (g = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) < 0 ||
	    (g = gnutls_x509_crt_set_activation_time(crt, now - TLS_CERT_BACKDATE_S)) < 0 ||
	    (g = gnutls_x509_crt_set_expiration_time(crt,
			now + (time_t)TLS_CERT_DAYS * 24 * 3600)) < 0 ||
	    (g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
					       host, (unsigned int)strlen(host))) < 0 ||
	    (g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, host,
			(unsigned int)strlen(host), GNUTLS_FSAN_SET)) < 0 ||
	    (g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
			"localhost", 9, GNUTLS_FSAN_APPEND)) < 0 ||
	    (g = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (g = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (g = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (g = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (g = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0) {
		gtls_fail(g, "making the TLS certificate", err, errlen);
		goto out;
	}
	if ((g = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem)) < 0 ||
	    !(out->cert_pem = export_pem(&pem)) ||
	    (g = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem)) < 0 ||
	    !(out->key_pem = export_pem(&pem))) {
		gtls_fail(g < 0 ? g : GNUTLS_E_MEMORY_ERROR, "exporting the TLS certificate",
			  err, errlen);
		goto out;
	}
	rc = 0;
out:
	x509_free(crt, key);
	return rc;
}

/* PATH.new into out (size bytes); false if too long. */
static bool pending_path(const char *path, char *out, size_t size)
{
	return snprintf(out, size, "%s.new", path) < (int)size;
}

int tls_store_pending(const char *cert_path, const char *key_path,
		      const char *cert_pem, const char *key_pem,
		      char *fingerprint, char *err, size_t errlen)
{
	char cert_new[1100], key_new[1100];

	if (tls_check(cert_pem, key_pem, fingerprint, err, errlen) < 0)
		return -1;
	if (!pending_path(cert_path, cert_new, sizeof(cert_new)) ||
	    !pending_path(key_path, key_new, sizeof(key_new))) {
		snprintf(err, errlen, "TLS file paths too long");
		return -1;
	}
	return write_file(key_new, key_pem, 0600, err, errlen) < 0 ||
	       write_file(cert_new, cert_pem, 0644, err, errlen) < 0 ? -1 : 0;
}

/*
 * Moves an uploaded pair into place: CERT.new with KEY.new, or with KEY if
 * KEY.new is gone (a start that crashed between the two renames).  A
 * pending pair that no longer checks out is logged and dropped: the
 * served pair stays.
 */
static void install_pending(const char *cert_path, const char *key_path)
{
	char cert_new[1100], key_new[1100], why[512];
	char *cert_pem = NULL, *key_pem = NULL;
	const char *key_used;

	if (!pending_path(cert_path, cert_new, sizeof(cert_new)) ||
	    !pending_path(key_path, key_new, sizeof(key_new)) ||
	    access(cert_new, F_OK) != 0)
		return;
	key_used = access(key_new, F_OK) == 0 ? key_new : key_path;
	cert_pem = read_pem(cert_new);
	key_pem = read_pem(key_used);
	if (!cert_pem || !key_pem ||
	    tls_check(cert_pem, key_pem, NULL, why, sizeof(why)) < 0) {
		log_warn("TLS: the uploaded pair %s and %s cannot be served (%s):"
			 " dropped, the current one stays", cert_new, key_used,
			 cert_pem && key_pem ? why : strerror(errno));
		unlink(cert_new);
		unlink(key_new);
	} else if ((key_used == key_new && rename(key_new, key_path) < 0) ||
		   rename(cert_new, cert_path) < 0) {
		log_warn("TLS: cannot install the uploaded pair: %s", strerror(errno));
	} else {
		log_info("TLS: the uploaded certificate %s is installed", cert_path);
	}
	if (key_pem)
		explicit_bzero(key_pem, strlen(key_pem));
	free(cert_pem);
	free(key_pem);
}

int tls_load_or_create(const char *cert_path, const char *key_path,
		       struct tls_identity *out, char *err, size_t errlen)
{
	bool have_cert, have_key;
	char why[512];

	memset(out, 0, sizeof(*out));
	install_pending(cert_path, key_path);
	have_cert = access(cert_path, F_OK) == 0;
	have_key = access(key_path, F_OK) == 0;
	if (have_cert != have_key) {
		snprintf(err, errlen, "TLS: %s exists but %s does not: put both files of"
			 " the pair there, or remove the other to have one made",
			 have_cert ? cert_path : key_path, have_cert ? key_path : cert_path);
		return -1;
	}
	if (!have_cert) {
		/* The key first: a certificate without its key is useless. */
		if (make_certificate(out, why, sizeof(why)) < 0 ||
		    write_file(key_path, out->key_pem, 0600, why, sizeof(why)) < 0 ||
		    write_file(cert_path, out->cert_pem, 0644, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "TLS: %s", why);
			tls_identity_free(out);
			return -1;
		}
		out->generated = true;
	} else {
		out->cert_pem = read_pem(cert_path);
		if (!out->cert_pem) {
			snprintf(err, errlen, "TLS: %s: %s", cert_path, strerror(errno));
			return -1;
		}
		out->key_pem = read_pem(key_path);
		if (!out->key_pem) {
			snprintf(err, errlen, "TLS: %s: %s", key_path, strerror(errno));
			tls_identity_free(out);
			return -1;
		}
	}
	if (tls_check(out->cert_pem, out->key_pem, out->fingerprint, why,
		      sizeof(why)) < 0) {
		snprintf(err, errlen, "TLS: %s and %s: %s", cert_path, key_path, why);
		tls_identity_free(out);
		return -1;
	}
	return 0;
}

void tls_identity_free(struct tls_identity *id)
{
	if (id->key_pem) {
		/* The key should not linger in freed memory. */
		explicit_bzero(id->key_pem, strlen(id->key_pem));
		free(id->key_pem);
	}
	free(id->cert_pem);
	id->cert_pem = NULL;
	id->key_pem = NULL;
}
