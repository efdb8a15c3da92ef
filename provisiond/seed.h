// SPDX-License-Identifier: GPL-2.0-only
/*
 * seed.h - the NoCloud seed a server boots with: three files (meta-data,
 * user-data, network-config) on a FAT image labelled CIDATA, exactly as
 * the seed contract between provisiond and the template describes them
 * (docs/volumes.md, "The seed").
 */
#ifndef PROVISIOND_SEED_H
#define PROVISIOND_SEED_H

#include <stddef.h>

/* The server's network interface, for network-config (issue 14 fills it
 * in); any string may be NULL (then its line is left out). */
struct seed_network {
	const char *mac;		/* lower case */
	const char *ipv4;		/* "192.0.2.10/24" */
	const char *ipv6;		/* "2001:db8::10/64" */
	const char *gateway4, *gateway6;
	const char *const *resolvers;
	size_t nresolvers;
};

struct seed_input {
	const char *instance_id;	/* "srv-<server id>-<generation>" */
	const char *hostname;		/* validated (RFC 1123) */
	const char *password_hash;	/* crypt(3) yescrypt, or NULL: locked */
	const char *const *ssh_keys;	/* validated key lines */
	size_t nssh_keys;
	const struct seed_network *net;	/* NULL: no network-config */
};

/* The three files' text (malloc'd; *network NULL when there is no
 * interface).  0 or -1 (out of memory). */
int seed_text(const struct seed_input *in, char **meta_data, char **user_data,
	      char **network_config);

/*
 * Writes the seed image to path: made as path.tmp (mkfs.vfat -C -n CIDATA,
 * then mcopy of each file), fsync'd, renamed over path.  0, or -1 with why.
 */
int seed_image_write(const struct seed_input *in, const char *path, char *why,
		     size_t len);

/* The tools it runs (fixed paths; dom0 has them: dom0-image). */
#define SEED_MKFS_VFAT	"/sbin/mkfs.vfat"
#define SEED_MCOPY	"/usr/bin/mcopy"

#endif
