/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stopping the machine.  machine_halt() is the one way the hypervisor gives
 * up: it says why, stops every other CPU with an NMI, and halts.  With the
 * test-only boot option debug_exit it then writes to QEMU's isa-debug-exit
 * port so a test's QEMU exits at once instead of idling until a timeout.
 */
#ifndef HV_HALT_H
#define HV_HALT_H

#include <lib/types.h>

/* Exit codes written to the debug-exit port; QEMU exits with 2*code+1. */
#define DEBUG_EXIT_SUCCESS	0	/* boot finished, nothing left to do */
#define DEBUG_EXIT_HALTED	1	/* machine_halt() */

extern bool opt_debug_exit;

__noreturn void machine_halt(const char *why);

/* Resets the machine: PCI reset register, then the keyboard controller. */
__noreturn void machine_reset(void);
bool machine_is_halting(void);

/* Halts this CPU for good (interrupts off; NMIs find it halted again). */
__noreturn void cpu_stop(void);

/* Test-only: leave QEMU with the given code when debug_exit is set. */
void debug_exit(unsigned int code);

#endif
