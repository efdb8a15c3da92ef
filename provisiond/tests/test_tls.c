// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HTTPS certificate (tls.c): made once and kept, its fingerprint, and
 * the pairs that cannot be served.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <check.h>

#include "suites.h"
#include "tls.h"

static char dir[64], cert[96], key[96];

static void make_dir(void)
{
	strcpy(dir, "/tmp/provisiond-tls-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
}

static void remove_dir(void)
{
	char path[128];

	unlink(cert);
	unlink(key);
	snprintf(path, sizeof(path), "%s.new", cert);
	unlink(path);
	snprintf(path, sizeof(path), "%s.new", key);
	unlink(path);
	rmdir(dir);
}

START_TEST(made_once_and_kept)
{
	struct tls_identity first, again;
	struct stat st;
	char err[512];

	make_dir();
	ck_assert_int_eq(tls_load_or_create(cert, key, &first, err, sizeof(err)), 0);
	ck_assert(first.generated);
	/* "AB:CD:..." : 32 upper-case hex pairs. */
	ck_assert_uint_eq(strlen(first.fingerprint), 95);
	for (int i = 0; i < 95; i++)
		ck_assert(i % 3 == 2 ? first.fingerprint[i] == ':' :
			  strchr("0123456789ABCDEF", first.fingerprint[i]) != NULL);
	ck_assert_int_eq(stat(key, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);

	ck_assert_int_eq(tls_load_or_create(cert, key, &again, err, sizeof(err)), 0);
	ck_assert(!again.generated);
	ck_assert_str_eq(again.fingerprint, first.fingerprint);
	ck_assert_str_eq(again.cert_pem, first.cert_pem);
	tls_identity_free(&first);
	tls_identity_free(&again);
	remove_dir();
}
END_TEST

START_TEST(unservable_pairs)
{
	struct tls_identity a, b;
	char err[512];

	make_dir();
	ck_assert_int_eq(tls_load_or_create(cert, key, &a, err, sizeof(err)), 0);
	unlink(cert);
	unlink(key);
	ck_assert_int_eq(tls_load_or_create(cert, key, &b, err, sizeof(err)), 0);
	ck_assert_str_ne(a.fingerprint, b.fingerprint);

	/* Another certificate's key. */
	ck_assert_int_eq(tls_check(a.cert_pem, b.key_pem, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not the certificate's") != NULL, "%s", err);
	/* Not PEM at all, either way round. */
	ck_assert_int_eq(tls_check("hello", a.key_pem, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "certificate") != NULL, "%s", err);
	ck_assert_int_eq(tls_check(a.cert_pem, a.cert_pem, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "private key") != NULL, "%s", err);
	ck_assert_int_eq(tls_check(a.cert_pem, a.key_pem, NULL, err, sizeof(err)), 0);
	tls_identity_free(&b);

	/* Half a pair is refused, not replaced. */
	unlink(key);
	ck_assert_int_eq(tls_load_or_create(cert, key, &b, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "exists but") != NULL, "%s", err);
	ck_assert_int_eq(access(key, F_OK), -1);
	tls_identity_free(&a);
	remove_dir();
}
END_TEST

/* An uploaded pair waits for the next start, which installs it, even
 * when the start before crashed between installing the key and the
 * certificate; a pending pair that does not check out is dropped. */
START_TEST(pending_pair)
{
	struct tls_identity served, upload, loaded = { 0 };
	char err[512], fp[TLS_FINGERPRINT_LEN], cert_new[128], key_new[128];

	make_dir();
	snprintf(cert_new, sizeof(cert_new), "%s.new", cert);
	snprintf(key_new, sizeof(key_new), "%s.new", key);
	ck_assert_int_eq(tls_load_or_create(cert, key, &served, err, sizeof(err)), 0);
	/* Another pair, made elsewhere, as a hoster's own. */
	unlink(cert);
	unlink(key);
	ck_assert_int_eq(tls_load_or_create(cert, key, &upload, err, sizeof(err)), 0);

	for (int crash = 0; crash < 2; crash++) {
		unlink(cert);
		unlink(key);
		unlink(cert_new);
		unlink(key_new);
		ck_assert_int_eq(tls_store_pending(cert, key, served.cert_pem,
						   served.key_pem, NULL, err,
						   sizeof(err)), 0);
		ck_assert_int_eq(tls_load_or_create(cert, key, &loaded, err,
						    sizeof(err)), 0);
		tls_identity_free(&loaded);
		ck_assert_int_eq(tls_store_pending(cert, key, upload.cert_pem,
						   upload.key_pem, fp, err,
						   sizeof(err)), 0);
		ck_assert_str_eq(fp, upload.fingerprint);
		if (crash)	/* the key was moved, then the start died */
			ck_assert_int_eq(rename(key_new, key), 0);
		ck_assert_int_eq(tls_load_or_create(cert, key, &loaded, err,
						    sizeof(err)), 0);
		ck_assert_str_eq(loaded.fingerprint, upload.fingerprint);
		ck_assert_int_eq(access(cert_new, F_OK), -1);
		ck_assert_int_eq(access(key_new, F_OK), -1);
		tls_identity_free(&loaded);
	}

	/* A pending pair that no longer matches is dropped; the served stays. */
	ck_assert_int_eq(tls_store_pending(cert, key, served.cert_pem, served.key_pem,
					   NULL, err, sizeof(err)), 0);
	unlink(key_new);	/* the served key is the upload's, not served's */
	ck_assert_int_eq(tls_load_or_create(cert, key, &loaded, err, sizeof(err)), 0);
	ck_assert_str_eq(loaded.fingerprint, upload.fingerprint);
	ck_assert_int_eq(access(cert_new, F_OK), -1);
	/* Storing checks first. */
	ck_assert_int_eq(tls_store_pending(cert, key, served.cert_pem, upload.key_pem,
					   NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(access(cert_new, F_OK), -1);
	tls_identity_free(&loaded);
	tls_identity_free(&served);
	tls_identity_free(&upload);
	remove_dir();
}
END_TEST

Suite *tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("tls");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, made_once_and_kept);
	tcase_add_test(tc, unservable_pairs);
	tcase_add_test(tc, pending_pair);
	suite_add_tcase(s, tc);
	return s;
}
