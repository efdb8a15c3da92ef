// SPDX-License-Identifier: GPL-2.0-only
/*
 * A read-only libext2fs I/O manager over one open file descriptor (see
 * fd_io.h).  Reads are pread()s of exactly what libext2fs asks for: a read
 * that ends early (the image is shorter than the filesystem says) is an
 * error, EXT2_ET_SHORT_READ, never zeros.  No cache: the bootloader reads
 * each block about once.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "fd_io.h"

static int image_fd = -1;

static errcode_t fd_io_open(const char *name, int flags, io_channel *channel)
{
	io_channel ch;
	errcode_t err;

	if (flags & IO_FLAG_RW)
		return EXT2_ET_RO_FILSYS;
	if (image_fd < 0)
		return EBADF;
	err = ext2fs_get_memzero(sizeof(*ch), &ch);
	if (err)
		return err;
	err = ext2fs_get_mem(strlen(name) + 1, &ch->name);
	if (err) {
		ext2fs_free_mem(&ch);
		return err;
	}
	strcpy(ch->name, name);
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = fd_io_manager(image_fd);
	ch->block_size = 1024;
	ch->refcount = 1;
	*channel = ch;
	return 0;
}

static errcode_t fd_io_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	ext2fs_free_mem(&ch->name);
	ext2fs_free_mem(&ch);
	return 0;
}

static errcode_t fd_io_set_blksize(io_channel ch, int blksize)
{
	if (blksize <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	ch->block_size = blksize;
	return 0;
}

/* count > 0: that many blocks; count < 0: -count bytes (libext2fs's rule). */
static errcode_t fd_io_read_blk64(io_channel ch, unsigned long long block,
				  int count, void *data)
{
	uint64_t bs = (uint64_t)ch->block_size;
	uint64_t size, offset, done = 0;

	size = count < 0 ? (uint64_t)-(int64_t)count : (uint64_t)count * bs;
	if (block > (uint64_t)INT64_MAX / bs ||
	    block * bs > (uint64_t)INT64_MAX - size)
		return EXT2_ET_LLSEEK_FAILED;
	offset = block * bs;
	while (done < size) {
		ssize_t n = pread(image_fd, (char *)data + done, size - done,
				  (off_t)(offset + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EXT2_ET_SHORT_READ;
		done += (uint64_t)n;
	}
	return 0;
}

static errcode_t fd_io_read_blk(io_channel ch, unsigned long block, int count,
				void *data)
{
	return fd_io_read_blk64(ch, block, count, data);
}

static errcode_t fd_io_write_blk(io_channel ch, unsigned long block,
				 int count, const void *data)
{
	(void)ch; (void)block; (void)count; (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t fd_io_write_blk64(io_channel ch, unsigned long long block,
				   int count, const void *data)
{
	(void)ch; (void)block; (void)count; (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t fd_io_write_byte(io_channel ch, unsigned long offset,
				  int count, const void *data)
{
	(void)ch; (void)offset; (void)count; (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t fd_io_flush(io_channel ch)
{
	(void)ch;
	return 0;
}

static errcode_t fd_io_set_option(io_channel ch, const char *option,
				  const char *arg)
{
	(void)ch; (void)option; (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager fd_io = {
	.magic		= EXT2_ET_MAGIC_IO_MANAGER,
	.name		= "hv-bootloader read-only fd I/O",
	.open		= fd_io_open,
	.close		= fd_io_close,
	.set_blksize	= fd_io_set_blksize,
	.read_blk	= fd_io_read_blk,
	.write_blk	= fd_io_write_blk,
	.flush		= fd_io_flush,
	.write_byte	= fd_io_write_byte,
	.set_option	= fd_io_set_option,
	.read_blk64	= fd_io_read_blk64,
	.write_blk64	= fd_io_write_blk64,
};

io_manager fd_io_manager(int fd)
{
	image_fd = fd;
	return &fd_io;
}
