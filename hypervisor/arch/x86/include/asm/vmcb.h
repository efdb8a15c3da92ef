/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SVM virtual machine control block (AMD APM vol. 2, appendix B): a
 * 4 KiB page per vCPU, the control area (what to intercept, event injection,
 * exit information) followed at 0x400 by the guest's saved state.
 */
#ifndef ASM_VMCB_H
#define ASM_VMCB_H

#include <lib/types.h>

struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;	/* packed: type, S, DPL, P, AVL, L, D/B, G */
	uint32_t limit;
	uint64_t base;
} __packed;

/* Segment attributes in the VMCB's packed format. */
#define SEG_ATTR_CODE64		0x0a9b	/* exec/read, S, P, L, G */
#define SEG_ATTR_DATA		0x0c93	/* read/write, S, P, D/B, G */
#define SEG_ATTR_TSS64_BUSY	0x008b
#define SEG_ATTR_LDT		0x0082

struct vmcb_control {
	uint32_t intercept_cr;		/* 0x000: reads 0-15, writes 16-31 */
	uint32_t intercept_dr;		/* 0x004 */
	uint32_t intercept_exceptions;	/* 0x008: bit per vector */
	uint32_t intercept_misc1;	/* 0x00c: INTERCEPT1_* */
	uint32_t intercept_misc2;	/* 0x010: INTERCEPT2_* */
	uint32_t intercept_misc3;	/* 0x014 */
	uint8_t reserved_018[0x03c - 0x018];
	uint16_t pause_filter_threshold; /* 0x03c */
	uint16_t pause_filter_count;	/* 0x03e */
	uint64_t iopm_base_pa;		/* 0x040 */
	uint64_t msrpm_base_pa;		/* 0x048 */
	uint64_t tsc_offset;		/* 0x050 */
	uint32_t asid;			/* 0x058 */
	uint8_t tlb_control;		/* 0x05c */
	uint8_t reserved_05d[3];
	uint64_t int_ctl;		/* 0x060: V_TPR, V_IRQ, V_INTR_MASKING, ... */
	uint64_t int_state;		/* 0x068: interrupt shadow */
	uint64_t exit_code;		/* 0x070 */
	uint64_t exit_info1;		/* 0x078 */
	uint64_t exit_info2;		/* 0x080 */
	uint64_t exit_int_info;		/* 0x088 */
	uint64_t nested_ctl;		/* 0x090: bit 0 = nested paging */
	uint64_t avic_apic_bar;		/* 0x098 */
	uint64_t ghcb_pa;		/* 0x0a0 */
	uint64_t event_inj;		/* 0x0a8 */
	uint64_t nested_cr3;		/* 0x0b0 */
	uint64_t virt_ext;		/* 0x0b8 */
	uint32_t clean_bits;		/* 0x0c0 */
	uint32_t reserved_0c4;
	uint64_t next_rip;		/* 0x0c8: only with NRIP save */
	uint8_t insn_len;		/* 0x0d0: only with decode assists */
	uint8_t insn_bytes[15];
	uint8_t reserved_0e0[0x400 - 0x0e0];
} __packed;

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x000 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x060 */
	uint8_t reserved_0a0[0x0cb - 0x0a0];
	uint8_t cpl;				/* 0x0cb */
	uint32_t reserved_0cc;
	uint64_t efer;				/* 0x0d0 */
	uint8_t reserved_0d8[0x148 - 0x0d8];
	uint64_t cr4;				/* 0x148 */
	uint64_t cr3;
	uint64_t cr0;
	uint64_t dr7;
	uint64_t dr6;
	uint64_t rflags;
	uint64_t rip;				/* 0x178 */
	uint8_t reserved_180[0x1d8 - 0x180];
	uint64_t rsp;				/* 0x1d8 */
	uint8_t reserved_1e0[0x1f8 - 0x1e0];
	uint64_t rax;				/* 0x1f8 */
	uint64_t star, lstar, cstar, sfmask;	/* 0x200 */
	uint64_t kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2;				/* 0x240 */
	uint8_t reserved_248[0x268 - 0x248];
	uint64_t g_pat;				/* 0x268 */
	uint64_t dbgctl;
	uint8_t reserved_278[0xc00 - 0x278];
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB size");
_Static_assert(__builtin_offsetof(struct vmcb_control, exit_code) == 0x70, "exit_code");
_Static_assert(__builtin_offsetof(struct vmcb_control, nested_cr3) == 0xb0, "nested_cr3");
_Static_assert(__builtin_offsetof(struct vmcb_save, cpl) == 0xcb, "cpl");
_Static_assert(__builtin_offsetof(struct vmcb_save, efer) == 0xd0, "efer");
_Static_assert(__builtin_offsetof(struct vmcb_save, rip) == 0x178, "rip");
_Static_assert(__builtin_offsetof(struct vmcb_save, rax) == 0x1f8, "rax");
_Static_assert(__builtin_offsetof(struct vmcb_save, cr2) == 0x240, "cr2");
_Static_assert(__builtin_offsetof(struct vmcb_save, g_pat) == 0x268, "g_pat");

