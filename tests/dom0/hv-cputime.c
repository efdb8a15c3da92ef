// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test tool for dom0 (the scheduler benchmark, tests/bench/sched.py): every
 * domain's CPU and steal time over a window, in ns, measured by the
 * hypervisor's own clock.
 *
 *	hv-cputime SECONDS
 *
 * samples HVCALL_DOMAIN_LIST, sleeps SECONDS (a decimal fraction is fine),
 * samples it again and prints
 *
 *	window_ns W tsc_khz K sample_ns S
 *	domain ID NAME STATE VCPUS CPU_NS STEAL_NS	(one per domain)
 *	end
 *
 * CPU_NS and STEAL_NS are what the domain's vCPUs ran and waited during
 * the window (differences of the hypervisor's counters); W is the window
 * on the TSC, converted to ns with the hypervisor's calibrated rate (its
 * tsc_to_ns()), each end taken at the middle of its sample, and S is the
 * longer of the two samples' durations (how uncertain each end is).  A
 * domain that came or went during the window is left out.  `end` says
 * the output is whole: the serial console is shared with the hypervisor.
 *
 * The hypervisor keeps its counters in ns of each CPU's TSC; dom0 reads
 * CPU 0's.  TSCs may be offset between CPUs but all run at one rate, and a
 * window is a difference, so the offset cancels.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "hvabi.h"
#include "hvpriv.h"

#define MAX_DOMS 64

struct sample {
	uint64_t tsc;		/* middle of the call */
	uint64_t tsc_span;	/* how long the call took */
	uint32_t count;
	struct hv_domain_info doms[MAX_DOMS];
};

static int fd;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static int64_t call(uint32_t nr, void *buf, uint32_t size)
{
	struct hvpriv_call c = { .nr = nr, .size = size, .buf = (uintptr_t)buf };

	if (ioctl(fd, HVPRIV_IOCTL_CALL, &c) != 0) {
		fprintf(stderr, "hv-cputime: ioctl: %s\n", strerror(errno));
		exit(1);
	}
	return c.result;
}

static void take(struct sample *s)
{
	static union {
		struct hv_domain_list l;
		char bytes[sizeof(struct hv_domain_list) +
			   MAX_DOMS * sizeof(struct hv_domain_info)];
	} buf;
	uint64_t t0, t1;
	int64_t rc;

	memset(&buf, 0, sizeof(buf));
	buf.l.max = MAX_DOMS;
	t0 = rdtsc();
	rc = call(HVCALL_DOMAIN_LIST, &buf, sizeof(buf));
	t1 = rdtsc();
	if (rc < 0) {
		fprintf(stderr, "hv-cputime: HVCALL_DOMAIN_LIST: %" PRId64 "\n", rc);
		exit(1);
	}
	s->tsc = t0 + (t1 - t0) / 2;
	s->tsc_span = t1 - t0;
	s->count = buf.l.count;
	memcpy(s->doms, buf.l.domains, s->count * sizeof(s->doms[0]));
}

/* The hypervisor's tsc_to_ns(), for the same result. */
static uint64_t tsc_to_ns(uint64_t tsc, uint64_t khz)
{
	return tsc / khz * 1000000 + tsc % khz * 1000000 / khz;
}

int main(int argc, char **argv)
{
	static struct sample a, b;
	struct hv_physinfo pi;
	struct timespec ts;
	char *endp;
	double secs;
	uint32_t i, j;

	if (argc != 2 || (secs = strtod(argv[1], &endp)) <= 0 || *endp) {
		fprintf(stderr, "usage: hv-cputime SECONDS\n");
		return 2;
	}
	fd = open(HVPRIV_DEVICE, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "hv-cputime: %s: %s\n", HVPRIV_DEVICE, strerror(errno));
		return 1;
	}
	memset(&pi, 0, sizeof(pi));
	if (call(HVCALL_PHYSINFO, &pi, sizeof(pi)) < 0 || pi.tsc_khz == 0) {
		fprintf(stderr, "hv-cputime: HVCALL_PHYSINFO failed\n");
		return 1;
	}

	take(&a);
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	take(&b);

	printf("window_ns %" PRIu64 " tsc_khz %" PRIu64 " sample_ns %" PRIu64 "\n",
	       tsc_to_ns(b.tsc - a.tsc, pi.tsc_khz), pi.tsc_khz,
	       tsc_to_ns(a.tsc_span > b.tsc_span ? a.tsc_span : b.tsc_span,
			 pi.tsc_khz));
	for (i = 0; i < b.count; i++) {
		const struct hv_domain_info *e = &b.doms[i];
		char name[HV_NAME_LEN + 1];

		for (j = 0; j < a.count; j++)
			if (a.doms[j].domid == e->domid)
				break;
		if (j == a.count)
			continue;
		memcpy(name, e->name, HV_NAME_LEN);
		name[HV_NAME_LEN] = '\0';
		for (char *p = name; *p; p++)
			if (*p <= ' ' || *p > '~')
				*p = '_';
		printf("domain %" PRIu32 " %s %" PRIu32 " %" PRIu32 " %" PRIu64
		       " %" PRIu64 "\n", e->domid, name[0] ? name : "-", e->state,
		       e->nr_vcpus, e->cpu_time_ns - a.doms[j].cpu_time_ns,
		       e->steal_ns - a.doms[j].steal_ns);
	}
	printf("end\n");
	return 0;
}
