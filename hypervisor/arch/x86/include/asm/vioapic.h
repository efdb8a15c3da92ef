/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual IOAPIC of a customer domain: 24 pins whose redirection
 * entries route device interrupts (the UART's, the power button's) to the
 * vCPUs' local APICs.  Its register page is MMIO at HVP_IOAPIC_BASE:
 * IOREGSEL at offset 0x00 and IOWIN at 0x10, 32-bit accesses, version 0x11
 * (no EOI register: a level-triggered entry's remote IRR is cleared by the
 * local APIC's EOI of its vector, as on the 82093AA).
 *
 * Delivery: fixed and lowest-priority modes (lowest goes to the first
 * target); physical destination = the vCPU's APIC ID, 0xff = all; logical
 * destination = a bitmap of vCPU ids (the flat model).  Other modes are
 * not delivered.
 *
 * Every function here runs with the domain's platform_lock held.
 */
#ifndef ASM_VIOAPIC_H
#define ASM_VIOAPIC_H

#include <public/hvplatform.h>
#include <lib/types.h>

struct domain;
struct vcpu;

struct vioapic {
	uint32_t ioregsel;
	uint32_t id;
	uint64_t redir[HVP_IOAPIC_PINS];
	uint32_t line;			/* pins whose input is asserted */
	uint32_t remote_irr;		/* level pins awaiting the guest's EOI */
};

void vioapic_reset(struct vioapic *io);

/* A device drives pin to level (true = asserted, active high). */
void vioapic_set_line(struct domain *d, unsigned int pin, bool level);

/* The guest EOI'd vector: level entries with it may fire again. */
void vioapic_eoi(struct domain *d, uint8_t vector);

/* Whether some level-triggered entry delivers `vector` (its EOI matters). */
bool vioapic_level_vector(const struct vioapic *io, uint8_t vector);

/* A 32-bit MMIO access at offset (0-0xfff) in the register page. */
uint32_t vioapic_mmio_read(struct domain *d, unsigned int offset);
void vioapic_mmio_write(struct domain *d, unsigned int offset, uint32_t value);

#endif
