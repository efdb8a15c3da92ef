// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device life cycle common to every device type (vdev.h): what a new
 * hv_device_state means, queue errors, used buffers and interrupts.
 */
#include <inttypes.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "log.h"
#include "vdev.h"

static struct log_limit queue_error_log;

/* Drop everything the device held of the driver's set-up. */
static void drop_queues(struct vdev *d)
{
	for (unsigned q = 0; q < HV_DEVICE_QUEUES_MAX; q++)
		vq_reset(&d->vq[q]);
	d->running = false;
	d->broken = false;
	d->resetting = false;
	d->used_queues = 0;
	d->needs_reset = false;
	d->wake_ns = 0;
	d->reset_done = true;
}

void vdev_check_reset(struct vdev *d)
{
	if (d->resetting && d->ops->quiesce(d))
		drop_queues(d);
}

void vdev_queue_failed(struct vdev *d, unsigned q, enum vq_error err)
{
	if (d->broken)
		return;
	log_limited(&queue_error_log, vdev_now(d),
		    "domain %u device %u (%s) queue %u: %s; device needs reset",
		    d->env->domid, d->index, d->ops->type_name, q,
		    vq_error_name(err));
	d->broken = true;
	d->needs_reset = true;
	d->wake_ns = 0;
}

static void start(struct vdev *d, const struct hv_device_state *st,
		  bool resume)
{
	bool event_idx = st->driver_features & (1ull << VIRTIO_RING_F_EVENT_IDX);

	d->driver_features = st->driver_features;
	for (unsigned q = 0; q < d->nr_queues; q++) {
		const struct hv_vq_config *c = &st->vq[q];
		enum vq_error err;

		vq_reset(&d->vq[q]);
		if (!c->enabled)
			continue;
		err = vq_enable(&d->vq[q], &d->env->gm, c->size, event_idx,
				c->desc, c->driver, c->device);
		if (err != VQ_OK) {
			d->running = true;	/* set up, but broken */
			vdev_queue_failed(d, q, err);
			return;
		}
		if (resume)
			log_msg("domain %u device %u queue %u: resumed at used "
				"index %u", d->env->domid, d->index, q,
				vq_resume(&d->vq[q]));
	}
	d->running = true;
	d->ops->start(d);
}

void vdev_apply_state(struct vdev *d, const struct hv_device_state *st)
{
	/* Only the first state a resumed backend sees is its predecessor's
	 * running device; any later start is a driver's fresh one. */
	bool resume = d->resume;

	d->resume = false;
	if (st->reset) {
		if (!d->resetting) {
			d->resetting = true;
			d->wake_ns = 0;
		}
		vdev_check_reset(d);
		return;
	}
	if (d->resetting)
		return;		/* the hypervisor keeps reset=1 until RESET_DONE */
	if ((st->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(st->status & VIRTIO_CONFIG_S_FAILED) && !d->running && !d->broken) {
		if (st->status & VIRTIO_CONFIG_S_NEEDS_RESET) {
			/* Broken under the backend that died: stays so
			 * until the driver resets it. */
			d->running = true;
			d->broken = true;
			return;
		}
		start(d, st, resume);
	}
}

void vdev_push_used(struct vdev *d, unsigned q, uint16_t head,
		    uint32_t written)
{
	enum vq_error err = vq_push_used(&d->vq[q], head, written);

	if (err != VQ_OK)
		vdev_queue_failed(d, q, err);
	else
		d->used_queues |= 1u << q;
}

uint32_t vdev_take_interrupts(struct vdev *d)
{
	uint32_t mask = 0;

	for (unsigned q = 0; q < d->nr_queues; q++)
		if ((d->used_queues & (1u << q)) && vq_should_interrupt(&d->vq[q]))
			mask |= 1u << q;
	d->used_queues = 0;
	return mask;
}

/* Lost events found by the idle check, for its log lines. */
static uint64_t lost_notifies, lost_interrupts;

static bool worth_a_line(uint64_t n)
{
	return n <= 10 || !(n & (n - 1));
}

uint32_t vdev_idle_check(struct vdev *d)
{
	uint32_t owed = 0;

	if (!vdev_serving(d))
		return 0;
	for (unsigned q = 0; q < d->nr_queues; q++) {
		if (vq_avail_pending(&d->vq[q])) {
			if (worth_a_line(++lost_notifies))
				log_msg("domain %u device %u queue %u: chains "
					"without a notify (%" PRIu64 " so far)",
					d->env->domid, d->index, q, lost_notifies);
			d->ops->queue_notified(d, q);
		}
		if (vq_interrupt_owed(&d->vq[q])) {
			if (worth_a_line(++lost_interrupts))
				log_msg("domain %u device %u queue %u: guest "
					"owed an interrupt (%" PRIu64 " so far)",
					d->env->domid, d->index, q, lost_interrupts);
			owed |= 1u << q;
		}
	}
	return owed;
}
