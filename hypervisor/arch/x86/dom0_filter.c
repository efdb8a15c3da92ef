// SPDX-License-Identifier: GPL-2.0-only
/* dom0's IPIs and IOAPIC routes: its own CPU only (see asm/dom0_filter.h). */
#include <asm/dom0_filter.h>
#include <asm/x86_defs.h>

bool dom0_icr_allowed(uint32_t icr, uint32_t dest, uint32_t dom0_apic)
{
	unsigned int mode = ICR_MODE(icr);

	if (mode != DM_FIXED && mode != DM_LOWEST && mode != DM_NMI)
		return false;
	if (ICR_SHORTHAND(icr) == SH_SELF)
		return true;
	if (ICR_SHORTHAND(icr) != SH_NONE)
		return false;	/* broadcasts would reach customer CPUs */
	if (icr & ICR_LOGICAL)
		return mode != DM_NMI;
	return dest == dom0_apic;
}

bool dom0_redirection_allowed(uint32_t low, uint32_t high, uint32_t dom0_apic)
{
	unsigned int mode = RTE_MODE(low);

	if (low & RTE_MASKED)
		return true;
	if (mode != DM_FIXED && mode != DM_LOWEST)
		return false;
	return (low & RTE_LOGICAL) || (high >> 24) == dom0_apic;
}
