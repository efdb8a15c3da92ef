/* SPDX-License-Identifier: GPL-2.0-only */
/* Exception stubs of the guest test library: 16 bytes each, vector order. */
	.text
	.balign 16
	.globl	exception_stubs
exception_stubs:
	.set	v, 0
	.rept	256
	.balign 16
	/* Vectors with a CPU-pushed error code: 8, 10-14, 17, 21, 29, 30. */
	.if (v == 8) || (v >= 10 && v <= 14) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
	pushq	$v
	.else
	pushq	$0
	pushq	$v
	.endif
	jmp	common
	.set	v, v + 1
	.endr

common:
	/*
	 * The stack now holds vector, error, rip, cs, rflags, rsp, ss: a
	 * struct frame, just above the registers saved here.
	 */
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	leaq	72(%rsp), %rdi
	call	guest_exception
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$16, %rsp
	iretq
