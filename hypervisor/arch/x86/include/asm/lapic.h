/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The physical local APIC in xAPIC (MMIO) mode: the emulated CPU has no
 * x2APIC.  The hypervisor uses it for its own timer and for IPIs.
 */
#ifndef ASM_LAPIC_H
#define ASM_LAPIC_H

#include <lib/types.h>
#include <asm/x86_defs.h>

#define LAPIC_DEFAULT_BASE 0xfee00000ULL
/* Where customer domains find their (virtual) local APIC. */
#define LAPIC_DEFAULT_BASE_FOR_GUESTS LAPIC_DEFAULT_BASE

/* Registers and ICR values: asm/x86_defs.h. */

extern uint32_t lapic_timer_khz;	/* timer ticks per ms, divide-by-1 */

/* Enables this CPU's LAPIC (software enable, spurious vector, LVTs masked). */
void lapic_init(void);
bool lapic_ready(void);
uint32_t lapic_id(void);

/* Boot CPU only, after time_calibrate(): measures the timer's frequency. */
void lapic_calibrate(void);

void lapic_timer_start_periodic(unsigned int hz);
void lapic_timer_stop(void);

/* One interrupt, tsc_ticks of this CPU's TSC from now (at least 1 count). */
void lapic_timer_oneshot(uint64_t tsc_ticks);
void lapic_timer_interrupt(void);

/* Register access for the dom0 write filter; offsets as in the APIC page. */
uint32_t lapic_read_reg(unsigned int offset);
void lapic_write_reg(unsigned int offset, uint32_t value);
void lapic_eoi(void);

/* Sends an IPI; waits until the APIC accepted it. */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);

#endif
