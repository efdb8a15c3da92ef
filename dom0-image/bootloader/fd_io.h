/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A read-only libext2fs I/O manager over a file descriptor that is already
 * open, so that opening and reading the filesystem needs no open() (the
 * sandbox forbids it) and can never write: every write entry point fails.
 */
#ifndef BOOTLOADER_FD_IO_H
#define BOOTLOADER_FD_IO_H

#include <ext2fs/ext2fs.h>

/*
 * The manager to pass to ext2fs_open2; it reads from fd (the name given to
 * ext2fs_open2 is only a label for messages).  One image per process.
 */
io_manager fd_io_manager(int fd);

#endif
