// SPDX-License-Identifier: GPL-2.0-only
/*
 * Building and starting dom0 (see hv/dom0.h).
 *
 * 1. dom0 takes the lowest free RAM frames until it has dom0_mem bytes, so
 *    it owns the low megabyte and one long run above it; the rest stays in
 *    the allocator as the pool for customer domains and the hypervisor.
 * 2. Its e820 map is the firmware's with every "available" range cut down to
 *    what dom0 owns; its nested page tables map that RAM 1:1, the local
 *    APIC read-only (writes are filtered) and nothing else up front:
 *    device MMIO is mapped 1:1 on first touch (dom0_npf).
 * 3. The MADT is edited in place so dom0's Linux sees one CPU, its own.
 * 4. The kernel is loaded by the Linux 64-bit boot protocol: page tables
 *    mapping 4 GiB, a GDT, the zero page and command line in low memory,
 *    entry at load address + 0x200 in long mode with RSI = zero page.
 */
#include <asm/acpi.h>
#include <hv/cmdline.h>
#include <hv/console.h>
#include <asm/dom0.h>
#include <hv/domu.h>
#include <hv/domain.h>
#include <hv/halt.h>
#include <asm/lapic.h>
#include <lib/linux_boot.h>
#include <asm/npt.h>
#include <hv/percpu.h>
#include <hv/setup.h>
#include <lib/string.h>
#include <asm/svm_vcpu.h>
#include <asm/uart.h>
#include <asm/vmcb.h>
#include <asm/x86.h>

/* Where the boot structures go in dom0's low memory (all dom0 RAM). */
#define DOM0_STACK_TOP		0x6000
#define DOM0_GDT		0x6000
#define DOM0_ZERO_PAGE		0x7000
#define DOM0_PML4		0x9000	/* and the PDPT and four PDs after it */
#define DOM0_CMDLINE		0x20000
#define DOM0_LOW_END		0x30000


#define DOM0_MEM_MIN		(128 * MiB)
#define DOM0_MEM_DEFAULT_MAX	(2 * GiB)
#define DOM0_ASID		1

static struct e820_entry dom0_e820[E820_MAX_ZEROPAGE];

static bool add_extent(struct domain *d, uint64_t start, uint64_t end)
{
	struct mem_extent *last = d->nr_ram ? &d->ram[d->nr_ram - 1] : NULL;

	if (last && last->end == start) {
		last->end = end;
	} else {
		if (d->nr_ram == DOMAIN_MAX_EXTENTS)
			return false;
		d->ram[d->nr_ram++] = (struct mem_extent){ start, end, start };
	}
	d->ram_bytes += end - start;
	return true;
}

static uint64_t dom0_mem_wanted(void)
{
	uint64_t free = frames.free_frames * PAGE_SIZE, want;
	char val[24];

	if (cmdline_get(boot_info.cmdline, "dom0_mem", val, sizeof(val))) {
		/* MiB, with an optional M suffix: dom0_mem=1024M */
		uint64_t mib = 0;
		const char *p = val;

		while (*p >= '0' && *p <= '9')
			mib = mib * 10 + (uint64_t)(*p++ - '0');
		if ((*p == 'M' || *p == 'm'))
			p++;
		if (*p || mib == 0) {
			printk("dom0: bad dom0_mem='%s' (want MiB, e.g. 1024M); using the default\n",
			       val);
		} else {
			return mib * MiB;
		}
	}
	/* Half the free memory, at most 2 GiB: the rest is for customers. */
	want = MIN(free / 2, DOM0_MEM_DEFAULT_MAX);
	return MAX(want, DOM0_MEM_MIN);
}

static void claim_memory(struct domain *d, uint64_t bytes)
{
	uint64_t pa;

	/* Page 0 holds the BIOS data area Linux reads; nobody else uses it. */
	if (is_ram_page(0))
		add_extent(d, 0, PAGE_SIZE);
	for (pa = PAGE_SIZE; pa < frames.nr_frames * PAGE_SIZE &&
	     d->ram_bytes < bytes; pa += PAGE_SIZE) {
		if (!frame_take(&frames, pa))
			continue;
		if (!add_extent(d, pa, pa + PAGE_SIZE)) {
			frame_free(&frames, pa);
			printk("dom0: memory too fragmented; stopping at %lu MiB\n",
			       d->ram_bytes / MiB);
			break;
		}
	}
}

