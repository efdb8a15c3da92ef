// SPDX-License-Identifier: GPL-2.0-only
/*
 * Steal time for customer vCPUs (see hv/steal_time.h): the KVM MSR and the
 * guest's area, published when the vCPU is scheduled in and marked
 * preempted when its slice ends while it is still runnable.
 *
 * Everything here runs on the vCPU's own CPU (the MSR write is one of its
 * exits; schedule-in and -out are svm_vcpu_run_slice()), so the vCPU's
 * fields need no lock.  The guest's area is reached through domain_map(),
 * which refuses anything that is not the domain's RAM; an area is 64 bytes
 * at a 64-byte boundary, so it never straddles two of its memory extents.
 */
#include <hv/domain.h>
#include <hv/steal_time.h>

/* The area the guest named, or NULL when it has none. */
static volatile struct kvm_steal_time *area_of(const struct vcpu *v)
{
	if (!(v->arch.steal_time_msr & STEAL_TIME_ENABLE))
		return NULL;
	return domain_map(v->dom, v->arch.steal_time_msr & STEAL_TIME_ADDR_MASK,
			  sizeof(struct kvm_steal_time));
}

/*
 * Adds the steal not yet published to the area, inside the version
 * protocol Linux's reader expects, and says the vCPU is running.  The
 * guest may read from another of its vCPUs at the same time; x86 keeps
 * stores in order, so the fences only stop the compiler reordering them.
 * Adding to what the area holds, as KVM does, rather than writing our
 * total: a kernel started by kexec registers a zeroed area and counts from
 * 0, as its own accounting expects.
 */
static void publish(struct vcpu *v)
{
	volatile struct kvm_steal_time *st = area_of(v);
	uint64_t delta = v->steal_ns - v->arch.steal_time_published;
	uint32_t odd;

	if (!st)
		return;
	v->arch.steal_time_published = v->steal_ns;
	/* A version the guest left odd is not ours to trust: step past it. */
	odd = st->version | 1;
	st->version = odd;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st->steal += delta;
	st->preempted = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st->version = odd + 1;
}

bool steal_time_msr_write(struct vcpu *v, uint64_t value)
{
	bool was_on = v->arch.steal_time_msr & STEAL_TIME_ENABLE;

	if (value & ~(STEAL_TIME_ADDR_MASK | STEAL_TIME_ENABLE))
		return false;
	if ((value & STEAL_TIME_ENABLE) &&
	    !domain_owns(v->dom, value & STEAL_TIME_ADDR_MASK,
			 sizeof(struct kvm_steal_time)))
		return false;
	v->arch.steal_time_msr = value;
	if (!(value & STEAL_TIME_ENABLE))
		return true;
	/*
	 * Turned on: the guest is owed the steal from now, not what went
	 * before it asked.  Moved while on: the steal not yet published goes
	 * to the new area.
	 */
	if (!was_on)
		v->arch.steal_time_published = v->steal_ns;
	publish(v);
	return true;
}

uint64_t steal_time_msr_read(const struct vcpu *v)
{
	return v->arch.steal_time_msr;
}

void steal_time_schedule_in(struct vcpu *v)
{
	publish(v);
}

void steal_time_schedule_out(struct vcpu *v)
{
	volatile struct kvm_steal_time *st;

	/* Blocked in HLT or down is not preempted: it did not want the CPU. */
	if (v->state != VCPU_RUNNABLE)
		return;
	st = area_of(v);
	if (st)
		st->preempted = STEAL_TIME_PREEMPTED;
}
