// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvtest.ko - test-only kernel module for dom0: does, from dom0's kernel,
 * what a compromised or buggy dom0 might, so the system tests can check the
 * hypervisor refuses it.  Never part of the product image.
 *
 *   insmod hvtest.ko action=ipi mode=init apic=1   INIT IPI to another CPU
 *   insmod hvtest.ko action=ipi mode=sipi apic=1   start-up IPI
 *   insmod hvtest.ko action=ipi mode=nmi apic=1    NMI IPI
 *   insmod hvtest.ko action=ipi mode=nmi shorthand=all-but-self
 *   insmod hvtest.ko action=triple_fault           empty IDT, then int3
 *   insmod hvtest.ko action=ioapic mode=init apic=1
 *                     IOAPIC pin 23 routed as INIT (or nmi, fixed) to apic
 *
 * For "ipi" it writes the local APIC's ICR directly (xAPIC MMIO), past
 * Linux's own APIC code, and fails to load on purpose afterwards (-EAGAIN)
 * so it can be loaded again.
 */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/apicdef.h>
#include <asm/desc.h>
#include <asm/io_apic.h>

static char *action = "";
static char *mode = "init";
static char *shorthand = "none";
static unsigned int apic = 1;
module_param(action, charp, 0);
module_param(mode, charp, 0);
module_param(shorthand, charp, 0);
module_param(apic, uint, 0);

static int send_ipi(void)
{
	void __iomem *regs = ioremap(APIC_DEFAULT_PHYS_BASE, PAGE_SIZE);
	u32 icr;

	if (!regs)
		return -ENOMEM;
	if (!strcmp(mode, "init"))
		icr = APIC_DM_INIT | APIC_INT_ASSERT;
	else if (!strcmp(mode, "sipi"))
		icr = APIC_DM_STARTUP | 0x10;
	else if (!strcmp(mode, "nmi"))
		icr = APIC_DM_NMI;
	else
		icr = APIC_DM_FIXED | 0xf0;
	if (!strcmp(shorthand, "all-but-self"))
		icr |= APIC_DEST_ALLBUT;
	else if (!strcmp(shorthand, "all"))
		icr |= APIC_DEST_ALLINC;

	writel(SET_XAPIC_DEST_FIELD(apic), regs + APIC_ICR2);
	writel(icr, regs + APIC_ICR);
	pr_info("hvtest: sent ICR 0x%08x to apic %u\n", icr, apic);
	iounmap(regs);
	return -EAGAIN;
}

static void triple_fault(void)
{
	struct desc_ptr empty = { .size = 0, .address = 0 };

	pr_info("hvtest: loading an empty IDT and raising #BP\n");
	local_irq_disable();
	load_idt(&empty);
	asm volatile("int3");
}

/* Writes IOAPIC pin 23's redirection entry directly, then reads it back. */
static int route_ioapic_pin(void)
{
	void __iomem *ioapic = ioremap(IO_APIC_DEFAULT_PHYS_BASE, PAGE_SIZE);
	const unsigned int pin = 23;
	u32 low, readback;

	if (!ioapic)
		return -ENOMEM;
	if (!strcmp(mode, "init"))
		low = APIC_DM_INIT;
	else if (!strcmp(mode, "nmi"))
		low = APIC_DM_NMI;
	else
		low = APIC_DM_FIXED | 0xf1;
	writel(0x10 + 2 * pin + 1, ioapic);		/* IOREGSEL: high half */
	writel(SET_XAPIC_DEST_FIELD(apic), ioapic + 0x10);
	writel(0x10 + 2 * pin, ioapic);			/* low half arms it */
	writel(low, ioapic + 0x10);
	readback = readl(ioapic + 0x10);
	pr_info("hvtest: IOAPIC pin %u wrote %08x, reads %08x\n", pin, low,
		readback);
	/* Leave the pin masked, as it was. */
	writel(0x10000, ioapic + 0x10);
	iounmap(ioapic);
	return -EAGAIN;
}

static int __init hvtest_init(void)
{
	if (!strcmp(action, "ipi"))
		return send_ipi();
	if (!strcmp(action, "ioapic"))
		return route_ioapic_pin();
	if (!strcmp(action, "triple_fault")) {
		triple_fault();
		return -EIO;	/* not reached */
	}
	pr_err("hvtest: unknown action '%s'\n", action);
	return -EINVAL;
}

module_init(hvtest_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Appliance hypervisor test actions (test-only)");
