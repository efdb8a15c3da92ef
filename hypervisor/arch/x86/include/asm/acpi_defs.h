/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI table layouts (ACPI 6.4 specification, chapter 5), for the tables
 * the hypervisor reads (the firmware's MADT, acpi.c) and those it writes
 * for customer domains (acpi_build.c).
 */
#ifndef ASM_ACPI_DEFS_H
#define ASM_ACPI_DEFS_H

#include <lib/types.h>

struct rsdp {
	char signature[8];	/* "RSD PTR " */
	uint8_t checksum;	/* of the first 20 bytes */
	char oem_id[6];
	uint8_t revision;	/* 0: ACPI 1.0, RSDT only; 2+: XSDT */
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* of all 36 bytes */
	uint8_t reserved[3];
} __packed;

struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

struct madt {
	struct sdt_header h;
	uint32_t lapic_address;
	uint32_t flags;
	/* followed by entries */
} __packed;

#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_X2APIC		9
#define MADT_ENABLED		0x1

/* Generic Address Structure: where a register is. */
struct acpi_gas {
	uint8_t space_id;	/* ACPI_GAS_IO, ... */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;	/* 1 = byte */
	uint64_t address;
} __packed;

#define ACPI_GAS_IO		1

#endif
