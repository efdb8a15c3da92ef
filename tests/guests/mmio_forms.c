// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every form of MMIO access the hypervisor's instruction decoder claims
 * (hypervisor/arch/x86/decode.c), made on the virtual IOAPIC's registers,
 * whose values are known: IOREGSEL at +0x00 selects a register, IOWIN at
 * +0x10 reads or writes it; register 1 is the version (0x00170011: 24
 * pins, version 0x11) and registers 0x10 + 2n are redirection entries,
 * writable.  The IOAPIC takes 32-bit MOVs only, as the chip does: the other
 * forms the decoder knows (byte, word, 64-bit, MOVZX) and instructions it
 * refuses (an ADD to MMIO) must raise #GP and change nothing.
 *
 * The IOAPIC page (0xfec00000) is mapped at guest_mmio_window (virtual
 * 1 GiB, guest.lds), within 2 GiB of the code, so that RIP-relative and
 * absolute disp32 forms can reach it.
 * Each access is written out in assembly so that its encoding, not the
 * compiler's choice, is what is tested; the expected encoding is noted.
 */
#include "lib/guest.h"

#define VA		((uint64_t)guest_mmio_window)	/* the IOAPIC's page */
#define IOREGSEL	0x00
#define IOWIN		0x10
#define REG_VERSION	0x01
#define VERSION		0x00170011
#define REG_RTE(n)	(0x10 + 2 * (n))
#define GP		13
#define REPEATS		1000	/* refusals in a row (the log keeps a few) */

/*
 * Each form is one READ_FORM, WRITE_FORM or REFUSED_FORM check, counted
 * only once it passed: the closing line reports what ran, and
 * tests/system/test_guests.py compares it with the number of those checks
 * in this file, so a form skipped or lost cannot go unnoticed.
 */
static unsigned int reads_done, writes_done, refused_done, repeats_done;
#define READ_FORM(cond, ...) \
	do { CHECK(cond, __VA_ARGS__); reads_done++; } while (0)
#define WRITE_FORM(cond, ...) \
	do { CHECK(cond, __VA_ARGS__); writes_done++; } while (0)
#define REFUSED_FORM(cond, ...) \
	do { CHECK(cond, __VA_ARGS__); refused_done++; } while (0)

extern uint64_t pml4[];
extern volatile uint32_t guest_mmio_window[];	/* guest.lds: 1 GiB */
static uint64_t pd_1g[512] __attribute__((aligned(4096)));

static void map_ioapic(void)
{
	uint64_t *pdpt = (uint64_t *)(pml4[0] & ~0xfffULL);

	/* A 2 MiB page, uncached (PCD|PWT), as MMIO is mapped. */
	pd_1g[0] = HVP_IOAPIC_BASE | 0x80 | 0x18 | 0x3;
	pdpt[1] = (uint64_t)pd_1g | 0x3;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
}

/* The plain forms, used to set up and check the others. */
static void sel(uint32_t reg)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(reg), "r"(VA + IOREGSEL) : "memory");
}

static uint32_t win(void)
{
	uint32_t v;

	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(VA + IOWIN) : "memory");
	return v;
}

