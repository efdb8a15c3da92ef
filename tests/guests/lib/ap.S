/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Start-up code for a test kernel's other vCPUs.  start_aps() copies
 * ap_trampoline to AP_TRAMPOLINE (a page below 1 MiB) and sends INIT-SIPI
 * with vector AP_TRAMPOLINE >> 12; the vCPU starts there in real mode,
 * switches to protected mode, then to long mode on the boot vCPU's page
 * tables, and calls ap_main() in C on its own stack.
 */
#define AP_TRAMPOLINE	0x8000
#define AT(label)	(AP_TRAMPOLINE + ((label) - ap_trampoline))

	.section .rodata
	.globl	ap_trampoline, ap_trampoline_end
	.code16
ap_trampoline:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	lgdtl	AT(ap_gdtr)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x18, $AT(ap_protected)

	.code32
ap_protected:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	orl	$0x100, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax	/* paging: long mode */
	movl	%eax, %cr0
	ljmp	$0x08, $ap_long_mode

	.balign 8
ap_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00cf9a000000ffff	/* 0x18: 32-bit code */
ap_gdtr:
	.short	ap_gdtr - ap_gdt - 1
	.long	AT(ap_gdt)
ap_trampoline_end:

	.text
	.code64
ap_long_mode:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movq	ap_stack_top(%rip), %rsp
	call	ap_main
1:	cli
	hlt
	jmp	1b
