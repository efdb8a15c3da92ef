/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * transport.h - hv-backend's glue to the hypervisor's virtio-pci transport
 * through libhv (libhv_backend.h): events from the backend page in,
 * HVCALL_DEVICE_CTL out.
 */
#ifndef DOM0_DEVICES_TRANSPORT_H
#define DOM0_DEVICES_TRANSPORT_H

#include <stdbool.h>

#include "libhv_backend.h"
#include "vdev.h"

struct transport {
	struct hv_backend be;
	struct hv_handle h;		/* be.fd, for the device calls */
	uint32_t domid;
	struct vdev *devs;
	unsigned nr_devs;
};

/*
 * Takes both event words (so nothing that happens from now on is lost),
 * applies every changed device's new state and passes notifications to
 * the devices.  Returns true when the domain has stopped.
 */
bool transport_events(struct transport *t);

/* Says what the devices recorded: one HV_DEVCTL_INTERRUPT per device with
 * the mask of its queues to interrupt, RESET_DONE, NEEDS_RESET. */
void transport_flush(struct transport *t);

/* True for the HV_DOMAIN_* states of a domain that will not run again. */
bool transport_domain_stopped(uint32_t domain_state);

/* After a quiet VDEV_IDLE_CHECK_MS: each device's idle check, and the
 * interrupts it finds owed. */
void transport_idle_check(struct transport *t);

#endif
