// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual local APIC, x2APIC mode (see hv/vlapic.h).
 *
 * Other vCPUs (IPIs) and this vCPU's own CPU both touch IRR, so it is
 * updated with atomic bit operations; everything else belongs to the CPU
 * the vCPU runs on.  A vCPU that gets an interrupt while blocked in HLT is
 * made runnable, and its CPU is kicked out of HLT or out of the guest.
 */
#include <asm/asm.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <asm/lapic.h>
#include <hv/muldiv.h>
#include <hv/percpu.h>
#include <hv/pv_eoi.h>
#include <asm/svm_vcpu.h>
#include <hv/time.h>
#include <asm/vlapic.h>
#include <asm/x86.h>

/* x2APIC MSRs: 0x800 + (xAPIC register offset >> 4). */
#define R_ID		0x802
#define R_VERSION	0x803
#define R_TPR		0x808
#define R_PPR		0x80a
#define R_EOI		0x80b
#define R_LDR		0x80d
#define R_SVR		0x80f
#define R_ISR0		0x810
#define R_TMR0		0x818
#define R_IRR0		0x820
#define R_ESR		0x828
#define R_LVT_CMCI	0x82f
#define R_ICR		0x830
#define R_LVT_TIMER	0x832
#define R_LVT_THERMAL	0x833
#define R_LVT_PERF	0x834
#define R_LVT_LINT0	0x835
#define R_LVT_LINT1	0x836
#define R_LVT_ERROR	0x837
#define R_TMICT		0x838
#define R_TMCCT		0x839
#define R_TDCR		0x83e
#define R_SELF_IPI	0x83f

#define APIC_VERSION	0x00050014	/* 6 LVT entries, version 0x14 */
#define TIMER_MODE(l)	(((l) >> 17) & 3)
#define TIMER_ONESHOT	0
#define TIMER_PERIODIC	1
#define TIMER_TSC_DL	2

/* x2APIC mode: the ICR's destination is its whole high half. */
#define ICR_DEST(i)	((uint32_t)((i) >> 32))

#define INT_CTL_V_IRQ		(1ULL << 8)
#define INT_CTL_V_PRIO_SHIFT	16
#define INT_CTL_V_PRIO_MASK	(0xfULL << INT_CTL_V_PRIO_SHIFT)
#define INT_CTL_V_IGN_TPR	(1ULL << 20)
#define INT_CTL_V_VECTOR_SHIFT	32
#define INT_CTL_V_VECTOR_MASK	(0xffULL << INT_CTL_V_VECTOR_SHIFT)

static struct vlapic *apic(struct vcpu *v)
{
	return &v->arch.vlapic;
}

void vlapic_reset(struct vcpu *v)
{
	struct vlapic *a = apic(v);

	__builtin_memset(a, 0, sizeof(*a));
	a->svr = 0xff;
	a->lvt_timer = a->lvt_lint0 = a->lvt_lint1 = a->lvt_error =
		a->lvt_thermal = a->lvt_perf = a->lvt_cmci = LVT_MASKED;
}

static int highest(const uint32_t *bits)
{
	int w;

	for (w = 7; w >= 0; w--) {
		uint32_t x = __atomic_load_n(&bits[w], __ATOMIC_ACQUIRE);

		if (x)
			return w * 32 + 31 - __builtin_clz(x);
	}
	return -1;
}

static uint32_t ppr(const struct vlapic *a)
{
	int isr = highest(a->isr);
	uint32_t isr_class = isr >= 0 ? (uint32_t)isr & 0xf0 : 0;

	return MAX(a->tpr & 0xf0, isr_class);
}

/* The vector the guest would take now, or -1. */
static int deliverable(const struct vlapic *a)
{
	int irr = highest(a->irr);

	if (irr < 16 || !(a->svr & SVR_ENABLE))
		return -1;
	return ((uint32_t)irr & 0xf0) > ppr(a) ? irr : -1;
}

bool vlapic_has_pending(const struct vcpu *v)
{
	return deliverable(&v->arch.vlapic) >= 0 || v->arch.vlapic.offered ||
	       v->arch.nmi_pending;
}

