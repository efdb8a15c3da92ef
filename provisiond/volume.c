// SPDX-License-Identifier: GPL-2.0-only
/*
 * volume.c - volume files in the pool (see volume.h, docs/volumes.md).
 *
 * A volume file appears under its final name only when it is complete:
 * it is made as "<name>.tmp", sized, fsync'd and renamed.  So a crash
 * leaves either no file, a .tmp the next attempt (or the reconciler)
 * removes, or a complete volume.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "log.h"
#include "subprocess.h"
#include "util.h"
#include "volume.h"

#define MKE2FS_TIMEOUT_S	600

struct volume_settings volume_settings;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

const struct volume_store *volume_store_find(const char *name, char *err,
					     size_t errlen)
{
	char have[128] = "";

	for (size_t i = 0; volume_stores[i]; i++) {
		if (strcmp(volume_stores[i]->name, name) == 0)
			return volume_stores[i];
		snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s",
			 have[0] ? ", " : "", volume_stores[i]->name);
	}
	snprintf(err, errlen, "unknown volume store '%s' (this provisiond has: %s%s)",
		 name, have, strcmp(name, "copy") == 0 ?
		 "; the copy test double is built only into provisiond-testhv" : "");
	return NULL;
}

void volume_path(const char *volume_id, char out[VOLUME_PATH_MAX])
{
	snprintf(out, VOLUME_PATH_MAX, "%s/%s.img", volume_settings.pool, volume_id);
}

bool volume_file_name(const char *name)
{
	size_t n = strlen(name);

	if (n >= 8 && strcmp(name + n - 8, ".img.tmp") == 0)
		n -= 4;
	if (n != 4 + 16 + 4 || strncmp(name, "vol_", 4) != 0 ||
	    strncmp(name + 20, ".img", 4) != 0)
		return false;
	for (size_t i = 4; i < 20; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return false;
	return true;
}

bool volume_capacity_ok(uint64_t pool_bytes, uint64_t free_bytes, double overcommit,
			uint64_t provisioned, uint64_t new_bytes, unsigned new_count,
			uint64_t data_bytes, char *why, size_t len)
{
	double limit = (double)pool_bytes * overcommit;
	uint64_t metadata = (uint64_t)new_count * VOLUME_METADATA_BYTES + data_bytes / 64;

	if ((double)provisioned + (double)new_bytes > limit) {
		snprintf(why, len, "the volume pool cannot hold %.1f GiB more: %.1f GiB "
			 "of %.1f GiB (pool size x overcommit %.2f) are provisioned",
			 (double)new_bytes / GIB, (double)provisioned / GIB, limit / GIB,
			 overcommit);
		return false;
	}
	if (free_bytes < metadata) {
		snprintf(why, len, "the volume pool has %.1f MiB free; the new volumes "
			 "need %.1f MiB at once", (double)free_bytes / (1024 * 1024),
			 (double)metadata / (1024 * 1024));
		return false;
	}
	return true;
}

int volume_pool_space(uint64_t *size, uint64_t *avail, char *why, size_t len)
{
	struct statvfs vfs;

	if (statvfs(volume_settings.pool, &vfs) < 0) {
		snprintf(why, len, "volume pool %s: %s", volume_settings.pool,
			 strerror(errno));
		return -1;
	}
	*size = (uint64_t)vfs.f_blocks * vfs.f_frsize;
	*avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	return 0;
}

int volume_pool_check(void)
{
	char why[512];
	int rc = 0;

	pthread_mutex_lock(&pool_lock);
	if (!volume_settings.pool_ok) {
		/* The pool directory is provisiond's: made if it is missing
		 * (its parent, the data disk's mount, must exist). */
		if (mkdir(volume_settings.pool, 0700) < 0 && errno != EEXIST)
			log_debug("volume pool %s: %s", volume_settings.pool,
				  strerror(errno));
		rc = volume_settings.store->check_pool(volume_settings.pool, why, sizeof(why));
		volume_settings.pool_ok = rc == 0;
		str_copy(volume_settings.pool_problem, rc ? why : "",
			 sizeof(volume_settings.pool_problem));
		if (rc)
			log_warn("%s", why);
	}
	pthread_mutex_unlock(&pool_lock);
	return rc;
}

static void tmp_path(const char *path, char out[VOLUME_PATH_MAX + 8])
{
	snprintf(out, VOLUME_PATH_MAX + 8, "%s.tmp", path);
}

/* Grows fd to size (sparse), fsyncs it, renames tmp to path. */
static int finish(int fd, const char *tmp, const char *path, uint64_t size,
		  char *why, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) < 0 ||
	    ((uint64_t)st.st_size < size && ftruncate(fd, (off_t)size) < 0) ||
	    fsync(fd) < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (rename(tmp, path) < 0) {
		snprintf(why, len, "rename %s: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

/* finish() on the made file tmp; it is removed if that fails. */
static int finish_tmp(const char *tmp, const char *path, uint64_t size,
		      char *why, size_t len)
{
	int fd = open(tmp, O_WRONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	rc = finish(fd, tmp, path, size, why, len);
	close(fd);
	if (rc)
		unlink(tmp);
	return rc;
}

int volume_make_root(const char *template_path, const char *path,
		     uint64_t size_bytes, char *why, size_t len)
{
	char tmp[VOLUME_PATH_MAX + 8];

	tmp_path(path, tmp);
	unlink(tmp);
	if (volume_settings.store->clone(template_path, tmp, why, len) < 0) {
		unlink(tmp);
		return -1;
	}
	return finish_tmp(tmp, path, size_bytes, why, len);
}

int volume_make_data(const char *path, uint64_t size_bytes, char *why, size_t len)
{
	char tmp[VOLUME_PATH_MAX + 8], err[512];
	const char *argv[] = { volume_settings.mke2fs, "-t", "ext4", "-L", "data",
			       "-q", "-F", tmp, NULL };
	int fd, rc;

	tmp_path(path, tmp);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size_bytes) < 0) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	rc = spawn_run(argv, MKE2FS_TIMEOUT_S, NULL, 0, err, sizeof(err));
	if (rc != 0) {
		snprintf(why, len, "mke2fs %s: %s%s", tmp, rc > 0 ? "failed: " : "", err);
		unlink(tmp);
		return -1;
	}
	return finish_tmp(tmp, path, size_bytes, why, len);
}

int volume_grow(const char *path, uint64_t size_bytes, char *why, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	int rc = 0;

	if (fd < 0 || fstat(fd, &st) < 0 ||
	    ((uint64_t)st.st_size < size_bytes &&
	     (ftruncate(fd, (off_t)size_bytes) < 0 || fsync(fd) < 0))) {
		snprintf(why, len, "grow %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int volume_remove(const char *path, char *why, size_t len)
{
	char tmp[VOLUME_PATH_MAX + 8];

	tmp_path(path, tmp);
	if ((unlink(tmp) < 0 && errno != ENOENT) || (unlink(path) < 0 && errno != ENOENT)) {
		snprintf(why, len, "remove %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
