// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dispatch of #VMEXITs to their handlers.  A guest can cause any exit it
 * likes; none of them may crash the hypervisor or reach another domain.
 * Exits we do not expect end the guest, with its registers logged.
 */
#include <hv/console.h>
#include <asm/dom0.h>
#include <hv/domu.h>
#include <asm/domu_exit.h>
#include <hv/domain.h>
#include <hv/hypercall.h>
#include <asm/msr_intercept.h>
#include <asm/svm_vcpu.h>
#include <asm/vlapic.h>

#define VMMCALL_LENGTH 3

static void vmmcall_exit(struct vcpu *v)
{
	const struct vcpu_regs *r = &v->arch.regs;
	struct vmcb_save *s = &v->arch.vmcb->save;
	uint64_t args[4] = { r->rbx, r->rcx, r->rdx, r->rsi };

	s->rax = (uint64_t)hypercall(v->dom, s->cpl == 0, s->rax, args);
	vcpu_skip_insn(v, VMMCALL_LENGTH);
}

/* Exits of a customer vCPU that differ from dom0's. */
static bool domu_exit(struct vcpu *v, uint64_t code)
{
	switch (code) {
	case VMEXIT_CPUID:
		domu_cpuid_exit(v);
		return true;
	case VMEXIT_MSR:
		domu_msr_exit(v);
		return true;
	case VMEXIT_IOIO:
		domu_ioio_exit(v);
		return true;
	case VMEXIT_HLT:
		domu_hlt_exit(v);
		return true;
	case VMEXIT_NPF:
		domu_npf_exit(v);
		return true;
	case VMEXIT_SHUTDOWN:
		domu_crash(v, "triple fault");
		return true;
	case VMEXIT_INIT:
		return true;	/* nothing sends INIT to customer CPUs */
	case VMEXIT_INTR:
		return true;	/* the host's interrupt runs at STGI */
	}
	return false;
}

void svm_handle_exit(struct vcpu *v)
{
	uint64_t code = v->arch.vmcb->control.exit_code;

	if (!v->dom->privileged && domu_exit(v, code))
		return;

	switch (code) {
	case VMEXIT_CPUID:
		cpuid_exit(v);
		return;
	case VMEXIT_MSR:
		msr_exit(v);
		return;
	case VMEXIT_VMMCALL:
		vmmcall_exit(v);
		return;
	case VMEXIT_NPF:
		dom0_npf(v);
		return;
	case VMEXIT_IOIO:
		dom0_ioio_exit(v);
		return;
	case VMEXIT_NMI:
		/* Taken by the hypervisor once GIF is set again (idt.c). */
		return;
	case VMEXIT_INTR:
		return;
	case VMEXIT_VMRUN:
	case VMEXIT_VMLOAD:
	case VMEXIT_VMSAVE:
	case VMEXIT_STGI:
	case VMEXIT_CLGI:
	case VMEXIT_SKINIT:
	case VMEXIT_INVLPGA:
		/* Guests see no SVM: its instructions do not exist for them. */
		vcpu_inject_exception(v, VECTOR_UD);
		return;
	case VMEXIT_SHUTDOWN:
		dom0_crash(v, "triple fault");
	}

	printk("d%u: unexpected exit 0x%lx\n", v->dom->id, code);
	if (!v->dom->privileged) {
		domu_crash(v, code == VMEXIT_INVALID ?
			   "VMRUN refused the guest state" : "unexpected exit");
		return;
	}
	dom0_crash(v, code == VMEXIT_INVALID ?
		   "VMRUN refused the guest state (VMEXIT_INVALID)" :
		   "unexpected exit");
}
