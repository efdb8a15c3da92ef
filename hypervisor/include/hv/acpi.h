/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The little of ACPI the hypervisor reads itself: the MADT, to learn which
 * CPUs exist.  dom0 reads the rest.
 */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include <hv/mb2.h>
#include <hv/percpu.h>

/*
 * Fills apic_ids with the enabled CPUs' local APIC IDs (at most max) and
 * returns how many, or 0 when no MADT was found.
 */
unsigned int acpi_find_cpus(const struct boot_info *bi, uint32_t *apic_ids,
			    unsigned int max);

#endif
