/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blk.h - virtio-blk (virtio 1.2, 5.2) over a raw file or a block device,
 * served with io_uring straight into guest memory, under two token buckets
 * (bandwidth and requests per second).  The device's promises are written
 * at the top of blk.c.
 */
#ifndef DOM0_DEVICES_BLK_H
#define DOM0_DEVICES_BLK_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "vdev.h"

/* Counters of one disk, monotonic for the domain's life. */
struct blk_stats {
	uint64_t read_bytes, write_bytes;
	uint64_t read_ops, write_ops;	/* write_ops includes WRITE_ZEROES */
	uint64_t flush_ops, discard_ops;
	uint64_t throttled_ns;		/* including a wait still going on */
	uint64_t errors;		/* requests answered IOERR or UNSUPP */
};

/* Queue size offered, and the requests one disk keeps in flight at most. */
#define BLK_QUEUE_SIZE		256
/* Segments of a DISCARD or WRITE_ZEROES request. */
#define BLK_RANGES_MAX		16

/*
 * Opens spec->path (read-only if spec->read_only) and makes d the
 * domain's device `index` of type blk: features, configuration, queue.
 * Returns 0, or -errno with a sentence in why.
 */
int blk_create(struct vdev *d, struct backend_env *env, unsigned index,
	       const struct hv_disk_spec *spec, char *why, size_t why_len);

/* New limits (0 = unlimited), with fresh full buckets. */
void blk_set_limits(struct vdev *d, uint64_t bps, uint64_t iops);

void blk_get_stats(const struct vdev *d, struct blk_stats *out);
void blk_get_limits(const struct vdev *d, uint64_t *bps, uint64_t *iops,
		    bool *read_only, const char **path);

/* Whether d is a blk device (for the control channel). */
bool vdev_is_blk(const struct vdev *d);

#endif
