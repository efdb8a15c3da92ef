// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arch interface (hv/arch.h) on x86 with AMD SVM: the TSC, the local
 * APIC's timer and IPIs, VMRUN, the virtual local APIC's timers and nested
 * paging.  Thin on purpose: each hook says which x86 piece does the job.
 */
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/percpu.h>
#include <hv/setup.h>
#include <asm/asm.h>
#include <asm/lapic.h>
#include <asm/npt.h>
#include <asm/svm_vcpu.h>
#include <asm/vlapic.h>
#include <asm/x86.h>

uint64_t arch_timestamp(void)
{
	return rdtsc();
}

void arch_kick_cpu(unsigned int cpu)
{
	lapic_send_ipi(percpu_area[cpu].arch.apic_id, ICR_FIXED | VECTOR_KICK);
}

void arch_timer_oneshot(uint64_t ticks)
{
	lapic_timer_oneshot(ticks);
}

void arch_irq_disable(void)
{
	irq_disable();
}

void arch_irq_enable(void)
{
	irq_enable();
}

void arch_idle(void)
{
	safe_halt();
}

void arch_vcpu_run(struct vcpu *v)
{
	svm_vcpu_run_slice(v);
}

uint64_t arch_vcpu_timers(struct vcpu *v, uint64_t now)
{
	vlapic_timer_check(v, now);
	return vlapic_next_deadline(v);
}

bool arch_domain_memory_init(struct domain *d)
{
	d->npt_root = npt_create(&frames);
	return d->npt_root != 0;
}

bool arch_domain_map_ram(struct domain *d, uint64_t gpa, uint64_t hpa,
			 uint64_t size)
{
	return npt_map(&frames, d->npt_root, gpa, hpa, size, NPT_RW);
}

void arch_domain_memory_free(struct domain *d)
{
	npt_destroy(&frames, d->npt_root);
	d->npt_root = 0;
}

uint64_t arch_domain_overhead_bytes(const struct domain *d)
{
	/* One VMCB page per vCPU, and the nested page tables as they stand. */
	return d->nr_vcpus * PAGE_SIZE +
	       (uint64_t)npt_count_tables(d->npt_root) * PAGE_SIZE;
}
