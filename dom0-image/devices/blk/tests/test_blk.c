// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of virtio-blk (blk.h) with the transport faked: guest memory
 * is a buffer of this process between PROT_NONE guard pages, the driver is
 * this file writing descriptor chains, the hypervisor's device state is a
 * struct handed to vdev_apply_state(), the clock is a variable.  The disk
 * is a temporary file and the I/O real (io_uring).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <check.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>

#include <pthread.h>

#include "aio.h"
#include "blk.h"
#include "control.h"
#include "options.h"
#include "vdev.h"

#define MEM_SIZE	(4u << 20)
#define QSIZE		256u
#define DESC_GPA	0x0000u
#define AVAIL_GPA	0x1000u
#define USED_GPA	0x2000u
#define HDR_GPA		0x4000u		/* 64 slots of 16-byte headers */
#define STATUS_GPA	0x5000u		/* 64 status bytes */
#define DATA_GPA	0x10000u	/* 64 slots of SLOT_DATA bytes */
#define SLOTS		48u
#define SLOT_DATA	0x10000u
#define DISK_SIZE	(8u << 20)
#define NS		1000000000ull

static uint8_t *mapping;
static size_t mapping_len;
static struct guest_mem gm;
static struct aio aio;
static struct backend_env env;
static struct vdev dev;
static uint64_t fake_now;
static char disk_path[64];
static uint16_t used_seen;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static struct vring_desc *desc(unsigned i)
{
	return (struct vring_desc *)(gm.base + DESC_GPA) + i;
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(gm.base + AVAIL_GPA);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(gm.base + USED_GPA);
}

static uint8_t *status_of(unsigned slot)
{
	return gm.base + STATUS_GPA + slot;
}

static uint8_t *data_of(unsigned slot)
{
	return gm.base + DATA_GPA + slot * SLOT_DATA;
}

static struct hv_device_state running_state(void)
{
	struct hv_device_state st;

	memset(&st, 0, sizeof(st));
	st.status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		    VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
	st.driver_features = dev.features;
	st.vq[0].size = QSIZE;
	st.vq[0].enabled = 1;
	st.vq[0].msix_vector = 0;
	st.vq[0].desc = DESC_GPA;
	st.vq[0].driver = AVAIL_GPA;
	st.vq[0].device = USED_GPA;
	return st;
}

static void make_disk(const char *opts)
{
	struct hv_disk_spec spec;
	char why[128], full[256];
	int fd;

	strcpy(disk_path, "/tmp/test_blk.XXXXXX");
	fd = mkstemp(disk_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, DISK_SIZE), 0);
	close(fd);
	snprintf(full, sizeof(full), "%s%s", disk_path, opts);
	ck_assert_int_eq(hv_disk_spec_parse(full, &spec, why, sizeof(why)), 0);
	ck_assert_int_eq(blk_create(&dev, &env, 0, &spec, why, sizeof(why)), 0);
}

static void start_device(void)
{
	struct hv_device_state st = running_state();

	vdev_apply_state(&dev, &st);
	ck_assert(dev.running);
	ck_assert(!dev.broken);
}

static void setup_with(const char *opts)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	mapping_len = MEM_SIZE + 2 * page;
	mapping = mmap(NULL, mapping_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mapping, MAP_FAILED);
	ck_assert_int_eq(mprotect(mapping + page, MEM_SIZE, PROT_READ | PROT_WRITE), 0);
	gm.base = mapping + page;
	gm.size = MEM_SIZE;
	ck_assert_int_eq(aio_init(&aio, 64), 0);
	fake_now = 1000;
	env.gm = gm;
	env.aio = &aio;
	env.domid = 7;
	env.now_ns = fake_clock;
	make_disk(opts);
	used_seen = 0;
	start_device();
}

static void setup(void)
{
	setup_with("");
}

static void teardown(void)
{
	dev.ops->destroy(&dev);
	unlink(disk_path);
	aio_exit(&aio);
	munmap(mapping, mapping_len);
}

