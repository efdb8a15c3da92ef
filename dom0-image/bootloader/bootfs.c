// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finds and copies the kernel and initrd of a customer's ext4 root volume.
 *
 * The filesystem is hostile input.  What this file promises:
 * - Names are resolved inside the filesystem only, one component at a time
 *   with ext2fs_lookup: a symlink's absolute target starts again at the
 *   volume's root, ".." in the root stays at the root (we keep the stack of
 *   directories walked, so ".." is never looked up on disk), at most
 *   BOOTFS_MAX_SYMLINK_HOPS symlinks per name, fast, slow and inline ones.
 * - What a name ends at must be a regular file, not empty, within its
 *   limit; every byte of it up to i_size must be readable (a block past the
 *   end of the image is an error, a hole reads as zeros as in Linux).
 * - A name is "absent" only when a component of the name as written does
 *   not exist (/boot/initrd.img with no initrd.img in /boot, even if /boot
 *   is a symlink to a directory); a component that comes from a symlink's
 *   target and does not exist makes a dangling link, an error.  So a broken
 *   /boot/initrd.img link fails the boot instead of silently booting
 *   without the initrd.
 * - Nothing is written to the volume (fd_io.c refuses writes).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <et/com_err.h>
#include <ext2fs/ext2fs.h>

#include "bootfs.h"
#include "fd_io.h"

/* Longest name or symlink target we resolve (Linux's PATH_MAX). */
#define BOOTFS_PATH_MAX		4096
/* Directories deep a name may go. */
#define BOOTFS_MAX_DEPTH	64

enum resolve_result {
	RESOLVED,
	ABSENT,		/* the name as written does not exist */
	FAILED,		/* an error, already printed */
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write: the parent passes our stderr through as is. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

/* A symlink's target into buf (NUL-terminated).  Returns 0 or -1. */
static int read_symlink(ext2_filsys fs, ext2_ino_t ino,
			struct ext2_inode *inode, const char *path, char *buf)
{
	uint64_t size = EXT2_I_SIZE(inode);
	ext2_file_t file;
	unsigned int got = 0;
	errcode_t err;

	if (size == 0 || size >= BOOTFS_PATH_MAX) {
		say("hv-bootloader: symlink %s has a target of %" PRIu64
		    " bytes", path, size);
		return -1;
	}
	if (ext2fs_is_fast_symlink(inode)) {
		/* The target is stored in the inode's block pointers. */
		memcpy(buf, (const char *)inode->i_block, size);
	} else {
		/* Slow (data block) and inline-data symlinks. */
		err = ext2fs_file_open2(fs, ino, inode, 0, &file);
		if (!err) {
			err = ext2fs_file_read(file, buf, (unsigned int)size,
					       &got);
			ext2fs_file_close(file);
		}
		if (err || got != size) {
			say("hv-bootloader: cannot read symlink %s: %s", path,
			    err ? error_message(err) : "truncated");
			return -1;
		}
	}
	buf[size] = '\0';
	if (strlen(buf) != size) {
		say("hv-bootloader: symlink %s has a NUL in its target", path);
		return -1;
	}
	return 0;
}

/*
 * Resolves name (absolute, as inside the volume) to a regular file's inode.
 * what is "kernel" or "initrd", for messages.
 */
static enum resolve_result resolve(ext2_filsys fs, const char *name,
				   const char *what, ext2_ino_t *out,
				   struct ext2_inode *out_inode)
{
	/* rest holds the components still to walk, starting at pos. */
	static char rest[2 * BOOTFS_PATH_MAX + 2];
	static char target[BOOTFS_PATH_MAX];
	ext2_ino_t stack[BOOTFS_MAX_DEPTH] = { EXT2_ROOT_INO };
	unsigned int depth = 1, hops = 0;
	/* rest[written..] is what is left of the name as written. */
	size_t pos = 0, written = 0;

