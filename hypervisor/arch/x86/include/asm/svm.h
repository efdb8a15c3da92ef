/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM (AMD-V): detection and enabling on each CPU.  The hypervisor
 * requires SVM with nested paging; everything else is optional and logged.
 */
#ifndef ASM_SVM_H
#define ASM_SVM_H

#include <hv/frame.h>
#include <hv/percpu.h>

/* CPUID 0x8000000A EDX feature bits (AMD APM vol. 3, appendix E). */
#define SVM_FEATURE_NPT			(1U << 0)
#define SVM_FEATURE_LBRV		(1U << 1)
#define SVM_FEATURE_SVML		(1U << 2)
#define SVM_FEATURE_NRIPS		(1U << 3)
#define SVM_FEATURE_TSC_RATE		(1U << 4)
#define SVM_FEATURE_VMCB_CLEAN		(1U << 5)
#define SVM_FEATURE_FLUSH_BY_ASID	(1U << 6)
#define SVM_FEATURE_DECODE_ASSISTS	(1U << 7)
#define SVM_FEATURE_PAUSE_FILTER	(1U << 10)
#define SVM_FEATURE_PAUSE_THRESHOLD	(1U << 12)
#define SVM_FEATURE_AVIC		(1U << 13)
#define SVM_FEATURE_VMSAVE_VIRT		(1U << 15)
#define SVM_FEATURE_VGIF		(1U << 16)
#define SVM_FEATURE_GMET		(1U << 17)
#define SVM_FEATURE_X2AVIC		(1U << 18)
#define SVM_FEATURE_SPEC_CTRL		(1U << 20)
#define SVM_FEATURE_VNMI		(1U << 25)
#define SVM_FEATURE_ADDR_CHK		(1U << 28)

/*
 * Checks this CPU for SVM with nested paging and enables it: EFER.SVME and a
 * host save area from fa.  On success logs the CPU's SVM features and
 * returns NULL; otherwise returns why the CPU cannot be used.
 */
const char *svm_cpu_enable(struct percpu *p, struct frame_allocator *fa);

/* Writes the names of the feature bits in features to buf. */
void svm_feature_names(uint32_t features, char *buf, size_t size);

#endif
