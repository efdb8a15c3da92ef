// SPDX-License-Identifier: GPL-2.0-only
/*
 * credentials.h - what a customer gives to log into a server: a root
 * password (kept only as a yescrypt hash) and SSH public keys (checked to
 * be OpenSSH public key lines of an allowed type).  Never a plain
 * password in the database, the logs, the audit log or a job.
 */
#ifndef PROVISIOND_CREDENTIALS_H
#define PROVISIOND_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_MIN_BYTES	8
#define PASSWORD_MAX_BYTES	256
#define SSH_KEYS_MAX		32
#define SSH_KEY_MAX_BYTES	8192
#define PASSWORD_HASH_MAX	256

/* Whether password is acceptable (8..256 bytes of UTF-8, no control
 * character); false with why ("must be 8 to 256 bytes"). */
bool password_valid(const char *password, char *why, size_t len);

/*
 * hash = crypt(3) yescrypt of password with a fresh salt ("$y$...").  0,
 * or -1 (libcrypt failed; logged without the password).
 */
int password_hash(const char *password, char hash[PASSWORD_HASH_MAX]);

/* Whether password matches hash (for the tests). */
bool password_verify(const char *password, const char *hash);

/*
 * Whether key is one OpenSSH public key line: "TYPE BASE64 [COMMENT]",
 * TYPE in the allow list (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/
 * 521, sk-*@openssh.com), BASE64 decoding to a blob that begins with the
 * length-prefixed TYPE, COMMENT without control characters.  false with
 * why.
 */
bool ssh_key_valid(const char *key, char *why, size_t len);

#endif
