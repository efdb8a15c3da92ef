// SPDX-License-Identifier: GPL-2.0-only
/* PV EOI for customer vCPUs (see hv/pv_eoi.h). */
#include <hv/domain.h>
#include <hv/pv_eoi.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>

/* The guest's word, or NULL when off (checked to be its RAM when set). */
static volatile uint32_t *flag_word(const struct vcpu *v)
{
	uint64_t msr = v->arch.vlapic.pv_eoi_msr;

	if (!(msr & PV_EOI_ENABLE))
		return NULL;
	return domain_map(v->dom, msr & PV_EOI_ADDR_MASK, sizeof(uint32_t));
}

void pv_eoi_after_exit(struct vcpu *v)
{
	volatile uint32_t *flag = flag_word(v);

	if (!v->arch.vlapic.pv_eoi_armed || !flag || (*flag & PV_EOI_PENDING))
		return;
	/* The guest cleared it: its EOI of the one vector in service. */
	v->arch.vlapic.pv_eoi_armed = false;
	vlapic_eoi(v);
}

/* Takes the bit back; an EOI the guest made meanwhile is done first. */
static void disarm(struct vcpu *v, volatile uint32_t *flag)
{
	pv_eoi_after_exit(v);
	if (v->arch.vlapic.pv_eoi_armed && flag)
		*flag &= ~PV_EOI_PENDING;
	v->arch.vlapic.pv_eoi_armed = false;
}

void pv_eoi_before_run(struct vcpu *v)
{
	volatile uint32_t *flag = flag_word(v);
	int vector;
	bool want;

	if (!flag)
		return;
	vector = vlapic_single_vector(v);
	want = vector >= 0 &&
	       !vioapic_level_vector(&v->dom->arch.ioapic, (uint8_t)vector);
	if (want && !v->arch.vlapic.pv_eoi_armed) {
		*flag |= PV_EOI_PENDING;
		v->arch.vlapic.pv_eoi_armed = true;
	} else if (!want && v->arch.vlapic.pv_eoi_armed) {
		disarm(v, flag);
	}
}

bool pv_eoi_msr_write(struct vcpu *v, uint64_t value)
{
	volatile uint32_t *old = flag_word(v);

	if (value & ~(PV_EOI_ENABLE | PV_EOI_ADDR_MASK))
		return false;
	if ((value & PV_EOI_ENABLE) &&
	    !domain_map(v->dom, value & PV_EOI_ADDR_MASK, sizeof(uint32_t)))
		return false;
	/* The old word is let go: an EOI it holds counts, then it is clear. */
	disarm(v, old);
	v->arch.vlapic.pv_eoi_msr = value;
	return true;
}

uint64_t pv_eoi_msr_read(const struct vcpu *v)
{
	return v->arch.vlapic.pv_eoi_msr;
}
