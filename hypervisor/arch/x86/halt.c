// SPDX-License-Identifier: GPL-2.0-only
/* Stopping the machine (see hv/halt.h). */
#include <hv/asm.h>
#include <hv/console.h>
#include <hv/halt.h>
#include <hv/lapic.h>
#include <hv/time.h>
#include <hv/x86.h>

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

__noreturn void machine_halt(const char *why)
{
	irq_disable();
	halting = true;
	/* Others may be mid-printk: stop them, then take the console. */
	if (lapic_ready()) {
		lapic_nmi_all_but_self();
		udelay(10000);
		console_break_lock();
	}
	printk("hv: halting: %s\n", why);
	printk("hv: system halted\n");
	debug_exit(DEBUG_EXIT_HALTED);
	cpu_stop();
}
