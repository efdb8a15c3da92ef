/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libhv_backend.h - libhv's calls for a customer domain's device backend
 * (backend.c; docs/virtio.md): binding a domain, its RAM and event page
 * mapped into the process, and the virtio device calls.  Same return
 * convention as libhv.h, which it includes.  A header of its own because
 * provisiond, which includes libhv.h, has a struct hv_backend of its own.
 *
 *	struct hv_backend be;
 *	int err = hv_backend_bind(domid, &be);
 *	...poll(be.fd) for POLLIN, then hv_backend_take_changed(&be) and
 *	   hv_backend_take_notify(&be), then serve...
 *	hv_backend_unbind(&be);
 */
#ifndef LIBHV_BACKEND_H
#define LIBHV_BACKEND_H

#include "libhv.h"

/*
 * A customer domain's device backend (docs/virtio.md): its own open
 * /dev/hvpriv bound to the domain (HVPRIV_IOCTL_BACKEND_BIND), the
 * domain's RAM and the event page mapped.  One per domain at a time.
 */
struct hv_backend {
	int fd;				/* bound /dev/hvpriv; poll() it: POLLIN
					   = notify or changed is non-zero */
	uint8_t *ram;			/* the domain's RAM, gpa 0..ram_bytes */
	uint64_t ram_bytes;
	struct hv_backend_page *page;
};

/*
 * Opens its own /dev/hvpriv, binds it to the domain, maps both.  Errors as
 * negative errnos (the driver's, hvpriv.h): -EBUSY when the domain already
 * has a backend, -ESRCH when there is no such customer domain, ...
 */
int hv_backend_bind(uint32_t domid, struct hv_backend *be);
/* Unmaps, closes (which unbinds); harmless on an unbound *be. */
void hv_backend_unbind(struct hv_backend *be);
/* Takes (atomic exchange with 0) the page's notify / changed words. */
uint64_t hv_backend_take_notify(struct hv_backend *be);
uint64_t hv_backend_take_changed(struct hv_backend *be);
/*
 * Copies dev[index] consistently (the seq protocol); -EAGAIN never
 * escapes: it retries.  HV_EINVAL for index >= HV_DOMAIN_DEVICES_MAX.
 */
int hv_backend_device_state(struct hv_backend *be, uint32_t index,
			    struct hv_device_state *out);
/* HVCALL_DEVICE_ADD; req->index is set on success. */
int hv_device_add(struct hv_handle *h, struct hv_device_add *req);
/* HVCALL_DEVICE_CTL (interrupts, RESET_DONE, NEEDS_RESET). */
int hv_device_ctl(struct hv_handle *h, uint32_t domid, uint32_t index,
		  uint32_t op, uint32_t arg);

#endif /* LIBHV_BACKEND_H */
