/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Steal time for customer vCPUs, through the KVM paravirtual ABI that
 * stock Linux already speaks (Linux: arch/x86/include/uapi/asm/kvm_para.h).
 * The guest names a 64-byte area per vCPU with MSR_KVM_STEAL_TIME; the
 * hypervisor adds to its `steal` the time the vCPU was runnable but waiting
 * for its CPU (struct vcpu's steal_ns), and says in `preempted` whether the
 * vCPU is off its CPU while still runnable.  Linux shows the steal as `st`
 * in /proc/stat and reads `preempted` for vcpu_is_preempted().
 *
 * Included by the hypervisor and the guest test kernels (tests/guests/).
 */
#ifndef HV_STEAL_TIME_H
#define HV_STEAL_TIME_H

#include <lib/types.h>

#define MSR_KVM_STEAL_TIME	0x4b564d03

/* CPUID 0x40000001 EAX: the MSR above is there. */
#define KVM_FEATURE_STEAL_TIME	(1U << 5)

/*
 * The MSR's value: bit 0 enables; bits 1-5 must be 0 (the area is 64-byte
 * aligned); bits 6-51 are the area's guest-physical address; bits 52-63
 * are reserved (beyond any physical address).  Anything else is #GP.
 */
#define STEAL_TIME_ENABLE	(1ULL << 0)
#define STEAL_TIME_ADDR_MASK	0x000fffffffffffc0ULL

/* `preempted`: off its CPU while runnable (KVM_VCPU_PREEMPTED). */
#define STEAL_TIME_PREEMPTED	1

/*
 * The guest's area.  The hypervisor makes `version` odd, adds to `steal`
 * (ns), then makes `version` even again; the guest reads version, steal,
 * version and retries while the two differ or are odd.
 */
struct kvm_steal_time {
	uint64_t steal;
	uint32_t version;
	uint32_t flags;		/* PV TLB flush requests: not offered, left alone */
	uint8_t preempted;
	uint8_t pad8[3];
	uint32_t pad[11];
} __packed;

_Static_assert(sizeof(struct kvm_steal_time) == 64,
	       "struct kvm_steal_time is KVM's 64 bytes");

struct vcpu;

/*
 * A guest write to MSR_KVM_STEAL_TIME: false (the caller injects #GP,
 * nothing changes) for reserved bits or, when enabling, an area not wholly
 * inside the domain's RAM.  Enabling publishes at once; steal from then on
 * is added to what the area holds.
 */
bool steal_time_msr_write(struct vcpu *v, uint64_t value);

/* What the guest last wrote to the MSR (0 before). */
uint64_t steal_time_msr_read(const struct vcpu *v);

/*
 * On v's own CPU: before it runs again (adds the steal since the last
 * publication, clears `preempted`), and when its slice ends (sets
 * `preempted` if it is still runnable).
 */
void steal_time_schedule_in(struct vcpu *v);
void steal_time_schedule_out(struct vcpu *v);

#endif
