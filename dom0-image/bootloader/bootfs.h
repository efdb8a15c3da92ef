/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading the kernel and initrd out of a customer's ext4 root filesystem
 * (see bootfs.c for the rules).  Runs inside the sandboxed child.
 */
#ifndef BOOTLOADER_BOOTFS_H
#define BOOTLOADER_BOOTFS_H

#include <stdint.h>

/* Symlinks followed while resolving one name, at most. */
#define BOOTFS_MAX_SYMLINK_HOPS	8

struct bootfs_request {
	int image_fd;		/* the volume, open read-only */
	const char *image_name;	/* for messages */
	int kernel_fd;		/* where the kernel's bytes go */
	int initrd_fd;		/* where the initrd's bytes go, if it has one */
	uint64_t max_kernel;	/* bytes */
	uint64_t max_initrd;
};

/*
 * Copies the kernel (/boot/vmlinuz, else /vmlinuz) and the initrd
 * (/boot/initrd.img, else /initrd.img, else none) into the request's fds.
 * Returns 0, or 1 after printing one line on stderr saying why not.
 */
int bootfs_extract(const struct bootfs_request *req);

#endif
