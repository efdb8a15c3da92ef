/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blk_fixture.h - the virtio-blk unit tests' fake transport: guest memory
 * of this process between PROT_NONE guard pages, a driver that writes
 * descriptor chains (slot s uses descriptors 4s..4s+3 and its own header,
 * data and status bytes), the hypervisor's device state as a struct handed
 * to vdev_apply_state(), a clock that is a variable, and a real disk: a
 * temporary file, real io_uring I/O.
 */
#ifndef BLK_FIXTURE_H
#define BLK_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <check.h>

#include "aio.h"
#include "blk.h"
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

extern struct guest_mem gm;
extern struct aio aio;
extern struct backend_env env;
extern struct vdev dev;
extern uint64_t fake_now;
extern char disk_path[64];
extern uint16_t used_seen;	/* used entries the test has looked at */

struct vring_desc *desc(unsigned i);
struct vring_avail *avail(void);
struct vring_used *used(void);
uint8_t *status_of(unsigned slot);
uint8_t *data_of(unsigned slot);
/* The state of a driver that set queue 0 up and said DRIVER_OK. */
struct hv_device_state running_state(void);
void start_device(void);
/* A fresh device on a fresh DISK_SIZE file with --disk options opts
 * (",ro", ...), started; setup() is setup_with(""). */
void setup_with(const char *opts);
void setup(void);
void teardown(void);
/* Writes slot's chain: header, data_len bytes (if any), status; its head. */
unsigned chain_of(unsigned slot, uint32_t type, uint64_t sector,
		  uint32_t data_len, bool data_writable);
void post(unsigned head);
/* Notify, then let every I/O finish (and the queue go on). */
void run(void);
/* One request in slot, run alone; its status. */
uint8_t request(unsigned slot, uint32_t type, uint64_t sector, uint32_t len,
		bool writable);
struct blk_stats stats(void);

/* The test cases of each file, for main() in test_blk.c. */
TCase *blk_quota_tcase(void);
TCase *blk_control_tcase(void);
TCase *blk_options_tcase(void);

#endif
