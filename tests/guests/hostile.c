// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile domain: 100,000 random hypercalls, 100,000 random port
 * accesses and 100,000 random MSR accesses, then a triple fault.  The
 * hypervisor, dom0 and every other domain must go on unaffected.
 *
 * It leaves out what would end it early by the platform's own rules, so
 * that all of the above gets done: writes to the ACPI sleep and reset
 * ports (a poweroff or reboot), to its own UART (noise in the log), and to
 * EFER (switching itself out of long mode).  It still reads them all.
 */
#include "lib/guest.h"
#include <asm/x86_defs.h>

#define ROUNDS 100000

static uint32_t random_msr(uint64_t *seed)
{
	static const uint32_t bases[] = {
		0x00000000, 0x00000100, 0x00000800, 0x40000000, 0x4b564d00,
		0xc0000000, 0xc0010000, 0xc0011000,
	};
	uint64_t r = prng_next(seed);

	if (r & 1)
		return (uint32_t)(r >> 32);	/* anywhere at all */
	return bases[(r >> 1) % 8] + (uint32_t)((r >> 8) & 0x1fff);
}

static bool port_write_allowed(uint16_t port)
{
	return port != HVP_SLEEP_CONTROL_PORT && port != HVP_RESET_PORT &&
	       !(port >= HVP_UART_PORT && port < HVP_UART_PORT + HVP_UART_PORTS);
}

void test_main(const struct hvm_start_info *si)
{
	uint64_t seed = 0x1234567890abcdefULL, v;
	unsigned int i, faults = 0;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	(void)si;
	for (i = 0; i < ROUNDS; i++)
		vmmcall(prng_next(&seed), prng_next(&seed), prng_next(&seed),
			prng_next(&seed), prng_next(&seed));
	printk("hostile: %u random hypercalls done\n", ROUNDS);

	for (i = 0; i < ROUNDS; i++) {
		uint64_t r = prng_next(&seed);
		uint16_t port = (uint16_t)r;
		unsigned int size = (r >> 16) % 3;

		if (r & (1ULL << 20)) {
			if (size == 0)
				(void)inb(port);
			else if (size == 1)
				(void)inw(port);
			else
				(void)inl(port);
		} else if (port_write_allowed(port) &&
			   !(port + 3 >= HVP_SLEEP_CONTROL_PORT &&
			     port <= HVP_RESET_PORT)) {
			if (size == 0)
				outb(port, (uint8_t)(r >> 24));
			else if (size == 1)
				outw(port, (uint16_t)(r >> 24));
			else
				outl(port, (uint32_t)(r >> 24));
		}
	}
	printk("hostile: %u random port accesses done\n", ROUNDS);

	for (i = 0; i < ROUNDS; i++) {
		uint32_t msr = random_msr(&seed);

		if (prng_next(&seed) & 1)
			faults += rdmsr_safe(msr, &v) >= 0;
		else if (msr != MSR_EFER)
			faults += wrmsr_safe(msr, prng_next(&seed)) >= 0;
	}
	printk("hostile: %u random MSR accesses done (%u faulted)\n", ROUNDS,
	       faults);

	printk("hostile: triple fault now\n");
	__asm__ volatile("cli; lidt %0; int3" : : "m"(no_idt));
	test_fail("survived a triple fault");
}
