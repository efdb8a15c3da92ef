/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt and exception entry stubs.  Each stub makes the stack look the
 * same (an error code, real or 0, then the vector number), saves every
 * general-purpose register into a struct exception_frame (hv/idt.h) and
 * calls interrupt_dispatch(frame) in C.
 */
#include <asm/asm.h>

	.text

.macro STUB_NOERR vector
	.globl	isr_\vector
isr_\vector:
	pushq	$0
	pushq	$\vector
	jmp	isr_common
.endm

/* The CPU already pushed an error code for these vectors. */
.macro STUB_ERR vector
	.globl	isr_\vector
isr_\vector:
	pushq	$\vector
	jmp	isr_common
.endm

STUB_NOERR 0
STUB_NOERR 1
STUB_NOERR 2
STUB_NOERR 3
STUB_NOERR 4
STUB_NOERR 5
STUB_NOERR 6
STUB_NOERR 7
STUB_ERR   8
STUB_NOERR 9
STUB_ERR   10
STUB_ERR   11
STUB_ERR   12
STUB_ERR   13
STUB_ERR   14
STUB_NOERR 15
STUB_NOERR 16
STUB_ERR   17
STUB_NOERR 18
STUB_NOERR 19
STUB_NOERR 20
STUB_ERR   21
STUB_NOERR 22
STUB_NOERR 23
STUB_NOERR 24
STUB_NOERR 25
STUB_NOERR 26
STUB_NOERR 27
STUB_NOERR 28
STUB_ERR   29
STUB_ERR   30
STUB_NOERR 31
/* Interrupts the hypervisor takes itself. */
	.globl	isr_timer
isr_timer:
	pushq	$0
	pushq	$VECTOR_TIMER
	jmp	isr_common

	.globl	isr_kick
isr_kick:
	pushq	$0
	pushq	$VECTOR_KICK
	jmp	isr_common

	.globl	isr_spurious
isr_spurious:
	pushq	$0
	pushq	$VECTOR_SPURIOUS
	jmp	isr_common

isr_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	interrupt_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp	/* vector and error code */
	iretq