/* The firmware map with "available" cut down to dom0's extents. */
static unsigned int build_e820(const struct domain *d)
{
	struct mem_region sorted[BOOT_MAX_MEM_REGIONS];
	unsigned int i, j, n = 0;

	memcpy(sorted, boot_info.mem, boot_info.nr_mem * sizeof(sorted[0]));
	for (i = 1; i < boot_info.nr_mem; i++)
		for (j = i; j > 0 && sorted[j].base < sorted[j - 1].base; j--) {
			struct mem_region t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}

	for (i = 0; i < boot_info.nr_mem; i++) {
		const struct mem_region *r = &sorted[i];

		if (r->len == 0)
			continue;
		if (r->type != MB2_MEM_AVAILABLE) {
			if (n == E820_MAX_ZEROPAGE)
				return 0;
			dom0_e820[n++] = (struct e820_entry){ r->base, r->len,
							     r->type };
			continue;
		}
		for (j = 0; j < d->nr_ram; j++) {
			uint64_t s = MAX(r->base, d->ram[j].start);
			uint64_t e = MIN(r->base + r->len, d->ram[j].end);

			if (s >= e)
				continue;
			if (n == E820_MAX_ZEROPAGE)
				return 0;
			dom0_e820[n++] = (struct e820_entry){ s, e - s, E820_RAM };
		}
	}
	return n;
}

/*
 * Every module after the kernel is part of dom0's initrd, concatenated in
 * order, each starting 4-byte aligned: Linux unpacks concatenated (and
 * separately compressed) cpio archives, so an extra module overlays files
 * on the root image (tests add their tools this way).
 */
/* dom0's modules: all but the customer domains', the kernel first. */
static const struct boot_module *dom0_module(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < boot_info.nr_modules; i++)
		if (!module_is_for_domain(i) && n-- == 0)
			return &boot_info.modules[i];
	return NULL;
}

bool dom0_present(void)
{
	return dom0_module(0) != NULL;
}

static uint64_t initrd_total_size(void)
{
	const struct boot_module *m;
	uint64_t size = 0;
	unsigned int i;

	for (i = 1; (m = dom0_module(i)); i++)
		size = ALIGN_UP(size, 4) + m->end - m->start;
	return size;
}

static void copy_initrd(uint64_t dest)
{
	const struct boot_module *m;
	uint64_t off = 0;
	unsigned int i;

	for (i = 1; (m = dom0_module(i)); i++) {
		uint64_t aligned = ALIGN_UP(off, 4);

		memset((void *)(uintptr_t)(dest + off), 0, aligned - off);
		memcpy((void *)(uintptr_t)(dest + aligned),
		       (const void *)(uintptr_t)m->start, m->end - m->start);
		off = aligned + m->end - m->start;
	}
}

static uint64_t place_kernel(const struct domain *d, const struct linux_image *li)
{
	uint64_t align = li->alignment ? li->alignment : 2 * MiB;
	unsigned int i;

	if (domain_owns(d, li->pref_address, li->init_size))
		return li->pref_address;
	if (!li->relocatable)
		return 0;
	for (i = 0; i < d->nr_ram; i++) {
		uint64_t a = ALIGN_UP(MAX(d->ram[i].start, 1 * MiB), align);

		if (a + li->init_size <= d->ram[i].end)
			return a;
	}
	return 0;
}

/* Highest spot for the initrd below the limits, clear of the kernel. */
static uint64_t place_initrd(const struct domain *d, uint64_t size,
			     uint64_t limit, uint64_t kernel, uint64_t kernel_end)
{
	int i;

	for (i = (int)d->nr_ram - 1; i >= 0; i--) {
		uint64_t top = MIN(d->ram[i].end, limit);
		uint64_t start;

		if (top < size)
			continue;
		start = ALIGN_DOWN(top - size, PAGE_SIZE);
		if (kernel_end > start && kernel < start + size)
			start = kernel >= size ? ALIGN_DOWN(kernel - size, PAGE_SIZE) : 0;
		if (start >= d->ram[i].start && start >= 1 * MiB &&
		    start + size <= top)
			return start;
	}
	return 0;
}

static void set_initial_state(struct vcpu *v, uint64_t entry)
{
	vcpu_set_linux_entry(v, entry, DOM0_GDT, DOM0_PML4, DOM0_ZERO_PAGE);
	v->arch.vmcb->save.rsp = DOM0_STACK_TOP;
}

/*
 * dom0 shares the serial port with our log: its accesses to the data
 * register (and only those: one bit of its otherwise empty I/O permission
 * map) exit, so that its bytes go out through our console and never split
 * a line of ours (console.c, dom0_ioio_exit()).
 */
static void intercept_serial_data(struct vcpu *v)
{
	uint8_t *iopm = (uint8_t *)(uintptr_t)v->arch.vmcb->control.iopm_base_pa;

	iopm[UART_COM1_PORT / 8] |= 1U << (UART_COM1_PORT % 8);
	v->arch.vmcb->control.intercept_misc1 |= INTERCEPT1_IOIO;
}

