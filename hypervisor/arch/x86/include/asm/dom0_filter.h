/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What dom0 may ask of its local APIC and of the IOAPICs: interrupts for
 * its own CPU only.  INIT, SIPI, SMI, NMI or an ExtINT sent to a customer
 * CPU would start, reset or stop it behind the hypervisor's back.  dom0's
 * writes to its APIC's ICR and to the IOAPICs' redirection entries trap
 * (dom0_exit.c) and are judged here; pure, host-tested
 * (tests/unit/test_dom0_filter.c).
 *
 * Logical destinations: only dom0's CPU has a logical ID (the customer
 * CPUs' LDR is 0, so no logical destination reaches them).
 */
#ifndef ASM_DOM0_FILTER_H
#define ASM_DOM0_FILTER_H

#include <lib/types.h>

/*
 * An IPI with ICR low half `icr` to xAPIC ID `dest` (the high half's bits
 * 24-31), from dom0's CPU, APIC ID `dom0_apic`: fixed, lowest-priority or
 * NMI, to itself (by shorthand or ID) or by logical destination (not NMI).
 */
bool dom0_icr_allowed(uint32_t icr, uint32_t dest, uint32_t dom0_apic);

/*
 * A redirection entry with low half `low` and high half `high` (the xAPIC
 * destination in bits 24-31): masked, or fixed or lowest-priority to dom0's
 * CPU.
 */
bool dom0_redirection_allowed(uint32_t low, uint32_t high, uint32_t dom0_apic);

#endif
