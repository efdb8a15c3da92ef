// SPDX-License-Identifier: GPL-2.0-only
/* Stopping the machine (see hv/halt.h). */
#include <asm/asm.h>
#include <hv/console.h>
#include <hv/halt.h>
#include <asm/lapic.h>
#include <hv/percpu.h>
#include <hv/time.h>
#include <asm/x86.h>

bool opt_debug_exit;
static volatile bool halting;

bool machine_is_halting(void)
{
	return halting;
}

__noreturn void cpu_stop(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}

void debug_exit(unsigned int code)
{
	if (opt_debug_exit)
		outb(DEBUG_EXIT_PORT, (uint8_t)code);
}

static void stop_other_cpus(void)
{
	struct percpu *self = this_cpu();
	unsigned int i;

	for (i = 0; i < MAX_CPUS; i++) {
		struct percpu *p = &percpu_area[i];

		if (p != self && p->online)
			lapic_send_ipi(p->arch.apic_id, ICR_NMI);
	}
}

__noreturn void machine_halt(const char *why)
{
	irq_disable();
	halting = true;
	/*
	 * Others may be mid-printk: stop them, then take the console.  Only
	 * CPUs we started get the NMI: one still waiting for its SIPI must be
	 * left alone (QEMU would run its BIOS reset code).
	 */
	if (lapic_ready()) {
		stop_other_cpus();
		udelay(10000);
		console_break_lock();
	}
	printk("hv: halting: %s\n", why);
	printk("hv: system halted\n");
	debug_exit(DEBUG_EXIT_HALTED);
	cpu_stop();
}

__noreturn void machine_reset(void)
{
	irq_disable();
	outb(0xcf9, 0x02);	/* PCI reset control: prepare a hard reset */
	udelay(50);
	outb(0xcf9, 0x06);	/* ... and do it */
	udelay(10000);
	outb(0x64, 0xfe);	/* keyboard controller reset line */
	udelay(10000);
	machine_halt("the machine did not reset");
}
