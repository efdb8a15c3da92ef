// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of hv-backend's transport glue (transport.c) with libhv's
 * backend calls replaced by a test double defined here (the product links
 * the real ones from libhv): the event page is a struct of this file, the
 * device states are set by the tests, HVCALL_DEVICE_CTL calls are recorded.
 * The devices are real virtio-blk devices over temporary files.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <check.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>

#include "aio.h"
#include "blk.h"
#include "transport.h"

/* --- the libhv test double -------------------------------------------------- */

static struct hv_backend_page page;
static struct hv_device_state states[HV_DOMAIN_DEVICES_MAX];
static struct { uint32_t index, op, arg; } ctls[64];
static unsigned nr_ctls;

uint64_t hv_backend_take_notify(struct hv_backend *be)
{
	return __atomic_exchange_n(&be->page->notify, 0, __ATOMIC_ACQ_REL);
}

uint64_t hv_backend_take_changed(struct hv_backend *be)
{
	return __atomic_exchange_n(&be->page->changed, 0, __ATOMIC_ACQ_REL);
}

int hv_backend_device_state(struct hv_backend *be, uint32_t index,
			    struct hv_device_state *out)
{
	(void)be;
	if (index >= HV_DOMAIN_DEVICES_MAX)
		return HV_EINVAL;
	*out = states[index];
	return 0;
}

int hv_device_ctl(struct hv_handle *h, uint32_t domid, uint32_t index,
		  uint32_t op, uint32_t arg)
{
	(void)h;
	ck_assert_uint_eq(domid, 9);
	ck_assert_uint_lt(nr_ctls, 64);
	ctls[nr_ctls].index = index;
	ctls[nr_ctls].op = op;
	ctls[nr_ctls].arg = arg;
	nr_ctls++;
	return 0;
}

const char *hv_strerror(int err)
{
	(void)err;
	return "test";
}

/* --- fixture: two disks, each with its queue in its own part of RAM ------------ */

#define MEM_SIZE	(1u << 20)
#define QSIZE		16u
#define DEV_SPAN	0x10000u	/* device i's rings and buffers at i * span */

static uint8_t *ram;
static struct aio aio;
static struct backend_env env;
static struct vdev devs[2];
static struct transport t;
static char paths[2][64];

static uint64_t clock_now(void *ctx)
{
	(void)ctx;
	return 1;
}

static uint64_t base(unsigned i)
{
	return (uint64_t)i * DEV_SPAN;
}

static void set_running(unsigned i)
{
	struct hv_device_state *st = &states[i];

	memset(st, 0, sizeof(*st));
	st->status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
	st->driver_features = 1ull << VIRTIO_F_VERSION_1;	/* no EVENT_IDX */
	st->vq[0].size = QSIZE;
	st->vq[0].enabled = 1;
	st->vq[0].desc = base(i);
	st->vq[0].driver = base(i) + 0x1000;
	st->vq[0].device = base(i) + 0x2000;
}

static void setup(void)
{
	ram = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ram, MAP_FAILED);
	ck_assert_int_eq(aio_init(&aio, 32), 0);
	memset(&page, 0, sizeof(page));
	nr_ctls = 0;
	env = (struct backend_env){ .gm = { ram, MEM_SIZE }, .aio = &aio,
				    .domid = 9, .now_ns = clock_now };
	for (unsigned i = 0; i < 2; i++) {
		struct hv_disk_spec spec;
		char why[128];
		int fd;

		strcpy(paths[i], "/tmp/test_transport.XXXXXX");
		fd = mkstemp(paths[i]);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
		close(fd);
		ck_assert_int_eq(hv_disk_spec_parse(paths[i], &spec, why, sizeof(why)), 0);
		ck_assert_int_eq(blk_create(&devs[i], &env, i, &spec, why, sizeof(why)), 0);
	}
	memset(&t, 0, sizeof(t));
	t.be.page = &page;
	t.be.ram = ram;
	t.be.ram_bytes = MEM_SIZE;
	t.domid = 9;
	t.devs = devs;
	t.nr_devs = 2;
}

static void teardown(void)
{
	for (unsigned i = 0; i < 2; i++) {
		devs[i].ops->destroy(&devs[i]);
		unlink(paths[i]);
	}
	aio_exit(&aio);
	munmap(ram, MEM_SIZE);
}

/* Device i: a GET_ID request in its avail ring (no disk I/O needed). */
static void post_get_id(unsigned i, unsigned n)
{
	struct vring_desc *desc = (void *)(ram + base(i));
	struct vring_avail *avail = (void *)(ram + base(i) + 0x1000);
	struct virtio_blk_outhdr *h = (void *)(ram + base(i) + 0x4000);
	uint16_t slot = avail->idx % QSIZE;

	h->type = VIRTIO_BLK_T_GET_ID;
	desc[0] = (struct vring_desc){ base(i) + 0x4000, 16, VRING_DESC_F_NEXT, 1 };
	desc[1] = (struct vring_desc){ base(i) + 0x5000, 20, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2 };
	desc[2] = (struct vring_desc){ base(i) + 0x6000, 1, VRING_DESC_F_WRITE, 0 };
	for (unsigned k = 0; k < n; k++)
		avail->ring[(slot + k) % QSIZE] = 0;
	avail->idx = (uint16_t)(avail->idx + n);
}