/* Wakes v if it sleeps in HLT; pulls its CPU out of the guest or of HLT. */
static void kick(struct vcpu *v)
{
	enum vcpu_state blocked = VCPU_BLOCKED;

	/* After the IRR update (see domu_hlt_exit for the other half). */
	if (__atomic_compare_exchange_n(&v->state, &blocked, VCPU_RUNNABLE,
					false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST) &&
	    v->pcpu == this_cpu()->index)
		/* Only our own TSC: TSCs of different CPUs may disagree. */
		v->waiting_since = rdtsc();
	if (v->pcpu != this_cpu()->index)
		lapic_send_ipi(percpu_area[v->pcpu].arch.apic_id, ICR_FIXED | VECTOR_KICK);
}

void vlapic_set_irq(struct vcpu *v, uint8_t vector)
{
	__atomic_fetch_or(&v->arch.vlapic.irr[vector / 32], 1U << (vector % 32),
			  __ATOMIC_RELEASE);
	kick(v);
}

/*
 * Interrupts reach the guest as SVM virtual interrupts (V_IRQ with the
 * vector in V_INTR_VECTOR, APM vol. 2, 15.21.4), not through EVENTINJ:
 * the CPU itself delivers a virtual interrupt when the guest's RFLAGS.IF
 * allows and no interrupt shadow is in force, and clears V_IRQ as the
 * guest takes it.  So there is no interrupt window to wait for and no exit
 * to ask for one, and an interrupt can never go in while the guest has
 * interrupts off.  (EVENTINJ ignores IF; it is kept for exceptions and
 * NMIs.  QEMU's TCG, which these tests run on, also delivers an EVENTINJ
 * interrupt a second time, ignoring IF, when its CPU loop is kicked right
 * after VMRUN: a guest then took its timer interrupt twice, the second
 * time in kernel mode with the user's GS base, and panicked.)
 *
 * The vector offered leaves IRR when it is offered and, once the guest
 * took it, goes into ISR at the next exit (vlapic_after_exit), as an
 * APIC's INTA would; not taken, it goes back into IRR before the next
 * offer.  So a new request for it that comes while it is offered or being
 * taken is kept in IRR, as an APIC keeps a new edge during service.
 */
static void offer(struct vcpu *v)
{
	struct vlapic *a = apic(v);
	struct vmcb_control *c = &v->arch.vmcb->control;
	int vector;

	/*
	 * Made anew from everything requested each time: a vector offered
	 * but not taken goes back into IRR first (a higher one may have come,
	 * or the TPR changed).  A request for it meanwhile merges with it, as
	 * two requests before acceptance do in an APIC.
	 */
	if (a->offered) {
		__atomic_fetch_or(&a->irr[a->offered / 32],
				  1U << (a->offered % 32), __ATOMIC_ACQ_REL);
		a->offered = 0;
	}
	c->int_ctl &= ~(INT_CTL_V_IRQ | INT_CTL_V_PRIO_MASK | INT_CTL_V_VECTOR_MASK);
	vector = deliverable(a);
	if (vector < 0)
		return;		/* nothing, or the guest raised its TPR */
	/*
	 * Out of IRR while offered: another CPU's request for the same
	 * vector (an IPI, a device's MSI) after this point sets IRR again,
	 * and is still there after the guest takes this one.  Left in IRR, it
	 * was cleared with the one taken at the next exit, and lost: a virtio
	 * disk's completion interrupt went missing that way.
	 */
	__atomic_fetch_and(&a->irr[vector / 32], ~(1U << (vector % 32)),
			   __ATOMIC_ACQ_REL);
	c->int_ctl |= INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR |
		      ((uint64_t)(vector >> 4) << INT_CTL_V_PRIO_SHIFT) |
		      ((uint64_t)vector << INT_CTL_V_VECTOR_SHIFT);
	a->offered = (uint8_t)vector;
}

void vlapic_inject(struct vcpu *v)
{
	offer(v);
	pv_eoi_before_run(v);
}

