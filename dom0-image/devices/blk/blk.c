// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-blk (blk.h): the device, its queue and its quotas.
 *
 * What it promises:
 *  - Every request gets an answer, in a status byte written after its data
 *    and before the chain is returned to the used ring: OK, IOERR (bad
 *    request, out of range, write to a read-only disk, I/O error) or
 *    UNSUPP (unknown type, unknown flags).  A malformed ring is not a
 *    request: the virtqueue library reports it and the device stops until
 *    the driver resets it (vdev_queue_failed).
 *  - Durability: FLUSH is an fdatasync (IORING_OP_FSYNC with
 *    IORING_FSYNC_DATASYNC) submitted with IOSQE_IO_DRAIN, so it starts
 *    only after every operation submitted before it has completed; a write
 *    the guest saw completed before it sent FLUSH is on stable storage when
 *    the FLUSH completes.  (The drain is per ring, so it also waits for
 *    other disks' I/O of this domain: a little slower, never wrong.)
 *  - Quotas: each request costs one op and, for IN and OUT, its data bytes.
 *    Both buckets are checked (tb_wait_ns) before either is charged.  A
 *    request that does not fit is parked (popped, not answered, nothing else
 *    popped after it, so order is kept) and d->wake_ns set to the exact ns
 *    its tokens are due; the main loop's timerfd wakes us then.  Nothing is
 *    ever dropped.  The time a request waits parked is throttled_ns.
 *  - Reset: a parked request is forgotten; in-flight I/O is waited for, its
 *    completion writes nothing to the guest, then the reset completes.
 *
 * Buckets: sized by rate_bucket_set() (backend/rate_bucket.h, shared
 * with net), which says why they hold 1/10 s of their rate.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "blk_req.h"
#include "rate_bucket.h"

#define SECTOR		512u

struct blk {
	int fd;
	char path[HV_IO_PATH_MAX];
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	struct blk_geometry geo;
	uint64_t bps, iops;
	struct token_bucket bw, ops;
	struct blk_req *parked;		/* waiting for tokens, or NULL */
	uint64_t parked_since;
	unsigned in_flight;		/* requests submitted to the ring */
	struct blk_stats stats;
	struct vq_chain chain;		/* scratch for vq_pop */
	struct blk_req reqs[BLK_QUEUE_SIZE];
};

static const struct vdev_ops blk_ops;

bool vdev_is_blk(const struct vdev *d)
{
	return d->ops == &blk_ops;
}

void blk_set_limits(struct vdev *d, uint64_t bps, uint64_t iops)
{
	struct blk *b = d->priv;
	uint64_t now = vdev_now(d);

	b->bps = bps;
	b->iops = iops;
	rate_bucket_set(&b->bw, bps, now, false);
	rate_bucket_set(&b->ops, iops, now, false);
	/* A parked request may fit now; the loop runs the queue on wake. */
	if (b->parked)
		d->wake_ns = now ? now : 1;
}

void blk_get_stats(const struct vdev *d, struct blk_stats *out)
{
	const struct blk *b = d->priv;

	*out = b->stats;
	if (b->parked)
		out->throttled_ns += vdev_now(d) - b->parked_since;
}

void blk_get_limits(const struct vdev *d, uint64_t *bps, uint64_t *iops,
		    bool *read_only, const char **path)
{
	const struct blk *b = d->priv;

	*bps = b->bps;
	*iops = b->iops;
	*read_only = b->geo.read_only;
	*path = b->path;
}

static struct blk_req *free_req(struct blk *b)
{
	for (unsigned i = 0; i < BLK_QUEUE_SIZE; i++)
		if (!b->reqs[i].in_use)
			return &b->reqs[i];
	return NULL;
}

static void count(struct blk *b, const struct blk_req *r, uint8_t status)
{
	struct blk_stats *s = &b->stats;

	if (status != VIRTIO_BLK_S_OK) {
		s->errors++;
		return;
	}
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		s->read_ops++;
		s->read_bytes += r->data_len;
		break;
	case VIRTIO_BLK_T_OUT:
		s->write_ops++;
		s->write_bytes += r->data_len;
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		s->write_ops++;
		break;
	case VIRTIO_BLK_T_FLUSH:
		s->flush_ops++;
		break;
	case VIRTIO_BLK_T_DISCARD:
		s->discard_ops++;
		break;
	}
}

/* Answers r: status byte, then the used ring; frees r. */
static void finish(struct blk_req *r, uint8_t status)
{
	struct vdev *d = r->dev;
	struct blk *b = d->priv;

	count(b, r, status);
	r->in_use = false;
	/* After a reset or a broken ring the guest's buffers are not ours. */
	if (!vdev_serving(d))
		return;
	if (r->status)
		__atomic_store_n(r->status, status, __ATOMIC_RELEASE);
	vdev_push_used(d, r->queue, r->head,
		       status == VIRTIO_BLK_S_OK ? r->written : (r->status ? 1 : 0));
}

