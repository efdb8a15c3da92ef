// SPDX-License-Identifier: GPL-2.0-only
/*
 * Boot-time customer domains, as Xen's hyperlaunch starts them: a boot
 * module whose command line reads
 *
 *     domain name=NAME mem=SIZE vcpus=N [cpus=LIST] [-- KERNEL COMMAND LINE]
 *
 * (SIZE in MiB, "M" optional; size and vCPUs within the ABI's limits,
 * hv_domain_size_check()) holds its kernel, either
 *  - a PVH kernel: an ELF with a XEN_ELFNOTE_PHYS32_ENTRY note.  The
 *    hypervisor loads the ELF's segments at their physical addresses, puts
 *    a struct hvm_start_info (with the command line, a memory map and the
 *    ACPI RSDP) at guest-physical HVP_START_INFO and starts vCPU 0 at the
 *    entry point in flat 32-bit protected mode with EBX pointing at it.
 *    The guest tests (tests/guests/) boot this way.
 *  - a Linux bzImage, started by the 64-bit boot protocol
 *    (domu_linux.c).  A module right after it whose command line is
 *    "initrd" is its initrd.
 * dom0 is not needed for either.
 */
#include <public/hvplatform.h>
#include <hv/console.h>
#include <lib/cpuset.h>
#include <hv/domu.h>
#include <lib/elf.h>
#include <hv/halt.h>
#include <lib/linux_boot.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/setup.h>
#include <lib/string.h>
#include <asm/domu_memmap.h>
#include <asm/svm_vcpu.h>
#include <hv/time.h>
#include <asm/x86.h>

#define SEG_ATTR_CODE32		0x0c9b	/* exec/read, S, P, D/B, G */
#define SEG_ATTR_TSS32_BUSY	0x008b

bool module_is_domain(const struct boot_module *m)
{
	return !strncmp(m->cmdline, "domain", 6) &&
	       (m->cmdline[6] == ' ' || m->cmdline[6] == '\0');
}

struct domain_spec {
	char name[HV_NAME_LEN];
	uint64_t mem_bytes;
	unsigned int vcpus;
	uint32_t weight;		/* 0 = default */
	uint32_t cap_pct;
	uint64_t cpus;			/* its vCPUs' affinity, 0 = default */
	const char *kernel_cmdline;	/* after "--", or "" */
};

/* Parses "domain name=... mem=... vcpus=... [-- ...]"; NULL or why not. */
static const char *parse_spec(const char *p, struct domain_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->vcpus = 1;
	spec->kernel_cmdline = "";
	p += 6;
	for (;;) {
		const char *word, *val;
		size_t klen = 0, vlen = 0;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (!strncmp(p, "--", 2) && (p[2] == ' ' || !p[2])) {
			spec->kernel_cmdline = p[2] ? p + 3 : p + 2;
			break;
		}
		word = p;
		while (word[klen] && word[klen] != '=' && word[klen] != ' ')
			klen++;
		if (word[klen] != '=')
			return "expected key=value";
		val = word + klen + 1;
		while (val[vlen] && val[vlen] != ' ')
			vlen++;
		p = val + vlen;

		if (klen == 4 && !strncmp(word, "name", 4)) {
			if (vlen == 0 || vlen >= HV_NAME_LEN)
				return "name must be 1 to 31 characters";
			memcpy(spec->name, val, vlen);
		} else if ((klen == 3 && !strncmp(word, "mem", 3)) ||
			   (klen == 5 && !strncmp(word, "vcpus", 5)) ||
			   (klen == 6 && !strncmp(word, "weight", 6)) ||
			   (klen == 3 && !strncmp(word, "cap", 3))) {
			uint64_t n = 0;
			size_t i = 0;

			for (; i < vlen && val[i] >= '0' && val[i] <= '9'; i++)
				if ((n = n * 10 + (uint64_t)(val[i] - '0')) > 1000000)
					return "number too large";
			if (klen == 3 && i < vlen && (val[i] == 'M' || val[i] == 'm'))
				i++;
			if (i != vlen || (n == 0 && word[0] != 'c'))
				return "bad number";
			if (word[0] == 'm')
				spec->mem_bytes = n * MiB;
			else if (word[0] == 'v')
				spec->vcpus = (unsigned int)n;
			else if (word[0] == 'w')
				spec->weight = (uint32_t)n;
			else
				spec->cap_pct = (uint32_t)n;
		} else if (klen == 4 && !strncmp(word, "cpus", 4)) {
			if (!cpuset_parse(val, vlen, &spec->cpus))
				return "cpus= must be a CPU list such as 1,2 or 1-3";
		} else {
			return "unknown key (name, mem, vcpus, weight, cap, cpus)";
		}
	}
	if (!spec->name[0] || !spec->mem_bytes)
		return "name= and mem= are required";
	return NULL;
}

