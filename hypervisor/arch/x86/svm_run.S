/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * svm_run(vmcb_pa, regs, host_state_pa): runs the guest until its next
 * #VMEXIT.
 *
 * VMRUN itself switches only part of the CPU state (segments CS/DS/ES/SS,
 * control registers, EFER, RFLAGS, RIP, RSP, RAX).  FS, GS, TR, LDTR, their
 * hidden bases and the syscall MSRs are switched by VMLOAD/VMSAVE: the guest's
 * are loaded from its VMCB before VMRUN and saved back after, then the
 * hypervisor's are reloaded from host_state_pa (which holds a VMSAVE taken at
 * start-up).  Without that the hypervisor would come back with the guest's
 * GS base and this_cpu() would read guest memory.
 *
 * GIF is cleared around the switch so that no interrupt or NMI is taken
 * while half of the state is the guest's.
 */
#define R_RBX	0
#define R_RCX	8
#define R_RDX	16
#define R_RSI	24
#define R_RDI	32
#define R_RBP	40
#define R_R8	48
#define R_R9	56
#define R_R10	64
#define R_R11	72
#define R_R12	80
#define R_R13	88
#define R_R14	96
#define R_R15	104

	.text
	.globl	svm_run
svm_run:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rsi			/* regs */
	pushq	%rdx			/* host_state_pa */

	clgi
	movq	%rdi, %rax		/* VMLOAD/VMRUN/VMSAVE take RAX */

	movq	R_RBX(%rsi), %rbx
	movq	R_RCX(%rsi), %rcx
	movq	R_RDX(%rsi), %rdx
	movq	R_RDI(%rsi), %rdi
	movq	R_RBP(%rsi), %rbp
	movq	R_R8(%rsi), %r8
	movq	R_R9(%rsi), %r9
	movq	R_R10(%rsi), %r10
	movq	R_R11(%rsi), %r11
	movq	R_R12(%rsi), %r12
	movq	R_R13(%rsi), %r13
	movq	R_R14(%rsi), %r14
	movq	R_R15(%rsi), %r15
	movq	R_RSI(%rsi), %rsi

	vmload	%rax
	vmrun	%rax
	vmsave	%rax

	/* RAX and RSP are the hypervisor's again; the rest are the guest's. */
	pushq	%rsi
	movq	16(%rsp), %rsi		/* regs */
	movq	%rbx, R_RBX(%rsi)
	movq	%rcx, R_RCX(%rsi)
	movq	%rdx, R_RDX(%rsi)
	movq	%rdi, R_RDI(%rsi)
	movq	%rbp, R_RBP(%rsi)
	movq	%r8, R_R8(%rsi)
	movq	%r9, R_R9(%rsi)
	movq	%r10, R_R10(%rsi)
	movq	%r11, R_R11(%rsi)
	movq	%r12, R_R12(%rsi)
	movq	%r13, R_R13(%rsi)
	movq	%r14, R_R14(%rsi)
	movq	%r15, R_R15(%rsi)
	popq	%rax
	movq	%rax, R_RSI(%rsi)

	popq	%rax			/* host_state_pa */
	vmload	%rax
	stgi

	addq	$8, %rsp		/* regs */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
