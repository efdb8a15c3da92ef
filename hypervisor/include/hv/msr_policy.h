/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a guest may do with MSRs and CPUID.  dom0 sees the real machine
 * except for what would let it take the hypervisor's place: SVM is hidden
 * and cannot be switched off, its state areas cannot be moved, and the local
 * APIC cannot be moved or switched off.
 */
#ifndef HV_MSR_POLICY_H
#define HV_MSR_POLICY_H

#include <hv/frame.h>
#include <hv/vcpu.h>

/* Builds the shared MSR and I/O permission maps; false when out of memory. */
bool msr_policy_init(struct frame_allocator *fa);
uint64_t msr_policy_bitmap(void);
uint64_t msr_policy_io_bitmap(void);

/* Customer domains: every MSR and every port intercepted. */
uint64_t msr_policy_domu_bitmap(void);
uint64_t msr_policy_domu_io_bitmap(void);

/* MSR exit: handles the access, injecting #GP where refused. */
void msr_exit(struct vcpu *v);

/* CPUID exit (dom0's). */
void cpuid_exit(struct vcpu *v);

/*
 * The host's CPUID with virtualization hidden (no SVM, no VMX, the
 * hypervisor bit): what every guest's CPUID starts from.
 */
struct cpuid_regs cpuid_for_guest(uint32_t leaf, uint32_t subleaf);

/* Returns r to the guest in EAX-EDX and completes its CPUID. */
void cpuid_complete(struct vcpu *v, struct cpuid_regs r);

#endif