__noreturn void dom0_start(void)
{
	struct domain *d = &dom0;
	const struct boot_module *km = dom0_module(0);
	const uint8_t *image = (const uint8_t *)(uintptr_t)km->start;
	struct linux_image li;
	struct linux_boot_args args;
	enum linux_error err;
	uint64_t load, initrd = 0, initrd_size = initrd_total_size();
	uint64_t lapic_base = rdmsr(MSR_APIC_BASE) & ~0xfffULL & 0xffffffffffULL;
	struct vcpu *v;
	unsigned int i;

	memcpy(d->name, "dom0", 5);
	d->id = 0;
	d->privileged = true;

	err = linux_parse(image, km->end - km->start, &li);
	if (err != LINUX_OK) {
		printk("dom0: module 0 is not a usable kernel: %s\n",
		       linux_strerror(err));
		machine_halt("cannot start dom0");
	}

	claim_memory(d, dom0_mem_wanted());
	printk("dom0: %lu MiB of RAM in %u extent(s), %lu MiB left for domains\n",
	       d->ram_bytes / MiB, d->nr_ram,
	       frames.free_frames * PAGE_SIZE / MiB);
	if (d->ram_bytes < DOM0_MEM_MIN || !domain_owns(d, 0x1000, DOM0_LOW_END - 0x1000))
		machine_halt("dom0 did not get enough RAM, or not its low memory");

	load = place_kernel(d, &li);
	if (!load)
		machine_halt("no room in dom0's RAM for its kernel");
	memcpy((void *)(uintptr_t)load, image + li.kernel_offset, li.kernel_size);
	if (initrd_size) {
		initrd = place_initrd(d, initrd_size,
				      MIN(li.initrd_addr_max, 4 * GiB), load,
				      load + li.init_size);
		if (!initrd)
			machine_halt("no room in dom0's RAM for its initrd");
		copy_initrd(initrd);
	}
	printk("dom0: kernel (boot protocol %u.%02u) at %lx, initrd %lu KiB at %lx\n",
	       li.protocol >> 8, li.protocol & 0xff, load, initrd_size / KiB,
	       initrd);

	args = (struct linux_boot_args){
		.cmdline_gpa = DOM0_CMDLINE,
		.cmdline_len = strlen(km->cmdline),
		.initrd_gpa = initrd,
		.initrd_size = initrd_size,
		.acpi_rsdp_gpa = acpi_rsdp_address(),
		.e820 = dom0_e820,
		.nr_e820 = build_e820(d),
	};
	if (args.nr_e820 == 0)
		machine_halt("dom0's e820 map does not fit in the zero page");
	if (args.cmdline_len >= DOM0_LOW_END - DOM0_CMDLINE)
		machine_halt("dom0's command line is too long");
	memcpy((void *)(uintptr_t)DOM0_CMDLINE, km->cmdline, args.cmdline_len + 1);
	err = linux_build_zero_page(image, &li, &args, (uint8_t *)(uintptr_t)DOM0_ZERO_PAGE);
	if (err != LINUX_OK) {
		printk("dom0: %s\n", linux_strerror(err));
		machine_halt("cannot build dom0's zero page");
	}
	linux_boot_page_tables((uint64_t *)(uintptr_t)DOM0_PML4, DOM0_PML4);
	linux_boot_gdt((uint64_t *)(uintptr_t)DOM0_GDT);
	printk("dom0: command line '%s'\n", km->cmdline);
	for (i = 0; i < args.nr_e820; i++)
		printk("dom0: e820 %016lx-%016lx type %u\n", dom0_e820[i].addr,
		       dom0_e820[i].addr + dom0_e820[i].size, dom0_e820[i].type);

	/* Every boot module is copied now: their memory joins the pool. */
	donate_boot_modules();

	/* dom0's Linux sees only its own CPU. */
	acpi_madt_keep_only(this_cpu()->arch.apic_id);

	d->arch.npt_root = npt_create(&frames);
	if (!d->arch.npt_root)
		machine_halt("out of memory for dom0's nested page tables");
	for (i = 0; i < d->nr_ram; i++)
		if (!npt_map(&frames, d->arch.npt_root, d->ram[i].start,
			     d->ram[i].start, d->ram[i].end - d->ram[i].start,
			     NPT_RW))
			machine_halt("out of memory for dom0's nested page tables");
	if (!npt_map(&frames, d->arch.npt_root, lapic_base, lapic_base, PAGE_SIZE,
		     NPT_READ))
		machine_halt("out of memory for dom0's nested page tables");

	v = svm_vcpu_create(d, &frames, DOM0_ASID);
	if (!v)
		machine_halt("out of memory for dom0's vCPU");
	intercept_serial_data(v);
	set_initial_state(v, load + 0x200);
	d->state = HV_DOMAIN_RUNNING;

	/* From here this CPU's local APIC and interrupts belong to dom0. */
	irq_disable();
	lapic_timer_stop();
	printk("dom0: starting on cpu%u\n", this_cpu()->index);
	svm_vcpu_run(v);
}