static void op_done(struct aio_op *op, int res)
{
	struct blk_req *r = (struct blk_req *)op;
	struct blk *b = r->dev->priv;

	if (res < 0)
		r->failed = true;
	else if ((r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_OUT) &&
		 (uint64_t)res != r->data_len)
		r->failed = true;	/* short: the disk shrank under us */
	if (--r->pending)
		return;
	b->in_flight--;
	finish(r, r->failed ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
	if (r->dev->resetting)
		vdev_check_reset(r->dev);
}

static void submit(struct blk *b, struct blk_req *r)
{
	struct aio *aio = r->dev->env->aio;
	struct io_uring_sqe *sqe;
	off_t off = (off_t)(r->sector * SECTOR);

	r->op.done = op_done;
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (r->data_len == 0) {
			finish(r, VIRTIO_BLK_S_OK);
			return;
		}
		sqe = aio_sqe(aio, &r->op);
		if (r->type == VIRTIO_BLK_T_IN)
			io_uring_prep_readv(sqe, b->fd, r->iov, r->niov, off);
		else
			io_uring_prep_writev(sqe, b->fd, r->iov, r->niov, off);
		r->pending = 1;
		break;
	case VIRTIO_BLK_T_FLUSH:
		sqe = aio_sqe(aio, &r->op);
		io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
		sqe->flags |= IOSQE_IO_DRAIN;
		r->pending = 1;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		for (unsigned i = 0; i < r->nranges; i++) {
			const struct virtio_blk_discard_write_zeroes *w = &r->ranges[i];
			int mode = FALLOC_FL_KEEP_SIZE |
				   (r->type == VIRTIO_BLK_T_DISCARD ||
				    (w->flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ?
				    FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE);

			sqe = aio_sqe(aio, &r->op);
			io_uring_prep_fallocate(sqe, b->fd, mode,
						(off_t)(w->sector * SECTOR),
						(off_t)((uint64_t)w->num_sectors * SECTOR));
		}
		r->pending = r->nranges;
		break;
	default:
		/* GET_ID: answered by the parser already. */
		finish(r, VIRTIO_BLK_S_OK);
		return;
	}
	b->in_flight++;
}

static uint64_t cost_bytes(const struct blk_req *r)
{
	return r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_OUT ?
	       r->data_len : 0;
}

/* Serves queue q until it is empty, a request waits for tokens, or every
 * request slot is in flight. */
static void run_queue(struct vdev *d, unsigned q)
{
	struct blk *b = d->priv;
	uint64_t now = vdev_now(d);

	if (q != 0)
		return;
	while (vdev_serving(d)) {
		struct blk_req *r = b->parked;
		uint64_t wait_bw, wait_ops, wait;

		if (!r) {
			enum vq_error err;
			uint8_t status;

			r = free_req(b);
			if (!r)
				break;		/* a completion will call us */
			err = vq_pop(&d->vq[q], &b->chain, UINT32_MAX);
			if (err == VQ_EMPTY) {
				/* Ask for the next notification (avail_event
				 * with EVENT_IDX); a chain added meanwhile is
				 * served now rather than missed. */
				if (vq_set_notification(&d->vq[q], true))
					continue;
				break;
			}
			if (err != VQ_OK) {
				vdev_queue_failed(d, q, err);
				break;
			}
			r->in_use = true;
			r->dev = d;
			r->queue = q;
			status = blk_req_parse(r, &b->chain, &b->geo);
			if (status != VIRTIO_BLK_S_OK) {
				finish(r, status);
				continue;
			}
		}
		wait_bw = tb_wait_ns(&b->bw, cost_bytes(r), now);
		wait_ops = tb_wait_ns(&b->ops, 1, now);
		wait = wait_bw > wait_ops ? wait_bw : wait_ops;
		if (wait) {
			if (!b->parked) {
				b->parked = r;
				b->parked_since = now;
			}
			d->wake_ns = wait > UINT64_MAX - now ? UINT64_MAX : now + wait;
			break;
		}
		tb_consume(&b->bw, cost_bytes(r), now);
		tb_consume(&b->ops, 1, now);
		if (b->parked) {
			b->stats.throttled_ns += now - b->parked_since;
			b->parked = NULL;
			d->wake_ns = 0;
		}
		submit(b, r);
	}
	aio_submit(d->env->aio);
}

static void blk_start(struct vdev *d)
{
	run_queue(d, 0);
}

static void blk_queue_notified(struct vdev *d, unsigned q)
{
	run_queue(d, q);
}

static void blk_timer(struct vdev *d)
{
	d->wake_ns = 0;
	run_queue(d, 0);
}

static bool blk_quiesce(struct vdev *d)
{
	struct blk *b = d->priv;

	if (b->parked) {
		b->stats.throttled_ns += vdev_now(d) - b->parked_since;
		b->parked->in_use = false;
		b->parked = NULL;
	}
	d->wake_ns = 0;
	return b->in_flight == 0;
}

static void blk_destroy(struct vdev *d)
{
	struct blk *b = d->priv;

	if (b) {
		close(b->fd);
		free(b);
	}
	d->priv = NULL;
}

static const struct vdev_ops blk_ops = {
	.type_name = "blk",
	.start = blk_start,
	.queue_notified = blk_queue_notified,
	.timer = blk_timer,
	.quiesce = blk_quiesce,
	.destroy = blk_destroy,
};

/* Size in bytes and logical block size of an open disk. */
static int disk_size(int fd, uint64_t *bytes, uint32_t *block)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*block = SECTOR;
	if (S_ISREG(st.st_mode)) {
		*bytes = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode)) {
		int ssz;

		if (ioctl(fd, BLKGETSIZE64, bytes) < 0)
			return -errno;
		if (ioctl(fd, BLKSSZGET, &ssz) == 0 && ssz >= (int)SECTOR &&
		    ssz <= 65536 && !(ssz & (ssz - 1)))
			*block = (uint32_t)ssz;
		return 0;
	}
	return -EINVAL;
}

