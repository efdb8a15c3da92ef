// SPDX-License-Identifier: GPL-2.0-only
/*
 * AP bring-up (see asm/smp.h), following the universal start-up algorithm of
 * the Intel MP specification that AMD CPUs also follow: INIT, 10 ms, SIPI,
 * 200 us, a second SIPI if the CPU has not shown up yet.
 */
#include <hv/console.h>
#include <asm/cpu.h>
#include <asm/lapic.h>
#include <hv/sched.h>
#include <asm/smp.h>
#include <lib/string.h>
#include <hv/time.h>
#include <asm/x86.h>

extern char trampoline_start[], trampoline_end[];
extern char tr_cr3[], tr_stack[], tr_percpu[], tr_entry[];

unsigned int nr_cpus_online = 1;

/* How long an AP may take to say it is up; TCG can be slow. */
#define AP_START_TIMEOUT_US (5 * 1000 * 1000)

static void set_tr_field(uint8_t *page, const char *field, uint64_t v)
{
	memcpy(page + (field - trampoline_start), &v, sizeof(v));
}

static __noreturn void ap_entry(struct percpu *p)
{
	cpu_init_tables(p);
	ap_setup(p);
	__atomic_store_n(&p->online, true, __ATOMIC_RELEASE);
	sched_run();
}

static bool wait_online(struct percpu *p, uint64_t us)
{
	uint64_t start = rdtsc(), ticks = us * tsc_khz / 1000;

	while (rdtsc() - start < ticks) {
		if (__atomic_load_n(&p->online, __ATOMIC_ACQUIRE))
			return true;
		arch_cpu_relax();
	}
	return __atomic_load_n(&p->online, __ATOMIC_ACQUIRE);
}

static bool alloc_stacks(struct frame_allocator *fa, struct percpu *p)
{
	uint64_t stack = frame_alloc_contig(fa, CPU_STACK_SIZE / PAGE_SIZE,
					    PAGE_SIZE, 4 * GiB);
	uint64_t critical = frame_alloc(fa);

	if (!stack || !critical)
		return false;
	p->arch.stack_top = stack + CPU_STACK_SIZE;
	p->arch.critical_stack_top = critical + PAGE_SIZE;
	return true;
}

unsigned int smp_boot_aps(struct frame_allocator *fa, const uint32_t *apic_ids,
			  unsigned int n)
{
	size_t size = trampoline_end - trampoline_start;
	uint64_t page = frame_alloc_contig(fa, 1, PAGE_SIZE, 1 * MiB);
	uint32_t self = lapic_id();
	unsigned int i, next = 1;
	bool all_started = true;

	if (n > 1 && !page) {
		printk("smp: no free page below 1 MiB for the AP trampoline\n");
		return nr_cpus_online;
	}

	for (i = 0; i < n && next < MAX_CPUS; i++) {
		struct percpu *p = &percpu_area[next];
		uint8_t *tr = (uint8_t *)(uintptr_t)page;

		if (apic_ids[i] == self)
			continue;
		if (apic_ids[i] > 0xfe) {
			printk("smp: apic %u unreachable in xAPIC mode; skipped\n",
			       apic_ids[i]);
			continue;
		}
		p->index = next;
		p->arch.apic_id = apic_ids[i];
		if (!alloc_stacks(fa, p)) {
			printk("smp: out of memory for cpu%u's stacks\n", next);
			break;
		}

		memcpy(tr, trampoline_start, size);
		set_tr_field(tr, tr_cr3, read_cr3());
		set_tr_field(tr, tr_stack, p->arch.stack_top);
		set_tr_field(tr, tr_percpu, (uint64_t)(uintptr_t)p);
		set_tr_field(tr, tr_entry, (uint64_t)(uintptr_t)ap_entry);

		lapic_send_ipi(p->arch.apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
		udelay(10000);
		lapic_send_ipi(p->arch.apic_id, ICR_STARTUP | (page >> PAGE_SHIFT));
		udelay(200);
		if (!__atomic_load_n(&p->online, __ATOMIC_ACQUIRE))
			lapic_send_ipi(p->arch.apic_id,
				       ICR_STARTUP | (page >> PAGE_SHIFT));

		/*
		 * A CPU that does not answer keeps its slot, stacks and the
		 * trampoline page: it might still wake up late and use them.
		 */
		next++;
		if (!wait_online(p, AP_START_TIMEOUT_US)) {
			printk("smp: cpu%u (apic %u) did not start\n", p->index,
			       p->arch.apic_id);
			all_started = false;
			continue;
		}
		nr_cpus_online++;
	}
	if (page && all_started)
		frame_free(fa, page);
	return nr_cpus_online;
}
