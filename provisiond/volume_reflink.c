// SPDX-License-Identifier: GPL-2.0-only
/*
 * volume_reflink.c - the product's volume store: a root volume is a
 * copy-on-write clone of its template made with the FICLONE ioctl.
 *
 * The clone shares the template's extents: it costs metadata, in time
 * proportional to the number of extents, and no data is copied; a write
 * to either file later gets its own blocks.  Only filesystems that share
 * extents can do it (XFS with reflink=1, btrfs), and only within one
 * filesystem: the template must live on the pool's filesystem.  Why not
 * LVM thin volumes: docs/volumes.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/fs.h>

#include "volume_store.h"

static int reflink_clone(const char *src, const char *dst, char *why, size_t len)
{
	int in, out, rc = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(why, len, "%s: %s", src, strerror(errno));
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		snprintf(why, len, "%s: %s", dst, strerror(errno));
		close(in);
		return -1;
	}
	if (ioctl(out, FICLONE, in) < 0) {
		int e = errno;

		if (e == EXDEV)
			snprintf(why, len, "cannot clone %s into %s: the template must be on "
				 "the volume pool's filesystem", src, dst);
		else if (e == EOPNOTSUPP || e == EINVAL || e == ENOTTY)
			snprintf(why, len, "cannot clone %s into %s: the filesystem cannot "
				 "share extents (FICLONE: %s); the pool needs XFS with "
				 "reflink=1 or btrfs", src, dst, strerror(e));
		else
			snprintf(why, len, "cannot clone %s into %s: %s", src, dst,
				 strerror(e));
		rc = -1;
	} else if (fsync(out) < 0) {
		snprintf(why, len, "%s: fsync: %s", dst, strerror(errno));
		rc = -1;
	}
	close(out);
	close(in);
	return rc;
}

/* Clones a small file of our own within the pool, and removes both. */
static int reflink_check_pool(const char *pool, char *why, size_t len)
{
	char src[1100], dst[1100], block[4096];
	int fd, rc;

	snprintf(src, sizeof(src), "%s/.reflink-check-%d", pool, (int)getpid());
	snprintf(dst, sizeof(dst), "%s/.reflink-check-%d.clone", pool, (int)getpid());
	unlink(src);
	unlink(dst);
	fd = open(src, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, len, "volume pool %s: %s", pool, strerror(errno));
		return -1;
	}
	memset(block, 0x5a, sizeof(block));
	rc = write(fd, block, sizeof(block)) == (ssize_t)sizeof(block) ? 0 : -1;
	if (rc)
		snprintf(why, len, "volume pool %s: write: %s", pool, strerror(errno));
	close(fd);
	if (rc == 0) {
		char inner[900];

		rc = reflink_clone(src, dst, inner, sizeof(inner));
		if (rc)
			snprintf(why, len, "volume pool %s cannot make copy-on-write "
				 "clones: %s", pool, inner);
	}
	unlink(dst);
	unlink(src);
	return rc;
}

const struct volume_store volume_store_reflink = {
	.name = "reflink",
	.check_pool = reflink_check_pool,
	.clone = reflink_clone,
};
