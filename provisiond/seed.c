// SPDX-License-Identifier: GPL-2.0-only
/*
 * seed.c - the NoCloud seed (see seed.h): its three files, and the FAT
 * image that carries them.
 *
 * The text is a fixed subset of YAML that both stock cloud-init and the
 * template's first-boot agent read: every value the caller gave is a
 * single-quoted scalar ('' for a quote), and every value was validated
 * before it got here (no control characters, so no line breaks).  The
 * image is made with dosfstools and mtools, run with posix_spawn and a
 * fixed argv (subprocess.c): no shell ever sees a value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seed.h"
#include "subprocess.h"

#define SEED_TOOL_TIMEOUT_S	30
#define SEED_KIB		"2048"	/* VOLUME_SEED_BYTES, in mkfs.vfat's KiB blocks */

/* A growing string; on allocation failure it stays failed (ok false). */
struct text {
	char *s;
	size_t len, cap;
	bool ok;
};

static void put(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (!t->ok)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->cap ? t->cap * 2 : 512) + n;
		char *p = realloc(t->s, cap);

		if (!p) {
			t->ok = false;
			return;
		}
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

/* prefix 'value' (quotes doubled) and a line end. */
static void quoted_line(struct text *t, const char *prefix, const char *value)
{
	put(t, prefix);
	put(t, "'");
	for (const char *p = value; *p; p++) {
		char c[2] = { *p, '\0' };

		put(t, *p == '\'' ? "''" : c);
	}
	put(t, "'\n");
}

static char *done(struct text *t)
{
	if (!t->ok) {
		free(t->s);
		return NULL;
	}
	return t->s;
}

int seed_text(const struct seed_input *in, char **meta_data, char **user_data,
	      char **network_config)
{
	struct text meta = { .ok = true }, user = { .ok = true }, net = { .ok = true };
	const struct seed_network *n = in->net;

	quoted_line(&meta, "instance-id: ", in->instance_id);
	quoted_line(&meta, "local-hostname: ", in->hostname);

	put(&user, "#cloud-config\n");
	quoted_line(&user, "hostname: ", in->hostname);
	put(&user, "manage_etc_hosts: true\n"
		   "disable_root: false\n"
		   "ssh_pwauth: true\n"
		   "users:\n"
		   "  - name: root\n"
		   "    lock_passwd: false\n");
	if (in->password_hash)
		quoted_line(&user, "    hashed_passwd: ", in->password_hash);
	if (in->nssh_keys) {
		put(&user, "    ssh_authorized_keys:\n");
		for (size_t i = 0; i < in->nssh_keys; i++)
			quoted_line(&user, "      - ", in->ssh_keys[i]);
	}

	*network_config = NULL;
	if (n) {
		put(&net, "version: 2\n"
			  "ethernets:\n"
			  "  eth0:\n"
			  "    match:\n");
		quoted_line(&net, "      macaddress: ", n->mac);
		put(&net, "    set-name: 'eth0'\n");
		if (n->ipv4 || n->ipv6) {
			put(&net, "    addresses:\n");
			if (n->ipv4)
				quoted_line(&net, "      - ", n->ipv4);
			if (n->ipv6)
				quoted_line(&net, "      - ", n->ipv6);
		}
		if (n->gateway4)
			quoted_line(&net, "    gateway4: ", n->gateway4);
		if (n->gateway6)
			quoted_line(&net, "    gateway6: ", n->gateway6);
		if (n->nresolvers) {
			put(&net, "    nameservers:\n"
				  "      addresses:\n");
			for (size_t i = 0; i < n->nresolvers; i++)
				quoted_line(&net, "        - ", n->resolvers[i]);
		}
	}

	*meta_data = done(&meta);
	*user_data = done(&user);
	if (n)
		*network_config = done(&net);
	if (!*meta_data || !*user_data || (n && !*network_config)) {
		free(*meta_data);
		free(*user_data);
		free(*network_config);
		return -1;
	}
	return 0;
}

static int write_file(const char *dir, const char *name, const char *text,
		      char *path, size_t size)
{
	int fd;
	size_t n = strlen(text);

	snprintf(path, size, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, text, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Copies file src into the image as ::name. */
static int mcopy(const char *image, const char *src, const char *name, char *why,
		 size_t len)
{
	char target[64], err[256];
	const char *argv[] = { SEED_MCOPY, "-i", image, src, target, NULL };

	snprintf(target, sizeof(target), "::%s", name);
	if (spawn_run(argv, SEED_TOOL_TIMEOUT_S, NULL, 0, err, sizeof(err)) != 0) {
		snprintf(why, len, "mcopy %s into the seed: %s", name, err);
		return -1;
	}
	return 0;
}

int seed_image_write(const struct seed_input *in, const char *path, char *why,
		     size_t len)
{
	static const char *const names[] = { "meta-data", "user-data", "network-config" };
	char dir[] = "/tmp/provisiond-seed-XXXXXX", tmp[1200], files[3][1100], err[256];
	const char *mkfs[] = { SEED_MKFS_VFAT, "-C", "-n", "CIDATA", tmp, SEED_KIB, NULL };
	char *text[3] = { NULL, NULL, NULL };
	int rc = -1, fd, made = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	if (seed_text(in, &text[0], &text[1], &text[2]) < 0) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	if (!mkdtemp(dir)) {
		snprintf(why, len, "%s: %s", dir, strerror(errno));
		goto out;
	}
	for (int i = 0; i < 3; i++) {
		if (!text[i])
			continue;
		if (write_file(dir, names[i], text[i], files[i], sizeof(files[i])) < 0) {
			snprintf(why, len, "%s: %s", files[i], strerror(errno));
			goto out;
		}
		made |= 1 << i;
	}
	if (spawn_run(mkfs, SEED_TOOL_TIMEOUT_S, NULL, 0, err, sizeof(err)) != 0) {
		snprintf(why, len, "mkfs.vfat %s: %s", tmp, err);
		goto out;
	}
	for (int i = 0; i < 3; i++)
		if (text[i] && mcopy(tmp, files[i], names[i], why, len) < 0)
			goto out;
	fd = open(tmp, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	for (int i = 0; i < 3; i++) {
		if (made & (1 << i))
			unlink(files[i]);
		free(text[i]);
	}
	rmdir(dir);
	if (rc)
		unlink(tmp);
	return rc;
}
