// SPDX-License-Identifier: GPL-2.0-only
/* The virtio-blk unit tests' fake transport (blk_fixture.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>

#include "blk_fixture.h"

static uint8_t *mapping;
static size_t mapping_len;
struct guest_mem gm;
struct aio aio;
struct backend_env env;
struct vdev dev;
uint64_t fake_now;
char disk_path[64];
uint16_t used_seen;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

struct vring_desc *desc(unsigned i)
{
	return (struct vring_desc *)(gm.base + DESC_GPA) + i;
}

struct vring_avail *avail(void)
{
	return (struct vring_avail *)(gm.base + AVAIL_GPA);
}

struct vring_used *used(void)
{
	return (struct vring_used *)(gm.base + USED_GPA);
}

uint8_t *status_of(unsigned slot)
{
	return gm.base + STATUS_GPA + slot;
}

uint8_t *data_of(unsigned slot)
{
	return gm.base + DATA_GPA + slot * SLOT_DATA;
}

struct hv_device_state running_state(void)
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

void start_device(void)
{
	struct hv_device_state st = running_state();

	vdev_apply_state(&dev, &st);
	ck_assert(dev.running);
	ck_assert(!dev.broken);
}

void setup_with(const char *opts)
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

void setup(void)
{
	setup_with("");
}

void teardown(void)
{
	dev.ops->destroy(&dev);
	unlink(disk_path);
	aio_exit(&aio);
	munmap(mapping, mapping_len);
}

/* Slot s uses descriptors 4s..4s+3: header, [data], status. */
unsigned chain_of(unsigned slot, uint32_t type, uint64_t sector,
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

void post(unsigned head)
{
	avail()->ring[avail()->idx % QSIZE] = (uint16_t)head;
	__atomic_store_n(&avail()->idx, (uint16_t)(avail()->idx + 1), __ATOMIC_RELEASE);
}

/* Notify, then let every I/O finish (and the queue go on). */
void run(void)
{
	dev.ops->queue_notified(&dev, 0);
	while (aio.in_flight) {
		aio_wait(&aio);
		dev.ops->queue_notified(&dev, 0);
	}
}

/* Request in slot: run it alone, return its status. */
uint8_t request(unsigned slot, uint32_t type, uint64_t sector,
		       uint32_t len, bool writable)
{
	post(chain_of(slot, type, sector, len, writable));
	run();
	ck_assert_uint_eq(used()->idx, (uint16_t)(used_seen + 1));
	used_seen++;
	return *status_of(slot);
}

struct blk_stats stats(void)
{
	struct blk_stats s;

	blk_get_stats(&dev, &s);
	return s;
}