/* If the guest took the vector offered, it is in service now. */
static void check_taken(struct vcpu *v)
{
	struct vlapic *a = apic(v);
	struct vmcb_control *c = &v->arch.vmcb->control;
	uint64_t info = c->exit_int_info;
	unsigned int vector = a->offered;

	if (!vector || (c->int_ctl & INT_CTL_V_IRQ))
		return;		/* nothing offered, or not taken yet */
	c->int_ctl &= ~(INT_CTL_V_PRIO_MASK | INT_CTL_V_VECTOR_MASK);
	a->offered = 0;
	/*
	 * Taken, but this exit cut its delivery short: the guest has not got
	 * it, so offer it again rather than inject it.  (Hardware reports it
	 * as an interrupt; QEMU's TCG as an exception with the same vector.)
	 */
	if ((info & EVENT_VALID) && (info & 0xff) == vector &&
	    ((info & EVENT_TYPE_MASK) == EVENT_TYPE_INTR ||
	     ((info & EVENT_TYPE_MASK) == EVENT_TYPE_EXCEPTION && vector >= 32))) {
		c->exit_int_info = 0;
		__atomic_fetch_or(&a->irr[vector / 32], 1U << (vector % 32),
				  __ATOMIC_ACQ_REL);
		return;
	}
	/* Not in IRR since it was offered (offer()): now in service. */
	a->isr[vector / 32] |= 1U << (vector % 32);
}

void vlapic_after_exit(struct vcpu *v)
{
	check_taken(v);
	pv_eoi_after_exit(v);
}

/* --- timer ---------------------------------------------------------------- */

static uint64_t divisor(const struct vlapic *a)
{
	unsigned int d = (a->timer_divide & 3) | ((a->timer_divide & 8) >> 1);

	return d == 7 ? 1 : 2ULL << d;
}

/* Host TSC ticks for `counts` of the virtual 1 GHz bus after the divider. */
static uint64_t counts_to_tsc(const struct vlapic *a, uint64_t counts)
{
	/* counts * divisor fits: 2^32 * 128. */
	return muldiv64(counts * divisor(a), tsc_khz, VLAPIC_BUS_KHZ);
}

static void timer_start(struct vlapic *a, uint64_t now)
{
	a->timer_start_tsc = now;
	a->timer_deadline_tsc = a->timer_initial ?
				now + counts_to_tsc(a, a->timer_initial) : 0;
}

static uint32_t timer_current(const struct vlapic *a, uint64_t now)
{
	uint64_t left;

	if (!a->timer_deadline_tsc || now >= a->timer_deadline_tsc)
		return 0;
	left = a->timer_deadline_tsc - now;
	return (uint32_t)MIN(muldiv64(left, VLAPIC_BUS_KHZ, tsc_khz) / divisor(a),
			     0xffffffffULL);
}

bool vlapic_timer_check(struct vcpu *v, uint64_t now)
{
	struct vlapic *a = apic(v);

	if (!a->timer_deadline_tsc || now < a->timer_deadline_tsc)
		return false;
	if (TIMER_MODE(a->lvt_timer) == TIMER_PERIODIC && a->timer_initial) {
		uint64_t period = counts_to_tsc(a, a->timer_initial);

		a->timer_deadline_tsc += period ? period : 1;
		if (a->timer_deadline_tsc <= now)	/* fell behind: no burst */
			a->timer_deadline_tsc = now + period;
	} else {
		a->timer_deadline_tsc = 0;
		a->tsc_deadline = 0;
	}
	if (a->lvt_timer & LVT_MASKED)
		return false;
	vlapic_set_irq(v, (uint8_t)a->lvt_timer);
	return true;
}

uint64_t vlapic_next_deadline(const struct vcpu *v)
{
	return v->arch.vlapic.timer_deadline_tsc;
}

/* --- IPIs ----------------------------------------------------------------- */

static uint32_t ldr_of(uint32_t id)
{
	return ((id >> 4) << 16) | (1U << (id & 0xf));
}

static bool targets(uint64_t icr, const struct vcpu *from, const struct vcpu *to)
{
	switch (ICR_SHORTHAND(icr)) {
	case SH_SELF:
		return to == from;
	case SH_ALL:
		return true;
	case SH_OTHERS:
		return to != from;
	}
	if (icr & ICR_LOGICAL) {
		uint32_t dest = ICR_DEST(icr), ldr = ldr_of(to->id);

		return dest >> 16 == ldr >> 16 && (dest & ldr & 0xffff);
	}
	return ICR_DEST(icr) == to->id || ICR_DEST(icr) == 0xffffffff;
}

