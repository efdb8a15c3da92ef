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
#include <hv/time.h>
#include <lib/string.h>
#include <public/hvabi.h>
#include <asm/asm.h>
#include <asm/lapic.h>
#include <asm/npt.h>
#include <asm/svm_vcpu.h>
#include <asm/uart.h>
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

uint32_t arch_vcpu_exit_counts(const struct vcpu *v,
			       struct hv_exit_count *entries, uint32_t max,
			       uint64_t *total)
{
	struct hv_exit_count e;
	uint32_t count = 0, slot;

	for (slot = 0; slot < EXIT_STAT_SLOTS && count < max; slot++) {
		if (!v->arch.exits[slot])
			continue;
		memset(&e, 0, sizeof(e));
		e.code = exit_stat_code(slot);
		e.count = v->arch.exits[slot];
		e.handled_ns = tsc_to_ns(v->arch.exits_tsc[slot]);
		memcpy(&entries[count++], &e, sizeof(e));
	}
	*total = v->arch.nr_exits;
	return count;
}

bool arch_domain_memory_init(struct domain *d)
{
	d->arch.npt_root = npt_create(&frames);
	return d->arch.npt_root != 0;
}

bool arch_domain_map_ram(struct domain *d, uint64_t gpa, uint64_t hpa,
			 uint64_t size)
{
	return npt_map(&frames, d->arch.npt_root, gpa, hpa, size, NPT_RW);
}

void arch_domain_memory_free(struct domain *d)
{
	npt_destroy(&frames, d->arch.npt_root);
	d->arch.npt_root = 0;
}

uint64_t arch_domain_overhead_bytes(const struct domain *d)
{
	/* One VMCB page per vCPU, and the nested page tables as they stand. */
	return d->nr_vcpus * PAGE_SIZE +
	       (uint64_t)npt_count_tables(d->arch.npt_root) * PAGE_SIZE;
}

void arch_console_putc(char c)
{
	uart_putc(c);
}

void arch_console_put_byte(uint8_t c)
{
	uart_put_byte(c);
}
