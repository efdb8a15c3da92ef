// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a customer domain sees of the CPU: CPUID filtered (no SVM, the
 * hypervisor bit, the KVM signature, its own APIC ID), the MSRs a 64-bit
 * OS needs and #GP for the rest, the KVM steal-time MSR and its area,
 * ports that read all-ones, and hypercalls that are dom0's refused.
 */
#include "lib/guest.h"
#include <hv/steal_time.h>
#include <asm/x86_defs.h>	/* the hypervisor's own x86 numbers */

#define MSR_PAT		0x277
#define MSR_HWCR	0xc0010015
#define GP		13

static void check_cpuid(void)
{
	struct cpuid_result r = cpuid(0x40000000, 0);
	char sig[13];

	__builtin_memcpy(sig, &r.ebx, 4);
	__builtin_memcpy(sig + 4, &r.ecx, 4);
	__builtin_memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	CHECK(!__builtin_memcmp(sig, "KVMKVMKVM\0\0\0", 12),
	      "hypervisor signature '%s'", sig);
	CHECK(r.eax >= 0x40000001, "max hypervisor leaf %x", r.eax);

	r = cpuid(1, 0);
	CHECK(r.ecx & (1U << 31), "hypervisor bit clear");
	CHECK(!(r.ecx & (1U << 5)), "VMX visible");
	CHECK(r.ebx >> 24 == 0, "APIC ID %u for vCPU 0", r.ebx >> 24);

	r = cpuid(0x80000001, 0);
	CHECK(!(r.ecx & (1U << 2)), "SVM visible in 0x80000001");
	r = cpuid(0x8000000a, 0);
	CHECK(!r.eax && !r.ebx && !r.ecx && !r.edx, "SVM features visible");
	printk("cpuid: ok\n");
}

