/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual local APIC of a customer vCPU, in x2APIC mode only: its
 * registers are MSRs 0x800-0x8ff, so no MMIO needs decoding.  It keeps the
 * interrupt request and in-service bitmaps, delivers the highest pending
 * vector when the guest can take it, and runs the APIC timer in one-shot,
 * periodic and TSC-deadline modes on the hypervisor's own per-CPU timer.
 *
 * Its clock: a virtual APIC bus of 1 GHz (one count a nanosecond before
 * the divider), so a guest that knows nothing else still gets the right
 * rate; Linux uses the TSC-deadline mode, whose TSC rate kvmclock gives it.
 */
#ifndef ASM_VLAPIC_H
#define ASM_VLAPIC_H

#include <lib/types.h>

struct vcpu;

#define VLAPIC_BUS_KHZ		1000000ULL	/* 1 GHz */
#define X2APIC_MSR_FIRST	0x800
#define X2APIC_MSR_LAST		0x8ff
#define MSR_TSC_DEADLINE	0x6e0

struct vlapic {
	uint32_t irr[8];		/* requested vectors, 256 bits */
	uint32_t isr[8];		/* in service */
	uint32_t tpr;
	uint32_t svr;			/* spurious vector and enable */
	uint32_t lvt_timer, lvt_lint0, lvt_lint1, lvt_error;
	uint32_t lvt_thermal, lvt_perf, lvt_cmci;
	uint32_t esr;
	uint32_t timer_initial;		/* TMICT */
	uint32_t timer_divide;		/* TDCR */
	uint64_t timer_start_tsc;	/* host TSC when counting began */
	uint64_t timer_deadline_tsc;	/* host TSC when it fires; 0 = off */
	uint64_t tsc_deadline;		/* guest TSC (MSR 0x6e0), 0 = off */
	bool init_received;		/* waiting for a SIPI */
	uint8_t offered;		/* vector in the VMCB's V_IRQ, 0 = none */
	uint64_t pv_eoi_msr;		/* MSR_KVM_PV_EOI_EN as written */
	bool pv_eoi_armed;		/* the guest's PV EOI flag is set */
};

void vlapic_reset(struct vcpu *v);

/* x2APIC MSR and TSC-deadline accesses; false means #GP. */
bool vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value);
bool vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t value);

/* Requests vector on v (from a device, an IPI, the timer). */
void vlapic_set_irq(struct vcpu *v, uint8_t vector);

/* Fires v's timer if due (host TSC now); true when it raised an IRQ. */
bool vlapic_timer_check(struct vcpu *v, uint64_t now);

/* The host TSC at which v next needs attention (its timer), or 0. */
uint64_t vlapic_next_deadline(const struct vcpu *v);

/* True when an interrupt is waiting that the guest would accept (HLT). */
bool vlapic_has_pending(const struct vcpu *v);

/*
 * Before VMRUN: offer the guest the highest pending interrupt as a virtual
 * interrupt, which the CPU delivers when the guest's IF allows.
 */
void vlapic_inject(struct vcpu *v);

/* Right after an exit: if the guest took the vector offered, it is in service. */
void vlapic_after_exit(struct vcpu *v);

/*
 * The one vector in service or offered, when nothing else is in service
 * or requested (PV EOI may then stand in for its EOI), else -1.
 */
int vlapic_single_vector(const struct vcpu *v);

/* The guest's EOI: its highest in-service vector is done. */
void vlapic_eoi(struct vcpu *v);

#endif
