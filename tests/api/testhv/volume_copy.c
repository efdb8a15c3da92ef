// SPDX-License-Identifier: GPL-2.0-only
/*
 * volume_copy.c - TEST DOUBLE of the reflink volume store, for the API
 * tests on host filesystems that cannot share extents (ext4, tmpfs): a
 * sparse copy, data extents found with SEEK_DATA / SEEK_HOLE, holes left
 * as holes.  Only provisiond-testhv contains it (testhv_volume_stores.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "volume_store.h"

static int copy_range(int in, int out, off_t from, off_t to)
{
	char buf[65536];

	while (from < to) {
		size_t want = (size_t)(to - from) < sizeof(buf) ? (size_t)(to - from) : sizeof(buf);
		ssize_t n = pread(in, buf, want, from);

		if (n <= 0)
			return -1;
		if (pwrite(out, buf, (size_t)n, from) != n)
			return -1;
		from += n;
	}
	return 0;
}

static int copy_clone(const char *src, const char *dst, char *why, size_t len)
{
	struct stat st;
	off_t data = 0, hole;
	int in, out, rc = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0) {
		snprintf(why, len, "%s: %s", src, strerror(errno));
		if (in >= 0)
			close(in);
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		snprintf(why, len, "%s: %s", dst, strerror(errno));
		close(in);
		return -1;
	}
	while (rc == 0 && (data = lseek(in, data, SEEK_DATA)) >= 0) {
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0 || copy_range(in, out, data, hole) < 0)
			rc = -1;
		data = hole;
	}
	if (rc == 0 && (ftruncate(out, st.st_size) < 0 || fsync(out) < 0))
		rc = -1;
	if (rc)
		snprintf(why, len, "copy %s to %s: %s", src, dst, strerror(errno));
	close(out);
	close(in);
	return rc;
}

static int copy_check_pool(const char *pool, char *why, size_t len)
{
	if (access(pool, W_OK | X_OK) < 0) {
		snprintf(why, len, "volume pool %s: %s", pool, strerror(errno));
		return -1;
	}
	return 0;
}

const struct volume_store volume_store_copy = {
	.name = "copy",
	.check_pool = copy_check_pool,
	.clone = copy_clone,
};
