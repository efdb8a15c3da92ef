/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which MSRs and ports a guest's access traps on, and dom0's MSR and CPUID
 * exits.  dom0 sees the real machine except for what would let it take the
 * hypervisor's place: SVM is hidden and cannot be switched off, its state
 * areas cannot be moved, and the local APIC cannot be moved or switched
 * off.  What a write to EFER, the PAT or the MTRRs may do is decided in
 * hv/msr_policy.h, for dom0 and customer domains alike.
 */
#ifndef ASM_MSR_INTERCEPT_H
#define ASM_MSR_INTERCEPT_H

#include <hv/frame.h>
#include <hv/vcpu.h>

/* Builds the shared MSR and I/O permission maps; false when out of memory. */
bool msr_intercept_init(struct frame_allocator *fa);
uint64_t msr_intercept_bitmap(void);
uint64_t msr_intercept_io_bitmap(void);

/* Customer domains: every MSR and every port intercepted. */
uint64_t msr_intercept_domu_bitmap(void);
uint64_t msr_intercept_domu_io_bitmap(void);

/*
 * v's WRMSR of value to EFER under hv/msr_policy.h's rule, with `writable`
 * its kind's EFER_*_WRITABLE; flushes v's TLB when NXE changes.  False when
 * the write is #GP (nothing changed).
 */
bool vcpu_efer_write(struct vcpu *v, uint64_t value, uint64_t writable);

/* dom0's MSR exit: handles the access, injecting #GP where refused. */
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
