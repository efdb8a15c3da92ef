// SPDX-License-Identifier: GPL-2.0-only
/*
 * subprocess.h - running a helper program (mke2fs, mkfs.vfat, mcopy,
 * hv-bootloader) with a fixed argv: posix_spawn, never a shell, a small
 * fixed environment, stdin from /dev/null, a timeout.
 */
#ifndef PROVISIOND_SUBPROCESS_H
#define PROVISIOND_SUBPROCESS_H

#include <stddef.h>

/*
 * Runs argv[0] (an absolute path) with argv, waits at most timeout_s
 * seconds (then kills it).  Its stdout goes to out (up to outlen - 1
 * bytes, NUL-terminated; the rest is read and dropped), its stderr's
 * first line to err.  Returns its exit status (0..255), or -1 with err
 * saying why (could not start, killed by a signal, timed out).
 */
int spawn_run(const char *const argv[], int timeout_s, char *out, size_t outlen,
	      char *err, size_t errlen);

#endif
