// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU GDT and TSS.  Each CPU needs its own TSS (it holds the stack for
 * double faults and NMIs), so each has its own GDT to point at it.
 */
#include <hv/console.h>
#include <asm/asm.h>
#include <asm/cpu.h>
#include <asm/idt.h>
#include <asm/x86.h>

struct percpu percpu_area[MAX_CPUS];

void percpu_install(struct percpu *p)
{
	p->self = p;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}
unsigned int nr_cpus_present = 1;

#define GDT_CODE64_DESC	0x00af9a000000ffffULL	/* long mode code, DPL 0 */
#define GDT_DATA_DESC	0x00cf92000000ffffULL	/* data, DPL 0 */
#define TSS_TYPE_AVAIL	0x89ULL			/* present, 64-bit TSS */

static void set_tss_descriptor(uint64_t *slot, const struct tss *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  (TSS_TYPE_AVAIL << 40) | (((limit >> 16) & 0xf) << 48) |
		  (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void cpu_init_tables(struct percpu *p)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr = { sizeof(p->arch.gdt) - 1, (uint64_t)(uintptr_t)p->arch.gdt };

	p->arch.gdt[0] = 0;
	p->arch.gdt[SEL_CODE64 / 8] = GDT_CODE64_DESC;
	p->arch.gdt[SEL_DATA / 8] = GDT_DATA_DESC;
	p->arch.tss.ist[IST_CRITICAL - 1] = p->arch.critical_stack_top;
	p->arch.tss.iomap_base = sizeof(p->arch.tss);	/* no I/O bitmap */
	set_tss_descriptor(&p->arch.gdt[SEL_TSS / 8], &p->arch.tss);

	__asm__ volatile(
		"lgdt %0\n\t"
		/* Reload CS with a far return, then the data segments. */
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"ltr %w3\n\t"
		: : "m"(gdtr), "i"(SEL_CODE64), "i"(SEL_DATA), "r"(SEL_TSS)
		: "rax", "memory");

	/* FS and GS selectors stay null; GS base is this CPU's data. */
	percpu_install(p);
	idt_load();
}
