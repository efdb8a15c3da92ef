/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a guest may write to the MSRs the hypervisor decides for it: the one
 * definition, used by dom0's exits (msr_intercept.c) and customer domains'
 * (domu_exit.c).  Pure functions of the values involved, no SVM state, so
 * the host unit tests (tests/unit/test_msr_policy.c) check every rule.
 *
 * EFER (AMD APM vol. 2, 3.1.7 and 14.6): the hypervisor needs SVME set in
 * every guest's EFER (VMRUN refuses a guest without it), so SVME is kept
 * set whatever the guest writes and hidden from what it reads.  A reserved
 * bit set, or LME changed while paging is on, is #GP, as on the CPU.  LMA
 * is the CPU's status (long mode active), never what the guest wrote.
 */
#ifndef ASM_MSR_POLICY_H
#define ASM_MSR_POLICY_H

#include <lib/types.h>
#include <asm/x86.h>

/*
 * The EFER bits each kind of guest may write.  dom0 drives the real
 * machine and keeps the CPU's other long-mode features (and may write SVME,
 * which stays set); a customer domain gets what a 64-bit OS needs.
 */
#define EFER_DOM0_WRITABLE	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | \
				 EFER_SVME | EFER_LMSLE | EFER_FFXSR | EFER_TCE)
#define EFER_DOMU_WRITABLE	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

/* What a guest reads from EFER: its value without the hypervisor's SVME. */
uint64_t efer_guest_view(uint64_t efer);

/*
 * A guest's WRMSR of `value` to EFER, whose current value is `efer` (SVME
 * set), with CR0 `cr0`; `writable` is EFER_DOM0_WRITABLE or
 * EFER_DOMU_WRITABLE.  Returns false when the write is #GP; otherwise
 * *next is the EFER to install.  A change of NXE changes what the guest's
 * page tables mean: the caller flushes the guest's TLB when
 * (*next ^ efer) & EFER_NXE.
 */
bool efer_guest_write(uint64_t efer, uint64_t cr0, uint64_t value,
		      uint64_t writable, uint64_t *next);

/* The PAT: every entry one of the six architectural memory types. */
bool pat_valid(uint64_t pat);

/*
 * MTRR default type, for a customer domain (no variable or fixed ranges):
 * only the type and the two enable bits exist.
 */
bool mtrr_def_type_valid(uint64_t value);

#endif