/* Slot s uses descriptors 4s..4s+3: header, [data], status. */
static unsigned chain_of(unsigned slot, uint32_t type, uint64_t sector,
			 uint32_t data_len, bool data_writable)
{
	struct virtio_blk_outhdr *h = (void *)(gm.base + HDR_GPA + slot * 16);
	unsigned d = slot * 4;

	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
	*status_of(slot) = 0xAA;
	desc(d)->addr = HDR_GPA + slot * 16;
	desc(d)->len = 16;
	desc(d)->flags = VRING_DESC_F_NEXT;
	desc(d)->next = (uint16_t)(d + 1);
	if (data_len) {
		desc(d + 1)->addr = DATA_GPA + slot * SLOT_DATA;
		desc(d + 1)->len = data_len;
		desc(d + 1)->flags = VRING_DESC_F_NEXT |
				     (data_writable ? VRING_DESC_F_WRITE : 0);
		desc(d + 1)->next = (uint16_t)(d + 2);
		d++;
	}
	desc(d + 1)->addr = STATUS_GPA + slot;
	desc(d + 1)->len = 1;
	desc(d + 1)->flags = VRING_DESC_F_WRITE;
	desc(d + 1)->next = 0;
	return slot * 4;
}

static void post(unsigned head)
{
	avail()->ring[avail()->idx % QSIZE] = (uint16_t)head;
	__atomic_store_n(&avail()->idx, (uint16_t)(avail()->idx + 1), __ATOMIC_RELEASE);
}

/* Notify, then let every I/O finish (and the queue go on). */
static void run(void)
{
	dev.ops->queue_notified(&dev, 0);
	while (aio.in_flight) {
		aio_wait(&aio);
		dev.ops->queue_notified(&dev, 0);
	}
}

/* Request in slot: run it alone, return its status. */
static uint8_t request(unsigned slot, uint32_t type, uint64_t sector,
		       uint32_t len, bool writable)
{
	post(chain_of(slot, type, sector, len, writable));
	run();
	ck_assert_uint_eq(used()->idx, (uint16_t)(used_seen + 1));
	used_seen++;
	return *status_of(slot);
}

static struct blk_stats stats(void)
{
	struct blk_stats s;

	blk_get_stats(&dev, &s);
	return s;
}

START_TEST(test_config)
{
	struct virtio_blk_config cfg;

	memcpy(&cfg, dev.config, sizeof(cfg));
	ck_assert_uint_eq(dev.type, HV_VIRTIO_BLK);
	ck_assert_uint_eq(cfg.capacity, DISK_SIZE / 512);
	ck_assert_uint_eq(cfg.blk_size, 512);
	ck_assert_uint_eq(cfg.seg_max, VQ_MAX_SEGMENTS - 2);
	ck_assert(dev.features & (1ull << VIRTIO_F_VERSION_1));
	ck_assert(dev.features & (1ull << VIRTIO_BLK_F_FLUSH));
	ck_assert(dev.features & (1ull << VIRTIO_BLK_F_DISCARD));
	ck_assert(!(dev.features & (1ull << VIRTIO_BLK_F_RO)));
}
END_TEST

