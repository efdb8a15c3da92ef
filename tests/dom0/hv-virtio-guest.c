// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test tool for dom0 (tests/system/test_guests.py): builds a customer
 * domain with one virtio-blk device and no backend, then boots a guest
 * test kernel in it (tests/guests/virtio_transport.c drives the device).
 *
 *	hv-virtio-guest NAME MEM_MIB KERNEL.elf CAPACITY [CMDLINE]
 *	hv-virtio-guest --linux NAME MEM_MIB BZIMAGE INITRD CMDLINE
 *
 *	hv-virtio-guest --ctl DOMID INDEX OP ARG
 *
 * The second form boots a Linux kernel instead (one vCPU) with its initrd
 * INITRD (the domU image, which loads the virtio drivers), and gives it a virtio-net device (MAC 52:54:00:12:34:56, VERSION_1 and
 * VIRTIO_NET_F_MAC, one receive and one transmit queue): a stock kernel
 * finds and drives it (tests/system/test_virtio.py).
 * The third makes HVCALL_DEVICE_CTL as a backend would, with any values,
 * and prints "result R" (R = RAX: 0 or -HV_E*).
 *
 * The device offers VIRTIO_F_VERSION_1 and VIRTIO_BLK_F_BLK_SIZE, two
 * queues of up to 256 entries, and a 12-byte configuration: the capacity
 * in sectors (8 bytes) and size_max 0 (4 bytes).  Prints "domid N index I"
 * and exits 0, or says what failed and exits 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libhv.h"

#define VIRTIO_NET_F_MAC	(1ULL << 5)
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

static int usage(void)
{
	fprintf(stderr, "usage: hv-virtio-guest NAME MEM_MIB KERNEL.elf CAPACITY "
		"[CMDLINE]\n       hv-virtio-guest --linux NAME MEM_MIB BZIMAGE "
		"INITRD CMDLINE\n       hv-virtio-guest --ctl DOMID "
		"INDEX OP ARG\n");
	return 2;
}

static int device_ctl(char **argv)
{
	struct hv_device_ctl ctl = {
		.domid = (uint32_t)strtoul(argv[0], NULL, 0),
		.index = (uint32_t)strtoul(argv[1], NULL, 0),
		.op = (uint32_t)strtoul(argv[2], NULL, 0),
		.arg = (uint32_t)strtoul(argv[3], NULL, 0),
	};
	struct hv_handle hv;
	int64_t result;
	int err = hv_open(&hv);

	if (err)
		return fail("open", err);
	err = hv_call(&hv, HVCALL_DEVICE_CTL, &ctl, sizeof(ctl), &result);
	hv_close(&hv);
	if (err < 0)
		return fail("device ctl", err);
	printf("result %" PRId64 "\n", err ? -(int64_t)err : result);
	return 0;
}

int main(int argc, char **argv)
{
	struct hv_device_add add;
	struct hv_handle hv;
	uint64_t capacity, ram_bytes;
	uint32_t domid, entry;
	int64_t result;
	size_t size, initrd_size = 0;
	void *kernel, *initrd = NULL;
	const char *cmdline;
	bool linux_boot = argc > 1 && !strcmp(argv[1], "--linux");
	int err;

	if (argc > 1 && !strcmp(argv[1], "--ctl"))
		return argc == 6 ? device_ctl(argv + 2) : usage();
	if (linux_boot) {
		if (argc != 7)
			return usage();
		argv++;		/* NAME MEM_MIB BZIMAGE INITRD CMDLINE */
		initrd = read_file(argv[4], &initrd_size);
		if (!initrd) {
			fprintf(stderr, "hv-virtio-guest: cannot read %s\n",
				argv[4]);
			return 1;
		}
		capacity = 0;
		cmdline = argv[5];
	} else {
		if (argc != 5 && argc != 6)
			return usage();
		capacity = strtoull(argv[4], NULL, 0);
		cmdline = argc == 6 ? argv[5] : "";
	}
	kernel = read_file(argv[3], &size);
	if (!kernel) {
		fprintf(stderr, "hv-virtio-guest: cannot read %s\n", argv[3]);
		return 1;
	}
	err = hv_open(&hv);
	if (err)
		return fail("open", err);
	ram_bytes = strtoull(argv[2], NULL, 0) << 20;
	err = hv_domain_create(&hv, argv[1], ram_bytes, 1, &domid);
	if (err)
		return fail("create", err);

	memset(&add, 0, sizeof(add));
	add.domid = domid;
	add.nr_queues = 2;
	add.queue_size = 256;
	if (linux_boot) {
		static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

		add.type = HV_VIRTIO_NET;
		add.features = VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC;
		add.config_len = 8;	/* mac, status (unused: no STATUS) */
		memcpy(add.config, mac, sizeof(mac));
	} else {
		add.type = HV_VIRTIO_BLK;
		add.features = VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_BLK_SIZE;
		add.config_len = 12;
		memcpy(add.config, &capacity, sizeof(capacity));
	}
	err = hv_call(&hv, HVCALL_DEVICE_ADD, &add, sizeof(add), &result);
	if (err)
		return fail("device add", err);
	if (result < 0)
		return fail("device add", (int)-result);

	if (linux_boot) {
		err = hv_domain_boot_linux(&hv, domid, ram_bytes, kernel, size,
					   initrd, initrd_size, cmdline);
		if (err)
			return fail("boot", err);
	} else {
		err = hv_domain_load_elf(&hv, domid, kernel, size, &entry);
		if (err)
			return fail("load", err);
		err = hv_domain_boot_pvh(&hv, domid, entry, cmdline);
		if (err)
			return fail("boot", err);
	}
	printf("domid %" PRIu32 " index %" PRIu32 "\n", domid, add.index);
	hv_close(&hv);
	free(kernel);
	free(initrd);
	return 0;
}
