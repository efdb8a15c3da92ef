/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A customer domain's device backend in dom0 (common/backend.c): the
 * binding made by HVCALL_BACKEND_BIND (the domain's RAM mapped into dom0,
 * the page the hypervisor posts device state and events to) and the event
 * vector that wakes dom0 (HVCALL_EVENT_VECTOR).  See hvabi.h.
 *
 * Locking: d->arch.platform_lock guards a domain's binding.  Every function
 * here that takes a domain expects the caller to hold it, so the virtio
 * transport (common/virtio_pci.c), which runs under that lock, always sees
 * a page that stays bound until it lets go.
 */
#ifndef HV_BACKEND_H
#define HV_BACKEND_H

#include <public/hvabi.h>
#include <lib/types.h>

struct domain;

struct backend_binding {
	struct hv_backend_page *page;	/* in dom0's RAM; NULL = unbound */
};

/* The page to publish device state into, or NULL when unbound. */
struct hv_backend_page *backend_page(struct domain *d);

/*
 * ORs bits into the page's notify (or changed) word and, when the word was
 * 0, sends dom0 its event vector.  Does nothing when unbound.
 */
void backend_post_notify(struct domain *d, uint64_t bits);
void backend_post_changed(struct domain *d, uint64_t bits);

#endif