	snprintf(rest, sizeof(rest), "%s", name);
	for (;;) {
		struct ext2_inode inode;
		ext2_ino_t dir = stack[depth - 1], ino;
		size_t len, next, tlen, rlen;
		errcode_t err;
		bool last;

		while (rest[pos] == '/')
			pos++;
		if (rest[pos] == '\0') {
			/* The name ends at a directory ("/", "a/.."). */
			say("hv-bootloader: %s %s is not a regular file "
			    "(a directory)", what, name);
			return FAILED;
		}
		len = strcspn(rest + pos, "/");
		next = pos + len;
		while (rest[next] == '/')
			next++;
		last = rest[next] == '\0';

		if ((len == 1 && rest[pos] == '.') ||
		    (len == 2 && rest[pos] == '.' && rest[pos + 1] == '.')) {
			/* ".." pops our own stack; it stops at the root. */
			if (len == 2 && depth > 1)
				depth--;
			if (last) {
				say("hv-bootloader: %s %s is not a regular "
				    "file (a directory)", what, name);
				return FAILED;
			}
			pos = next;
			continue;
		}
		if (len > EXT2_NAME_LEN) {
			say("hv-bootloader: %s %s: a name component is longer "
			    "than %d bytes", what, name, EXT2_NAME_LEN);
			return FAILED;
		}
		err = ext2fs_lookup(fs, dir, rest + pos, (int)len, NULL, &ino);
		if (err == EXT2_ET_FILE_NOT_FOUND) {
			if (pos >= written)
				return ABSENT;
			say("hv-bootloader: %s %s is a dangling symlink "
			    "(%.*s does not exist)", what, name, (int)len,
			    rest + pos);
			return FAILED;
		}
		if (err) {
			say("hv-bootloader: cannot look up %s %s: %s (corrupt "
			    "filesystem)", what, name, error_message(err));
			return FAILED;
		}
		err = ext2fs_read_inode(fs, ino, &inode);
		if (err) {
			say("hv-bootloader: cannot read the inode of %s %s: "
			    "%s (corrupt filesystem)", what, name,
			    error_message(err));
			return FAILED;
		}

		if (LINUX_S_ISLNK(inode.i_mode)) {
			if (++hops > BOOTFS_MAX_SYMLINK_HOPS) {
				say("hv-bootloader: %s %s: more than %d "
				    "symlinks (a loop or too deep)", what, name,
				    BOOTFS_MAX_SYMLINK_HOPS);
				return FAILED;
			}
			if (read_symlink(fs, ino, &inode, name, target))
				return FAILED;
			/* Walk the target, then what followed the link. */
			tlen = strlen(target);
			rlen = strlen(rest + next);
			if (tlen + 1 + rlen >= sizeof(rest)) {
				say("hv-bootloader: %s %s: path too long",
				    what, name);
				return FAILED;
			}
			memmove(rest + tlen + 1, rest + next, rlen + 1);
			memcpy(rest, target, tlen);
			rest[tlen] = '/';
			written = tlen + 1 + (written > next ? written - next : 0);
			pos = 0;
			if (target[0] == '/')
				depth = 1;
			continue;
		}
		if (last) {
			if (!LINUX_S_ISREG(inode.i_mode)) {
				say("hv-bootloader: %s %s is not a regular "
				    "file (%s)", what, name,
				    LINUX_S_ISDIR(inode.i_mode) ? "a directory" :
				    LINUX_S_ISCHR(inode.i_mode) ? "a character device" :
				    LINUX_S_ISBLK(inode.i_mode) ? "a block device" :
				    LINUX_S_ISFIFO(inode.i_mode) ? "a fifo" :
				    LINUX_S_ISSOCK(inode.i_mode) ? "a socket" :
				    "an unknown file type");
				return FAILED;
			}
			*out = ino;
			*out_inode = inode;
			return RESOLVED;
		}
		if (!LINUX_S_ISDIR(inode.i_mode)) {
			say("hv-bootloader: %s %s: %.*s is not a directory",
			    what, name, (int)len, rest + pos);
			return FAILED;
		}
		if (depth == BOOTFS_MAX_DEPTH) {
			say("hv-bootloader: %s %s: more than %d directories "
			    "deep", what, name, BOOTFS_MAX_DEPTH);
			return FAILED;
		}
		stack[depth++] = ino;
		pos = next;
	}
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copies a regular file's i_size bytes to out_fd.  Returns 0 or 1. */
static int copy_file(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *inode,
		     const char *what, const char *name, uint64_t max,
		     int out_fd)
{
	static char buf[64 * 1024];
	uint64_t size = EXT2_I_SIZE(inode), done = 0;
	ext2_file_t file;
	errcode_t err;

	if (size == 0) {
		say("hv-bootloader: %s %s is empty", what, name);
		return 1;
	}
	if (size > max) {
		say("hv-bootloader: %s %s is %" PRIu64 " bytes, more than the "
		    "limit of %" PRIu64, what, name, size, max);
		return 1;
	}
	err = ext2fs_file_open2(fs, ino, inode, 0, &file);
	if (err) {
		say("hv-bootloader: cannot open %s %s: %s", what, name,
		    error_message(err));
		return 1;
	}
	while (done < size) {
		unsigned int want = size - done < sizeof(buf) ?
				    (unsigned int)(size - done) : sizeof(buf);
		unsigned int got = 0;

		err = ext2fs_file_read(file, buf, want, &got);
		if (err || got == 0) {
			say("hv-bootloader: %s %s is truncated: %" PRIu64
			    " of its %" PRIu64 " bytes readable (%s)", what,
			    name, done, size,
			    err ? error_message(err) : "end of file");
			ext2fs_file_close(file);
			return 1;
		}
		if (write_all(out_fd, buf, got)) {
			say("hv-bootloader: cannot write the %s: %s", what,
			    strerror(errno));
			ext2fs_file_close(file);
			return 1;
		}
		done += got;
	}
	ext2fs_file_close(file);
	return 0;
}

/*
 * The first of names that exists, copied to out_fd.  Returns 0, 1 (error,
 * printed) or 2 (none exists).
 */
static int copy_first(ext2_filsys fs, const char *const names[2],
		      const char *what, uint64_t max, int out_fd)
{
	struct ext2_inode inode;
	ext2_ino_t ino;
	int i;

	for (i = 0; i < 2; i++) {
		switch (resolve(fs, names[i], what, &ino, &inode)) {
		case RESOLVED:
			return copy_file(fs, ino, &inode, what, names[i], max,
					 out_fd);
		case FAILED:
			return 1;
		case ABSENT:
			break;
		}
	}
	return 2;
}

int bootfs_extract(const struct bootfs_request *req)
{
	static const char *const kernel_names[2] = { "/boot/vmlinuz",
						     "/vmlinuz" };
	static const char *const initrd_names[2] = { "/boot/initrd.img",
						     "/initrd.img" };
	ext2_filsys fs;
	errcode_t err;
	int rc;

	initialize_ext2_error_table();
	err = ext2fs_open2(req->image_name, NULL, EXT2_FLAG_64BITS, 0, 0,
			   fd_io_manager(req->image_fd), &fs);
	if (err == EXT2_ET_BAD_MAGIC || err == EXT2_ET_SHORT_READ) {
		say("hv-bootloader: %s holds no ext4 filesystem (%s)",
		    req->image_name, error_message(err));
		return 1;
	}
	if (err) {
		say("hv-bootloader: %s: corrupt or unsupported ext4 "
		    "filesystem: %s", req->image_name, error_message(err));
		return 1;
	}
	rc = copy_first(fs, kernel_names, "kernel", req->max_kernel,
			req->kernel_fd);
	if (rc == 2)
		say("hv-bootloader: no kernel in %s: neither /boot/vmlinuz "
		    "nor /vmlinuz exists", req->image_name);
	if (rc == 0) {
		rc = copy_first(fs, initrd_names, "initrd", req->max_initrd,
				req->initrd_fd);
		if (rc == 2)
			rc = 0;	/* no initrd: the kernel boots without one */
	}
	ext2fs_close_free(&fs);
	return rc ? 1 : 0;
}
