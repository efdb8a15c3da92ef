// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seed and the credentials (seed.c, credentials.c): the exact text of
 * the three files for a full and a minimal server, YAML quoting, that the
 * password hash is yescrypt and verifies, the SSH key checks, and (where
 * dosfstools and mtools are installed) the image itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <check.h>

#include "credentials.h"
#include "seed.h"
#include "subprocess.h"
#include "suites.h"

#define KEY_ED25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICz/yi9dC0CXuj63d+TPmHnLiuVaVZn7V+zOvLZEOrPo alice@example"

START_TEST(full_seed_text)
{
	const char *keys[] = { KEY_ED25519, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICz/yi9dC0CXuj63d+TPmHnLiuVaVZn7V+zOvLZEOrPo bob's key" };
	const char *resolvers[] = { "192.0.2.53", "2001:db8::53" };
	struct seed_network net = {
		.mac = "52:54:00:12:34:56", .ipv4 = "192.0.2.10/24",
		.ipv6 = "2001:db8::10/64", .gateway4 = "192.0.2.1",
		.gateway6 = "2001:db8::1", .resolvers = resolvers, .nresolvers = 2,
	};
	struct seed_input in = {
		.instance_id = "srv-srv_0123456789abcdef-3", .hostname = "web-1.example.com",
		.password_hash = "$y$j9T$salt$hash", .ssh_keys = keys, .nssh_keys = 2,
		.net = &net,
	};
	char *meta, *user, *network;

	ck_assert_int_eq(seed_text(&in, &meta, &user, &network), 0);
	ck_assert_str_eq(meta,
		"instance-id: 'srv-srv_0123456789abcdef-3'\n"
		"local-hostname: 'web-1.example.com'\n");
	ck_assert_str_eq(user,
		"#cloud-config\n"
		"hostname: 'web-1.example.com'\n"
		"manage_etc_hosts: true\n"
		"disable_root: false\n"
		"ssh_pwauth: true\n"
		"users:\n"
		"  - name: root\n"
		"    lock_passwd: false\n"
		"    hashed_passwd: '$y$j9T$salt$hash'\n"
		"    ssh_authorized_keys:\n"
		"      - '" KEY_ED25519 "'\n"
		"      - 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICz/yi9dC0CXuj63d+TPmHnLiuVaVZn7V+zOvLZEOrPo bob''s key'\n");
	ck_assert_str_eq(network,
		"version: 2\n"
		"ethernets:\n"
		"  eth0:\n"
		"    match:\n"
		"      macaddress: '52:54:00:12:34:56'\n"
		"    set-name: 'eth0'\n"
		"    addresses:\n"
		"      - '192.0.2.10/24'\n"
		"      - '2001:db8::10/64'\n"
		"    gateway4: '192.0.2.1'\n"
		"    gateway6: '2001:db8::1'\n"
		"    nameservers:\n"
		"      addresses:\n"
		"        - '192.0.2.53'\n"
		"        - '2001:db8::53'\n");
	free(meta);
	free(user);
	free(network);
}
END_TEST

START_TEST(minimal_seed_text)
{
	struct seed_input in = { .instance_id = "srv-srv_1-1", .hostname = "a" };
	char *meta, *user, *network;

	ck_assert_int_eq(seed_text(&in, &meta, &user, &network), 0);
	ck_assert_str_eq(meta, "instance-id: 'srv-srv_1-1'\nlocal-hostname: 'a'\n");
	ck_assert_str_eq(user,
		"#cloud-config\n"
		"hostname: 'a'\n"
		"manage_etc_hosts: true\n"
		"disable_root: false\n"
		"ssh_pwauth: true\n"
		"users:\n"
		"  - name: root\n"
		"    lock_passwd: false\n");
	ck_assert_ptr_null(network);
	free(meta);
	free(user);
}
END_TEST

START_TEST(password_hash_is_yescrypt_and_verifies)
{
	char hash[PASSWORD_HASH_MAX], again[PASSWORD_HASH_MAX], why[128];

	ck_assert(password_valid("correct horse", why, sizeof(why)));
	ck_assert(!password_valid("short", why, sizeof(why)));
	ck_assert(!password_valid("tab\there!", why, sizeof(why)));
	ck_assert(!password_valid("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", why, sizeof(why)));
	ck_assert_int_eq(password_hash("correct horse", hash), 0);
	ck_assert_int_eq(strncmp(hash, "$y$", 3), 0);
	ck_assert_ptr_null(strstr(hash, "correct horse"));
	ck_assert(password_verify("correct horse", hash));
	ck_assert(!password_verify("correct horsf", hash));
	/* A fresh salt each time. */
	ck_assert_int_eq(password_hash("correct horse", again), 0);
	ck_assert_str_ne(hash, again);
}
END_TEST

START_TEST(ssh_keys)
{
	char why[256];

	ck_assert(ssh_key_valid(KEY_ED25519, why, sizeof(why)));
	ck_assert(ssh_key_valid("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICz/yi9dC0CXuj63d+TPmHnLiuVaVZn7V+zOvLZEOrPo",
				why, sizeof(why)));
	/* The blob says ed25519, the line says rsa. */
	ck_assert(!ssh_key_valid("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB",
				 why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "ssh-rsa"));
	ck_assert(!ssh_key_valid("ssh-dss AAAAB3NzaC1kc3M= x", why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "allowed type"));
	ck_assert(!ssh_key_valid("ssh-ed25519", why, sizeof(why)));
	ck_assert(!ssh_key_valid("ssh-ed25519 !!!notbase64", why, sizeof(why)));
	ck_assert(!ssh_key_valid("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 x", why, sizeof(why)));
	ck_assert(!ssh_key_valid(KEY_ED25519 "\nssh-ed25519 AAAA", why, sizeof(why)));
	/* Security keys by their suffix. */
	ck_assert(!ssh_key_valid("sk-ssh-ed25519@openssh.com AAAAC3NzaC1lZDI1NTE5AAAAICz/yi9dC0CXuj63d+TPmHnLiuVaVZn7V+zOvLZEOrPo",
				 why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "does not decode to a sk-ssh-ed25519@openssh.com"));
}
END_TEST

/* The image: FAT labelled CIDATA holding the files (mtools reads it). */
START_TEST(seed_image)
{
	char dir[] = "/tmp/provisiond-seedtest-XXXXXX", path[128], out[4096], err[256];
	struct seed_input in = { .instance_id = "srv-srv_1-2", .hostname = "h.example" };
	const char *label[] = { "/usr/bin/mlabel", "-i", path, "-s", "::", NULL };
	const char *type[] = { "/usr/bin/mtype", "-i", path, "::meta-data", NULL };
	const char *dirl[] = { "/usr/bin/mdir", "-i", path, "-b", "::", NULL };
	struct stat st;

	if (access(SEED_MKFS_VFAT, X_OK) || access(SEED_MCOPY, X_OK) ||
	    access("/usr/bin/mtype", X_OK))
		return;		/* dosfstools / mtools not installed here */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/seed.img", dir);
	ck_assert_int_eq(seed_image_write(&in, path, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq((int)st.st_size, 2 * 1024 * 1024);
	ck_assert_int_eq(spawn_run(label, 10, out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(out, "CIDATA"));
	ck_assert_int_eq(spawn_run(type, 10, out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "instance-id: 'srv-srv_1-2'\nlocal-hostname: 'h.example'\n");
	ck_assert_int_eq(spawn_run(dirl, 10, out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(out, "user-data"));
	ck_assert_ptr_null(strstr(out, "network-config"));
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *seed_suite(void)
{
	Suite *s = suite_create("seed");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, full_seed_text);
	tcase_add_test(tc, minimal_seed_text);
	tcase_add_test(tc, password_hash_is_yescrypt_and_verifies);
	tcase_add_test(tc, ssh_keys);
	tcase_add_test(tc, seed_image);
	suite_add_tcase(s, tc);
	return s;
}
