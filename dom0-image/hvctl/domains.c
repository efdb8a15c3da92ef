// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl's domain commands: create, pause, unpause, destroy, console.
 * A domain is named by its name or its id.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvctl.h"

static int report(FILE *err, const char *what, int rc)
{
	fprintf(err, "hvctl: %s: %s\n", what, hv_strerror(rc));
	return HVCTL_EXIT_FAIL;
}

/* A name or a number; names win, so a domain called "7" is found. */
static int resolve(struct hv_handle *h, const char *which, uint32_t *domid)
{
	uint64_t n;
	int rc = hv_domain_find(h, which, domid);

	if (rc == HV_ESRCH && hvctl_parse_u64(which, &n) == 0 && n <= UINT32_MAX) {
		*domid = (uint32_t)n;
		return 0;
	}
	return rc;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len)) &&
	    fread(buf, 1, (size_t)len, f) == (size_t)len) {
		*size = (size_t)len;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int cmd_create(const struct hvctl_args *a, struct hv_handle *h,
		      FILE *out, FILE *err)
{
	uint32_t domid, entry;
	size_t size;
	void *kernel = read_file(a->kernel, &size);
	int rc;

	if (!kernel) {
		fprintf(err, "hvctl: cannot read %s: %s\n", a->kernel, strerror(errno));
		return HVCTL_EXIT_FAIL;
	}
	rc = hv_domain_create(h, a->domain, a->mem_mib << 20, a->nr_vcpus, &domid);
	if (rc) {
		free(kernel);
		return report(err, "create", rc);
	}
	rc = hv_domain_load_elf(h, domid, kernel, size, &entry);
	free(kernel);
	if (rc == 0)
		rc = hv_domain_boot_pvh(h, domid, entry, a->cmdline);
	if (rc) {
		/* Leave nothing half-built behind. */
		hv_domain_ctl(h, domid, HV_DOMCTL_DESTROY);
		return report(err, rc == -ENOEXEC ? "not a PVH ELF kernel" : "boot", rc);
	}
	fprintf(out, "%" PRIu32 "\n", domid);
	return HVCTL_EXIT_OK;
}

static int cmd_console(uint32_t domid, bool follow, struct hv_handle *h,
		       FILE *out, FILE *err)
{
	char buf[4096];
	uint64_t pos = 0;
	size_t copied;
	int rc;

	for (;;) {
		rc = hv_domain_console(h, domid, &pos, buf, sizeof(buf), &copied);
		if (rc)
			return report(err, "console", rc);
		fwrite(buf, 1, copied, out);
		if (copied == 0) {
			if (!follow)
				return HVCTL_EXIT_OK;
			fflush(out);
			usleep(200 * 1000);
		}
	}
}

int hvctl_domain_cmd(const struct hvctl_args *a, struct hv_handle *h,
		     FILE *out, FILE *err)
{
	uint32_t domid;
	int rc;

	if (a->cmd == HVCTL_CREATE)
		return cmd_create(a, h, out, err);
	rc = resolve(h, a->domain, &domid);
	if (rc)
		return report(err, a->domain, rc);
	switch (a->cmd) {
	case HVCTL_PAUSE:
		rc = hv_domain_ctl(h, domid, HV_DOMCTL_PAUSE);
		break;
	case HVCTL_UNPAUSE:
		rc = hv_domain_ctl(h, domid, HV_DOMCTL_UNPAUSE);
		break;
	case HVCTL_DESTROY:
		rc = hv_domain_ctl(h, domid, HV_DOMCTL_DESTROY);
		break;
	case HVCTL_CONSOLE:
		return cmd_console(domid, a->follow, h, out, err);
	case HVCTL_SCHED: {
		uint32_t weight = 0, cap = 0;

		rc = hv_domain_sched(h, domid, false, &weight, &cap);
		if (rc == 0 && (a->weight >= 0 || a->cap >= 0)) {
			if (a->weight >= 0)
				weight = (uint32_t)a->weight;
			if (a->cap >= 0)
				cap = (uint32_t)a->cap;
			rc = hv_domain_sched(h, domid, true, &weight, &cap);
		}
		if (rc == 0)
			fprintf(out, "weight: %u\ncap: %u\n", weight, cap);
		break;
	}
	default:
		return HVCTL_EXIT_USAGE;
	}
	return rc ? report(err, a->domain, rc) : HVCTL_EXIT_OK;
}
