/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sandboxed child's confinement (see sandbox.c).
 */
#ifndef BOOTLOADER_SANDBOX_H
#define BOOTLOADER_SANDBOX_H

#include <stdint.h>

/* The child's resource limits. */
#define SANDBOX_ADDRESS_SPACE	(1ull << 30)	/* RLIMIT_AS: 1 GiB */
#define SANDBOX_CPU_SECONDS	60		/* RLIMIT_CPU */
#define SANDBOX_OPEN_FILES	16		/* RLIMIT_NOFILE */

struct sandbox_fds {
	int image_fd;		/* read with pread only */
	int kernel_fd;		/* written */
	int initrd_fd;		/* written */
};

/*
 * Sets the limits (RLIMIT_FSIZE = max_file_bytes), no_new_privs and a
 * seccomp filter that allows only what reading the image and writing the
 * two files needs, on those fds.  Returns 0, or -1 after printing why.
 */
int sandbox_enter(const struct sandbox_fds *fds, uint64_t max_file_bytes);

#endif