static void check_reads(void)
{
	uint32_t v;

	sel(REG_VERSION);
	/* 8B /r, ModRM base register */
	READ_FORM(win() == VERSION, "8B read %x", win());

	/* 44 8B 17: mov (%rdi), %r10d (REX.R) */
	__asm__ volatile("movl (%%rdi), %%r10d; movl %%r10d, %0"
			 : "=r"(v) : "D"(VA + IOWIN) : "r10", "memory");
	READ_FORM(v == VERSION, "REX.R read %x", v);

	/* 41 8B 40 10: mov 0x10(%r8), %eax (REX.B, disp8) */
	__asm__ volatile("mov %1, %%r8; movl 0x10(%%r8), %0"
			 : "=a"(v) : "r"(VA) : "r8", "memory");
	READ_FORM(v == VERSION, "REX.B disp8 read %x", v);

	/* 8B 87 10 10 00 00: mov 0x1010(%rdi), %eax (disp32) */
	__asm__ volatile("movl 0x1010(%%rdi), %0"
			 : "=a"(v) : "D"(VA - 0x1000) : "memory");
	READ_FORM(v == VERSION, "disp32 read %x", v);

	/* 8B 04 8F: mov (%rdi,%rcx,4), %eax (SIB, scaled index) */
	__asm__ volatile("movl (%%rdi,%%rcx,4), %0"
			 : "=a"(v) : "D"(VA), "c"(IOWIN / 4) : "memory");
	READ_FORM(v == VERSION, "SIB read %x", v);

	/* 42 8B 04 1F: mov (%rdi,%r11,1), %eax (REX.X) */
	__asm__ volatile("mov %2, %%r11; movl (%%rdi,%%r11,1), %0"
			 : "=a"(v) : "D"(VA), "r"((uint64_t)IOWIN) : "r11", "memory");
	READ_FORM(v == VERSION, "REX.X read %x", v);

	/* 8B 04 25 <disp32>: mov guest_mmio_window+0x10, %eax (no base) */
	__asm__ volatile("movl guest_mmio_window+0x10, %0" : "=a"(v) : : "memory");
	READ_FORM(v == VERSION, "absolute read %x", v);

	/* 8B 05 <rel32>: mov guest_mmio_window+0x10(%rip), %eax */
	__asm__ volatile("movl guest_mmio_window+0x10(%%rip), %0" : "=a"(v) : : "memory");
	READ_FORM(v == VERSION, "RIP-relative read %x", v);

	/* 67 8B 07: mov (%edi), %eax (address-size prefix) */
	__asm__ volatile("addr32 movl (%%edi), %0"
			 : "=a"(v) : "D"(VA + IOWIN) : "memory");
	READ_FORM(v == VERSION, "addr32 read %x", v);

	/* 3E 8B 07 and 26 8B 07: segment prefixes (DS, ES; flat).  The
	 * assembler drops a DS prefix it deems redundant: spelled out. */
	__asm__ volatile(".byte 0x3e; movl (%%rdi), %0" : "=a"(v) : "D"(VA + IOWIN) : "memory");
	READ_FORM(v == VERSION, "DS: read %x", v);
	__asm__ volatile("movl %%es:(%%rdi), %0" : "=a"(v) : "D"(VA + IOWIN) : "memory");
	READ_FORM(v == VERSION, "ES: read %x", v);
}

/* Writes a redirection entry's low word by one form; checks it stuck. */
#define RTE_PIN		10
#define RTE_VALUE(n)	(0x00010030U + (n))	/* masked, vector 0x30+n */

static void check_writes(void)
{
	unsigned int n = 0;

	sel(REG_RTE(RTE_PIN));
	/* 89 /r */
	__asm__ volatile("movl %0, (%1)" : : "r"(RTE_VALUE(n)), "r"(VA + IOWIN) : "memory");
	WRITE_FORM(win() == RTE_VALUE(n), "89 write: %x", win());
	n++;

	/* C7 /0 imm32: movl $imm, (%rdi) */
	__asm__ volatile("movl %1, (%%rdi)" : : "D"(VA + IOWIN), "i"(RTE_VALUE(1)) : "memory");
	WRITE_FORM(win() == RTE_VALUE(n), "C7 write: %x", win());
	n++;

	/* 44 89 0F: mov %r9d, (%rdi) (REX.R) */
	__asm__ volatile("mov %1, %%r9d; movl %%r9d, (%%rdi)"
			 : : "D"(VA + IOWIN), "r"(RTE_VALUE(2)) : "r9", "memory");
	WRITE_FORM(win() == RTE_VALUE(n), "REX.R write: %x", win());
	n++;

	/* C7 47 10 imm32: movl $imm, 0x10(%rdi) (disp8 with immediate) */
	__asm__ volatile("movl %1, 0x10(%%rdi)" : : "D"(VA), "i"(RTE_VALUE(3)) : "memory");
	WRITE_FORM(win() == RTE_VALUE(n), "C7 disp8 write: %x", win());
	n++;

	/* C7 05 <rel32> imm32: RIP-relative with an immediate after it */
	__asm__ volatile("movl %0, guest_mmio_window+0x10(%%rip)"
			 : : "i"(RTE_VALUE(4)) : "memory");
	WRITE_FORM(win() == RTE_VALUE(n), "RIP-relative imm write: %x", win());
	n++;

	/* 67 89 07: addr32 mov %eax, (%edi) */
	__asm__ volatile("addr32 movl %0, (%%edi)"
			 : : "a"(RTE_VALUE(5)), "D"(VA + IOWIN) : "memory");
	WRITE_FORM(win() == RTE_VALUE(n), "addr32 write: %x", win());
	n++;

	/* IOREGSEL written by an immediate, then read back */
	__asm__ volatile("movl %1, (%%rdi)" : : "D"(VA + IOREGSEL), "i"(REG_VERSION) : "memory");
	WRITE_FORM(win() == VERSION, "C7 IOREGSEL write");
}