/* Writes the start info, memory map and command line into the guest. */
static const char *write_start_info(struct domain *d, const char *cmdline,
				    size_t cmdlen)
{
	struct hvm_start_info si;
	struct e820_entry e820[DOMU_E820_MAX];
	struct hvm_memmap_table_entry map[DOMU_E820_MAX];
	unsigned int i, n;

	if (cmdlen >= HVP_CMDLINE_MAX)
		return "kernel command line too long";
	n = domu_write_platform(d, e820, ARRAY_SIZE(e820));
	if (!n)
		return "no room for the ACPI tables";
	for (i = 0; i < n; i++)
		map[i] = (struct hvm_memmap_table_entry){ e820[i].addr,
			e820[i].size, e820[i].type, 0 };
	memset(&si, 0, sizeof(si));
	si.magic = HVM_START_MAGIC;
	si.version = 1;
	si.cmdline_paddr = HVP_CMDLINE;
	si.rsdp_paddr = HVP_ACPI_BASE;
	si.memmap_paddr = HVP_MEMMAP;
	si.memmap_entries = n;
	if (!domain_write(d, HVP_START_INFO, &si, sizeof(si)) ||
	    !domain_write(d, HVP_MEMMAP, map, n * sizeof(map[0])) ||
	    !domain_write(d, HVP_CMDLINE, cmdline, cmdlen) ||
	    !domain_write(d, HVP_CMDLINE + cmdlen, "", 1))
		return "no room for the start info";
	return NULL;
}

static const char *load_elf(struct domain *d, const struct boot_module *m,
			    uint32_t *entry)
{
	const uint8_t *file = (const uint8_t *)(uintptr_t)m->start;
	struct elf_image elf;
	enum elf_error err;
	unsigned int i;

	err = elf_parse(file, m->end - m->start, &elf);
	if (err != ELF_OK)
		return elf_strerror(err);
	if (elf.lowest < HVP_LOAD_MIN ||
	    elf.highest > hvp_ram_low_bytes(d->ram_bytes))
		return "kernel does not fit between 1 MiB and the end of low memory";
	for (i = 0; i < elf.nr_segments; i++) {
		const struct elf_segment *s = &elf.segments[i];

		/* Memory is zeroed at creation: the bss needs no more. */
		if (!domain_write(d, s->paddr, file + s->offset, s->filesz))
			return "segment outside the domain's memory";
	}
	*entry = elf.phys32_entry;
	return NULL;
}

/* The PVH entry state: flat 32-bit protected mode, paging off. */
static void set_pvh_state(struct vcpu *v, uint32_t entry)
{
	struct vmcb_save *s = &v->arch.vmcb->save;
	struct vmcb_seg code = { 0x08, SEG_ATTR_CODE32, 0xffffffff, 0 };
	struct vmcb_seg data = { 0x10, SEG_ATTR_DATA, 0xffffffff, 0 };

	s->cs = code;
	s->ds = s->es = s->ss = s->fs = s->gs = data;
	s->tr = (struct vmcb_seg){ 0x18, SEG_ATTR_TSS32_BUSY, 0x67, 0 };
	s->ldtr = (struct vmcb_seg){ 0, SEG_ATTR_LDT, 0, 0 };
	s->gdtr = (struct vmcb_seg){ 0, 0, 0, 0 };
	s->idtr = (struct vmcb_seg){ 0, 0, 0, 0 };
	s->cr0 = X86_CR0_PE | (1ULL << 4);	/* PE, ET */
	s->cr4 = 0;
	s->efer = EFER_SVME;			/* hidden from the guest */
	s->rflags = 0x2;
	s->rip = entry;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = 0x0007040600070406ULL;
	v->arch.regs.rbx = HVP_START_INFO;
}

