// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of virtio-blk (blk.h) with the transport faked
 * (blk_fixture.h): every request type, well-formed and not, against a
 * temporary file with real io_uring I/O; the quota tests are in
 * test_blk_quota.c, the control channel's and the option parsers' in
 * test_control.c.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>

#include "blk_fixture.h"

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

/* A backend that died leaves the queue mid-way: the guest has seen one
 * answer, two more requests are available (the dead one may have popped
 * them).  A backend started with --resume takes the running device over and
 * answers both, continuing the used ring at the guest's index. */
START_TEST(test_resume_after_a_dead_backend)
{
	struct hv_device_state st = running_state();

	memset(data_of(0), 0x3E, 512);
	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_OUT, 4, 512, false), VIRTIO_BLK_S_OK);
	post(chain_of(1, VIRTIO_BLK_T_IN, 4, 512, true));
	post(chain_of(2, VIRTIO_BLK_T_IN, 4, 512, true));
	*status_of(1) = *status_of(2) = 0xff;

	/* The new backend's view: nothing of the old one's state. */
	memset(dev.vq, 0, sizeof(dev.vq));
	dev.running = false;
	dev.resume = true;
	vdev_apply_state(&dev, &st);
	ck_assert(dev.running && !dev.resume);
	run();
	ck_assert_uint_eq(used()->idx, 3);
	ck_assert_uint_eq(used()->ring[1].id, 4);
	ck_assert_uint_eq(used()->ring[2].id, 8);
	ck_assert_uint_eq(*status_of(1), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(*status_of(2), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(data_of(2)[511], 0x3E);
	/* The answered write was not redone: a start at 0 would redo it. */
	ck_assert_uint_eq(stats().write_ops, 1);
	ck_assert_uint_eq(stats().read_ops, 2);
}
END_TEST

/* A device broken (NEEDS_RESET) under the dead backend stays broken under
 * the new one until the driver resets it. */
START_TEST(test_resume_keeps_a_broken_device_broken)
{
	struct hv_device_state st = running_state();

	memset(dev.vq, 0, sizeof(dev.vq));
	dev.running = false;
	dev.resume = true;
	st.status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	post(chain_of(0, VIRTIO_BLK_T_IN, 0, 512, true));
	vdev_apply_state(&dev, &st);
	ck_assert(dev.broken);
	run();
	ck_assert_uint_eq(used()->idx, 0);
	st.status = 0;
	st.reset = 1;
	vdev_apply_state(&dev, &st);
	ck_assert(dev.reset_done && !dev.broken && !dev.running);
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
static void setup_ro(void)
{
	setup_with(",ro,serial=myserial");
}

static Suite *blk_suite(void)
{
	Suite *s = suite_create("virtio-blk");
	TCase *tc = tcase_create("requests");
	TCase *ro = tcase_create("read-only");

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
	tcase_add_test(tc, test_resume_after_a_dead_backend);
	tcase_add_test(tc, test_resume_keeps_a_broken_device_broken);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(ro, setup_ro, teardown);
	tcase_add_test(ro, test_read_only);
	suite_add_tcase(s, ro);

	suite_add_tcase(s, blk_quota_tcase());
	suite_add_tcase(s, blk_options_tcase());
	suite_add_tcase(s, blk_control_tcase());
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
