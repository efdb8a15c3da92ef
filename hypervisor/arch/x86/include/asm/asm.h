/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Constants shared by assembly and C.  Only #defines: this header is
 * included from .S files.
 */
#ifndef ASM_ASM_H
#define ASM_ASM_H

/* Selectors in every GDT we load (boot, per-CPU, AP trampoline). */
#define SEL_CODE64		0x08
#define SEL_DATA		0x10
#define SEL_TSS			0x18	/* per-CPU GDTs only; 16 bytes */

#define BOOT_STACK_SIZE		(16 * 1024)

/* Interrupt vectors the hypervisor itself uses. */
#define VECTOR_TIMER		0xef
#define VECTOR_KICK		0xf0	/* another CPU wants this one to look again */
#define VECTOR_SPURIOUS		0xff

/* Port of QEMU's isa-debug-exit device in our tests. */
#define DEBUG_EXIT_PORT		0xf4

#endif
