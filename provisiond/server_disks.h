// SPDX-License-Identifier: GPL-2.0-only
/*
 * server_disks.h - a server's disks as its jobs see them: making the
 * volume files its rows promise, removing them, handing them to the
 * domain, and reading the kernel to boot from the root disk.
 */
#ifndef PROVISIOND_SERVER_DISKS_H
#define PROVISIOND_SERVER_DISKS_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "hv_backend.h"
#include "volume.h"

struct boot_settings {
	const char *bootloader;		/* hv-bootloader ROOT_IMAGE OUT_DIR */
	int timeout_s;			/* how long a first boot may take */
};

extern struct boot_settings boot_settings;

/* A server's disks in guest order (root, data, seed), for a domain. */
struct server_disks {
	struct hvb_disk disk[HVB_DISKS_MAX];
	char path[HVB_DISKS_MAX][VOLUME_PATH_MAX];
	unsigned count;
	int root;			/* index of the root disk, -1 if none */
};

/*
 * Makes every pending volume of server_id (root: cloned from its
 * template; data: ext4; seed: written by seed.c) and marks it ready.
 * Idempotent: a ready volume whose file exists is left alone, except that
 * a root or data file smaller than its row's size (a change of plan grew
 * the row) is grown to it.  0, or -1 with why.
 */
int server_disks_make(const char *server_id, char *why, size_t len);

/*
 * Writes the server's seed image to path from its row as db sees it
 * (hostname, password hash, SSH keys, seed generation: instance-id
 * "srv-<id>-<generation>").  0, or -1 with why.
 */
int server_seed_write(sqlite3 *db, const char *server_id, const char *path,
		      char *why, size_t len);

/*
 * A reinstall's disks: makes the staged root volume root_id (a fresh
 * clone) and swaps it in for the old root in one transaction (with the
 * server's new template_id, hostname if not NULL, and a new seed
 * generation), then removes the old root's file; formats the data volume
 * again if asked; writes the new seed.  A failure before the swap leaves
 * the old root in place.  Idempotent: a root already swapped in is not
 * made again.  0, or -1 with why.
 */
int server_disks_reinstall(const char *server_id, const char *root_id,
			   const char *template_id, const char *hostname,
			   bool format_data, char *why, size_t len);

/* Removes the server's volume files, then their rows, and its boot
 * directory.  Idempotent.  0, or -1 with why. */
int server_disks_remove(const char *server_id, char *why, size_t len);

/* The server's disks (ready ones), with the plan's I/O quotas. */
int server_disks_load(const char *server_id, struct server_disks *out, char *why,
		      size_t len);

/*
 * Runs the bootloader on root_path into the server's boot directory
 * (<pool>/boot-<server id>/): kernel and initrd ("" if none) are the files
 * it wrote.  0; 1 with why = the bootloader's own error line (the root
 * disk holds no bootable kernel); -1 with why (could not run it).
 */
int server_boot_files(const char *server_id, const char *root_path,
		      char kernel[VOLUME_PATH_MAX], char initrd[VOLUME_PATH_MAX],
		      char *why, size_t len);

#endif
