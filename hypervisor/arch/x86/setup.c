// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's start: boot.S calls hv_main() on the boot CPU in long
 * mode.  It checks what GRUB handed over, takes stock of memory, sets up this
 * CPU, enables SVM, brings up the other CPUs and reports each step on the
 * console, so the boot log alone tells what the machine is and what works.
 */
#include <asm/acpi.h>
#include <hv/cmdline.h>
#include <hv/console.h>
#include <asm/cpu.h>
#include <asm/dom0.h>
#include <hv/domu.h>
#include <hv/frame.h>
#include <hv/halt.h>
#include <asm/idt.h>
#include <asm/lapic.h>
#include <hv/mb2.h>
#include <asm/msr_intercept.h>
#include <asm/paging.h>
#include <hv/setup.h>
#include <asm/smp.h>
#include <lib/string.h>
#include <asm/svm.h>
#include <asm/svm_vcpu.h>
#include <hv/time.h>
#include <asm/time.h>
#include <asm/uart.h>
#include <asm/x86.h>

#ifndef HV_VERSION
#define HV_VERSION "unknown"
#endif

/* The boot CPU's timer until dom0 takes it, and how many ticks prove it. */
#define TIMER_HZ 100
#define TIMER_CHECK_TICKS 10

extern char __image_start[], __image_end[];
extern char boot_stack_top[];

struct boot_info boot_info;
struct frame_allocator frames;
uint64_t usable_ram_bytes;
static char bsp_critical_stack[PAGE_SIZE] __aligned(PAGE_SIZE);
static volatile bool svm_failed_on_ap;

/* Options the hypervisor understands; anything else is reported. */
static const char *const known_options[] = {
	"debug_exit",	/* test-only: leave QEMU through isa-debug-exit */
	"test_fault",	/* test-only: raise an exception after boot */
	"dom0_mem",	/* dom0's RAM in MiB */
	"dom0_crash",	/* reset (default) or halt when dom0 crashes */
	"exit_stats",	/* print a domain's exits and their cost when it ends */
};

void donate_boot_modules(void)
{
	unsigned int i;

	for (i = 0; i < boot_info.nr_modules; i++)
		frame_donate(&frames, boot_info.modules[i].start,
			     boot_info.modules[i].end);
}

bool is_ram_page(uint64_t pa)
{
	uint64_t page = ALIGN_DOWN(pa, PAGE_SIZE);
	unsigned int i;

	for (i = 0; i < boot_info.nr_mem; i++) {
		const struct mem_region *r = &boot_info.mem[i];

		if (r->type != MB2_MEM_AVAILABLE && page < r->base + r->len &&
		    r->base < page + PAGE_SIZE)
			return false;	/* shares the page with firmware */
	}
	for (i = 0; i < boot_info.nr_mem; i++) {
		const struct mem_region *r = &boot_info.mem[i];

		if (r->type == MB2_MEM_AVAILABLE && page >= r->base &&
		    page + PAGE_SIZE <= r->base + r->len)
			return true;
	}
	return false;
}

static void *identity(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static void warn_unknown_option(const char *key, size_t len, void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < ARRAY_SIZE(known_options); i++)
		if (strlen(known_options[i]) == len &&
		    !strncmp(key, known_options[i], len))
			return;
	printk("hv: warning: unknown boot option '%.*s' ignored\n", (int)len,
	       key);
}

static const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MB2_MEM_AVAILABLE:		return "available";
	case MB2_MEM_RESERVED:		return "reserved";
	case MB2_MEM_ACPI_RECLAIMABLE:	return "ACPI data";
	case MB2_MEM_NVS:		return "ACPI NVS";
	case MB2_MEM_BAD:		return "bad";
	}
	return "unknown";
}

static void setup_memory(uint64_t info_pa)
{
	struct phys_range reserved[2 + BOOT_MAX_MODULES];
	unsigned int i, n = 0;
	uint64_t usable = 0, modules = 0;
	enum frame_error err;

	printk("memory map (from the boot loader):\n");
	for (i = 0; i < boot_info.nr_mem; i++) {
		struct mem_region *r = &boot_info.mem[i];

		printk("  %016lx-%016lx %s\n", r->base, r->base + r->len,
		       mem_type_name(r->type));
		if (r->type == MB2_MEM_AVAILABLE)
			usable += r->len;
		/* The direct map, and so the allocator, stop at 512 GiB. */
		if (r->base >= DIRECT_MAP_LIMIT)
			r->len = 0;
		else if (r->base + r->len > DIRECT_MAP_LIMIT)
			r->len = DIRECT_MAP_LIMIT - r->base;
	}

	reserved[n++] = (struct phys_range){ (uintptr_t)__image_start,
					     (uintptr_t)__image_end };
	reserved[n++] = (struct phys_range){ info_pa,
					     info_pa + boot_info.total_size };
	for (i = 0; i < boot_info.nr_modules; i++) {
		reserved[n++] = (struct phys_range){ boot_info.modules[i].start,
						     boot_info.modules[i].end };
		modules += boot_info.modules[i].end - boot_info.modules[i].start;
	}

	err = frame_init(&frames, boot_info.mem, boot_info.nr_mem, reserved, n,
			 identity);
	if (err != FRAME_OK)
		machine_halt(err == FRAME_ERR_NO_RAM ? "no usable RAM" :
			     "no room below 4 GiB for the frame bitmap");

	usable_ram_bytes = usable;
	printk("memory: %lu KiB usable RAM (%lu MiB); managing %lu KiB free "
	       "(image %lu KiB, modules %lu KiB, frame bitmap %lu KiB kept)\n",
	       usable / KiB, usable / MiB,
	       frames.managed_frames * PAGE_SIZE / KiB,
	       (uint64_t)(__image_end - __image_start) / KiB, modules / KiB,
	       frames.bitmap_bytes / KiB);
}

