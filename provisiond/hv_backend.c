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

int hv_backend_open(const char *kind, const char *fake_state,
		    struct hv_backend **out, char *err, size_t errlen)
{
	if (strcmp(kind, "fake") == 0)
		return hv_fake_open(fake_state, out, err, errlen);

	/*
	 * The libhv backend is written once the hypervisor can create,
	 * start, stop and destroy customer domains.  Until then refuse
	 * plainly: provisiond must never pretend to have made a server.
	 */
	if (strcmp(kind, "libhv") == 0) {
		snprintf(err, errlen,
			 "hypervisor backend not available in this build: --hv=libhv "
			 "(the hypervisor cannot create customer domains yet; the only "
			 "backend built is --hv=fake, a test double for the API tests)");
		return -1;
	}
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
			return "hypervisor: call not supported (HV_ENOSYS)";
		case HV_ENOSPC:
			return "hypervisor: out of resources (HV_ENOSPC)";
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
		return err == HV_ENOSPC;
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
