/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of a guest test kernel.  PVH boot: the hypervisor reads the
 * XEN_ELFNOTE_PHYS32_ENTRY note below and starts us at pvh_start in flat
 * 32-bit protected mode, paging off, EBX = struct hvm_start_info.  We map
 * the first 1 GiB 1:1, enter long mode and call guest_main(start_info).
 */
#include <public/hvplatform.h>
#include <asm/x86_defs.h>

	.section .note.pvh, "a"
	.balign 4
	.long	4			/* name size */
	.long	4			/* descriptor size */
	.long	HVP_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.long	pvh_start

	.section .text.entry, "ax"
	.code32
	.globl	pvh_start
pvh_start:
	cld
	movl	%ebx, %esi		/* keep the start info */
	movl	$stack_top, %esp

	/* PML4[0] -> PDPT, PDPT[0] -> PD, PD: 512 x 2 MiB = 1 GiB. */
	movl	$pdpt, %eax
	orl	$3, %eax
	movl	%eax, pml4
	movl	$pd, %eax
	orl	$3, %eax
	movl	%eax, pdpt
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax
	movl	%eax, pd(, %ecx, 8)
	incl	%ecx
	cmpl	$512, %ecx
	jb	1b

	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$X86_CR0_PG, %eax
	movl	%eax, %cr0

	lgdt	gdt_ptr
	ljmp	$0x08, $long_mode

	.code64
long_mode:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movq	$stack_top, %rsp
	movl	%esi, %edi		/* guest_main(start_info) */
	call	guest_main
2:	cli
	hlt
	jmp	2b

	.section .rodata
	.balign 8
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 64-bit code */
	.quad	0x00cf92000000ffff	/* data */
gdt_end:
gdt_ptr:
	.short	gdt_end - gdt - 1
	.long	gdt

	.section .bss
	.balign 4096
	.globl	pml4
pml4:	.skip	4096
pdpt:	.skip	4096
pd:	.skip	4096
	.skip	16384
stack_top:
