// SPDX-License-Identifier: GPL-2.0-only
/*
 * dom0's nested page faults and crashes (see hv/dom0.h).
 *
 * A nested page fault from dom0 is one of:
 *  - a write to its local APIC page, which is mapped read-only so that no
 *    write can start, reset or NMI another CPU: the write is decoded,
 *    checked and done on dom0's behalf;
 *  - a touch of RAM that is not dom0's (the hypervisor's or the domain
 *    pool's): logged, and the page is backed by a read-only page of 0xff so
 *    dom0 reads nothing of it; a write there is dropped (or #GP if it cannot
 *    be decoded);
 *  - a write to an IOAPIC, mapped read-only for the same reason: a
 *    redirection entry could send INIT or NMI to a customer CPU;
 *  - anything else, device MMIO or firmware space, which is dom0's by
 *    design: mapped 1:1 on this first touch.
 *
 * Its only I/O exit is the serial port's data register (dom0_build.c): a
 * byte for the transmit register goes out through our console, the rest is
 * done for it as asked.
 */
#include <asm/acpi.h>
#include <hv/cmdline.h>
#include <hv/console.h>
#include <asm/mmio.h>
#include <asm/dom0.h>
#include <asm/dom0_filter.h>
#include <hv/domain.h>
#include <hv/halt.h>
#include <asm/lapic.h>
#include <asm/npt.h>
#include <hv/percpu.h>
#include <hv/setup.h>
#include <lib/string.h>
#include <asm/svm_vcpu.h>
#include <asm/uart.h>
#include <asm/vmcb.h>
#include <asm/x86.h>

static uint64_t sink_page;		/* read-only page of 0xff */
static uint32_t ioapic_index[ACPI_MAX_IOAPICS];	/* last IOREGSEL written */
static uint32_t ioapic_high[ACPI_MAX_IOAPICS][128];	/* dest of each entry */
static uint32_t ioapic_low[ACPI_MAX_IOAPICS][128];	/* low half as written */
static uint64_t refused_count;

/* Only IPIs to dom0's own CPU, and never INIT, SIPI or SMI. */
static bool icr_allowed(uint32_t icr)
{
	return dom0_icr_allowed(icr, lapic_read_reg(LAPIC_REG_ICR_HIGH) >> 24,
				this_cpu()->arch.apic_id);
}

static void lapic_write(struct vcpu *v, uint64_t gpa)
{
	unsigned int offset = gpa & 0xfff;
	struct mmio_insn mi;
	uint32_t value;

	if (!mmio_decode_at_rip(v, &mi) || !mi.is_write || mi.size != 4) {
		printk("dom0: undecodable write to the local APIC at rip %lx\n",
		       v->arch.vmcb->save.rip);
		vcpu_inject_exception_error(v, VECTOR_GP, 0);
		return;
	}
	value = (uint32_t)mmio_store_value(v, &mi);
	if (offset == LAPIC_REG_ICR_LOW && !icr_allowed(value)) {
		printk("dom0: refused IPI 0x%08x to apic %u: customer CPUs are not dom0's (rip %lx)\n",
		       value, lapic_read_reg(LAPIC_REG_ICR_HIGH) >> 24,
		       v->arch.vmcb->save.rip);
	} else {
		lapic_write_reg(offset, value);
	}
	mmio_complete(v, &mi);
}

static int ioapic_of(uint64_t page)
{
	unsigned int i;

	for (i = 0; i < acpi_nr_ioapics; i++)
		if (ALIGN_DOWN(acpi_ioapic_base[i], PAGE_SIZE) == page)
			return (int)i;
	return -1;
}

/*
 * An IOAPIC redirection entry may route a device's interrupt only as a
 * fixed or lowest-priority interrupt to dom0's own CPU: INIT, NMI, SMI or
 * ExtINT to a customer CPU would start, reset or stop it behind the
 * hypervisor's back.  A refused entry is written masked.
 */
static uint32_t filter_redirection(unsigned int apic, uint32_t index,
				   uint32_t value, struct vcpu *v)
{
	unsigned int entry = (index - IOAPIC_REG_REDIR) / 2;
	bool high = (index - IOAPIC_REG_REDIR) % 2;
	uint32_t low, dest_high;

	if (entry >= 128)
		return value;
	/* Judge the entry as it would be after this write. */
	low = high ? ioapic_low[apic][entry] : value;
	dest_high = high ? value : ioapic_high[apic][entry];
	if (dom0_redirection_allowed(low, dest_high, this_cpu()->arch.apic_id)) {
		if (high)
			ioapic_high[apic][entry] = value;
		else
			ioapic_low[apic][entry] = value;
		return value;
	}
	if (high) {
		/* Retargeting an armed entry: keep the old destination. */
		printk("dom0: refused IOAPIC %u entry %u destination %u: customer CPUs are not dom0's (rip %lx)\n",
		       apic, entry, value >> 24, v->arch.vmcb->save.rip);
		return ioapic_high[apic][entry];
	}
	ioapic_low[apic][entry] = low | RTE_MASKED;
	printk("dom0: refused IOAPIC %u entry %u = %08x:%08x (mode %u, dest %u): customer CPUs are not dom0's (rip %lx); written masked\n",
	       apic, entry, dest_high, low, RTE_MODE(low), dest_high >> 24,
	       v->arch.vmcb->save.rip);
	return low | RTE_MASKED;
}

