// SPDX-License-Identifier: GPL-2.0-only
/*
 * The x86 side of the device backend binding (common/backend.c): taking a
 * customer domain's RAM out of dom0's nested page tables again, flushing
 * dom0's TLB afterwards, and the IPI that tells dom0's CPU of an event.
 *
 * The hypervisor drives its local APIC in xAPIC mode (lapic.c: the
 * emulated CPU has no x2APIC), so the event is an ICR write like the
 * scheduler's kicks.  dom0 takes physical interrupts straight into its own
 * IDT (svm_vcpu.c), so the vector arrives there as a device interrupt
 * would, and dom0's kernel acknowledges it with an ordinary EOI.
 */
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/percpu.h>
#include <hv/setup.h>
#include <asm/lapic.h>
#include <asm/npt.h>
#include <asm/svm_vcpu.h>

uint32_t arch_cpu_apic_id(unsigned int cpu)
{
	return percpu_area[cpu].arch.apic_id;
}

void arch_send_vector(uint32_t apic_id, uint8_t vector)
{
	lapic_send_ipi(apic_id, ICR_FIXED | vector);
}

bool arch_domain_unmap_ram(struct domain *d, uint64_t gpa, uint64_t size)
{
	return npt_unmap(&frames, d->arch.npt_root, gpa, size);
}

void arch_domain_flush_tlb(struct domain *d)
{
	unsigned int i;

	/*
	 * TLB_CONTROL in each VMCB, applied at its next VMRUN: dom0's one
	 * vCPU is the one making the hypercall that changed its tables, so
	 * its next VMRUN comes before it runs another instruction.  (Flushing
	 * everything, not only its ASID, because "flush this ASID" is an
	 * optional SVM feature; dom0's tables change rarely.)
	 */
	for (i = 0; i < d->nr_vcpus; i++)
		vcpu_flush_tlb(d->vcpus[i]);
}
