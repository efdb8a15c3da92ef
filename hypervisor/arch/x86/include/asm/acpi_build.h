/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ACPI tables of a customer domain: the whole description of its
 * small platform (docs/domu-platform.md).
 *
 *   RSDP -> XSDT -> FADT (hardware-reduced) -> DSDT
 *                -> MADT (one local APIC per vCPU, one IOAPIC)
 *
 * The FADT names the sleep control/status and reset registers; the DSDT
 * holds the UART (PNP0501, ports 0x3f8-0x3ff, GSI 4), a power button
 * (PNP0C0C) pressed through a Generic Event Device (ACPI0013, GSI 9), and
 * \_S5 (soft off, SLP_TYP 5).  No PIC, PIT, HPET, RTC, VGA or i8042.
 *
 * Pure code, host-tested: the caller copies the result into the guest.
 */
#ifndef ASM_ACPI_BUILD_H
#define ASM_ACPI_BUILD_H

#include <lib/types.h>

/* Largest result: the fixed tables plus a MADT for the most vCPUs. */
#define ACPI_BUILD_MAX		4096

/*
 * Builds the tables for nr_vcpus vCPUs (APIC IDs 0 .. nr_vcpus-1) into
 * buf, laid out to live at guest-physical base (RSDP first, at base).
 * Returns the bytes used, or 0 if nr_vcpus is 0 or the tables do not fit
 * in size bytes.
 */
size_t acpi_build_tables(uint8_t *buf, size_t size, uint64_t base,
			 unsigned int nr_vcpus);

#endif