/* intercept_misc1 */
#define INTERCEPT1_INTR		(1U << 0)
#define INTERCEPT1_NMI		(1U << 1)
#define INTERCEPT1_SMI		(1U << 2)
#define INTERCEPT1_INIT		(1U << 3)
#define INTERCEPT1_CPUID	(1U << 18)
#define INTERCEPT1_HLT		(1U << 24)
#define INTERCEPT1_INVLPGA	(1U << 26)
#define INTERCEPT1_IOIO		(1U << 27)
#define INTERCEPT1_MSR		(1U << 28)
#define INTERCEPT1_SHUTDOWN	(1U << 31)

/* intercept_misc2 */
#define INTERCEPT2_VMRUN	(1U << 0)
#define INTERCEPT2_VMMCALL	(1U << 1)
#define INTERCEPT2_VMLOAD	(1U << 2)
#define INTERCEPT2_VMSAVE	(1U << 3)
#define INTERCEPT2_STGI		(1U << 4)
#define INTERCEPT2_CLGI		(1U << 5)
#define INTERCEPT2_SKINIT	(1U << 6)
#define INTERCEPT2_XSETBV	(1U << 13)

/* int_ctl */
#define INT_CTL_V_INTR_MASKING	(1ULL << 24)

/* tlb_control */
#define TLB_CONTROL_NONE	0
#define TLB_CONTROL_FLUSH_ALL	1

#define NESTED_CTL_NP_ENABLE	(1ULL << 0)

/* event_inj and exit_int_info */
#define EVENT_VALID		(1ULL << 31)
#define EVENT_ERROR_VALID	(1ULL << 11)
#define EVENT_TYPE_MASK		(7ULL << 8)
#define EVENT_TYPE_INTR		(0ULL << 8)
#define EVENT_TYPE_NMI		(2ULL << 8)
#define EVENT_TYPE_EXCEPTION	(3ULL << 8)

/* Exit codes. */
#define VMEXIT_EXCEPTION_BASE	0x040
#define VMEXIT_INTR		0x060
#define VMEXIT_NMI		0x061
#define VMEXIT_SMI		0x062
#define VMEXIT_INIT		0x063
#define VMEXIT_VINTR		0x064
#define VMEXIT_CPUID		0x072
#define VMEXIT_HLT		0x078
#define VMEXIT_INVLPGA		0x07a
#define VMEXIT_IOIO		0x07b
#define VMEXIT_MSR		0x07c
#define VMEXIT_SHUTDOWN		0x07f
#define VMEXIT_VMRUN		0x080
#define VMEXIT_VMMCALL		0x081
#define VMEXIT_VMLOAD		0x082
#define VMEXIT_VMSAVE		0x083
#define VMEXIT_STGI		0x084
#define VMEXIT_CLGI		0x085
#define VMEXIT_SKINIT		0x086
#define VMEXIT_XSETBV		0x08d
#define VMEXIT_NPF		0x400
#define VMEXIT_INVALID		((uint64_t)-1)

/* IOIO exit information in EXITINFO1 (AMD APM vol. 2, 15.10.2); the next
 * RIP is in EXITINFO2. */
#define IOIO_IN			(1ULL << 0)
#define IOIO_STRING		(1ULL << 2)
#define IOIO_SIZE(info)		(((info) >> 4) & 7)	/* 1, 2 or 4 bytes */
#define IOIO_PORT(info)		((uint16_t)((info) >> 16))

/* #NPF error code (EXITINFO1) */
#define NPF_PRESENT		(1ULL << 0)
#define NPF_WRITE		(1ULL << 1)
#define NPF_USER		(1ULL << 2)
#define NPF_FETCH		(1ULL << 4)

#endif