/* A vCPU started by INIT-SIPI: real mode at vector * 4 KiB. */
static void sipi(struct vcpu *v, uint8_t vector)
{
	struct vmcb_save *s = &v->arch.vmcb->save;
	struct vmcb_seg data = { 0, 0x93, 0xffff, 0 };

	s->cs = (struct vmcb_seg){ (uint16_t)(vector << 8), 0x9b, 0xffff,
				   (uint64_t)vector << 12 };
	s->ds = s->es = s->ss = s->fs = s->gs = data;
	s->gdtr = s->idtr = (struct vmcb_seg){ 0, 0, 0xffff, 0 };
	s->ldtr = (struct vmcb_seg){ 0, 0x82, 0xffff, 0 };
	s->tr = (struct vmcb_seg){ 0, 0x8b, 0xffff, 0 };
	s->cr0 = 1ULL << 4;	/* ET */
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = EFER_SVME;
	s->rflags = 0x2;
	s->rip = 0;
	s->rsp = 0;
	s->rax = 0;
	__builtin_memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.vlapic.init_received = false;
	vcpu_flush_tlb(v);
	v->state = VCPU_RUNNABLE;
	kick(v);
}

static void send_ipi(struct vcpu *from, uint64_t icr)
{
	struct domain *d = from->dom;
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *to = d->vcpus[i];

		if (!targets(icr, from, to))
			continue;
		switch (ICR_MODE(icr)) {
		case DM_FIXED:
		case DM_LOWEST:
			vlapic_set_irq(to, ICR_VECTOR(icr));
			break;
		case DM_NMI:
			to->arch.nmi_pending = true;
			kick(to);
			break;
		case DM_INIT:
			/* The boot vCPU is not reset by its own OS's IPIs. */
			if (to != from && to->id != 0 && to->state != VCPU_RUNNABLE) {
				to->arch.vlapic.init_received = true;
				to->state = VCPU_DOWN;
			}
			break;
		case DM_SIPI:
			if (to->state == VCPU_DOWN && to->arch.vlapic.init_received)
				sipi(to, ICR_VECTOR(icr));
			break;
		}
	}
}

/* --- registers ------------------------------------------------------------ */

bool vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	struct vlapic *a = apic(v);
	uint64_t now = rdtsc();

	if (msr >= R_ISR0 && msr < R_ISR0 + 8) {
		*value = a->isr[msr - R_ISR0];
		return true;
	}
	if (msr >= R_TMR0 && msr < R_TMR0 + 8) {
		*value = 0;	/* every interrupt here is edge-triggered */
		return true;
	}
	if (msr >= R_IRR0 && msr < R_IRR0 + 8) {
		*value = __atomic_load_n(&a->irr[msr - R_IRR0], __ATOMIC_ACQUIRE);
		if (a->offered && a->offered / 32 == msr - R_IRR0) /* requested too */
			*value |= 1U << (a->offered % 32);
		return true;
	}
	switch (msr) {
	case R_ID:		*value = v->id; return true;
	case R_VERSION:		*value = APIC_VERSION; return true;
	case R_TPR:		*value = a->tpr; return true;
	case R_PPR:		*value = ppr(a); return true;
	case R_LDR:		*value = ldr_of(v->id); return true;
	case R_SVR:		*value = a->svr; return true;
	case R_ESR:		*value = a->esr; return true;
	case R_LVT_CMCI:	*value = a->lvt_cmci; return true;
	case R_ICR:		*value = 0; return true;	/* never busy */
	case R_LVT_TIMER:	*value = a->lvt_timer; return true;
	case R_LVT_THERMAL:	*value = a->lvt_thermal; return true;
	case R_LVT_PERF:	*value = a->lvt_perf; return true;
	case R_LVT_LINT0:	*value = a->lvt_lint0; return true;
	case R_LVT_LINT1:	*value = a->lvt_lint1; return true;
	case R_LVT_ERROR:	*value = a->lvt_error; return true;
	case R_TMICT:		*value = a->timer_initial; return true;
	case R_TMCCT:		*value = timer_current(a, now); return true;
	case R_TDCR:		*value = a->timer_divide; return true;
	case MSR_TSC_DEADLINE:	*value = a->tsc_deadline; return true;
	}
	return false;
}

