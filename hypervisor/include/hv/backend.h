/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A customer domain's device backend in dom0 (common/backend.c): the
 * binding made by HVCALL_BACKEND_BIND (the domain's RAM mapped into dom0,
 * the page the hypervisor posts device state and events to) and the event
 * vector that wakes dom0 (HVCALL_EVENT_VECTOR).  See hvabi.h.
 *
 * Locking: d->arch.platform_lock guards a domain's binding.  The three
 * calls the virtio transport makes (backend_page() and the two posts)
 * expect the caller to hold it, so the transport (common/virtio_pci.c),
 * which runs under that lock, always sees a page that stays bound until it
 * lets go.  The calls below them take the lock themselves: they are made
 * by domctl.c (under domctl_lock, which comes before platform_lock) and by
 * domain_stop()/domain_destroy(), never with platform_lock held.
 */
#ifndef HV_BACKEND_H
#define HV_BACKEND_H

#include <public/hvabi.h>
#include <lib/types.h>

struct domain;

struct backend_binding {
	struct hv_backend_page *page;	/* in dom0's RAM; NULL = unbound */
	uint64_t page_gpa;		/* where dom0 sees it */
};

/* The page to publish device state into, or NULL when unbound. */
struct hv_backend_page *backend_page(struct domain *d);

/*
 * ORs bits into the page's notify (or changed) word and, when the word was
 * 0, sends dom0 its event vector.  Does nothing when unbound.
 */
void backend_post_notify(struct domain *d, uint64_t bits);
void backend_post_changed(struct domain *d, uint64_t bits);

/*
 * HVCALL_BACKEND_BIND's two operations on an existing domain d (dom0 or a
 * dying domain included: these calls refuse what they must), with the
 * caller's checked buffer of buf_size bytes.  Return what RAX gets.
 */
int64_t backend_bind(struct domain *d, struct hv_backend_bind *req,
		     uint64_t buf_size);
int64_t backend_unbind(struct domain *d);

/* HVCALL_EVENT_VECTOR, with the caller's checked buffer. */
int64_t backend_set_event_vector(const struct hv_event_vector *req);

/*
 * d's state changed (paused, unpaused, shut down, crashed, asked for a
 * reboot): when it is bound, the page's domain_state says so and
 * HV_BACKEND_DOMAIN_BIT is posted in changed.
 */
void backend_domain_state(struct domain *d);

/*
 * d is being destroyed and its vCPUs are gone.  When it is bound, the page
 * says DYING, HV_BACKEND_DOMAIN_BIT is posted, and true is returned: d
 * keeps its memory and slot, and backend_unbind() finishes the destroy.
 * False when unbound: the caller frees d now.
 */
bool backend_domain_dying(struct domain *d);

#endif
