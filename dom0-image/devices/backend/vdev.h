/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vdev.h - one virtio device served by hv-backend, as the transport glue
 * (transport.c) and the main loop see it, whatever its type.
 *
 * The split: the hypervisor holds the transport (features, status, queue
 * set-up) and tells us the driver's choices through struct hv_device_state;
 * vdev.c turns a new state into the device's life cycle (queues enabled at
 * DRIVER_OK, reset, broken); a device type (blk/blk.c, later net) supplies
 * struct vdev_ops and serves the queues.  Nothing here makes a hypercall:
 * vdev_* functions record what the transport must say (interrupts, reset
 * done, needs reset) and transport.c says it, so the device types can be
 * unit-tested with a fake transport.
 *
 * One thread: the main loop calls everything.
 */
#ifndef DOM0_DEVICES_VDEV_H
#define DOM0_DEVICES_VDEV_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "hvabi.h"
#include "virtqueue.h"

struct aio;
struct vdev;

/* What every device of one backend process shares. */
struct backend_env {
	struct guest_mem gm;		/* the domain's RAM */
	struct aio *aio;		/* the process's io_uring */
	uint32_t domid;
	/* CLOCK_MONOTONIC in ns; tests put a fake clock here. */
	uint64_t (*now_ns)(void *clock_ctx);
	void *clock_ctx;
};

struct vdev_ops {
	const char *type_name;		/* "blk", for the log */
	/* DRIVER_OK: d->vq[] are enabled; start serving them. */
	void (*start)(struct vdev *d);
	/* Queue q may have work: the guest notified it, or an I/O completed
	 * or a timer fired and the device may go on. */
	void (*queue_notified)(struct vdev *d, unsigned q);
	/* d->wake_ns has passed (throttling). */
	void (*timer)(struct vdev *d);
	/* The driver reset the device: forget parked work and answer whether
	 * nothing of it is in flight any more.  Called again after each
	 * completion until it says true; then the rings are dropped. */
	bool (*quiesce)(struct vdev *d);
	/* File descriptors the device wants polled (a tap, later); may be
	 * NULL.  Returns how many it wrote to fds (at most max); poll_ready
	 * then gets them back with their revents. */
	unsigned (*poll_fds)(struct vdev *d, struct pollfd *fds, unsigned max);
	void (*poll_ready)(struct vdev *d, const struct pollfd *fds, unsigned n);
	void (*destroy)(struct vdev *d);
};

struct vdev {
	const struct vdev_ops *ops;
	struct backend_env *env;
	unsigned index;			/* in the domain: PCI 00:(index+1).0 */

	/* What HVCALL_DEVICE_ADD offers, filled by the device type. */
	uint32_t type;			/* HV_VIRTIO_* */
	uint32_t nr_queues;
	uint32_t queue_size;
	uint64_t features;
	uint32_t config_len;
	uint8_t config[HV_DEVICE_CONFIG_MAX];

	/* Life cycle, as the transport last told it. */
	uint64_t driver_features;
	bool running;			/* DRIVER_OK seen, queues enabled */
	bool broken;			/* a queue error: nothing until reset */
	bool resetting;			/* reset seen, waiting for in-flight I/O */
	bool resume;			/* hv-backend --resume: the first state
					   may be a running device whose queues
					   continue at the guest's used index */
	struct virtqueue vq[HV_DEVICE_QUEUES_MAX];

	/* What the transport must still say. */
	uint32_t used_queues;		/* queues pushed to since the last flush */
	bool reset_done;		/* HV_DEVCTL_RESET_DONE */
	bool needs_reset;		/* HV_DEVCTL_NEEDS_RESET */

	uint64_t wake_ns;		/* call ops->timer at this time; 0 none */
	void *priv;			/* the device type's state */
};

/* The device's clock. */
static inline uint64_t vdev_now(const struct vdev *d)
{
	return d->env->now_ns(d->env->clock_ctx);
}

/*
 * A new state from the hypervisor: on reset, quiesce and (when nothing is
 * in flight) drop the queues and set reset_done; on DRIVER_OK, enable the
 * queues the driver enabled (a bad ring makes the device broken with
 * needs_reset) and start.  Anything else (features being negotiated) waits.
 */
void vdev_apply_state(struct vdev *d, const struct hv_device_state *st);

/* After I/O completed on a resetting device: finish the reset if it can. */
void vdev_check_reset(struct vdev *d);

/* Queue q's error err: the device is broken until reset (logged,
 * rate-limited); the transport will say NEEDS_RESET. */
void vdev_queue_failed(struct vdev *d, unsigned q, enum vq_error err);

/* A device may serve its queues (running, not broken, not resetting). */
static inline bool vdev_serving(const struct vdev *d)
{
	return d->running && !d->broken && !d->resetting;
}

/* Returns chain head's use to the guest on queue q (vq_push_used) and
 * notes the queue for this iteration's interrupt. */
void vdev_push_used(struct vdev *d, unsigned q, uint16_t head,
		    uint32_t written);

/* The interrupt mask to raise now: the queues pushed to whose driver
 * wants an interrupt (EVENT_IDX / NO_INTERRUPT).  Clears used_queues. */
uint32_t vdev_take_interrupts(struct vdev *d);

/*
 * The main loop's idle check, after VDEV_IDLE_CHECK_MS without any event:
 * serves chains the guest added without a notify we saw, and returns the
 * queues whose guest is owed an interrupt (vq_avail_pending(),
 * vq_interrupt_owed()).  Each find is logged (the first ones, then every
 * power of two): it means an event was lost somewhere, which the check
 * turns from a hung guest into a delay.
 */
#define VDEV_IDLE_CHECK_MS	1000
uint32_t vdev_idle_check(struct vdev *d);

#endif
