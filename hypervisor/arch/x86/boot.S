/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry from GRUB: the multiboot2 header, then the switch from 32-bit
 * protected mode to long mode on the boot CPU.
 *
 * GRUB enters _start in 32-bit protected mode with paging off, EAX holding
 * the multiboot2 magic and EBX the physical address of the boot information.
 * We clear .bss, build page tables that map the first 4 GiB 1:1 with 2 MiB
 * pages (enough for the image, the boot information, ACPI tables and the
 * local APIC), enable long mode and call hv_main(magic, info) in C.
 */
#include <asm/asm.h>
#include <asm/x86_defs.h>

#define MB2_HEADER_MAGIC	0xe85250d6
#define MB2_ARCH_I386		0


	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MB2_HEADER_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* end tag */
	.balign 8
	.short	0
	.short	0
	.long	8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl	_start
_start:
	cli
	cld
	/* Keep the loader's arguments in registers we do not touch below. */
	movl	%eax, %edi
	movl	%ebx, %esi

	/* Zero .bss: page tables and stacks must start clean. */
	movl	$__bss_start, %ebx
1:	cmpl	$__bss_end, %ebx
	jae	2f
	movl	$0, (%ebx)
	addl	$4, %ebx
	jmp	1b
2:
	movl	$boot_stack_top, %esp

	/* Without long mode there is nothing we can do: say so on COM1. */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories. */
	movl	$boot_pdpt, %eax
	orl	$(PTE_P | PTE_W), %eax
	movl	%eax, boot_pml4
	movl	$boot_pd, %eax
	orl	$(PTE_P | PTE_W), %eax
	xorl	%ecx, %ecx
3:	movl	%eax, boot_pdpt(, %ecx, 8)
	addl	$4096, %eax
	incl	%ecx
	cmpl	$4, %ecx
	jb	3b

	/* 2048 entries of 2 MiB pages: 0 .. 4 GiB. */
	movl	$(PTE_P | PTE_W | PTE_PS), %eax
	xorl	%ecx, %ecx
4:	movl	%eax, boot_pd(, %ecx, 8)
	addl	$0x200000, %eax
	incl	%ecx
	cmpl	$2048, %ecx
	jb	4b

	/* Long mode: PAE, page tables, EFER.LME, then paging on. */
	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(X86_CR0_PE | X86_CR0_PG | X86_CR0_WP), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$SEL_CODE64, $long_mode

	.code64
long_mode:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$boot_stack_top, %rsp
	/* Upper halves of registers are undefined after the mode switch. */
	movl	%edi, %edi
	movl	%esi, %esi
	call	hv_main
5:	cli
	hlt
	jmp	5b

	.code32
no_long_mode:
	movl	$no_long_mode_msg, %ebx
6:	movb	(%ebx), %al
	testb	%al, %al
	jz	7f
	movw	$0x3f8, %dx
	outb	%al, %dx
	incl	%ebx
	jmp	6b
7:	cli
	hlt
	jmp	7b

	.section .rodata
no_long_mode_msg:
	.asciz	"hv: FATAL: this CPU has no long mode (x86-64); halted.\r\n"

	/*
	 * Boot GDT: the same selectors as the per-CPU GDTs built later in C
	 * (hv/percpu.h), so nothing changes when those are loaded.
	 */
	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.short	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

	.section .bss
	.balign 4096
	.globl	boot_pml4, boot_pdpt, boot_pd
boot_pml4:
	.skip	4096
boot_pdpt:
	.skip	4096
boot_pd:
	.skip	4 * 4096
	.globl	boot_stack_top
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:
