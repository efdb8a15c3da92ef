// SPDX-License-Identifier: GPL-2.0-only
/*
 * volume.h - a server's disks as files in the volume pool: names,
 * capacity, making and removing them.  docs/volumes.md has the design.
 */
#ifndef PROVISIOND_VOLUME_H
#define PROVISIOND_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "volume_store.h"

#define VOLUME_PATH_MAX		1100
#define GIB			(1024ULL * 1024 * 1024)
/* The NoCloud seed: a 2 MiB FAT image (docs/volumes.md, seed.c). */
#define VOLUME_SEED_BYTES	(2ULL * 1024 * 1024)
/* Free space a new volume needs at once, before the guest writes: its
 * inode, extent maps, and for a data volume mke2fs's metadata (about 1.6%
 * of its size with ext4's defaults, counted separately). */
#define VOLUME_METADATA_BYTES	(4ULL * 1024 * 1024)

struct volume_settings {
	const char *pool;		/* directory of the volume files */
	double overcommit;		/* provisioned sizes may reach pool size x this */
	const struct volume_store *store;
	const char *mke2fs;		/* /sbin/mke2fs */
	/* The pool's state as the last check found it (GET /v1/system). */
	bool pool_ok;
	char pool_problem[512];
};

extern struct volume_settings volume_settings;

/* "<pool>/<volume id>.img" into out. */
void volume_path(const char *volume_id, char out[VOLUME_PATH_MAX]);

/* Whether name is the name of a volume file ("vol_<16 hex>.img") or of a
 * file being made for one ("...img.tmp"); the reconciler removes such
 * files that no row names. */
bool volume_file_name(const char *name);

/*
 * Whether new_bytes more (in new_count volumes) fit: the sizes already
 * provisioned plus new_bytes within pool_bytes x overcommit, and free_bytes
 * holding the new volumes' metadata (data_bytes: of which data volumes,
 * which mke2fs writes metadata into).  false with why filled in.
 */
bool volume_capacity_ok(uint64_t pool_bytes, uint64_t free_bytes, double overcommit,
			uint64_t provisioned, uint64_t new_bytes, unsigned new_count,
			uint64_t data_bytes, char *why, size_t len);

/* The pool's size and free space (statvfs).  0, or -1 with why. */
int volume_pool_space(uint64_t *size, uint64_t *avail, char *why, size_t len);

/* Checks the pool with the store (once it passed, it is not checked
 * again); fills in volume_settings.pool_ok / pool_problem.  0 or -1. */
int volume_pool_check(void);

/*
 * Makes path as a clone of template, size_bytes long (never shorter than
 * the template).  Made as path.tmp and renamed: path exists only complete.
 * 0, or -1 with why.
 */
int volume_make_root(const char *template_path, const char *path,
		     uint64_t size_bytes, char *why, size_t len);

/* Makes path as a sparse file of size_bytes formatted ext4, label "data". */
int volume_make_data(const char *path, uint64_t size_bytes, char *why, size_t len);

/*
 * Grows the volume file path to size_bytes (sparse: the new end reads as
 * zeros), never shrinks it; fsync'd.  The guest grows its filesystem into
 * the new space at its next boot.  0, or -1 with why.
 */
int volume_grow(const char *path, uint64_t size_bytes, char *why, size_t len);

/* Removes path (and path.tmp); a missing file is fine.  0 or -1 + why. */
int volume_remove(const char *path, char *why, size_t len);

#endif