static void lvt_timer_write(struct vlapic *a, uint32_t value)
{
	uint32_t old_mode = TIMER_MODE(a->lvt_timer);

	a->lvt_timer = value & (0xff | LVT_MASKED | (3U << 17));
	if (TIMER_MODE(a->lvt_timer) != old_mode) {
		/* Switching modes stops the timer (SDM 10.5.4.1). */
		a->timer_initial = 0;
		a->timer_deadline_tsc = 0;
		a->tsc_deadline = 0;
	}
}

void vlapic_eoi(struct vcpu *v)
{
	struct vlapic *a = apic(v);
	int isr = highest(a->isr);

	if (isr < 0)
		return;
	a->isr[isr / 32] &= ~(1U << (isr % 32));
	/* A level-triggered IOAPIC entry waits for this EOI. */
	if (__atomic_load_n(&v->dom->arch.ioapic.remote_irr, __ATOMIC_ACQUIRE)) {
		spin_lock(&v->dom->arch.platform_lock);
		vioapic_eoi(v->dom, (uint8_t)isr);
		spin_unlock(&v->dom->arch.platform_lock);
	}
}

/* How many bits are set in a 256-bit vector set, stopping at 2. */
static unsigned int count_upto2(const uint32_t *bits)
{
	unsigned int w, n = 0;

	for (w = 0; w < 8 && n < 2; w++) {
		uint32_t x = __atomic_load_n(&bits[w], __ATOMIC_ACQUIRE);

		/* No libgcc here (popcount): clear the lowest bit twice. */
		for (; x && n < 2; x &= x - 1)
			n++;
	}
	return n;
}

int vlapic_single_vector(const struct vcpu *v)
{
	const struct vlapic *a = &v->arch.vlapic;
	unsigned int in_service = count_upto2(a->isr);
	/* An offered vector is requested too, though out of IRR (offer()). */
	unsigned int requested = count_upto2(a->irr) + (a->offered ? 1 : 0);

	if (in_service == 1 && requested == 0)
		return highest(a->isr);
	if (in_service == 0 && requested == 1 && a->offered)
		return a->offered;
	return -1;
}

bool vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
	struct vlapic *a = apic(v);
	uint64_t now = rdtsc();

	switch (msr) {
	case R_TPR:
		a->tpr = value & 0xff;
		return true;
	case R_EOI:
		if (value)
			return false;
		vlapic_eoi(v);
		return true;
	case R_SVR:
		a->svr = value & 0x1ff;
		return true;
	case R_ESR:
		if (value)
			return false;
		a->esr = 0;
		return true;
	case R_ICR:
		send_ipi(v, value);
		return true;
	case R_SELF_IPI:
		vlapic_set_irq(v, (uint8_t)value);
		return true;
	case R_LVT_TIMER:
		lvt_timer_write(a, (uint32_t)value);
		return true;
	case R_LVT_CMCI:	a->lvt_cmci = (uint32_t)value; return true;
	case R_LVT_THERMAL:	a->lvt_thermal = (uint32_t)value; return true;
	case R_LVT_PERF:	a->lvt_perf = (uint32_t)value; return true;
	case R_LVT_LINT0:	a->lvt_lint0 = (uint32_t)value; return true;
	case R_LVT_LINT1:	a->lvt_lint1 = (uint32_t)value; return true;
	case R_LVT_ERROR:	a->lvt_error = (uint32_t)value; return true;
	case R_TMICT:
		if (TIMER_MODE(a->lvt_timer) == TIMER_TSC_DL)
			return true;	/* ignored in TSC-deadline mode */
		a->timer_initial = (uint32_t)value;
		timer_start(a, now);
		return true;
	case R_TDCR:
		a->timer_divide = value & 0xb;
		return true;
	case MSR_TSC_DEADLINE:
		if (TIMER_MODE(a->lvt_timer) != TIMER_TSC_DL)
			return true;	/* ignored in the other modes */
		a->tsc_deadline = value;
		/* Guest TSC = host TSC + offset. */
		a->timer_deadline_tsc = value ?
			MAX(value - v->arch.vmcb->control.tsc_offset, 1) : 0;
		return true;
	}
	return false;
}
