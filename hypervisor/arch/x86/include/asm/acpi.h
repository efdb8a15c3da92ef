/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The little of ACPI the hypervisor reads itself: the MADT, to learn which
 * CPUs exist.  dom0 reads the rest.
 */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <hv/mb2.h>
#include <hv/percpu.h>

/*
 * Fills apic_ids with the enabled CPUs' local APIC IDs (at most max) and
 * returns how many, or 0 when no MADT was found.
 */
unsigned int acpi_find_cpus(const struct boot_info *bi, uint32_t *apic_ids,
			    unsigned int max);

/* The IOAPICs' register pages, from the MADT (valid after acpi_find_cpus). */
#define ACPI_MAX_IOAPICS 8
extern uint64_t acpi_ioapic_base[ACPI_MAX_IOAPICS];
extern unsigned int acpi_nr_ioapics;

/* Physical address of the firmware's RSDP in the BIOS area, or 0. */
uint64_t acpi_rsdp_address(void);

/*
 * Edits the MADT in place so that only the CPU with this APIC ID is enabled
 * (dom0's Linux reads it and must not try to start the others).  Returns the
 * number of CPUs hidden.
 */
unsigned int acpi_madt_keep_only(uint32_t apic_id);

#endif
