// SPDX-License-Identifier: GPL-2.0-only
/*
 * credentials.c - root passwords and SSH public keys (see credentials.h).
 *
 * Passwords are hashed with libcrypt's yescrypt (crypt_gensalt_ra("$y$")
 * then crypt_ra), Debian's default for /etc/shadow, which the guest's
 * first-boot agent writes as is.  The working memory libcrypt used is
 * wiped before it is freed: it held the password.
 */
#include <crypt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "credentials.h"
#include "log.h"
#include "util.h"

bool password_valid(const char *password, char *why, size_t len)
{
	size_t n = strlen(password);

	if (n < PASSWORD_MIN_BYTES || n > PASSWORD_MAX_BYTES) {
		snprintf(why, len, "must be %d to %d bytes", PASSWORD_MIN_BYTES,
			 PASSWORD_MAX_BYTES);
		return false;
	}
	if (!utf8_valid(password) || has_control_chars(password)) {
		snprintf(why, len, "must be UTF-8 text without control characters");
		return false;
	}
	return true;
}

int password_hash(const char *password, char hash[PASSWORD_HASH_MAX])
{
	char *setting = crypt_gensalt_ra("$y$", 0, NULL, 0);
	void *data = NULL;
	int size = 0, rc = -1;
	const char *out;

	if (!setting) {
		log_error("crypt_gensalt_ra($y$) failed: no yescrypt salt");
		return -1;
	}
	out = crypt_ra(password, setting, &data, &size);
	if (out && strncmp(out, "$y$", 3) == 0 && str_copy(hash, out, PASSWORD_HASH_MAX))
		rc = 0;
	else
		log_error("crypt_ra(yescrypt) failed");
	if (data)
		explicit_bzero(data, (size_t)size);
	free(data);
	free(setting);
	return rc;
}

bool password_verify(const char *password, const char *hash)
{
	void *data = NULL;
	int size = 0;
	const char *out = crypt_ra(password, hash, &data, &size);
	bool ok = out && out[0] != '*' && strcmp(out, hash) == 0;

	if (data)
		explicit_bzero(data, (size_t)size);
	free(data);
	return ok;
}

static bool type_allowed(const char *type, size_t n)
{
	static const char *const exact[] = {
		"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
		"ecdsa-sha2-nistp521", NULL
	};
	static const char sk[] = "sk-", suffix[] = "@openssh.com";

	for (size_t i = 0; exact[i]; i++)
		if (strlen(exact[i]) == n && memcmp(exact[i], type, n) == 0)
			return true;
	/* Security keys: sk-ssh-ed25519@openssh.com, sk-ecdsa-...@openssh.com. */
	return n > strlen(sk) + strlen(suffix) && memcmp(type, sk, strlen(sk)) == 0 &&
	       memcmp(type + n - strlen(suffix), suffix, strlen(suffix)) == 0;
}

bool ssh_key_valid(const char *key, char *why, size_t len)
{
	const char *type = key, *b64, *end;
	size_t tlen, blen, out_len;
	struct base64_decode_ctx ctx;
	uint8_t *blob;
	bool ok;

	if (strlen(key) > SSH_KEY_MAX_BYTES || has_control_chars(key) || !utf8_valid(key)) {
		snprintf(why, len, "must be one line of text of at most %d bytes",
			 SSH_KEY_MAX_BYTES);
		return false;
	}
	tlen = strcspn(type, " ");
	if (!type_allowed(type, tlen)) {
		snprintf(why, len, "not an OpenSSH public key of an allowed type (ssh-ed25519,"
			 " ssh-rsa, ecdsa-sha2-nistp256/384/521, sk-*@openssh.com)");
		return false;
	}
	if (type[tlen] != ' ') {
		snprintf(why, len, "the key's base64 is missing");
		return false;
	}
	b64 = type + tlen + 1;
	end = b64 + strcspn(b64, " ");
	blen = (size_t)(end - b64);
	blob = malloc(BASE64_DECODE_LENGTH(blen) + 1);
	if (!blob) {
		snprintf(why, len, "out of memory");
		return false;
	}
	base64_decode_init(&ctx);
	out_len = BASE64_DECODE_LENGTH(blen);
	ok = blen > 0 && base64_decode_update(&ctx, &out_len, blob, blen, b64) &&
	     base64_decode_final(&ctx);
	/* The blob begins with the type again: uint32 big-endian length, then
	 * the name. */
	if (ok)
		ok = out_len >= 4 + tlen &&
		     ((uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 |
		      (uint32_t)blob[2] << 8 | blob[3]) == tlen &&
		     memcmp(blob + 4, type, tlen) == 0 && out_len > 4 + tlen;
	free(blob);
	if (!ok) {
		snprintf(why, len, "the key's base64 does not decode to a %.*s key",
			 (int)tlen, type);
		return false;
	}
	return true;
}