static void fill_device(struct vdev *d, struct blk *b, uint32_t block)
{
	struct virtio_blk_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.capacity = b->geo.capacity;
	cfg.seg_max = VQ_MAX_SEGMENTS - 2;	/* header and status */
	cfg.blk_size = block;
	d->features = (1ull << VIRTIO_F_VERSION_1) |
		      (1ull << VIRTIO_RING_F_EVENT_IDX) |
		      (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
		      (1ull << VIRTIO_BLK_F_SEG_MAX) |
		      (1ull << VIRTIO_BLK_F_BLK_SIZE) |
		      (1ull << VIRTIO_BLK_F_FLUSH);
	if (b->geo.read_only) {
		d->features |= 1ull << VIRTIO_BLK_F_RO;
	} else {
		d->features |= (1ull << VIRTIO_BLK_F_DISCARD) |
			       (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
		cfg.max_discard_sectors = b->geo.max_ranges_sectors;
		cfg.max_discard_seg = BLK_RANGES_MAX;
		cfg.discard_sector_alignment = block / SECTOR;
		cfg.max_write_zeroes_sectors = b->geo.max_ranges_sectors;
		cfg.max_write_zeroes_seg = BLK_RANGES_MAX;
		cfg.write_zeroes_may_unmap = 1;
	}
	_Static_assert(sizeof(cfg) <= HV_DEVICE_CONFIG_MAX, "blk config fits");
	memcpy(d->config, &cfg, sizeof(cfg));
	d->config_len = sizeof(cfg);
	d->type = HV_VIRTIO_BLK;
	d->nr_queues = 1;
	d->queue_size = BLK_QUEUE_SIZE;
}

int blk_create(struct vdev *d, struct backend_env *env, unsigned index,
	       const struct hv_disk_spec *spec, char *why, size_t why_len)
{
	struct blk *b = calloc(1, sizeof(*b));
	uint64_t bytes;
	uint32_t block;
	int rc;

	if (!b) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	b->fd = open(spec->path, (spec->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0) {
		rc = -errno;
		snprintf(why, why_len, "cannot open %s: %s", spec->path, strerror(-rc));
		free(b);
		return rc;
	}
	rc = disk_size(b->fd, &bytes, &block);
	if (rc) {
		snprintf(why, why_len, "%s: not a regular file or block device "
			 "of known size", spec->path);
		close(b->fd);
		free(b);
		return rc;
	}
	snprintf(b->path, sizeof(b->path), "%s", spec->path);
	if (spec->serial[0])
		snprintf(b->serial, sizeof(b->serial), "%s", spec->serial);
	else
		snprintf(b->serial, sizeof(b->serial), "hv%" PRIu32 "-disk%u",
			 env->domid, index);
	b->geo.capacity = bytes / SECTOR;
	b->geo.read_only = spec->read_only;
	b->geo.max_ranges_sectors = 1u << 22;	/* 2 GiB per range */
	b->geo.serial = b->serial;

	memset(d, 0, sizeof(*d));
	d->ops = &blk_ops;
	d->env = env;
	d->index = index;
	d->priv = b;
	fill_device(d, b, block);
	b->bps = spec->bps;
	b->iops = spec->iops;
	rate_bucket_set(&b->bw, spec->bps, vdev_now(d), true);
	rate_bucket_set(&b->ops, spec->iops, vdev_now(d), true);
	return 0;
}
