// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl sched DOMAIN [--weight W] [--cap C] [--cpus LIST [--vcpu N]]:
 * a domain's CPU quota (HVCALL_DOMAIN_SCHED) and where its vCPUs may run
 * (HVCALL_VCPU_AFFINITY), changed if asked, then printed:
 *
 *	weight: 256
 *	cap: 0
 *	vcpu 0: cpu 1, cpus 1-3, ran 12.345 s
 *
 * one line per vCPU: the CPU it is on now ("-" before it is booted), the
 * CPUs it may run on, the CPU time it has had.
 */
#include <inttypes.h>
#include <stdio.h>

#include <lib/cpuset.h>

#include "hvctl.h"

/*
 * Reports a refusal (of the --cpus change when by_affinity), as precisely
 * as we can tell why; the exit code.
 */
static int refused(const struct hvctl_args *a, struct hv_handle *h,
		   uint32_t domid, int rc, bool by_affinity, FILE *err)
{
	struct hv_vcpu_affinity q = { .domid = domid, .vcpu = 0 };
	char bad[CPUSET_LIST_LEN], ok[CPUSET_LIST_LEN];

	if (rc == HV_ESRCH && domid == 0) {
		fprintf(err, "hvctl: %s: dom0's CPUs and quota are its own; "
			"sched is for customer domains\n", a->domain);
	} else if (rc == HV_EINVAL && by_affinity && hv_vcpu_affinity(h, &q) == 0) {
		cpuset_format(q.domain_cpus, ok, sizeof(ok));
		cpuset_format(a->cpu_set & ~q.domain_cpus, bad, sizeof(bad));
		if (a->cpu_set & ~q.domain_cpus)
			fprintf(err, "hvctl: %s: --cpus %s: CPUs %s are not domain "
				"CPUs (those are %s; dom0's and absent CPUs are "
				"not allowed): %s\n", a->domain, a->cpus, bad, ok,
				hv_strerror(rc));
		else
			fprintf(err, "hvctl: %s: no vCPU %" PRId64 ": %s\n",
				a->domain, a->sched_vcpu, hv_strerror(rc));
	} else {
		fprintf(err, "hvctl: %s: %s\n", a->domain, hv_strerror(rc));
	}
	return HVCTL_EXIT_FAIL;
}

/* One line per vCPU, until the hypervisor says there is no next one. */
static int print_vcpus(struct hv_handle *h, uint32_t domid, FILE *out)
{
	uint32_t i;

	for (i = 0; i < HV_DOMAIN_VCPUS_MAX; i++) {
		struct hv_vcpu_affinity q = { .domid = domid, .vcpu = i };
		char cpus[CPUSET_LIST_LEN];
		int rc = hv_vcpu_affinity(h, &q);

		if (rc == HV_EINVAL && i > 0)
			return 0;	/* past the last vCPU */
		if (rc)
			return rc;
		cpuset_format(q.cpus, cpus, sizeof(cpus));
		if (q.cpu == HV_CPU_NONE)
			fprintf(out, "vcpu %" PRIu32 ": cpu -, cpus %s, ran %.3f s\n",
				i, cpus, (double)q.run_ns / 1e9);
		else
			fprintf(out, "vcpu %" PRIu32 ": cpu %" PRIu32 ", cpus %s, "
				"ran %.3f s\n", i, q.cpu, cpus,
				(double)q.run_ns / 1e9);
	}
	return 0;
}

/* How many vCPUs the domain has: those the hypervisor answers for. */
static uint32_t count_vcpus(struct hv_handle *h, uint32_t domid)
{
	uint32_t n = 0;

	while (n < HV_DOMAIN_VCPUS_MAX) {
		struct hv_vcpu_affinity q = { .domid = domid, .vcpu = n };

		if (hv_vcpu_affinity(h, &q) != 0)
			break;
		n++;
	}
	return n;
}

int hvctl_sched_cmd(const struct hvctl_args *a, struct hv_handle *h,
		    uint32_t domid, FILE *out, FILE *err)
{
	uint32_t weight = 0, cap = 0, nr_vcpus;
	bool by_affinity = false;
	const char *why;
	int rc;

	rc = hv_domain_sched(h, domid, false, &weight, &cap);
	if (rc == 0 && (a->weight >= 0 || a->cap >= 0)) {
		if (a->weight >= 0)
			weight = (uint32_t)a->weight;
		if (a->cap >= 0)
			cap = (uint32_t)a->cap;
		/* The hypervisor's own rule, with a message that says which. */
		nr_vcpus = count_vcpus(h, domid);
		why = hv_sched_quota_check(weight, cap, nr_vcpus ? nr_vcpus : 1);
		if (why) {
			fprintf(err, "hvctl: %s: %s (it has %" PRIu32 " vCPU%s)\n",
				a->domain, why, nr_vcpus, nr_vcpus == 1 ? "" : "s");
			return HVCTL_EXIT_FAIL;
		}
		rc = hv_domain_sched(h, domid, true, &weight, &cap);
	}
	if (rc == 0 && a->cpus) {
		struct hv_vcpu_affinity set = {
			.domid = domid, .set = 1, .cpus = a->cpu_set,
			.vcpu = a->sched_vcpu < 0 ? HV_VCPU_ALL :
						    (uint32_t)a->sched_vcpu,
		};

		rc = hv_vcpu_affinity(h, &set);
		by_affinity = rc != 0;
	}
	if (rc == 0) {
		fprintf(out, "weight: %" PRIu32 "\ncap: %" PRIu32 "\n", weight, cap);
		rc = print_vcpus(h, domid, out);
	}
	return rc ? refused(a, h, domid, rc, by_affinity, err) : HVCTL_EXIT_OK;
}