static uint16_t used_idx(unsigned i)
{
	return ((struct vring_used *)(ram + base(i) + 0x2000))->idx;
}

static void change(unsigned i)
{
	page.changed |= 1ull << i;
}

static void notify(unsigned i)
{
	page.notify |= 1ull << (i * HV_DEVICE_QUEUES_MAX);
}

START_TEST(test_driver_ok_then_one_interrupt_per_device)
{
	set_running(0);
	set_running(1);
	change(0);
	change(1);
	ck_assert(!transport_events(&t));
	ck_assert(devs[0].running && devs[1].running);
	ck_assert_uint_eq(page.changed, 0);

	/* Three requests on device 0, one on device 1, one iteration. */
	post_get_id(0, 3);
	post_get_id(1, 1);
	notify(0);
	notify(1);
	ck_assert(!transport_events(&t));
	ck_assert_uint_eq(page.notify, 0);
	ck_assert_uint_eq(used_idx(0), 3);
	ck_assert_uint_eq(used_idx(1), 1);
	transport_flush(&t);
	ck_assert_uint_eq(nr_ctls, 2);
	ck_assert_uint_eq(ctls[0].index, 0);
	ck_assert_uint_eq(ctls[0].op, HV_DEVCTL_INTERRUPT);
	ck_assert_uint_eq(ctls[0].arg, 1);
	ck_assert_uint_eq(ctls[1].index, 1);
	ck_assert_uint_eq(ctls[1].arg, 1);

	/* Nothing new: no interrupt. */
	transport_flush(&t);
	ck_assert_uint_eq(nr_ctls, 2);

	/* The driver asked for no interrupts (VRING_AVAIL_F_NO_INTERRUPT). */
	((struct vring_avail *)(ram + 0x1000))->flags = VRING_AVAIL_F_NO_INTERRUPT;
	post_get_id(0, 1);
	notify(0);
	transport_events(&t);
	transport_flush(&t);
	ck_assert_uint_eq(used_idx(0), 4);
	ck_assert_uint_eq(nr_ctls, 2);
}
END_TEST

START_TEST(test_not_served_before_driver_ok)
{
	set_running(0);
	states[0].status &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	change(0);
	post_get_id(0, 1);
	notify(0);
	transport_events(&t);
	ck_assert(!devs[0].running);
	ck_assert_uint_eq(used_idx(0), 0);
	states[0].status |= VIRTIO_CONFIG_S_DRIVER_OK;
	change(0);
	transport_events(&t);
	ck_assert_uint_eq(used_idx(0), 1);	/* served at start */
}
END_TEST

START_TEST(test_reset_and_needs_reset)
{
	set_running(0);
	change(0);
	transport_events(&t);

	/* A bad ring: NEEDS_RESET, once. */
	((struct vring_avail *)(ram + 0x1000))->idx = 100;	/* > queue size ahead */
	notify(0);
	transport_events(&t);
	transport_flush(&t);
	transport_flush(&t);
	ck_assert_uint_eq(nr_ctls, 1);
	ck_assert_uint_eq(ctls[0].op, HV_DEVCTL_NEEDS_RESET);

	/* The driver resets it: RESET_DONE, and it is not running. */
	states[0].reset = 1;
	change(0);
	transport_events(&t);
	transport_flush(&t);
	ck_assert_uint_eq(nr_ctls, 2);
	ck_assert_uint_eq(ctls[1].op, HV_DEVCTL_RESET_DONE);
	ck_assert(!devs[0].running && !devs[0].broken);
}
END_TEST

START_TEST(test_domain_stop)
{
	page.domain_state = HV_DOMAIN_PAUSED;
	page.changed = HV_BACKEND_DOMAIN_BIT;
	ck_assert(!transport_events(&t));
	page.domain_state = HV_DOMAIN_RUNNING;
	page.changed = HV_BACKEND_DOMAIN_BIT;
	ck_assert(!transport_events(&t));
	page.domain_state = HV_DOMAIN_DYING;
	ck_assert(!transport_events(&t));	/* no event: not looked at */
	page.changed = HV_BACKEND_DOMAIN_BIT;
	ck_assert(transport_events(&t));
	ck_assert(transport_domain_stopped(HV_DOMAIN_SHUTDOWN));
	ck_assert(transport_domain_stopped(HV_DOMAIN_CRASHED));
	ck_assert(transport_domain_stopped(HV_DOMAIN_REBOOT));
	ck_assert(!transport_domain_stopped(HV_DOMAIN_BLOCKED));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv-backend transport");
	TCase *tc = tcase_create("transport");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_driver_ok_then_one_interrupt_per_device);
	tcase_add_test(tc, test_not_served_before_driver_ok);
	tcase_add_test(tc, test_reset_and_needs_reset);
	tcase_add_test(tc, test_domain_stop);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