struct domain *domu_new(const char *name, uint64_t mem_bytes,
			unsigned int nr_vcpus, const char **why)
{
	struct domain *d;
	unsigned int i;

	/* The one check of both paths: boot modules and HVCALL_DOMAIN_CREATE. */
	*why = hv_domain_size_check(mem_bytes, nr_vcpus);
	if (*why)
		return NULL;
	d = domain_create(name, mem_bytes, why);
	if (!d)
		return NULL;
	vuart_reset(&d->arch.uart);
	vioapic_reset(&d->arch.ioapic);
	d->arch.ioapic.id = nr_vcpus;	/* after the vCPUs' APIC IDs (MADT) */
	d->tsc_zero = rdtsc();
	d->tsc_khz = tsc_khz;
	d->arch.asid = 1 + d->id;
	if (d->arch.asid >= this_cpu()->arch.svm.nr_asids) {
		domain_discard(d);
		*why = "out of ASIDs";
		return NULL;
	}
	for (i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = svm_vcpu_create(d, &frames, d->arch.asid);

		if (!v) {
			domain_destroy(d);
			*why = "out of memory for vCPUs";
			return NULL;
		}
		svm_vcpu_confine(v);
	}
	return d;
}

const char *domu_boot_pvh(struct domain *d, uint32_t entry,
			  const char *cmdline, size_t cmdlen, bool start)
{
	const char *why;

	if (d->booted)
		return "already booted";
	why = write_start_info(d, cmdline, cmdlen);
	if (why)
		return why;
	set_pvh_state(d->vcpus[0], entry);
	return domu_start_vcpus(d, start);
}

const char *domu_start_vcpus(struct domain *d, bool start)
{
	unsigned int i;

	d->vcpus[0]->state = VCPU_RUNNABLE;
	for (i = 0; i < d->nr_vcpus; i++)
		if (!sched_add_vcpu(d->vcpus[i]))
			return "no CPU for customer domains (boot with more than one)";
	d->booted = true;
	printk("d%u: domain '%s' built: %lu MiB, %u vCPU(s), on cpu%u\n",
	       d->id, d->name, d->ram_bytes / MiB, d->nr_vcpus,
	       d->vcpus[0]->pcpu);
	if (start)
		d->state = HV_DOMAIN_RUNNING;
	return NULL;
}

static const char *load_linux(struct domain *d, const struct boot_module *m,
			      const struct boot_module *initrd,
			      const struct linux_image *li, const char *cmdline)
{
	const uint8_t *image = (const uint8_t *)(uintptr_t)m->start;
	uint64_t initrd_size = initrd ? initrd->end - initrd->start : 0;
	struct domu_linux_boot lb = {
		.head = image,
		.image_size = m->end - m->start,
		.initrd_size = initrd_size,
		.cmdline = cmdline,
		.cmdline_len = strlen(cmdline),
	};
	enum linux_error err;

	err = linux_place(li, hvp_ram_low_bytes(d->ram_bytes), HVP_LOAD_MIN,
			  initrd_size, &lb.kernel_gpa, &lb.initrd_gpa);
	if (err != LINUX_OK)
		return linux_strerror(err);
	if (!domain_write(d, lb.kernel_gpa, image + li->kernel_offset,
			  li->kernel_size) ||
	    (initrd && !domain_write(d, lb.initrd_gpa,
				     (const void *)(uintptr_t)initrd->start,
				     initrd_size)))
		return "kernel or initrd outside the domain's memory";
	return domu_boot_linux(d, &lb, false);
}

static bool module_is_initrd(const struct boot_module *m)
{
	return !strcmp(m->cmdline, "initrd");
}

bool module_is_for_domain(unsigned int i)
{
	return module_is_domain(&boot_info.modules[i]) ||
	       (i > 0 && module_is_initrd(&boot_info.modules[i]) &&
		module_is_domain(&boot_info.modules[i - 1]));
}