static void check_msrs(void)
{
	uint64_t v;

	CHECK(rdmsr_safe(MSR_EFER, &v) == -1, "EFER read faulted");
	CHECK((v & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
	      "EFER %lx: not in long mode?", v);
	CHECK(!(v & EFER_SVME), "EFER.SVME visible: %lx", v);
	CHECK(wrmsr_safe(MSR_EFER, v | EFER_SVME) == GP, "EFER.SVME settable");
	CHECK(wrmsr_safe(MSR_EFER, v & ~EFER_LME) == GP,
	      "LME cleared with paging on");
	CHECK(wrmsr_safe(MSR_EFER, v) == -1, "EFER rewrite refused");

	CHECK(rdmsr_safe(MSR_VM_CR, &v) == GP, "VM_CR readable");
	CHECK(rdmsr_safe(MSR_VM_HSAVE_PA, &v) == GP, "VM_HSAVE_PA readable");
	CHECK(wrmsr_safe(MSR_VM_HSAVE_PA, 0x1000) == GP, "VM_HSAVE_PA writable");
	CHECK(rdmsr_safe(0x12345678, &v) == GP, "unknown MSR readable");
	CHECK(wrmsr_safe(0xc0011fff, 1) == GP, "unknown MSR writable");

	CHECK(wrmsr_safe(MSR_PAT, 0x0007010600070106ULL) == -1, "PAT write refused");
	CHECK(rdmsr_safe(MSR_PAT, &v) == -1 && v == 0x0007010600070106ULL,
	      "PAT reads %lx", v);
	CHECK(wrmsr_safe(MSR_PAT, 0x02) == GP, "reserved PAT type accepted");

	/* x2APIC mode (EXTD), enabled, BSP, at the usual base. */
	CHECK(rdmsr_safe(MSR_APIC_BASE, &v) == -1 && v == 0xfee00d00,
	      "APIC base %lx", v);
	CHECK(cpuid(1, 0).ecx & (1U << 21), "no x2APIC in CPUID");
	CHECK(rdmsr_safe(MSR_HWCR, &v) == -1 && (v & (1ULL << 24)),
	      "HWCR %lx", v);
	printk("msr: ok\n");
}

static struct kvm_steal_time steal_areas[2] __attribute__((aligned(64)));

/* Waits up to `ns` of kvmclock for the area's version to leave `from`. */
static bool version_changes(volatile struct kvm_steal_time *st, uint32_t from,
			    uint64_t ns)
{
	uint64_t end = kvmclock_ns() + ns;

	while (kvmclock_ns() < end)
		if (st->version != from)
			return true;
	return false;
}

/*
 * The area is published whenever the vCPU is scheduled in, so alone on its
 * CPU its version moves on at each 10 ms slice; the waits below only bound
 * how long a broken hypervisor takes to fail.
 */
static void check_steal_time(uint64_t ram_end)
{
	volatile struct kvm_steal_time *a = &steal_areas[0], *b = &steal_areas[1];
	uint64_t good = (uint64_t)a | STEAL_TIME_ENABLE, v;
	uint32_t ver;

	CHECK(cpuid(0x40000001, 0).eax & KVM_FEATURE_STEAL_TIME,
	      "no KVM_FEATURE_STEAL_TIME");
	CHECK(kvmclock_enable(), "kvmclock refused");
	CHECK(rdmsr_safe(MSR_KVM_STEAL_TIME, &v) == -1 && v == 0,
	      "steal-time MSR reads %lx before any write", v);

	/* Refused, and nothing changes: misaligned, reserved, not RAM. */
	CHECK(wrmsr_safe(MSR_KVM_STEAL_TIME, good + 0x20) == GP,
	      "misaligned steal-time area accepted");
	CHECK(wrmsr_safe(MSR_KVM_STEAL_TIME, good | (1ULL << 52)) == GP,
	      "steal-time reserved bit 52 accepted");
	CHECK(wrmsr_safe(MSR_KVM_STEAL_TIME, good | (1ULL << 63)) == GP,
	      "steal-time reserved bit 63 accepted");
	CHECK(wrmsr_safe(MSR_KVM_STEAL_TIME, ram_end | STEAL_TIME_ENABLE) == GP,
	      "steal-time area at the end of RAM (%lx) accepted", ram_end);
	CHECK(wrmsr_safe(MSR_KVM_STEAL_TIME, 0x100000000ULL | STEAL_TIME_ENABLE) == GP,
	      "steal-time area at 4 GiB accepted");
	CHECK(a->version == 0 && b->version == 0, "a refused area was written");
	CHECK(rdmsr_safe(MSR_KVM_STEAL_TIME, &v) == -1 && v == 0,
	      "steal-time MSR reads %lx after refused writes", v);

	/* Accepted: read back as written, the area published at once. */
	CHECK(wrmsr_safe(MSR_KVM_STEAL_TIME, good) == -1,
	      "steal-time area at %lx refused", (uint64_t)a);
	CHECK(rdmsr_safe(MSR_KVM_STEAL_TIME, &v) == -1 && v == good,
	      "steal-time MSR reads %lx, not %lx", v, good);
	ver = a->version;
	CHECK(ver != 0 && !(ver & 1), "steal-time version %u after enabling", ver);
	CHECK(a->preempted == 0, "preempted while running");
	CHECK(wrmsr_safe(MSR_KVM_STEAL_TIME, good + 0x20) == GP &&
	      rdmsr_safe(MSR_KVM_STEAL_TIME, &v) == -1 && v == good,
	      "a refused write changed the steal-time MSR to %lx", v);
	CHECK(version_changes(a, ver, 5000000000ULL),
	      "steal-time area not updated in 5 s");
	/* Published only while this vCPU is off its CPU: never seen odd. */
	CHECK(!(a->version & 1), "steal-time version %u is odd", a->version);

	/* Moved: the new area is kept, the old one left alone. */
	CHECK(wrmsr_safe(MSR_KVM_STEAL_TIME, (uint64_t)b | STEAL_TIME_ENABLE) == -1,
	      "moving the steal-time area refused");
	ver = a->version;
	CHECK(b->version != 0 && !(b->version & 1),
	      "moved steal-time area has version %u", b->version);
	CHECK(version_changes(b, b->version, 5000000000ULL),
	      "moved steal-time area not updated in 5 s");
	CHECK(a->version == ver, "old steal-time area still written");

	/* Off: the area is no longer written. */
	CHECK(wrmsr_safe(MSR_KVM_STEAL_TIME, 0) == -1 &&
	      rdmsr_safe(MSR_KVM_STEAL_TIME, &v) == -1 && v == 0,
	      "disabling steal time: MSR reads %lx", v);
	ver = b->version;
	CHECK(!version_changes(b, ver, 100000000ULL),
	      "steal-time area written after disabling");
	printk("steal time: ok\n");
}

static void check_ports(void)
{
	CHECK(inb(0x80) == 0xff, "port 0x80 reads %x", inb(0x80));
	CHECK(inw(0x1234) == 0xffff, "port 0x1234 reads %x", inw(0x1234));
	CHECK(inl(0xcfc) == 0xffffffff, "PCI config data reads %x", inl(0xcfc));
	CHECK(inb(0x21) == 0xff, "no PIC: port 0x21 reads %x", inb(0x21));
	CHECK(inb(HVP_UART_PORT + 5) & 0x20, "UART not ready to send");
	outb(0x80, 0);	/* dropped */
	outl(0xcf8, 0x80000000);
	printk("ports: ok\n");
}

static void check_hypercalls(void)
{
	int64_t r = (int64_t)vmmcall(0x1001, 0x1000, 88, 0, 0);

	CHECK(r == -1, "dom0's physinfo call gave %ld, not -HV_EPERM", r);
	r = (int64_t)vmmcall(0x1fff, 0, 0, 0, 0);
	CHECK(r == -38, "unknown call gave %ld, not -HV_ENOSYS", r);
	printk("hypercalls: ok\n");
}

void test_main(const struct hvm_start_info *si)
{
	uint64_t ram_end = 0;

	CHECK(si->memmap_entries >= 1, "no memory map");
	{
		const struct hvm_memmap_table_entry *map = (const void *)si->memmap_paddr;
		uint64_t ram = 0;
		uint32_t i;

		for (i = 0; i < si->memmap_entries; i++)
			if (map[i].type == 1)
				ram += map[i].size;
		printk("memory: %lu KiB of RAM in %u ranges, ACPI RSDP at %lx\n",
		       ram >> 10, si->memmap_entries, si->rsdp_paddr);
		CHECK(si->rsdp_paddr != 0, "no ACPI RSDP");
		for (i = 0; i < si->memmap_entries; i++)
			if (map[i].type == 1 && map[i].addr + map[i].size > ram_end)
				ram_end = map[i].addr + map[i].size;
	}
	check_cpuid();
	check_msrs();
	check_steal_time(ram_end);
	check_ports();
	check_hypercalls();
}
