/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86's architectural constants: MSRs, control-register and EFER bits,
 * page-table entry bits, the local APIC's and the IOAPIC's registers and
 * bits.  The one definition of each, for C and for assembly (boot.S,
 * trampoline.S include it too): numbers only, and X86_BIT()/X86_ULL() give
 * them the C type they need without a suffix the assembler would refuse.
 * Register-field accessors are C-only, below.
 */
#ifndef ASM_X86_DEFS_H
#define ASM_X86_DEFS_H

#ifdef __ASSEMBLER__
#define X86_ULL(x)		x
#else
#define X86_ULL(x)		x##ULL
#endif
#define X86_BIT(n)		(X86_ULL(1) << (n))

/* Model-specific registers. */
#define MSR_APIC_BASE		0x0000001b
#define MSR_EFER		0xc0000080
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_VM_CR		0xc0010114	/* AMD: SVM lock and disable */
#define MSR_VM_HSAVE_PA		0xc0010117	/* AMD: host state save area */

#define EFER_SCE		X86_BIT(0)
#define EFER_LME		X86_BIT(8)
#define EFER_LMA		X86_BIT(10)
#define EFER_NXE		X86_BIT(11)
#define EFER_SVME		X86_BIT(12)
#define EFER_LMSLE		X86_BIT(13)	/* long-mode segment limits */
#define EFER_FFXSR		X86_BIT(14)	/* fast FXSAVE/FXRSTOR */
#define EFER_TCE		X86_BIT(15)	/* translation cache extension */

#define VM_CR_LOCK		X86_BIT(3)
#define VM_CR_SVMDIS		X86_BIT(4)

#define APIC_BASE_BSP		X86_BIT(8)
#define APIC_BASE_EXTD		X86_BIT(10)	/* x2APIC mode */
#define APIC_BASE_ENABLE	X86_BIT(11)

/* Control registers. */
#define X86_CR0_PE		X86_BIT(0)
#define X86_CR0_WP		X86_BIT(16)
#define X86_CR0_PG		X86_BIT(31)
#define X86_CR4_PAE		X86_BIT(5)

/* RFLAGS */
#define X86_RFLAGS_IF		X86_BIT(9)

/* Page-table entries (4-level paging and AMD's nested paging alike). */
#define PTE_P			X86_BIT(0)	/* present */
#define PTE_W			X86_BIT(1)	/* writable */
#define PTE_U			X86_BIT(2)	/* user */
#define PTE_PWT			X86_BIT(3)	/* write-through */
#define PTE_PCD			X86_BIT(4)	/* cache disabled */
#define PTE_PS			X86_BIT(7)	/* large page (2 MiB, 1 GiB) */
#define PTE_ADDR		X86_ULL(0x000ffffffffff000)

/*
 * The local APIC: register offsets in its xAPIC page (the x2APIC MSR of a
 * register is 0x800 + offset / 16), and their bits.
 */
#define LAPIC_REG_ID		0x020
#define LAPIC_REG_VERSION	0x030
#define LAPIC_REG_TPR		0x080
#define LAPIC_REG_EOI		0x0b0
#define LAPIC_REG_SVR		0x0f0
#define LAPIC_REG_ESR		0x280
#define LAPIC_REG_ICR_LOW	0x300
#define LAPIC_REG_ICR_HIGH	0x310
#define LAPIC_REG_LVT_TIMER	0x320
#define LAPIC_REG_LVT_LINT0	0x350
#define LAPIC_REG_LVT_LINT1	0x360
#define LAPIC_REG_LVT_ERROR	0x370
#define LAPIC_REG_TIMER_INIT	0x380
#define LAPIC_REG_TIMER_CUR	0x390
#define LAPIC_REG_TIMER_DIV	0x3e0

#define SVR_ENABLE		X86_BIT(8)	/* APIC software enable */
#define LVT_MASKED		X86_BIT(16)
#define LVT_PERIODIC		X86_BIT(17)

/*
 * The interrupt command register (ICR): vector in bits 0-7, delivery mode
 * in 8-10, destination mode 11, delivery status 12, level 14, destination
 * shorthand 18-19; the destination is in the high half (bits 56-63 in
 * xAPIC mode, 32-63 in x2APIC mode).
 */
#define ICR_DM_SHIFT		8
#define ICR_LOGICAL		X86_BIT(11)
#define ICR_PENDING		X86_BIT(12)	/* delivery status: not yet sent */
#define ICR_LEVEL_ASSERT	X86_BIT(14)
#define ICR_SH_SHIFT		18

/* Delivery modes (ICR bits 8-10, IOAPIC redirection entries alike). */
#define DM_FIXED		0
#define DM_LOWEST		1
#define DM_SMI			2
#define DM_NMI			4
#define DM_INIT			5
#define DM_SIPI			6
#define DM_EXTINT		7

/* Destination shorthands (ICR bits 18-19). */
#define SH_NONE			0
#define SH_SELF			1
#define SH_ALL			2
#define SH_OTHERS		3

/* ICR values for the hypervisor's own IPIs. */
#define ICR_FIXED		(DM_FIXED << ICR_DM_SHIFT)
#define ICR_NMI			(DM_NMI << ICR_DM_SHIFT)
#define ICR_INIT		(DM_INIT << ICR_DM_SHIFT)
#define ICR_STARTUP		(DM_SIPI << ICR_DM_SHIFT)

/*
 * The IOAPIC: an index register and a data window in its MMIO page;
 * redirection entry n is registers 0x10 + 2n (low half) and + 1 (high).
 */
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10
#define RTE_LOGICAL		X86_BIT(11)
#define RTE_DELIVERY_STATUS	X86_BIT(12)
#define RTE_REMOTE_IRR		X86_BIT(14)
#define RTE_LEVEL		X86_BIT(15)
#define RTE_MASKED		X86_BIT(16)

#ifndef __ASSEMBLER__
#define ICR_VECTOR(icr)		((uint8_t)(icr))
#define ICR_MODE(icr)		((unsigned int)((icr) >> ICR_DM_SHIFT) & 7)
#define ICR_SHORTHAND(icr)	((unsigned int)((icr) >> ICR_SH_SHIFT) & 3)
#define RTE_VECTOR(rte)		((uint8_t)(rte))
#define RTE_MODE(rte)		((unsigned int)((rte) >> ICR_DM_SHIFT) & 7)
#define RTE_DEST(rte)		((uint8_t)((rte) >> 56))
#endif

#endif
