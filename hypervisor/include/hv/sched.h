/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scheduling customer vCPUs on the domain CPUs (every CPU but dom0's), with
 * weights and caps: see the design comment at the top of common/sched.c.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/vcpu.h>

/* How long a vCPU runs before the next one on its CPU gets a turn. */
#define SCHED_SLICE_US 10000

struct domain;

/* A new domain's quota: default weight, no cap. */
void sched_domain_init(struct domain *d);

/*
 * Changes a domain's weight and cap, at once; false when hv_sched_quota_check()
 * refuses them.
 */
bool sched_set_quota(struct domain *d, uint32_t weight, uint32_t cap_pct);

/*
 * Places v on the allowed domain CPU with the fewest vCPUs; false when
 * there is none.
 */
bool sched_add_vcpu(struct vcpu *v);

/* Takes v off its CPU's ring (it may still be running: wait for that). */
void sched_remove_vcpu(struct vcpu *v);

/* The domain CPUs: every online CPU but dom0's, as a set (hv/cpuset.h). */
uint64_t sched_domain_cpus(void);

/* True when cpus is a usable affinity: not empty, domain CPUs only. */
bool sched_affinity_valid(uint64_t cpus);

/*
 * Sets the CPUs v may run on (sched_affinity_valid): effective at once; a
 * vCPU placed on a CPU no longer allowed is moved at that CPU's next
 * scheduling point, which a kick makes immediate.
 */
void sched_set_affinity(struct vcpu *v, uint64_t cpus);

/* The CPUs v may run on (its affinity, or every domain CPU). */
uint64_t sched_vcpu_cpus(const struct vcpu *v);

/*
 * v stops waiting for its CPU (it is scheduled in, moved, or its domain is
 * paused): the wait so far, on this CPU's TSC, is added to its steal.
 */
void sched_stop_waiting(struct vcpu *v, uint64_t now_tsc);

/* True when some CPU is running v right now. */
bool sched_vcpu_running(const struct vcpu *v);

/* What a domain CPU does once up: run vCPUs, idle when none can run. */
__noreturn void sched_run(void);

/* Marks the CPUs that run customer vCPUs (all but the first n). */
void sched_set_dom0_cpus(unsigned int n);

#endif