static void ioapic_write(struct vcpu *v, unsigned int apic, uint64_t gpa)
{
	volatile uint32_t *regs = (volatile uint32_t *)(uintptr_t)
				  ALIGN_DOWN(gpa, PAGE_SIZE);
	unsigned int offset = gpa & 0xfff;
	struct mmio_insn mi;
	uint32_t value;

	if (!mmio_decode_at_rip(v, &mi) || !mi.is_write || mi.size != 4) {
		printk("dom0: undecodable write to the IOAPIC at rip %lx\n",
		       v->arch.vmcb->save.rip);
		vcpu_inject_exception_error(v, VECTOR_GP, 0);
		return;
	}
	value = (uint32_t)mmio_store_value(v, &mi);
	if (offset == IOAPIC_REGSEL)
		ioapic_index[apic] = value & 0xff;
	else if (offset == IOAPIC_WINDOW && ioapic_index[apic] >= IOAPIC_REG_REDIR)
		value = filter_redirection(apic, ioapic_index[apic], value, v);
	regs[offset / 4] = value;
	mmio_complete(v, &mi);
}

static void refuse_foreign_ram(struct vcpu *v, uint64_t gpa, bool write)
{
	uint64_t page = ALIGN_DOWN(gpa, PAGE_SIZE);
	struct mmio_insn mi;

	refused_count++;
	/* The first few in full, then every power of two: no log flood. */
	if (refused_count <= 16 || !(refused_count & (refused_count - 1)))
		printk("dom0: refused %s of %lx, memory that is not dom0's (rip %lx, %lu refused so far)\n",
		       write ? "write" : "read", gpa, v->arch.vmcb->save.rip,
		       refused_count);

	if (!write) {
		if (!npt_map(&frames, v->dom->arch.npt_root, page, sink_page,
			     PAGE_SIZE, NPT_READ))
			dom0_crash(v, "out of memory for nested page tables");
		return;
	}
	/* A plain store is dropped; anything else is refused with #GP. */
	if (mmio_decode_at_rip(v, &mi) && mi.is_write)
		mmio_complete(v, &mi);
	else
		vcpu_inject_exception_error(v, VECTOR_GP, 0);
}

void dom0_npf(struct vcpu *v)
{
	uint64_t gpa = v->arch.vmcb->control.exit_info2;
	uint64_t err = v->arch.vmcb->control.exit_info1;
	uint64_t page = ALIGN_DOWN(gpa, PAGE_SIZE);
	uint64_t lapic_base = rdmsr(MSR_APIC_BASE) & ~0xfffULL & 0xffffffffffULL;

	if (!sink_page) {
		sink_page = frame_alloc(&frames);
		if (!sink_page)
			dom0_crash(v, "out of memory");
		memset((void *)(uintptr_t)sink_page, 0xff, PAGE_SIZE);
	}

	if (page == lapic_base && (err & NPF_WRITE)) {
		lapic_write(v, gpa);
		return;
	}
	if (ioapic_of(page) >= 0) {
		if (err & NPF_WRITE) {
			ioapic_write(v, (unsigned int)ioapic_of(page), gpa);
			return;
		}
		/* Reads pass: map it read-only, writes keep trapping. */
		if (!npt_map(&frames, v->dom->arch.npt_root, page, page, PAGE_SIZE,
			     NPT_READ))
			dom0_crash(v, "out of memory for nested page tables");
		return;
	}
	if (is_ram_page(page) && !domain_owns(v->dom, page, PAGE_SIZE)) {
		refuse_foreign_ram(v, gpa, err & NPF_WRITE);
		return;
	}
	if (err & NPF_PRESENT) {
		/* A permission fault on a page we mapped on purpose. */
		printk("dom0: nested page fault %lx at %lx\n", err, gpa);
		dom0_crash(v, "unexpected nested page fault");
	}
	if (!npt_map(&frames, v->dom->arch.npt_root, page, page, PAGE_SIZE, NPT_RW))
		dom0_crash(v, "out of memory for nested page tables");
}

__noreturn void dom0_crash(struct vcpu *v, const char *why)
{
	char action[8] = "reset";

	printk("dom0: crashed: %s\n", why);
	vcpu_dump(v);
	v->dom->state = HV_DOMAIN_CRASHED;
	cmdline_get(boot_info.cmdline, "dom0_crash", action, sizeof(action));
	if (!strcmp(action, "halt"))
		machine_halt("dom0 crashed (dom0_crash=halt)");
	printk("dom0: resetting the machine (dom0_crash=reset)\n");
	machine_reset();
}

void dom0_ioio_exit(struct vcpu *v)
{
	uint64_t info = v->arch.vmcb->control.exit_info1;
	uint64_t rax = v->arch.vmcb->save.rax;
	uint16_t port = IOIO_PORT(info);
	unsigned int size = IOIO_SIZE(info) & 4 ? 4 : IOIO_SIZE(info) & 2 ? 2 : 1;
	unsigned int i;

	if (info & IOIO_STRING) {
		/* INS/OUTS on a UART: no driver does it, and it would need
		 * dom0's memory read through its page tables.  Refused. */
		printk("dom0: string I/O on port 0x%x refused\n", port);
		vcpu_inject_exception_error(v, VECTOR_GP, 0);
		return;
	}
	/* Byte by byte, as the UART's registers are bytes. */
	for (i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		unsigned int shift = 8 * i;

		if (info & IOIO_IN)
			rax = (rax & ~(0xffULL << shift)) |
			      (uint64_t)inb(p) << shift;
		else if (p == UART_COM1_PORT && !uart_divisor_latch_on())
			console_dom0_putc((char)(rax >> shift));
		else
			outb(p, (uint8_t)(rax >> shift));
	}
	if ((info & IOIO_IN) && size == 4)
		rax &= 0xffffffffULL;	/* a 32-bit IN zero-extends into RAX */
	v->arch.vmcb->save.rax = rax;
	/* The next RIP is in EXITINFO2 for IOIO exits, even without NRIP. */
	v->arch.vmcb->save.rip = v->arch.vmcb->control.exit_info2;
}
