// SPDX-License-Identifier: GPL-2.0-only
/*
 * volume_store.h - how a root volume is made from its template, as a table
 * of functions (like hv_backend.h).
 *
 * The product's store is "reflink" (volume_reflink.c): the template is
 * cloned with the FICLONE ioctl, a copy-on-write clone whose cost is the
 * template's extents, not its bytes; it needs a pool on a filesystem that
 * shares extents (XFS with reflink=1, btrfs) and the template on that same
 * filesystem.  The API tests' binary also has "copy"
 * (tests/api/testhv/volume_copy.c), a sparse copy for host filesystems
 * without reflink; the product binary never contains it (it links
 * volume_stores.c, the tests' binary testhv_volume_stores.c).
 */
#ifndef PROVISIOND_VOLUME_STORE_H
#define PROVISIOND_VOLUME_STORE_H

#include <stddef.h>

struct volume_store {
	const char *name;
	/*
	 * Whether volumes can be made in the pool directory: 0, or -1 with
	 * why filled in ("/data/volumes: the filesystem cannot share
	 * extents (FICLONE: Operation not supported) ...").
	 */
	int (*check_pool)(const char *pool, char *why, size_t len);
	/*
	 * dst, which must not exist, becomes a file with src's contents.
	 * 0, or -1 with why filled in.  dst is left behind on failure only if
	 * it was made (the caller removes it).
	 */
	int (*clone)(const char *src, const char *dst, char *why, size_t len);
};

/* The binary's stores, NULL-terminated: volume_stores.c in the product,
 * tests/api/testhv/testhv_volume_stores.c in provisiond-testhv. */
extern const struct volume_store *const volume_stores[];

/* The store called name, or NULL with err naming the ones there are. */
const struct volume_store *volume_store_find(const char *name, char *err,
					     size_t errlen);

/* The product's store (volume_reflink.c). */
extern const struct volume_store volume_store_reflink;

#endif
