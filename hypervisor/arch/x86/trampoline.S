/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Start-up code for the other CPUs (APs).  smp.c copies it to a page below
 * 1 MiB and fills in the data block at its end; a SIPI starts the AP at the
 * beginning of that page in 16-bit real mode, with CS = page >> 4 and IP = 0.
 *
 * The code is position independent: 16-bit parts address relative to CS,
 * 32- and 64-bit parts relative to %ebp, the page's linear address.  It goes
 * real mode -> protected mode -> long mode with the boot CPU's page tables,
 * then jumps to ap_entry(percpu) on the stack the boot CPU chose.
 */
#include <asm/asm.h>
#include <asm/x86_defs.h>

#define TR_SEL_CODE32	0x18	/* only in the trampoline's GDT */

#define OFF(sym)	((sym) - trampoline_start)

	.section .rodata
	.balign 16
	.globl	trampoline_start, trampoline_end
	.globl	tr_cr3, tr_stack, tr_percpu, tr_entry
trampoline_start:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	/* Linear address of this page = CS << 4, needed from here on. */
	xorl	%ebp, %ebp
	movw	%ax, %bp
	shll	$4, %ebp

	/* Patch the GDT pointer and the far jump with linear addresses. */
	leal	OFF(tr_gdt)(%ebp), %eax
	movl	%eax, OFF(tr_gdt_base)
	leal	OFF(protected_mode)(%ebp), %eax
	movl	%eax, OFF(tr_pm_jump)

	lgdtl	OFF(tr_gdt_ptr)
	movl	%cr0, %eax
	orl	$X86_CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	*OFF(tr_pm_jump)

	.code32
protected_mode:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss

	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	OFF(tr_cr3)(%ebp), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(X86_CR0_PG | X86_CR0_WP), %eax
	movl	%eax, %cr0

	/* Far return into the 64-bit code segment, on the AP's own stack. */
	movl	OFF(tr_stack)(%ebp), %esp
	leal	OFF(long_mode)(%ebp), %eax
	pushl	$SEL_CODE64
	pushl	%eax
	lret

	.code64
long_mode:
	movl	%ebp, %ebp	/* upper half undefined after the switch */
	movq	OFF(tr_stack)(%rbp), %rsp
	movq	OFF(tr_percpu)(%rbp), %rdi
	movq	OFF(tr_entry)(%rbp), %rax
	jmp	*%rax

	.balign 8
tr_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* SEL_CODE64 */
	.quad	0x00cf92000000ffff	/* SEL_DATA */
	.quad	0x00cf9a000000ffff	/* TR_SEL_CODE32 */
tr_gdt_end:
tr_gdt_ptr:
	.short	tr_gdt_end - tr_gdt - 1
tr_gdt_base:
	.long	0
tr_pm_jump:
	.long	0
	.short	TR_SEL_CODE32

	/* Filled in by smp.c before each SIPI. */
	.balign 8
tr_cr3:
	.quad	0
tr_stack:
	.quad	0
tr_percpu:
	.quad	0
tr_entry:
	.quad	0
trampoline_end:
