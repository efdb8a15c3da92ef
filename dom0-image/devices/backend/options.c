// SPDX-License-Identifier: GPL-2.0-only
/* hv-backend's command line (options.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static int number(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end || *v > max ? -EINVAL : 0;
}

int backend_parse_options(int argc, char **argv, struct backend_options *o,
			  FILE *err)
{
	bool have_domid = false;
	uint64_t v;

	memset(o, 0, sizeof(*o));
	o->ready_fd = -1;
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		char why[128];

		if (!strcmp(opt, "--resume")) {
			o->resume = true;
			continue;
		}
		if (!val) {
			fprintf(err, "hv-backend: %s: missing value\n", opt);
			return -EINVAL;
		}
		i++;
		if (!strcmp(opt, "--domid")) {
			if (number(val, UINT32_MAX, &v) || v == 0) {
				fprintf(err, "hv-backend: bad domain id '%s'\n", val);
				return -EINVAL;
			}
			o->domid = (uint32_t)v;
			have_domid = true;
		} else if (!strcmp(opt, "--ready-fd")) {
			if (number(val, 65535, &v) || v < 3) {
				fprintf(err, "hv-backend: bad --ready-fd '%s'\n", val);
				return -EINVAL;
			}
			o->ready_fd = (int)v;
		} else if (!strcmp(opt, "--disk")) {
			if (o->nr_disks + o->nr_nets == HV_DOMAIN_DEVICES_MAX) {
				fprintf(err, "hv-backend: at most %u devices\n",
					HV_DOMAIN_DEVICES_MAX);
				return -EINVAL;
			}
			if (hv_disk_spec_parse(val, &o->disks[o->nr_disks], why,
					       sizeof(why))) {
				fprintf(err, "hv-backend: --disk %s: %s\n", val, why);
				return -EINVAL;
			}
			o->nr_disks++;
		} else if (!strcmp(opt, "--net")) {
			if (o->nr_disks + o->nr_nets == HV_DOMAIN_DEVICES_MAX) {
				fprintf(err, "hv-backend: at most %u devices\n",
					HV_DOMAIN_DEVICES_MAX);
				return -EINVAL;
			}
			if (hv_net_spec_parse(val, &o->nets[o->nr_nets], why,
					      sizeof(why))) {
				fprintf(err, "hv-backend: --net %s: %s\n", val, why);
				return -EINVAL;
			}
			o->nr_nets++;
		} else {
			fprintf(err, "hv-backend: unknown option '%s'\n", opt);
			return -EINVAL;
		}
	}
	if (!have_domid || o->nr_disks + o->nr_nets == 0) {
		fprintf(err, "usage: hv-backend --domid N [--ready-fd FD] [--resume] "
			"[--disk PATH[,ro][,bps=N][,iops=N][,serial=S]]... "
			"[--net TAP[,mac=M][,rx_bps=N][,tx_bps=N]]...\n");
		return -EINVAL;
	}
	return 0;
}
