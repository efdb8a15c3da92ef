// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_backend.c - choosing a hypervisor backend, and the helpers every
 * backend shares (see hv_backend.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv_backend.h"

/* hv_libhv.c (declared here: hv_backend.h is shared with other work). */
int hv_libhv_open(struct hv_backend **out, char *err, size_t errlen);

int hv_backend_open(const char *kind, const char *fake_state,
		    struct hv_backend **out, char *err, size_t errlen)
{
	if (strcmp(kind, "fake") == 0)
		return hv_fake_open(fake_state, out, err, errlen);

	/* The product: dom0's libhv over /dev/hvpriv (hv_libhv.c). */
	if (strcmp(kind, "libhv") == 0)
		return hv_libhv_open(out, err, errlen);
	snprintf(err, errlen, "unknown hypervisor backend '%s' (libhv or fake)", kind);
	return -1;
}

const char *hv_backend_strerror(int err)
{
	if (err == 0)
		return "success";
	if (err > 0) {
		switch (err) {
		case HV_EPERM:
			return "hypervisor: operation not permitted (HV_EPERM)";
		case HV_EFAULT:
			return "hypervisor: bad buffer (HV_EFAULT)";
		case HV_EINVAL:
			return "hypervisor: invalid argument or no such domain (HV_EINVAL)";
		case HV_ENOSYS:
			return "hypervisor: not supported (HV_ENOSYS)";
		case HV_ENOSPC:
			return "hypervisor: out of resources (HV_ENOSPC)";
		case HV_ENOMEM:
			return "hypervisor: not enough free memory (HV_ENOMEM)";
		case HV_ESRCH:
			return "hypervisor: no such domain (HV_ESRCH)";
		case HV_EBUSY:
			return "hypervisor: the domain is not in a state for this (HV_EBUSY)";
		default:
			return "hypervisor: unknown error code";
		}
	}
	return strerror(-err);
}

bool hv_backend_retryable(int err)
{
	/* The hypervisor's refusals are final; HV_ENOSPC (no free memory)
	 * may pass when another domain goes away. */
	if (err > 0)
		return err == HV_ENOSPC || err == HV_ENOMEM;
	return err == -EIO || err == -EAGAIN || err == -EINTR ||
	       err == -ETIMEDOUT || err == -ENOMEM || err == -EBUSY;
}

int hvb_list_all(struct hv_backend *hv, struct hvb_domain **out, uint32_t *n)
{
	uint32_t max = 64, count, total;

	for (;;) {
		struct hvb_domain *doms = calloc(max, sizeof(*doms));
		int err;

		if (!doms)
			return -ENOMEM;
		err = hv->list(hv, doms, max, &count, &total);
		if (err) {
			free(doms);
			return err;
		}
		if (count >= total) {
			*out = doms;
			*n = count;
			return 0;
		}
		/* Domains came and went between calls: ask again, bigger. */
		free(doms);
		max = total + 16;
	}
}

int hvb_find(struct hv_backend *hv, const char *name, struct hvb_domain *d,
	     bool *found)
{
	struct hvb_domain *doms;
	uint32_t n;
	int err = hvb_list_all(hv, &doms, &n);

	*found = false;
	if (err)
		return err;
	for (uint32_t i = 0; i < n; i++) {
		if (doms[i].domid != 0 && strcmp(doms[i].name, name) == 0) {
			*d = doms[i];
			*found = true;
			break;
		}
	}
	free(doms);
	return 0;
}
