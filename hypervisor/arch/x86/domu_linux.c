// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linux in a customer domain: the x86 64-bit boot protocol, and the
 * platform description every domain gets (ACPI tables, memory map).
 *
 * dom0 (libhv) or the boot-module loader has put the protected-mode kernel
 * and the initrd into the domain's memory where linux_place() says; here
 * the placement is checked again (dom0's word is not taken for it), the
 * zero page, command line, GDT and 1:1 page tables are written below
 * 1 MiB (include/public/hvplatform.h has the layout), and vCPU 0 enters
 * the kernel at its 64-bit entry point.  The other vCPUs wait for Linux's
 * INIT-SIPI, as on a PC.
 */
#include <public/hvplatform.h>
#include <asm/acpi_build.h>
#include <asm/domu_memmap.h>
#include <hv/console.h>
#include <hv/domu.h>
#include <lib/linux_boot.h>
#include <hv/sched.h>
#include <lib/string.h>
#include <asm/svm_vcpu.h>
#include <asm/vioapic.h>
#include <asm/vuart.h>

_Static_assert(HVP_LINUX_PML4 + LINUX_BOOT_PT_PAGES * 4096 <= HVP_LEGACY_HOLE,
	       "boot page tables below the legacy hole");

/* At HVP_RESET_VECTOR, 16-bit code: out HVP_RESET_VALUE to HVP_RESET_PORT. */
static const uint8_t reset_stub[] = {
	0xba, HVP_RESET_PORT & 0xff, HVP_RESET_PORT >> 8,	/* mov dx, port */
	0xb0, HVP_RESET_VALUE,					/* mov al, value */
	0xee,							/* out dx, al */
	0xf4,							/* hlt */
	0xeb, 0xfd,						/* jmp to the hlt */
};

unsigned int domu_write_platform(struct domain *d, struct e820_entry *e820,
				 unsigned int max)
{
	static uint8_t tables[ACPI_BUILD_MAX];
	static struct spinlock tables_lock = SPINLOCK_INIT;
	size_t n;
	bool ok;
	unsigned int nr_e820 = domu_memory_map(d->ram_bytes, e820, max);

	if (!nr_e820)
		return 0;
	spin_lock(&tables_lock);
	n = acpi_build_tables(tables, sizeof(tables), HVP_ACPI_BASE,
			      d->nr_vcpus);
	ok = n && n <= HVP_ACPI_MAX &&
	     domain_write(d, HVP_ACPI_BASE, tables, n);
	spin_unlock(&tables_lock);
	if (!ok || !domain_write(d, HVP_RESET_VECTOR, reset_stub,
				 sizeof(reset_stub)))
		return 0;
	return nr_e820;
}

const char *domu_boot_linux(struct domain *d, const struct domu_linux_boot *lb,
			    bool start)
{
	static uint8_t zero_page[BOOT_PARAMS_SIZE];
	static uint64_t tables[LINUX_BOOT_PT_PAGES * 512];
	static struct spinlock boot_lock = SPINLOCK_INIT;
	struct e820_entry e820[DOMU_E820_MAX];
	struct linux_boot_args args;
	struct linux_image li;
	uint64_t gdt[LINUX_BOOT_GDT_ENTRIES];
	enum linux_error err;
	unsigned int nr_e820;
	const char *why = NULL;

	if (d->booted)
		return "already booted";
	err = linux_parse(lb->head, lb->image_size, &li);
	if (err == LINUX_OK)
		err = linux_check_placement(&li, hvp_ram_low_bytes(d->ram_bytes),
					    HVP_LOAD_MIN,
					    lb->kernel_gpa, lb->initrd_gpa,
					    lb->initrd_size);
	if (err != LINUX_OK)
		return linux_strerror(err);
	if (lb->cmdline_len >= HVP_CMDLINE_MAX || lb->cmdline_len > li.cmdline_size)
		return "kernel command line too long";

	nr_e820 = domu_write_platform(d, e820, DOMU_E820_MAX);
	if (!nr_e820)
		return "no room for the ACPI tables";
	args = (struct linux_boot_args){
		.cmdline_gpa = HVP_CMDLINE,
		.cmdline_len = lb->cmdline_len,
		.initrd_gpa = lb->initrd_size ? lb->initrd_gpa : 0,
		.initrd_size = lb->initrd_size,
		.acpi_rsdp_gpa = HVP_ACPI_BASE,
		.e820 = e820,
		.nr_e820 = nr_e820,
	};
	linux_boot_gdt(gdt);

	/* One build at a time: the buffers are too big for a CPU's stack. */
	spin_lock(&boot_lock);
	err = linux_build_zero_page(lb->head, &li, &args, zero_page);
	linux_boot_page_tables(tables, HVP_LINUX_PML4);
	if (err != LINUX_OK)
		why = linux_strerror(err);
	else if (!domain_write(d, HVP_LINUX_ZERO_PAGE, zero_page, sizeof(zero_page)) ||
		 !domain_write(d, HVP_LINUX_PML4, tables, sizeof(tables)) ||
		 !domain_write(d, HVP_LINUX_GDT, gdt, sizeof(gdt)) ||
		 !domain_write(d, HVP_CMDLINE, lb->cmdline, lb->cmdline_len) ||
		 !domain_write(d, HVP_CMDLINE + lb->cmdline_len, "", 1))
		why = "no room for the boot data";
	spin_unlock(&boot_lock);
	if (why)
		return why;

	vcpu_set_linux_entry(d->vcpus[0], lb->kernel_gpa + 0x200, HVP_LINUX_GDT,
			     HVP_LINUX_PML4, HVP_LINUX_ZERO_PAGE);
	why = domu_start_vcpus(d, start);
	if (!why)
		printk("d%u: Linux (boot protocol %x.%02x) at %lx, initrd %lu KiB\n",
		       d->id, li.protocol >> 8, li.protocol & 0xff,
		       lb->kernel_gpa, lb->initrd_size / KiB);
	return why;
}

size_t domu_console_input(struct domain *d, const char *data, size_t len)
{
	size_t n;

	spin_lock(&d->arch.platform_lock);
	n = vuart_input(d, data, len);
	spin_unlock(&d->arch.platform_lock);
	return n;
}

void domu_press_power_button(struct domain *d)
{
	spin_lock(&d->arch.platform_lock);
	/* An edge: the GED's interrupt is edge-triggered. */
	vioapic_set_line(d, HVP_GED_GSI, true);
	vioapic_set_line(d, HVP_GED_GSI, false);
	spin_unlock(&d->arch.platform_lock);
	printk("d%u: power button pressed\n", d->id);
}