static const char *build_one(const struct boot_module *m,
			     const struct boot_module *initrd)
{
	struct linux_image li;
	struct domain_spec spec;
	struct domain *d;
	const char *why;
	uint32_t entry = 0;

	why = parse_spec(m->cmdline, &spec);
	if (why)
		return why;
	d = domu_new(spec.name, spec.mem_bytes, spec.vcpus, &why);
	if (!d)
		return why;
	if (spec.weight || spec.cap_pct) {
		uint32_t weight = spec.weight ? spec.weight : d->weight;

		why = hv_sched_quota_check(weight, spec.cap_pct, d->nr_vcpus);
		if (why) {
			domain_destroy(d);
			return why;
		}
		sched_set_quota(d, weight, spec.cap_pct);
	}
	if (spec.cpus) {
		unsigned int i;

		if (!sched_affinity_valid(spec.cpus)) {
			domain_destroy(d);
			return "cpus= may name domain CPUs only (not dom0's, not absent ones)";
		}
		/* Before the vCPUs are placed (at boot): placement follows it. */
		for (i = 0; i < d->nr_vcpus; i++)
			sched_set_affinity(d->vcpus[i], spec.cpus);
	}
	if (linux_parse((const uint8_t *)(uintptr_t)m->start,
			m->end - m->start, &li) == LINUX_OK) {
		why = load_linux(d, m, initrd, &li, spec.kernel_cmdline);
	} else {
		why = load_elf(d, m, &entry);
		if (!why)
			why = domu_boot_pvh(d, entry, spec.kernel_cmdline,
					    strlen(spec.kernel_cmdline), false);
	}
	if (why)
		domain_destroy(d);
	return why;
}

unsigned int boot_domains_start(void)
{
	unsigned int i, started = 0;
	uint32_t id;

	/* Build them all first, then start them together. */
	for (i = 0; i < boot_info.nr_modules; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		const struct boot_module *next = i + 1 < boot_info.nr_modules ?
			&boot_info.modules[i + 1] : NULL;
		const char *why;

		if (!module_is_domain(m))
			continue;
		why = build_one(m, next && module_is_initrd(next) ? next : NULL);
		if (why)
			printk("hv: boot module %u ('%s') not started: %s\n", i,
			       m->cmdline, why);
	}
	for (id = 1; id <= MAX_DOMAINS; id++) {
		struct domain *d = domain_get(id);

		if (d && d->booted && d->state == HV_DOMAIN_PAUSED) {
			d->state = HV_DOMAIN_RUNNING;
			started++;
		}
	}
	if (started)
		printk("hv: %u boot-time domain(s) started\n", started);
	return started;
}

/* With debug_exit and no dom0, the machine is done when every domain is. */
static void check_all_ended(void)
{
	unsigned int id;

	if (dom0.nr_vcpus)
		return;
	for (id = 1; id <= MAX_DOMAINS; id++) {
		struct domain *d = domain_get(id);

		if (d && (d->state == HV_DOMAIN_RUNNING ||
			  d->state == HV_DOMAIN_PAUSED))
			return;
	}
	printk("hv: every domain has ended\n");
	debug_exit(DEBUG_EXIT_SUCCESS);
}

void domain_stop(struct domain *d, uint32_t state, const char *why)
{
	d->state = state;
	backend_domain_state(d);
	printk("d%u: %s: %s\n", d->id,
	       state == HV_DOMAIN_CRASHED ? "crashed" :
	       state == HV_DOMAIN_REBOOT ? "reboot requested" : "shut down", why);
	svm_print_exit_stats(d);
	check_all_ended();
}

void domain_destroy(struct domain *d)
{
	unsigned int i;

	/*
	 * Under the platform lock: device calls from dom0 (common/devctl.c)
	 * check for DYING and do their work under that lock, so one that saw
	 * the domain alive finishes before the teardown below begins, and
	 * every later one sees DYING.
	 */
	spin_lock(&d->arch.platform_lock);
	d->state = HV_DOMAIN_DYING;
	spin_unlock(&d->arch.platform_lock);
	/* Off the run queues first; then wait for whoever runs them now. */
	for (i = 0; i < d->nr_vcpus; i++)
		sched_remove_vcpu(d->vcpus[i]);	/* a no-op if never placed */
	for (i = 0; i < d->nr_vcpus; i++)
		while (sched_vcpu_running(d->vcpus[i]))
			arch_cpu_relax();
	for (i = 0; i < d->nr_vcpus; i++)
		svm_vcpu_destroy(d->vcpus[i], &frames);
	d->nr_vcpus = 0;
	if (backend_domain_dying(d)) {
		/* Its backend still maps its memory: freed at the unbind. */
		printk("d%u: destroyed; its %lu MiB stay until its backend unbinds\n",
		       d->id, d->ram_bytes / MiB);
		return;
	}
	printk("d%u: destroyed, %lu MiB scrubbed and returned\n", d->id,
	       d->ram_bytes / MiB);
	domain_discard(d);
}
