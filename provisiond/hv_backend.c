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

int hv_backend_open(const char *kind, const char *state_path,
		    struct hv_backend **out, char *err, size_t errlen)
{
	char have[128] = "";

	for (const struct hv_backend_kind *k = hv_backend_kinds; k->name; k++) {
		if (strcmp(kind, k->name) == 0)
			return k->open(state_path, out, err, errlen);
		snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s",
			 have[0] ? ", " : "", k->name);
	}
	/* The product has no test double: say where it lives instead. */
	snprintf(err, errlen, "unknown hypervisor backend '%s' (this provisiond has: %s%s)",
		 kind, have, strcmp(kind, "fake") == 0 ?
		 "; the fake test double is built only into the API tests' "
		 "provisiond-testhv" : "");
	return -1;
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
