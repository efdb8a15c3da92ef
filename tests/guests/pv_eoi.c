// SPDX-License-Identifier: GPL-2.0-only
/*
 * PV EOI (hv/pv_eoi.h), as Linux uses it: with the word named, a lone
 * interrupt is ended by clearing the word, with no exit; when a second
 * vector comes while one is in service, the hypervisor takes the word back
 * and the guest writes the EOI register; turned off, every interrupt ends
 * with the register.  Throughout, every interrupt arrives once and nothing
 * stays in service (a lower-priority vector still gets through at the end).
 * Bad MSR values get #GP.
 */
#include "lib/guest.h"
#include <hv/pv_eoi.h>

#define GP		13
#define V_LONE		0x40
#define V_NESTED	0x50
#define V_LOW		0x30
#define LONE_ROUNDS	100	/* phase 1: lone interrupts, word on */
#define OFF_ROUNDS	10	/* phase 3: word off */

static volatile unsigned int got[256];

void guest_interrupt(unsigned int vector)
{
	got[vector]++;
	/* The first V_LONE of phase 2 asks for a higher vector from inside. */
	if (vector == V_LONE && got[V_LONE] == LONE_ROUNDS + 1)
		wrmsr_safe(X2APIC_SELF_IPI, V_NESTED);
}

static void self_ipi(unsigned int vector)
{
	wrmsr_safe(X2APIC_SELF_IPI, vector);
	__asm__ volatile("sti; nop; nop; cli");
}

void test_main(const struct hvm_start_info *si)
{
	uint64_t v;
	int i;

	(void)si;
	CHECK(cpuid(0x40000001, 0).eax & KVM_FEATURE_PV_EOI, "no PV EOI feature");
	CHECK(wrmsr_safe(MSR_KVM_PV_EOI_EN, 0x100002 | PV_EOI_ENABLE) == GP,
	      "misaligned word accepted");
	CHECK(wrmsr_safe(MSR_KVM_PV_EOI_EN, (1ULL << 40) | PV_EOI_ENABLE) == GP,
	      "word outside the domain's RAM accepted");
	CHECK(wrmsr_safe(MSR_KVM_PV_EOI_EN, (1ULL << 60) | PV_EOI_ENABLE) == GP,
	      "reserved bits accepted");
	wrmsr_safe(X2APIC_SVR, 0x1ff);		/* APIC on */
	CHECK(pv_eoi_enable(true) == -1, "PV EOI refused");
	CHECK(rdmsr_safe(MSR_KVM_PV_EOI_EN, &v) == -1 && (v & PV_EOI_ENABLE),
	      "MSR reads back %lx", v);

	/* 1: lone interrupts, each ended through the word. */
	for (i = 0; i < LONE_ROUNDS; i++)
		self_ipi(V_LONE);
	CHECK(got[V_LONE] == LONE_ROUNDS, "phase 1: %u interrupts of %d",
	      got[V_LONE], LONE_ROUNDS);
	CHECK(pv_eois == LONE_ROUNDS, "phase 1: %lu of %d ended by PV EOI",
	      pv_eois, LONE_ROUNDS);

	/* 2: a higher vector arrives in service of another: that one ends
	 * with the register, the higher one, then alone, through the word. */
	self_ipi(V_LONE);
	CHECK(got[V_LONE] == LONE_ROUNDS + 1 && got[V_NESTED] == 1,
	      "phase 2: %u, %u interrupts", got[V_LONE], got[V_NESTED]);
	CHECK(pv_eois == LONE_ROUNDS + 1, "phase 2: %lu PV EOIs, not %d",
	      pv_eois, LONE_ROUNDS + 1);

	/* 3: off: the register again, every time. */
	CHECK(pv_eoi_enable(false) == -1, "PV EOI not turned off");
	for (i = 0; i < OFF_ROUNDS; i++)
		self_ipi(V_LONE);
	CHECK(got[V_LONE] == LONE_ROUNDS + 1 + OFF_ROUNDS &&
	      pv_eois == LONE_ROUNDS + 1,
	      "phase 3: %u interrupts, %lu PV EOIs", got[V_LONE], pv_eois);

	/* Nothing was left in service: the lowest vector still comes. */
	self_ipi(V_LOW);
	CHECK(got[V_LOW] == 1, "a lower vector is blocked: something stayed in service");
	printk("pv_eoi: %lu of %u interrupts ended by PV EOI\n", pv_eois,
	       got[V_LONE] + got[V_NESTED] + got[V_LOW]);
}
