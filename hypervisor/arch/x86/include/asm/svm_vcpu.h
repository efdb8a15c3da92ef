/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running a vCPU under SVM: creating its VMCB, the run loop, and the
 * helpers exit handlers share (event injection, skipping an instruction).
 */
#ifndef ASM_SVM_VCPU_H
#define ASM_SVM_VCPU_H

#include <hv/frame.h>
#include <hv/vcpu.h>

/*
 * Allocates a vCPU of d with its VMCB, nested paging on d->arch.npt_root, the
 * intercepts every guest gets, and the given ASID.  Returns NULL when out of
 * memory.  The caller fills in the guest's initial state (vmcb->save, regs).
 */
struct vcpu *svm_vcpu_create(struct domain *d, struct frame_allocator *fa,
			     uint32_t asid);

/* Frees a vCPU that no CPU runs any more, and its VMCB. */
void svm_vcpu_destroy(struct vcpu *v, struct frame_allocator *fa);

/* Intercepts of a customer vCPU: every port, every MSR, interrupts, HLT. */
void svm_vcpu_confine(struct vcpu *v);

/* The exit_stats boot option: svm_print_exit_stats() prints, else not. */
extern bool opt_exit_stats;
void svm_print_exit_stats(const struct domain *d);

/* Runs v on this CPU for good, handling its exits (dom0). */
__noreturn void svm_vcpu_run(struct vcpu *v);

/*
 * Runs v until its time slice ends (the tick sets need_resched), it blocks,
 * or its domain stops running (a customer vCPU, from the scheduler).
 */
void svm_vcpu_run_slice(struct vcpu *v);

/* Returns from the current exit past an instruction of `len` bytes. */
void vcpu_skip_insn(struct vcpu *v, unsigned int len);

/*
 * The Linux 64-bit boot protocol's entry state: long mode on the page
 * tables at cr3 and the GDT at gdt (hv/linux_boot.h makes both), RSI at
 * the zero page, RIP at entry.
 */
void vcpu_set_linux_entry(struct vcpu *v, uint64_t entry, uint64_t gdt,
			  uint64_t cr3, uint64_t zero_page);

void vcpu_inject_exception(struct vcpu *v, unsigned int vector);
void vcpu_inject_exception_error(struct vcpu *v, unsigned int vector,
				 uint32_t error_code);

/* Next exit: flush the guest's TLB (nested tables or EFER.NXE changed). */
void vcpu_flush_tlb(struct vcpu *v);

/* Logs the guest's registers (for crashes). */
void vcpu_dump(struct vcpu *v);

/* Exit handlers, in svm_exit.c. */
void svm_handle_exit(struct vcpu *v);

/* Per-CPU: the vCPU running here, so an NMI can be passed to it. */
struct vcpu *current_vcpu(void);

#define VECTOR_UD 6
#define VECTOR_GP 13

#endif