/* Test-only: raise the exception test_fault= names, to test the handler. */
static void raise_test_fault(const char *which)
{
	printk("hv: test_fault=%s: raising it now\n", which);
	if (!strcmp(which, "ud"))
		__asm__ volatile("ud2");
	else if (!strcmp(which, "pf"))	/* read page 0, never mapped */
		__asm__ volatile("movq 0x10, %%rax" : : : "rax", "memory");
	else if (!strcmp(which, "gp"))	/* non-canonical address */
		__asm__ volatile("movabsq $0x8000000000000000, %%rax; movq (%%rax), %%rax"
				 : : : "rax", "memory");
	else if (!strcmp(which, "de"))
		__asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx"
				 : : : "eax", "ecx", "edx");
	else
		printk("hv: test_fault=%s: unknown fault kind (ud, pf, gp, de)\n",
		       which);
}

void ap_setup(struct percpu *p)
{
	const char *why;

	console_percpu_ready();
	lapic_init();
	why = svm_cpu_enable(p, &frames);
	if (why) {
		printk("cpu%u: apic %u up, but cannot run guests: %s\n",
		       p->index, p->arch.apic_id, why);
		svm_failed_on_ap = true;
	}
	/* Its timer is the scheduler's, one-shot (common/sched.c). */
}

static void check_timer(struct percpu *bsp)
{
	uint64_t start = bsp->arch.timer_ticks;

	lapic_timer_start_periodic(TIMER_HZ);
	while (bsp->arch.timer_ticks - start < TIMER_CHECK_TICKS)
		safe_halt();
	printk("timer: periodic %u Hz on cpu0 (%u ticks seen); domain CPUs run one-shot\n",
	       TIMER_HZ, TIMER_CHECK_TICKS);
}

void hv_main(uint32_t magic, uint64_t info_pa);

void hv_main(uint32_t magic, uint64_t info_pa)
{
	struct percpu *bsp = &percpu_area[0];
	uint32_t apic_ids[MAX_CPUS];
	unsigned int nr_ids, online;
	enum mb2_error err;
	const char *why;
	char opt[16];

	uart_init();
	bsp->arch.stack_top = (uintptr_t)boot_stack_top;
	bsp->arch.critical_stack_top = (uintptr_t)bsp_critical_stack + PAGE_SIZE;
	idt_init();
	cpu_init_tables(bsp);
	console_percpu_ready();

	printk("\nAppliance hypervisor %s\n", HV_VERSION);
	if (magic != MB2_BOOTLOADER_MAGIC)
		machine_halt("not started by a multiboot2 boot loader");
	err = mb2_parse((const void *)(uintptr_t)info_pa, MB2_MAX_INFO_SIZE,
			&boot_info);
	if (err != MB2_OK) {
		printk("hv: bad multiboot2 information: %s\n", mb2_strerror(err));
		machine_halt("cannot read the boot information");
	}
	printk("hv: loaded by %s, command line '%s', %u module(s)\n",
	       boot_info.loader_name[0] ? boot_info.loader_name : "unknown",
	       boot_info.cmdline, boot_info.nr_modules);
	cmdline_for_each_key(boot_info.cmdline, warn_unknown_option, NULL);
	opt_debug_exit = cmdline_get(boot_info.cmdline, "debug_exit", NULL, 0);
	opt_exit_stats = cmdline_get(boot_info.cmdline, "exit_stats", NULL, 0);

	setup_memory(info_pa);
	if (!paging_init(&boot_info, &frames, rdmsr(MSR_APIC_BASE) & ~0xfffULL))
		machine_halt("out of memory for the hypervisor's page tables");

	nr_ids = acpi_find_cpus(&boot_info, apic_ids, MAX_CPUS);
	nr_cpus_present = nr_ids ? nr_ids : 1;
	printk("acpi: %u CPU(s) present\n", nr_cpus_present);

	time_calibrate();
	lapic_init();
	lapic_calibrate();
	bsp->arch.apic_id = lapic_id();

	why = svm_cpu_enable(bsp, &frames);
	if (why) {
		printk("hv: FATAL: %s.\n", why);
		printk("hv: the hypervisor needs an AMD CPU with SVM (AMD-V) and nested paging.\n");
		machine_halt("no usable SVM on the boot CPU");
	}
	bsp->online = true;

	online = nr_ids > 1 ? smp_boot_aps(&frames, apic_ids, nr_ids) : 1;
	if (online < nr_cpus_present)
		printk("smp: only %u of %u CPUs came up\n", online,
		       nr_cpus_present);
	if (svm_failed_on_ap)
		machine_halt("a CPU without usable SVM: mixed CPUs are not supported");
	printk("smp: %u of %u CPUs online, SVM enabled on all\n", online,
	       nr_cpus_present);

	check_timer(bsp);

	if (cmdline_get(boot_info.cmdline, "test_fault", opt, sizeof(opt)))
		raise_test_fault(opt);

	if (!msr_intercept_init(&frames))
		machine_halt("out of memory for the MSR permission map");

	printk("memory: %lu KiB free after boot\n",
	       frames.free_frames * PAGE_SIZE / KiB);
	printk("hv: boot complete\n");

	/* Customer domains first: dom0 takes the low memory it wants anyway. */
	if (boot_domains_start() == 0 && !dom0_present()) {
		printk("hv: no dom0 kernel and no domain among the boot modules; nothing to run\n");
		debug_exit(DEBUG_EXIT_SUCCESS);
	}
	if (dom0_present())
		dom0_start();

	donate_boot_modules();
	for (;;)
		safe_halt();
}
