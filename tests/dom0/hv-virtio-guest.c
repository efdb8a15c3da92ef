// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test tool for dom0 (tests/system/test_guests.py): builds a customer
 * domain with one virtio-blk device and no backend, then boots a guest
 * test kernel in it (tests/guests/virtio_transport.c drives the device).
 *
 *	hv-virtio-guest NAME MEM_MIB KERNEL.elf CAPACITY [CMDLINE]
 *
 * The device offers VIRTIO_F_VERSION_1 and VIRTIO_BLK_F_BLK_SIZE, two
 * queues of up to 256 entries, and a 12-byte configuration: the capacity
 * in sectors (8 bytes) and size_max 0 (4 bytes).  Prints "domid N index I"
 * and exits 0, or says what failed and exits 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libhv.h"

#define VIRTIO_BLK_F_BLK_SIZE	(1ULL << 6)
#define VIRTIO_F_VERSION_1	(1ULL << 32)

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		*size = (size_t)n;
	fclose(f);
	return buf;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "hv-virtio-guest: %s: %s\n", what, hv_strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	struct hv_device_add add;
	struct hv_handle hv;
	uint64_t capacity;
	uint32_t domid, entry;
	int64_t result;
	size_t size;
	void *kernel;
	int err;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: hv-virtio-guest NAME MEM_MIB KERNEL.elf "
			"CAPACITY [CMDLINE]\n");
		return 2;
	}
	kernel = read_file(argv[3], &size);
	if (!kernel) {
		fprintf(stderr, "hv-virtio-guest: cannot read %s\n", argv[3]);
		return 1;
	}
	err = hv_open(&hv);
	if (err)
		return fail("open", err);
	err = hv_domain_create(&hv, argv[1], strtoull(argv[2], NULL, 0) << 20,
			       1, &domid);
	if (err)
		return fail("create", err);

	memset(&add, 0, sizeof(add));
	add.domid = domid;
	add.type = HV_VIRTIO_BLK;
	add.nr_queues = 2;
	add.queue_size = 256;
	add.features = VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_BLK_SIZE;
	add.config_len = 12;
	capacity = strtoull(argv[4], NULL, 0);
	memcpy(add.config, &capacity, sizeof(capacity));
	err = hv_call(&hv, HVCALL_DEVICE_ADD, &add, sizeof(add), &result);
	if (err)
		return fail("device add", err);
	if (result < 0)
		return fail("device add", (int)-result);

	err = hv_domain_load_elf(&hv, domid, kernel, size, &entry);
	if (err)
		return fail("load", err);
	err = hv_domain_boot_pvh(&hv, domid, entry, argc == 6 ? argv[5] : "");
	if (err)
		return fail("boot", err);
	printf("domid %" PRIu32 " index %" PRIu32 "\n", domid, add.index);
	hv_close(&hv);
	free(kernel);
	return 0;
}
