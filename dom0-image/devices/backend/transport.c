// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv-backend's transport glue (transport.h).  The order is the one the
 * backend page's comment (hvabi.h) asks for: empty both event words, then
 * act on them, then sleep; an event posted while we act sets a word again
 * and wakes the next poll().
 */
#include <string.h>

#include "log.h"
#include "transport.h"

bool transport_domain_stopped(uint32_t domain_state)
{
	return domain_state == HV_DOMAIN_SHUTDOWN ||
	       domain_state == HV_DOMAIN_CRASHED ||
	       domain_state == HV_DOMAIN_DYING ||
	       domain_state == HV_DOMAIN_REBOOT;
}

bool transport_events(struct transport *t)
{
	uint64_t changed = hv_backend_take_changed(&t->be);
	uint64_t notify = hv_backend_take_notify(&t->be);

	for (unsigned i = 0; i < t->nr_devs; i++) {
		struct vdev *d = &t->devs[i];
		struct hv_device_state st;

		if (changed & (1ull << i)) {
			int rc = hv_backend_device_state(&t->be, i, &st);

			if (rc)
				log_msg("device %u: state unreadable: %s", i,
					hv_strerror(rc));
			else
				vdev_apply_state(d, &st);
		}
		for (unsigned q = 0; q < d->nr_queues; q++)
			if (notify & (1ull << (i * HV_DEVICE_QUEUES_MAX + q)))
				d->ops->queue_notified(d, q);
	}
	return (changed & HV_BACKEND_DOMAIN_BIT) &&
	       transport_domain_stopped(__atomic_load_n(&t->be.page->domain_state,
							__ATOMIC_ACQUIRE));
}

static void ctl(struct transport *t, unsigned index, uint32_t op, uint32_t arg)
{
	int rc = hv_device_ctl(&t->h, t->domid, index, op, arg);

	if (rc)
		log_msg("device %u: HVCALL_DEVICE_CTL op %u: %s", index, op,
			hv_strerror(rc));
}

void transport_flush(struct transport *t)
{
	for (unsigned i = 0; i < t->nr_devs; i++) {
		struct vdev *d = &t->devs[i];
		uint32_t mask = vdev_take_interrupts(d);

		if (mask)
			ctl(t, i, HV_DEVCTL_INTERRUPT, mask);
		if (d->needs_reset) {
			d->needs_reset = false;
			ctl(t, i, HV_DEVCTL_NEEDS_RESET, 0);
		}
		if (d->reset_done) {
			d->reset_done = false;
			ctl(t, i, HV_DEVCTL_RESET_DONE, 0);
		}
	}
}

void transport_idle_check(struct transport *t)
{
	for (unsigned i = 0; i < t->nr_devs; i++) {
		uint32_t owed = vdev_idle_check(&t->devs[i]);

		if (owed)
			ctl(t, i, HV_DEVCTL_INTERRUPT, owed);
	}
}
