// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IDT, shared by all CPUs, and the C side of interrupt entry.
 */
#include <asm/asm.h>
#include <hv/console.h>
#include <hv/halt.h>
#include <asm/idt.h>
#include <asm/lapic.h>
#include <hv/percpu.h>
#include <hv/domain.h>
#include <asm/x86.h>

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;

#define IDT_INTERRUPT_GATE 0x8e	/* present, DPL 0, 64-bit interrupt gate */

static struct idt_entry idt[256] __aligned(16);

/* Stubs in entry.S. */
#define DECLARE_STUB(n) extern char isr_##n[]
DECLARE_STUB(0); DECLARE_STUB(1); DECLARE_STUB(2); DECLARE_STUB(3);
DECLARE_STUB(4); DECLARE_STUB(5); DECLARE_STUB(6); DECLARE_STUB(7);
DECLARE_STUB(8); DECLARE_STUB(9); DECLARE_STUB(10); DECLARE_STUB(11);
DECLARE_STUB(12); DECLARE_STUB(13); DECLARE_STUB(14); DECLARE_STUB(15);
DECLARE_STUB(16); DECLARE_STUB(17); DECLARE_STUB(18); DECLARE_STUB(19);
DECLARE_STUB(20); DECLARE_STUB(21); DECLARE_STUB(22); DECLARE_STUB(23);
DECLARE_STUB(24); DECLARE_STUB(25); DECLARE_STUB(26); DECLARE_STUB(27);
DECLARE_STUB(28); DECLARE_STUB(29); DECLARE_STUB(30); DECLARE_STUB(31);
extern char isr_timer[], isr_spurious[], isr_kick[];

static void *const exception_stubs[32] = {
	isr_0, isr_1, isr_2, isr_3, isr_4, isr_5, isr_6, isr_7,
	isr_8, isr_9, isr_10, isr_11, isr_12, isr_13, isr_14, isr_15,
	isr_16, isr_17, isr_18, isr_19, isr_20, isr_21, isr_22, isr_23,
	isr_24, isr_25, isr_26, isr_27, isr_28, isr_29, isr_30, isr_31,
};

static void set_gate(unsigned int vector, void *handler, unsigned int ist)
{
	uint64_t addr = (uint64_t)(uintptr_t)handler;
	struct idt_entry *e = &idt[vector];

	e->offset_low = addr & 0xffff;
	e->selector = SEL_CODE64;
	e->ist = ist;
	e->type_attr = IDT_INTERRUPT_GATE;
	e->offset_mid = (addr >> 16) & 0xffff;
	e->offset_high = addr >> 32;
	e->reserved = 0;
}

void idt_init(void)
{
	unsigned int v;

	for (v = 0; v < 32; v++) {
		/*
		 * Double fault, NMI and machine check switch to a known-good
		 * stack: a double fault is often a blown stack.
		 */
		bool critical = v == VECTOR_DF || v == VECTOR_NMI ||
				v == VECTOR_MC;

		set_gate(v, exception_stubs[v], critical ? IST_CRITICAL : 0);
	}
	set_gate(VECTOR_TIMER, isr_timer, 0);
	set_gate(VECTOR_SPURIOUS, isr_spurious, 0);
	set_gate(VECTOR_KICK, isr_kick, 0);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

const char *exception_name(unsigned int vector)
{
	static const char *const names[32] = {
		[0] = "#DE divide error",
		[1] = "#DB debug",
		[2] = "NMI",
		[3] = "#BP breakpoint",
		[4] = "#OF overflow",
		[5] = "#BR bound range",
		[6] = "#UD invalid opcode",
		[7] = "#NM device not available",
		[8] = "#DF double fault",
		[10] = "#TS invalid TSS",
		[11] = "#NP segment not present",
		[12] = "#SS stack fault",
		[13] = "#GP general protection",
		[14] = "#PF page fault",
		[16] = "#MF x87 floating point",
		[17] = "#AC alignment check",
		[18] = "#MC machine check",
		[19] = "#XM SIMD floating point",
		[20] = "#VE virtualization",
		[21] = "#CP control protection",
		[29] = "#VC VMM communication",
		[30] = "#SX security",
	};

	if (vector < 32 && names[vector])
		return names[vector];
	return "reserved";
}

static void dump_frame(const struct exception_frame *f, unsigned int cpu)
{
	printk("\n*** EXCEPTION on cpu%u: %s (vector %lu), error code 0x%lx\n",
	       cpu, exception_name(f->vector), f->vector, f->error_code);
	printk("RIP %016lx  CS %04lx  RFLAGS %016lx\n", f->rip, f->cs,
	       f->rflags);
	printk("RSP %016lx  SS %04lx\n", f->rsp, f->ss);
	printk("RAX %016lx  RBX %016lx  RCX %016lx\n", f->rax, f->rbx, f->rcx);
	printk("RDX %016lx  RSI %016lx  RDI %016lx\n", f->rdx, f->rsi, f->rdi);
	printk("RBP %016lx  R8  %016lx  R9  %016lx\n", f->rbp, f->r8, f->r9);
	printk("R10 %016lx  R11 %016lx  R12 %016lx\n", f->r10, f->r11, f->r12);
	printk("R13 %016lx  R14 %016lx  R15 %016lx\n", f->r13, f->r14, f->r15);
	printk("CR0 %016lx  CR2 %016lx  CR3 %016lx  CR4 %016lx\n",
	       read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

void interrupt_dispatch(struct exception_frame *f)
{
	struct percpu *cpu = this_cpu();

	switch (f->vector) {
	case VECTOR_TIMER:
		lapic_timer_interrupt();
		return;
	case VECTOR_SPURIOUS:
		return;		/* no EOI for spurious interrupts */
	case VECTOR_KICK:
		/* Taking it was the point: it ended HLT or the guest's run. */
		cpu->need_resched = true;
		lapic_eoi();
		return;
	case VECTOR_NMI:
		/* Another CPU is halting the machine and asked us to stop. */
		if (machine_is_halting())
			cpu_stop();
		/*
		 * Otherwise, on dom0's CPU it is dom0's (a device's, its
		 * watchdog's).  On a domain CPU nothing sends NMIs: say so.
		 */
		if (cpu->current_vcpu && cpu->current_vcpu->dom->privileged) {
			cpu->current_vcpu->arch.nmi_pending = true;
			return;
		}
		if (cpu->index != 0) {
			printk("cpu%u: unexpected NMI ignored\n", cpu->index);
			return;
		}
		break;
	}

	/* An exception while reporting one: stop quietly, no loops. */
	if (++cpu->arch.fault_depth > 1)
		cpu_stop();
	dump_frame(f, cpu->index);
	machine_halt("fatal exception in the hypervisor");
}
