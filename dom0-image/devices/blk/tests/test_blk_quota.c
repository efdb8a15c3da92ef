// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of virtio-blk's quotas (blk.c over quota/token_bucket.h) with
 * a fake clock: a saturating guest gets the configured rate within 1% over
 * 10 simulated seconds, on top of the fresh bucket's burst (1/10 s of the
 * rate, blk.c), the device sleeps exactly until its tokens are due and is
 * never idle while requests wait, limits change live.
 */
#include <linux/virtio_blk.h>

#include "blk_fixture.h"

static void saturate(unsigned depth, uint32_t len, uint64_t seconds,
		     uint64_t change_at_s, uint64_t new_bps, uint64_t new_iops)
{
	uint64_t start = fake_now, end = start + seconds * NS;
	bool changed = false;

	for (unsigned s = 0; s < depth; s++)
		post(chain_of(s, VIRTIO_BLK_T_IN, 0, len, true));
	while (fake_now < end) {
		uint16_t seen_before = used_seen;

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
		if (dev.wake_ns == 0) {
			/* Nothing parked: the burst let all through, so
			 * requests must have completed (never idle). */
			ck_assert_uint_ne(used_seen, seen_before);
			continue;
		}
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
	assert_within_1pct(stats().read_bytes, 10ull * (10 << 20) + (10 << 20) / 10);
	ck_assert_uint_gt(stats().throttled_ns, 9 * NS);
}
END_TEST

START_TEST(test_iops_limit)
{
	saturate(16, 4096, 10, 0, 0, 0);
	assert_within_1pct(stats().read_ops, 5000 + 50);
}
END_TEST

START_TEST(test_limit_changed_live)
{
	/* 10 MiB/s for 5 s, then 5 MiB/s for 5 s */
	saturate(16, 65536, 10, 5, 5 << 20, 500);
	assert_within_1pct(stats().read_bytes, 5ull * (10 << 20) + (10 << 20) / 10 +
				       5ull * (5 << 20) + (5 << 20) / 10);
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

static void setup_limited(void)
{
	setup_with(",bps=10485760,iops=500");
}

TCase *blk_quota_tcase(void)
{
	TCase *quota = tcase_create("quota");

	tcase_add_checked_fixture(quota, setup_limited, teardown);
	tcase_set_timeout(quota, 60);
	tcase_add_test(quota, test_bandwidth_limit);
	tcase_add_test(quota, test_iops_limit);
	tcase_add_test(quota, test_limit_changed_live);
	tcase_add_test(quota, test_unlimited_never_parks);
	return quota;
}
