/* SPDX-License-Identifier: GPL-2.0-only */
/* Exit handlers for customer vCPUs (domu_exit.c), called by svm_exit.c. */
#ifndef ASM_DOMU_EXIT_H
#define ASM_DOMU_EXIT_H

struct vcpu;

void domu_ioio_exit(struct vcpu *v);
void domu_msr_exit(struct vcpu *v);
void domu_cpuid_exit(struct vcpu *v);
void domu_hlt_exit(struct vcpu *v);
void domu_npf_exit(struct vcpu *v);
void domu_crash(struct vcpu *v, const char *why);

#endif
