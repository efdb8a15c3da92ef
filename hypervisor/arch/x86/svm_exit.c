// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dispatch of #VMEXITs to their handlers.  A guest can cause any exit it
 * likes; none of them may crash the hypervisor or reach another domain.
 * Exits we do not expect end the guest, with its registers logged.
 */
#include <hv/console.h>
#include <hv/dom0.h>
#include <hv/domain.h>
#include <hv/hypercall.h>
#include <hv/msr_policy.h>
#include <hv/svm_vcpu.h>

#define VMMCALL_LENGTH 3

static void vmmcall_exit(struct vcpu *v)
{
	uint64_t args[4] = { v->regs.rbx, v->regs.rcx, v->regs.rdx, v->regs.rsi };

	v->vmcb->save.rax = (uint64_t)hypercall(v->dom, v->vmcb->save.cpl == 0,
						v->vmcb->save.rax, args);
	vcpu_skip_insn(v, VMMCALL_LENGTH);
}

void svm_handle_exit(struct vcpu *v)
{
	uint64_t code = v->vmcb->control.exit_code;

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
	case VMEXIT_INVALID:
		dom0_crash(v, "VMRUN refused the guest state (VMEXIT_INVALID)");
	default:
		printk("%s: unexpected exit 0x%lx\n", v->dom->name, code);
		dom0_crash(v, "unexpected exit");
	}
}
