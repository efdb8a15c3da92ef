/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86's part of a domain (hv/domain.h has the rest): its nested page
 * tables, its SVM ASID, and a customer domain's platform devices (the
 * virtual UART and IOAPIC, vuart.c and vioapic.c).
 */
#ifndef ASM_ARCH_DOMAIN_H
#define ASM_ARCH_DOMAIN_H

#include <lib/types.h>
#include <hv/spinlock.h>
#include <asm/vioapic.h>
#include <asm/vuart.h>

/* A domain's x86 state: its struct domain's `arch`. */
struct arch_domain {
	uint64_t npt_root;		/* nested page table root (PML4) */
	uint32_t asid;

	/* Platform devices of a customer domain, guarded by platform_lock. */
	struct spinlock platform_lock;
	struct vuart uart;
	struct vioapic ioapic;
	uint32_t refused_mmio;		/* IOAPIC accesses refused with #GP */
};

#endif