START_TEST(test_write_then_read)
{
	memset(data_of(0), 0x5C, 4096);
	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_OUT, 8, 4096, false), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(used()->ring[0].len, 1);
	memset(data_of(1), 0, 4096);
	ck_assert_uint_eq(request(1, VIRTIO_BLK_T_IN, 8, 4096, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(used()->ring[1].id, 4);
	ck_assert_uint_eq(used()->ring[1].len, 4097);
	for (unsigned i = 0; i < 4096; i++)
		ck_assert_uint_eq(data_of(1)[i], 0x5C);

	/* It is in the file, at sector 8. */
	int fd = open(disk_path, O_RDONLY);
	uint8_t b[4096];

	ck_assert_int_eq(pread(fd, b, sizeof(b), 8 * 512), 4096);
	ck_assert_uint_eq(b[0], 0x5C);
	ck_assert_uint_eq(b[4095], 0x5C);
	close(fd);

	struct blk_stats s = stats();

	ck_assert_uint_eq(s.write_ops, 1);
	ck_assert_uint_eq(s.write_bytes, 4096);
	ck_assert_uint_eq(s.read_ops, 1);
	ck_assert_uint_eq(s.read_bytes, 4096);
	ck_assert_uint_eq(s.errors, 0);
}
END_TEST

START_TEST(test_header_split_across_descriptors)
{
	/* header as 10 + 6 bytes, data 512, status: still a valid IN */
	unsigned d = 0;
	struct virtio_blk_outhdr *h = (void *)(gm.base + HDR_GPA);

	h->type = VIRTIO_BLK_T_IN;
	h->sector = 1;
	*status_of(0) = 0xAA;
	*desc(0) = (struct vring_desc){ HDR_GPA, 10, VRING_DESC_F_NEXT, 1 };
	*desc(1) = (struct vring_desc){ HDR_GPA + 10, 6, VRING_DESC_F_NEXT, 2 };
	*desc(2) = (struct vring_desc){ DATA_GPA, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 3 };
	*desc(3) = (struct vring_desc){ STATUS_GPA, 1, VRING_DESC_F_WRITE, 0 };
	post(d);
	run();
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(*status_of(0), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(used()->ring[0].len, 513);
}
END_TEST

START_TEST(test_out_of_range)
{
	uint64_t last = DISK_SIZE / 512 - 1;

	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_IN, last, 512, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(1, VIRTIO_BLK_T_IN, last, 1024, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(2, VIRTIO_BLK_T_OUT, last + 1, 512, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(3, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(4, VIRTIO_BLK_T_IN, UINT64_MAX / 512 + 1, 512, true),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(stats().errors, 4);
	ck_assert_uint_eq(stats().read_ops, 1);
}
END_TEST

START_TEST(test_bad_lengths_and_directions)
{
	/* partial sectors */
	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_IN, 0, 100, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(1, VIRTIO_BLK_T_OUT, 0, 513, false), VIRTIO_BLK_S_IOERR);
	/* IN with device-readable data, OUT with device-writable data */
	ck_assert_uint_eq(request(2, VIRTIO_BLK_T_IN, 0, 512, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(3, VIRTIO_BLK_T_OUT, 0, 512, true), VIRTIO_BLK_S_IOERR);
	/* FLUSH with data */
	ck_assert_uint_eq(request(4, VIRTIO_BLK_T_FLUSH, 0, 512, false), VIRTIO_BLK_S_IOERR);
	/* unknown type */
	ck_assert_uint_eq(request(5, 77, 0, 0, false), VIRTIO_BLK_S_UNSUPP);

	/* a header of 8 bytes */
	*desc(24) = (struct vring_desc){ HDR_GPA, 8, VRING_DESC_F_NEXT, 25 };
	*desc(25) = (struct vring_desc){ STATUS_GPA + 6, 1, VRING_DESC_F_WRITE, 0 };
	*status_of(6) = 0xAA;
	post(24);
	run();
	ck_assert_uint_eq(used()->idx, 7);
	ck_assert_uint_eq(*status_of(6), VIRTIO_BLK_S_IOERR);

	/* no status byte at all: returned with length 0, nothing written */
	*desc(28) = (struct vring_desc){ HDR_GPA, 16, 0, 0 };
	post(28);
	run();
	ck_assert_uint_eq(used()->idx, 8);
	ck_assert_uint_eq(used()->ring[7].id, 28);
	ck_assert_uint_eq(used()->ring[7].len, 0);
	ck_assert_uint_eq(stats().errors, 8);
	ck_assert(!dev.broken);
}
END_TEST

START_TEST(test_event_idx)
{
	/* EVENT_IDX is negotiated here: after serving, the device asks to be
	 * notified at the next chain (avail_event = avail->idx) and interrupts
	 * only when used_event says so. */
	uint16_t *avail_event = (uint16_t *)&used()->ring[QSIZE];
	uint16_t *used_event = &avail()->ring[QSIZE];

	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(*avail_event, 1);
	ck_assert_uint_eq(vdev_take_interrupts(&dev), 1);	/* used_event 0 */
	*used_event = 5;
	ck_assert_uint_eq(request(1, VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(*avail_event, 2);
	ck_assert_uint_eq(vdev_take_interrupts(&dev), 0);	/* not yet */
	ck_assert_uint_eq(vdev_take_interrupts(&dev), 0);
}
END_TEST

START_TEST(test_get_id)
{
	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_GET_ID, 0, 20, true), VIRTIO_BLK_S_OK);
	ck_assert_str_eq((char *)data_of(0), "hv7-disk0");
	ck_assert_uint_eq(used()->ring[0].len, 21);
}
END_TEST

START_TEST(test_read_only)
{
	struct virtio_blk_config cfg;

	memcpy(&cfg, dev.config, sizeof(cfg));
	ck_assert(dev.features & (1ull << VIRTIO_BLK_F_RO));
	ck_assert(!(dev.features & (1ull << VIRTIO_BLK_F_DISCARD)));
	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_OUT, 0, 512, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(1, VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(2, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(3, VIRTIO_BLK_T_GET_ID, 0, 20, true), VIRTIO_BLK_S_OK);
	ck_assert_str_eq((char *)data_of(3), "myserial");
	ck_assert_uint_eq(stats().errors, 1);
}
END_TEST

START_TEST(test_flush_after_writes)
{
	/* Eight writes and a flush in one batch: the flush is answered after
	 * all of them (IOSQE_IO_DRAIN), and counted. */
	for (unsigned s = 0; s < 8; s++) {
		memset(data_of(s), (int)s, 32768);
		post(chain_of(s, VIRTIO_BLK_T_OUT, s * 64, 32768, false));
	}
	post(chain_of(8, VIRTIO_BLK_T_FLUSH, 0, 0, false));
	run();
	ck_assert_uint_eq(used()->idx, 9);
	ck_assert_uint_eq(used()->ring[8].id, 8 * 4);
	ck_assert_uint_eq(*status_of(8), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(stats().flush_ops, 1);
	ck_assert_uint_eq(stats().write_ops, 8);

	/* White box: what made that order certain, rather than likely, is the
	 * fsync's entry in the ring: a data sync, drained behind the writes. */
	unsigned fsyncs = 0;

	for (unsigned i = 0; i < *aio.ring.sq.kring_entries; i++) {
		const struct io_uring_sqe *sqe = &aio.ring.sq.sqes[i];

		if (sqe->opcode != IORING_OP_FSYNC)
			continue;
		fsyncs++;
		ck_assert(sqe->flags & IOSQE_IO_DRAIN);
		ck_assert(sqe->fsync_flags & IORING_FSYNC_DATASYNC);
	}
	ck_assert_uint_eq(fsyncs, 1);
}
END_TEST

static void put_range(unsigned slot, uint64_t sector, uint32_t n, uint32_t flags)
{
	struct virtio_blk_discard_write_zeroes *w = (void *)data_of(slot);

	w->sector = sector;
	w->num_sectors = n;
	w->flags = flags;
}

START_TEST(test_discard_punches_hole)
{
	int fd = open(disk_path, O_RDWR);
	struct stat before, after;
	uint8_t buf[65536];

	memset(buf, 0x77, sizeof(buf));
	ck_assert_int_eq(pwrite(fd, buf, sizeof(buf), 1 << 20), (ssize_t)sizeof(buf));
	ck_assert_int_eq(fsync(fd), 0);
	ck_assert_int_eq(fstat(fd, &before), 0);

	put_range(0, (1 << 20) / 512, sizeof(buf) / 512, 0);
	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(fstat(fd, &after), 0);
	ck_assert_int_lt(after.st_blocks, before.st_blocks);
	ck_assert_int_eq(after.st_size, DISK_SIZE);
	ck_assert_int_eq(lseek(fd, 1 << 20, SEEK_HOLE), 1 << 20);
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 1 << 20), (ssize_t)sizeof(buf));
	ck_assert_uint_eq(buf[0], 0);
	ck_assert_uint_eq(stats().discard_ops, 1);

	/* unmap flag on a discard: UNSUPP; beyond the disk: IOERR */
	put_range(1, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	ck_assert_uint_eq(request(1, VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_UNSUPP);
	put_range(2, DISK_SIZE / 512 - 4, 8, 0);
	ck_assert_uint_eq(request(2, VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_IOERR);
	/* not a whole range */
	ck_assert_uint_eq(request(3, VIRTIO_BLK_T_DISCARD, 0, 12, false), VIRTIO_BLK_S_IOERR);
	close(fd);
}
END_TEST

START_TEST(test_write_zeroes)
{
	int fd = open(disk_path, O_RDWR);
	uint8_t buf[4096];

	memset(buf, 0x33, sizeof(buf));
	ck_assert_int_eq(pwrite(fd, buf, sizeof(buf), 4096), (ssize_t)sizeof(buf));
	put_range(0, 8, 8, 0);
	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 4096), (ssize_t)sizeof(buf));
	for (unsigned i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0);
	close(fd);
}
END_TEST

START_TEST(test_broken_ring_needs_reset)
{
	avail()->ring[0] = 9999;	/* head beyond the queue */
	avail()->idx = 1;
	run();
	ck_assert(dev.broken);
	ck_assert(dev.needs_reset);
	ck_assert_uint_eq(used()->idx, 0);
	/* further notifies do nothing */
	post(chain_of(1, VIRTIO_BLK_T_IN, 0, 512, true));
	run();
	ck_assert_uint_eq(used()->idx, 0);

	/* reset, then a fresh start works */
	struct hv_device_state st = running_state();

	st.reset = 1;
	vdev_apply_state(&dev, &st);
	ck_assert(dev.reset_done);
	ck_assert(!dev.broken && !dev.running);
	dev.reset_done = false;
	memset(avail(), 0, 4 + 2 * QSIZE);
	memset(used(), 0, 4 + 8 * QSIZE);
	start_device();
	used_seen = 0;
	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(test_reset_with_io_in_flight)
{
	struct hv_device_state st = running_state();

	for (unsigned s = 0; s < 8; s++)
		post(chain_of(s, VIRTIO_BLK_T_IN, s * 128, 65536, true));
	dev.ops->queue_notified(&dev, 0);	/* submitted, not reaped */
	ck_assert_uint_gt(aio.in_flight, 0);
	st.reset = 1;
	vdev_apply_state(&dev, &st);
	ck_assert(!dev.reset_done);		/* waits for the I/O */
	while (aio.in_flight)
		aio_wait(&aio);
	ck_assert(dev.reset_done);
	/* nothing was answered after the reset began */
	ck_assert_uint_eq(used()->idx, 0);
	for (unsigned s = 0; s < 8; s++)
		ck_assert_uint_eq(*status_of(s), 0xAA);
}
END_TEST

/*
 * Keeps `depth` requests of `len` bytes queued for `seconds` of fake time,
 * sleeping exactly until the device's wake time; returns bytes read.
 * At change_at_s (if non-zero) sets the limits to new_bps/new_iops.
 */
static void saturate(unsigned depth, uint32_t len, uint64_t seconds,
		     uint64_t change_at_s, uint64_t new_bps, uint64_t new_iops)
{
	uint64_t start = fake_now, end = start + seconds * NS;
	bool changed = false;

	for (unsigned s = 0; s < depth; s++)
		post(chain_of(s, VIRTIO_BLK_T_IN, 0, len, true));
	while (fake_now < end) {
		run();
		while (used_seen != used()->idx) {
			uint32_t head = used()->ring[used_seen % QSIZE].id;

			ck_assert_uint_eq(*status_of(head / 4), VIRTIO_BLK_S_OK);
			used_seen++;
			post(chain_of(head / 4, VIRTIO_BLK_T_IN, 0, len, true));
		}
		if (change_at_s && !changed && fake_now >= start + change_at_s * NS) {
			blk_set_limits(&dev, new_bps, new_iops);
			changed = true;
			continue;
		}
		ck_assert_uint_ne(dev.wake_ns, 0);	/* throttled, never idle */
		ck_assert_uint_gt(dev.wake_ns, fake_now - 1);
		fake_now = dev.wake_ns;
		if (fake_now >= end)
			break;
		dev.ops->timer(&dev);
	}
}

static void assert_within_1pct(uint64_t got, uint64_t want)
{
	ck_assert_msg(got * 100 >= want * 99 && got * 100 <= want * 101,
		      "got %llu, want %llu +- 1%%", (unsigned long long)got,
		      (unsigned long long)want);
}

START_TEST(test_bandwidth_limit)
{
	saturate(16, 65536, 10, 0, 0, 0);
	assert_within_1pct(stats().read_bytes, 10ull * (10 << 20));
	ck_assert_uint_gt(stats().throttled_ns, 9 * NS);
}
END_TEST

START_TEST(test_iops_limit)
{
	saturate(16, 4096, 10, 0, 0, 0);
	assert_within_1pct(stats().read_ops, 5000);
}
END_TEST

START_TEST(test_limit_changed_live)
{
	/* 10 MiB/s for 5 s, then 5 MiB/s for 5 s */
	saturate(16, 65536, 10, 5, 5 << 20, 500);
	assert_within_1pct(stats().read_bytes, 5ull * (10 << 20) + 5ull * (5 << 20));
}
END_TEST

START_TEST(test_unlimited_never_parks)
{
	blk_set_limits(&dev, 0, 0);
	for (unsigned s = 0; s < 32; s++)
		post(chain_of(s, VIRTIO_BLK_T_IN, 0, 65536, true));
	run();
	ck_assert_uint_eq(used()->idx, 32);
	ck_assert_uint_eq(dev.wake_ns, 0);
	ck_assert_uint_eq(stats().throttled_ns, 0);
}
END_TEST

START_TEST(test_disk_spec_parse)
{
	struct hv_disk_spec s;
	char why[128];

	ck_assert_int_eq(hv_disk_spec_parse("/d/x.img,ro,bps=100,iops=7,serial=abc",
					    &s, why, sizeof(why)), 0);
	ck_assert_str_eq(s.path, "/d/x.img");
	ck_assert(s.read_only);
	ck_assert_uint_eq(s.bps, 100);
	ck_assert_uint_eq(s.iops, 7);
	ck_assert_str_eq(s.serial, "abc");
	ck_assert_int_eq(hv_disk_spec_parse("/x", &s, why, sizeof(why)), 0);
	ck_assert(!s.read_only && !s.bps && !s.iops && !s.serial[0]);
	ck_assert_int_ne(hv_disk_spec_parse("", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse(",ro", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,rw", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,bps=-1", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,bps=99999999999999999999", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,iops=", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,serial=123456789012345678901", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,serial=a b", &s, why, sizeof(why)), 0);
}
END_TEST

/* --- the control channel, end to end: libhv/io.c against control.c --- */

static struct control ctrl;
static char run_dir[64];

struct client_call {
	int which;			/* 0 stats, 1 limit, 2 ping, 3 bad limit */
	int rc;
	uint32_t count;
	struct hv_io_disk_stats st[2];
	volatile bool done;
};

static void *client(void *arg)
{
	struct client_call *c = arg;

	if (c->which == 0)
		c->rc = hv_io_stats(7, c->st, 2, &c->count);
	else if (c->which == 1)
		c->rc = hv_io_limit(7, 0, 2 << 20, 50);
	else if (c->which == 2)
		c->rc = hv_io_ping(7);
	else
		c->rc = hv_io_limit(7, 5, 1, 1);
	c->done = true;
	return NULL;
}

/* Runs one client call while serving the socket as the main loop does. */
static void call(struct client_call *c)
{
	pthread_t th;

	c->done = false;
	ck_assert_int_eq(pthread_create(&th, NULL, client, c), 0);
	while (!c->done) {
		struct pollfd fds[1 + CONTROL_CLIENTS_MAX];
		unsigned n = control_poll_fds(&ctrl, fds);

		if (poll(fds, n, 20) > 0)
			control_poll_ready(&ctrl, fds, n);
	}
	pthread_join(th, NULL);
}

static void setup_control(void)
{
	setup_with(",bps=10485760,iops=500");
	strcpy(run_dir, "/tmp/test_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(run_dir));
	setenv("HV_BACKEND_RUN_DIR", run_dir, 1);
	ck_assert_int_eq(control_open(&ctrl, 7, &dev, 1), 0);
}

static void teardown_control(void)
{
	control_close(&ctrl);
	rmdir(run_dir);
	teardown();
}

START_TEST(test_control_stats_and_limit)
{
	struct client_call c = { .which = 2 };
	struct stat st;
	char path[128];

	snprintf(path, sizeof(path), "%s/7.sock", run_dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	call(&c);
	ck_assert_int_eq(c.rc, 0);

	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_IN, 0, 4096, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(1, VIRTIO_BLK_T_OUT, 0, 1024, false), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(2, 99, 0, 0, false), VIRTIO_BLK_S_UNSUPP);
	c = (struct client_call){ .which = 0 };
	call(&c);
	ck_assert_int_eq(c.rc, 0);
	ck_assert_uint_eq(c.count, 1);
	ck_assert_uint_eq(c.st[0].disk, 0);
	ck_assert_str_eq(c.st[0].path, disk_path);
	ck_assert_uint_eq(c.st[0].bps, 10485760);
	ck_assert_uint_eq(c.st[0].iops, 500);
	ck_assert_uint_eq(c.st[0].read_bytes, 4096);
	ck_assert_uint_eq(c.st[0].write_bytes, 1024);
	ck_assert_uint_eq(c.st[0].read_ops, 1);
	ck_assert_uint_eq(c.st[0].write_ops, 1);
	ck_assert_uint_eq(c.st[0].errors, 1);

	c = (struct client_call){ .which = 1 };
	call(&c);
	ck_assert_int_eq(c.rc, 0);
	c = (struct client_call){ .which = 0 };
	call(&c);
	ck_assert_uint_eq(c.st[0].bps, 2 << 20);
	ck_assert_uint_eq(c.st[0].iops, 50);

	c = (struct client_call){ .which = 3 };
	call(&c);
	ck_assert_int_eq(c.rc, -ENODEV);
}
END_TEST

START_TEST(test_control_answers)
{
	char out[4096];

	control_answer(&ctrl, "limit 0 bps=x", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
	control_answer(&ctrl, "limit 0 speed=1", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
	control_answer(&ctrl, "limit", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
	control_answer(&ctrl, "limit 1 bps=1", out, sizeof(out));
	ck_assert_str_eq(out, "error ENODEV\n");
	control_answer(&ctrl, "limit 0 iops=9", out, sizeof(out));
	ck_assert_str_eq(out, "ok\n");
	control_answer(&ctrl, "stats", out, sizeof(out));
	ck_assert_ptr_nonnull(strstr(out, " bps=10485760 iops=9 "));
	control_answer(&ctrl, "reboot", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
}
END_TEST

START_TEST(test_control_refuses_second_backend)
{
	struct control other;

	ck_assert_int_eq(control_open(&other, 7, &dev, 1), -EADDRINUSE);
}
END_TEST

START_TEST(test_stats_line_parse)
{
	struct hv_io_disk_stats s;

	ck_assert_int_eq(hv_io_parse_stats_line(
		"disk=1 ro=1 bps=2 iops=3 read_bytes=4 write_bytes=5 read_ops=6 "
		"write_ops=7 flush_ops=8 discard_ops=9 throttled_ns=10 errors=11 "
		"newkey=5 path=/a b/c", &s), 0);
	ck_assert_uint_eq(s.disk, 1);
	ck_assert(s.read_only);
	ck_assert_uint_eq(s.errors, 11);
	ck_assert_uint_eq(s.throttled_ns, 10);
	ck_assert_str_eq(s.path, "/a b/c");
	/* a key missing, a bad number, no path */
	ck_assert_int_ne(hv_io_parse_stats_line(
		"disk=1 ro=1 bps=2 iops=3 read_bytes=4 write_bytes=5 read_ops=6 "
		"write_ops=7 flush_ops=8 discard_ops=9 throttled_ns=10 path=/x", &s), 0);
	ck_assert_int_ne(hv_io_parse_stats_line(
		"disk=1 ro=1 bps=-2 iops=3 read_bytes=4 write_bytes=5 read_ops=6 "
		"write_ops=7 flush_ops=8 discard_ops=9 throttled_ns=10 errors=1 path=/x", &s), 0);
	ck_assert_int_ne(hv_io_parse_stats_line("disk=1 ro=1", &s), 0);
}
END_TEST

START_TEST(test_backend_options)
{
	struct backend_options o;
	FILE *null = fopen("/dev/null", "w");
	char *ok[] = { "hv-backend", "--domid", "3", "--ready-fd", "5",
		       "--disk", "/a,ro", "--disk", "/b,iops=10", NULL };
	char *no_disk[] = { "hv-backend", "--domid", "3", NULL };
	char *dom0[] = { "hv-backend", "--domid", "0", "--disk", "/a", NULL };
	char *bad_disk[] = { "hv-backend", "--domid", "3", "--disk", "/a,fast", NULL };
	char *dangling[] = { "hv-backend", "--domid", "3", "--disk", NULL };
	char *nine[22] = { "hv-backend", "--domid", "3" };

	ck_assert_int_eq(backend_parse_options(9, ok, &o, null), 0);
	ck_assert_uint_eq(o.domid, 3);
	ck_assert_int_eq(o.ready_fd, 5);
	ck_assert_uint_eq(o.nr_disks, 2);
	ck_assert(o.disks[0].read_only);
	ck_assert_uint_eq(o.disks[1].iops, 10);
	ck_assert_int_ne(backend_parse_options(3, no_disk, &o, null), 0);
	ck_assert_int_ne(backend_parse_options(5, dom0, &o, null), 0);
	ck_assert_int_ne(backend_parse_options(5, bad_disk, &o, null), 0);
	ck_assert_int_ne(backend_parse_options(4, dangling, &o, null), 0);
	for (unsigned i = 0; i < 9; i++) {
		nine[3 + 2 * i] = "--disk";
		nine[4 + 2 * i] = "/x";
	}
	ck_assert_int_ne(backend_parse_options(21, nine, &o, null), 0);
	ck_assert_int_eq(backend_parse_options(19, nine, &o, null), 0);
	fclose(null);
}
END_TEST

static void setup_ro(void)
{
	setup_with(",ro,serial=myserial");
}

static void setup_limited(void)
{
	setup_with(",bps=10485760,iops=500");
}

static Suite *blk_suite(void)
{
	Suite *s = suite_create("virtio-blk");
	TCase *tc = tcase_create("requests");
	TCase *ro = tcase_create("read-only");
	TCase *quota = tcase_create("quota");
	TCase *parse = tcase_create("options");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_write_then_read);
	tcase_add_test(tc, test_header_split_across_descriptors);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_bad_lengths_and_directions);
	tcase_add_test(tc, test_get_id);
	tcase_add_test(tc, test_event_idx);
	tcase_add_test(tc, test_flush_after_writes);
	tcase_add_test(tc, test_discard_punches_hole);
	tcase_add_test(tc, test_write_zeroes);
	tcase_add_test(tc, test_broken_ring_needs_reset);
	tcase_add_test(tc, test_reset_with_io_in_flight);
	tcase_add_test(tc, test_unlimited_never_parks);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(ro, setup_ro, teardown);
	tcase_add_test(ro, test_read_only);
	suite_add_tcase(s, ro);

	tcase_add_checked_fixture(quota, setup_limited, teardown);
	tcase_set_timeout(quota, 60);
	tcase_add_test(quota, test_bandwidth_limit);
	tcase_add_test(quota, test_iops_limit);
	tcase_add_test(quota, test_limit_changed_live);
	suite_add_tcase(s, quota);

	tcase_add_test(parse, test_disk_spec_parse);
	tcase_add_test(parse, test_stats_line_parse);
	tcase_add_test(parse, test_backend_options);
	suite_add_tcase(s, parse);

	TCase *ctl = tcase_create("control");

	tcase_add_checked_fixture(ctl, setup_control, teardown_control);
	tcase_add_test(ctl, test_control_stats_and_limit);
	tcase_add_test(ctl, test_control_answers);
	tcase_add_test(ctl, test_control_refuses_second_backend);
	suite_add_tcase(s, ctl);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(blk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
