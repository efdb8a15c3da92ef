/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blk_req.h - a virtio-blk request as read from a descriptor chain: the
 * checks of virtio 1.2 5.2.6 done once, before any I/O (blk_req.c).
 * Internal to devices/blk/.
 */
#ifndef DOM0_DEVICES_BLK_REQ_H
#define DOM0_DEVICES_BLK_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_blk.h>

#include "aio.h"
#include "blk.h"
#include "virtqueue.h"

/* What the parser found the disk to be. */
struct blk_geometry {
	uint64_t capacity;		/* 512-byte sectors */
	bool read_only;
	uint32_t max_ranges_sectors;	/* per DISCARD/WRITE_ZEROES range */
	const char *serial;		/* up to VIRTIO_BLK_ID_BYTES, NUL-ended */
};

struct blk_req {
	struct aio_op op;		/* first: the completion finds us */
	struct vdev *dev;
	unsigned queue;
	bool in_use;
	uint16_t head;			/* chain id for the used ring */
	uint32_t type;			/* VIRTIO_BLK_T_* */
	uint64_t sector;
	uint64_t data_len;		/* bytes of data to move */
	uint8_t *status;		/* guest's status byte, or NULL */
	uint32_t written;		/* used length when it succeeds */
	unsigned pending;		/* operations still in flight */
	bool failed;			/* one of them failed */
	unsigned niov;
	struct iovec iov[VQ_MAX_SEGMENTS];
	unsigned nranges;
	struct virtio_blk_discard_write_zeroes ranges[BLK_RANGES_MAX];
};

/*
 * Reads chain c into r (head, type, sector, data iovecs, ranges, status).
 * Returns VIRTIO_BLK_S_OK when the request is well-formed and needs I/O
 * (or GET_ID, already answered into guest memory: r->pending 0), else the
 * status to answer at once (IOERR, UNSUPP); r->status is NULL when the
 * chain has no byte to put a status in.
 */
uint8_t blk_req_parse(struct blk_req *r, const struct vq_chain *c,
		      const struct blk_geometry *g);

#endif
