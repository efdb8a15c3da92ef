// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test tool for dom0 (tests/system/test_affinity.py): makes
 * HVCALL_VCPU_AFFINITY with any mask, including those hvctl will not send
 * (an empty one, raw bits), and prints the hypervisor's answer.
 *
 *	hv-affinity DOMID VCPU MASK	set (VCPU "all" = HV_VCPU_ALL)
 *	hv-affinity DOMID VCPU		read
 *
 * prints "result R" (R = RAX: 0, or -HV_E*) and on success
 * "cpus 0x... cpu N domain_cpus 0x... run_ns N".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvabi.h"
#include "hvpriv.h"

int main(int argc, char **argv)
{
	struct hv_vcpu_affinity a = { 0 };
	struct hvpriv_call c = { .nr = HVCALL_VCPU_AFFINITY, .size = sizeof(a),
				 .buf = (uintptr_t)&a };
	int fd;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: hv-affinity DOMID VCPU|all [MASK]\n");
		return 2;
	}
	a.domid = (uint32_t)strtoul(argv[1], NULL, 0);
	a.vcpu = strcmp(argv[2], "all") ? (uint32_t)strtoul(argv[2], NULL, 0) :
					  HV_VCPU_ALL;
	a.set = argc == 4;
	if (a.set)
		a.cpus = strtoull(argv[3], NULL, 0);
	fd = open(HVPRIV_DEVICE, O_RDWR);
	if (fd < 0 || ioctl(fd, HVPRIV_IOCTL_CALL, &c) != 0) {
		fprintf(stderr, "hv-affinity: %s\n", strerror(errno));
		return 1;
	}
	printf("result %" PRId64 "\n", (int64_t)c.result);
	if (c.result == 0)
		printf("cpus 0x%" PRIx64 " cpu %" PRIu32 " domain_cpus 0x%" PRIx64
		       " run_ns %" PRIu64 "\n", a.cpus, a.cpu, a.domain_cpus,
		       a.run_ns);
	close(fd);
	return 0;
}
