/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV EOI for customer vCPUs, through the KVM paravirtual ABI that stock
 * Linux already speaks (Linux: arch/x86/include/uapi/asm/kvm_para.h): the
 * guest names a 32-bit word with MSR_KVM_PV_EOI_EN; while bit 0 of it is
 * set, the guest ends its interrupt by clearing the bit instead of writing
 * the APIC's EOI register, which saves an exit per interrupt.
 *
 * The hypervisor sets the bit only when one vector is in service, or about
 * to be (offered), and nothing else is requested, and that vector is not a
 * level-triggered IOAPIC one (whose EOI must reach the IOAPIC at once):
 * then the guest's next EOI can only be that vector's.  Before anything
 * changes that (another vector to offer), the bit is cleared, and a
 * cleared bit found at an exit is the guest's EOI, done then.
 *
 * Included by the hypervisor and the guest test kernels (tests/guests/).
 */
#ifndef HV_PV_EOI_H
#define HV_PV_EOI_H

#include <lib/types.h>

#define MSR_KVM_PV_EOI_EN	0x4b564d04

/* CPUID 0x40000001 EAX: the MSR above is there. */
#define KVM_FEATURE_PV_EOI	(1U << 6)

/*
 * The MSR's value: bit 0 enables; bits 1-3 must be 0 (the word is 16-byte
 * aligned or better in Linux; 4 is what we need); bits 4-51 are its
 * guest-physical address; bits 52-63 are reserved.  Anything else is #GP.
 */
#define PV_EOI_ENABLE		(1ULL << 0)
#define PV_EOI_ADDR_MASK	0x000ffffffffffffcULL
#define PV_EOI_PENDING		1U	/* bit 0 of the guest's word */

#ifndef GUEST_H		/* the hypervisor's side */
struct vcpu;

/* MSR_KVM_PV_EOI_EN; false means #GP (nothing changed). */
bool pv_eoi_msr_write(struct vcpu *v, uint64_t value);
uint64_t pv_eoi_msr_read(const struct vcpu *v);

/* Before VMRUN, after the interrupt offer: set or clear the guest's bit. */
void pv_eoi_before_run(struct vcpu *v);

/* After an exit, once a taken vector is in service: a cleared bit is an EOI. */
void pv_eoi_after_exit(struct vcpu *v);
#endif

#endif
