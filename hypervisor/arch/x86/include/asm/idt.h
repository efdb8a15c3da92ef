/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt descriptor table and the dispatch of exceptions and interrupts
 * taken in the hypervisor itself (not in guests).
 *
 * Any CPU exception in the hypervisor is a bug: it is reported with the
 * vector, error code and every register, and the machine is halted.
 */
#ifndef ASM_IDT_H
#define ASM_IDT_H

#include <lib/types.h>

/* The stack as entry.S leaves it; field order mirrors the pushes. */
struct exception_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

#define VECTOR_NMI	2
#define VECTOR_DF	8
#define VECTOR_MC	18

/* Builds the shared IDT (boot CPU, once) and loads it on this CPU. */
void idt_init(void);
void idt_load(void);

void interrupt_dispatch(struct exception_frame *f);

/* The name of an exception vector, e.g. "#PF page fault". */
const char *exception_name(unsigned int vector);

#endif