/*
 * Forms the decoder knows but the IOAPIC does not take, and an ALU op the
 * decoder refuses: #GP, the register's value unchanged.  len: the length
 * of the instruction, which the handler skips.
 */
static void check_refused(void)
{
	uint32_t v = 0;

	sel(REG_RTE(RTE_PIN));
	__asm__ volatile("movl %0, (%1)" : : "r"(RTE_VALUE(0)), "r"(VA + IOWIN) : "memory");

	/* 88 07: mov %al, (%rdi) */
	expect_fault(2);
	__asm__ volatile("movb %%al, (%%rdi)" : : "a"(0x55), "D"(VA + IOWIN) : "memory");
	REFUSED_FORM(fault_taken() == GP, "byte write not refused");

	/* 66 89 07: mov %ax, (%rdi) */
	expect_fault(3);
	__asm__ volatile("movw %%ax, (%%rdi)" : : "a"(0x5555), "D"(VA + IOWIN) : "memory");
	REFUSED_FORM(fault_taken() == GP, "word write not refused");

	/* 48 89 07: mov %rax, (%rdi) */
	expect_fault(3);
	__asm__ volatile("movq %%rax, (%%rdi)" : : "a"(0x5555UL), "D"(VA + IOWIN) : "memory");
	REFUSED_FORM(fault_taken() == GP, "64-bit write not refused");

	/* 0F B6 07: movzbl (%rdi), %eax */
	expect_fault(3);
	__asm__ volatile("movzbl (%%rdi), %0" : "=a"(v) : "D"(VA + IOWIN) : "memory");
	REFUSED_FORM(fault_taken() == GP, "MOVZX byte read not refused");

	/* 0F B7 07: movzwl (%rdi), %eax */
	expect_fault(3);
	__asm__ volatile("movzwl (%%rdi), %0" : "=a"(v) : "D"(VA + IOWIN) : "memory");
	REFUSED_FORM(fault_taken() == GP, "MOVZX word read not refused");

	/* 01 07: add %eax, (%rdi): not a MOV, refused by the decoder */
	expect_fault(2);
	__asm__ volatile("addl %%eax, (%%rdi)" : : "a"(1), "D"(VA + IOWIN) : "memory");
	REFUSED_FORM(fault_taken() == GP, "ADD to MMIO not refused");

	CHECK(win() == RTE_VALUE(0), "a refused access changed the entry: %x", win());
}

/* Refused again and again: each one is a #GP, the log keeps only a few. */
static void check_refused_repeatedly(void)
{
	int i;

	for (i = 0; i < REPEATS; i++) {
		expect_fault(2);
		__asm__ volatile("movb %%al, (%%rdi)" : : "a"(0x55), "D"(VA + IOWIN) : "memory");
		CHECK(fault_taken() == GP, "byte write %d not refused", i);
		repeats_done++;
	}
	CHECK(win() == RTE_VALUE(0), "a refused access changed the entry: %x", win());
}

void test_main(const struct hvm_start_info *si)
{
	(void)si;
	map_ioapic();
	check_reads();
	check_writes();
	check_refused();
	check_refused_repeatedly();
	printk("mmio_forms: %u read forms, %u write forms, %u refused forms; "
	       "%u more refusals\n", reads_done, writes_done, refused_done,
	       repeats_done);
}
