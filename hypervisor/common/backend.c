// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEMPORARY, for the vpci branch only: the binding of hv/backend.h as it
 * is before HVCALL_BACKEND_BIND exists: no domain is ever bound.  Task B's
 * common/backend.c replaces this file at integration.
 */
#include <hv/backend.h>
#include <hv/domain.h>

struct hv_backend_page *backend_page(struct domain *d)
{
	(void)d;
	return NULL;
}

void backend_post_notify(struct domain *d, uint64_t bits)
{
	(void)d;
	(void)bits;
}

void backend_post_changed(struct domain *d, uint64_t bits)
{
	(void)d;
	(void)bits;
}
