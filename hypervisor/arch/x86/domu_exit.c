// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exits of customer vCPUs.  A domU sees no PC hardware: its ports are the
 * virtual UART, the ACPI sleep and reset registers and its PCI bus 0
 * (configuration ports, notify BARs: common/vpci.c); every other port
 * reads as all-ones and drops writes, as an empty bus would.  Its MSRs are
 * the few a 64-bit OS needs; any other gets #GP.  Anything it does that
 * the platform does not offer ends the domain, never the hypervisor.
 */
#include <public/hvplatform.h>
#include <hv/console.h>
#include <hv/domu.h>
#include <asm/domu_exit.h>
#include <asm/lapic.h>
#include <asm/mmio.h>
#include <asm/msr_intercept.h>
#include <asm/msr_policy.h>
#include <hv/pv_eoi.h>
#include <hv/pvclock.h>
#include <hv/steal_time.h>
#include <hv/time.h>
#include <hv/virtio_pci.h>
#include <asm/vlapic.h>
#include <asm/svm_vcpu.h>
#include <asm/x86.h>

#define MSR_TSC			0x00000010
#define MSR_PAT			0x00000277
#define MSR_HWCR		0xc0010015
#define MSR_MTRR_CAP		0x000000fe
#define MSR_MTRR_DEF_TYPE	0x000002ff
#define MTRR_DEF_TYPE_WB	0xc06	/* enabled, fixed enabled, write-back */
#define HWCR_TSC_FREQ_SEL	(1ULL << 24)	/* Linux warns without it */

static bool is_uart(uint16_t port)
{
	return port >= HVP_UART_PORT && port < HVP_UART_PORT + HVP_UART_PORTS;
}

void domu_ioio_exit(struct vcpu *v)
{
	struct domain *d = v->dom;
	uint64_t info = v->arch.vmcb->control.exit_info1;
	uint16_t port = IOIO_PORT(info);
	unsigned int size = IOIO_SIZE(info) & 4 ? 4 : IOIO_SIZE(info) & 2 ? 2 : 1;
	uint64_t mask = size == 4 ? 0xffffffffULL : size == 2 ? 0xffff : 0xff;
	uint64_t value = v->arch.vmcb->save.rax & mask;

	if (info & IOIO_STRING) {
		/* INS/OUTS: no device here needs them. */
		vcpu_inject_exception_error(v, VECTOR_GP, 0);
		return;
	}

	if (info & IOIO_IN) {
		uint64_t in = mask;	/* an empty bus reads all-ones */

		if (is_uart(port)) {
			spin_lock(&d->arch.platform_lock);
			in = vuart_read(d, port - HVP_UART_PORT);
			spin_unlock(&d->arch.platform_lock);
		} else if (vpci_is_config_port(port)) {
			spin_lock(&d->arch.platform_lock);
			in = vpci_config_port_read(d, port, size);
			spin_unlock(&d->arch.platform_lock);
		} else if (port == HVP_SLEEP_STATUS_PORT) {
			in = 0;		/* never asleep, never waking */
		}
		v->arch.vmcb->save.rax = (v->arch.vmcb->save.rax & ~mask) |
					 (in & mask);
	} else if (is_uart(port)) {
		spin_lock(&d->arch.platform_lock);
		vuart_write(d, port - HVP_UART_PORT, (uint8_t)value);
		spin_unlock(&d->arch.platform_lock);
	} else if (vpci_is_config_port(port)) {
		spin_lock(&d->arch.platform_lock);
		vpci_config_port_write(d, port, size, (uint32_t)value);
		spin_unlock(&d->arch.platform_lock);
	} else if (vpci_is_io(port)) {
		/* A queue notify: posted to the backend, never waited on. */
		spin_lock(&d->arch.platform_lock);
		vpci_io_write(d, port, size, (uint32_t)value);
		spin_unlock(&d->arch.platform_lock);
	} else if (port == HVP_SLEEP_CONTROL_PORT &&
		   (value & HVP_SLEEP_POWEROFF) == HVP_SLEEP_POWEROFF) {
		domain_stop(v->dom, HV_DOMAIN_SHUTDOWN, "powered off");
	} else if (port == HVP_RESET_PORT && value == HVP_RESET_VALUE) {
		domain_stop(v->dom, HV_DOMAIN_REBOOT, "rebooted");
	}
	/* The next RIP is in EXITINFO2 for IOIO exits, even without NRIP. */
	v->arch.vmcb->save.rip = v->arch.vmcb->control.exit_info2;
}

/* x2APIC, enabled, at the usual base; the boot vCPU is the BSP. */
static uint64_t apic_base_value(const struct vcpu *v)
{
	return LAPIC_DEFAULT_BASE_FOR_GUESTS | APIC_BASE_ENABLE |
	       APIC_BASE_EXTD | (v->id == 0 ? APIC_BASE_BSP : 0);
}

/*
 * kvmclock: the guest names a page for its vCPU's time info.  Its TSC
 * started at 0 when the vCPU was made, and so did its clock: system time
 * is simply the TSC scaled, from timestamp 0, and never needs updating
 * while the TSC rate holds.
 */
static bool kvmclock_enable(struct vcpu *v, uint64_t value)
{
	struct pvclock_vcpu_time_info t;
	uint64_t gpa = value & ~1ULL;
	uint32_t mul;
	int8_t shift;

	v->arch.kvmclock_gpa = value;
	if (!(value & 1))
		return true;
	__builtin_memset(&t, 0, sizeof(t));
	t.version = 2;
	pvclock_scale(v->dom->tsc_khz, &mul, &shift);
	t.tsc_to_system_mul = mul;
	t.tsc_shift = shift;
	if (gpa % 4 || !domain_write(v->dom, gpa, &t, sizeof(t))) {
		v->arch.kvmclock_gpa = 0;
		return false;
	}
	return true;
}

/*
 * The wall clock at the guest's system time 0 (its domain's start), as
 * dom0 told it (HVCALL_SET_TIME); 1970 while dom0 has not.
 */
static bool kvmclock_wall_clock(struct vcpu *v, uint64_t gpa)
{
	uint64_t ns = time_wall_ns_at(v->dom->tsc_zero);
	struct pvclock_wall_clock w = {
		.version = 2,
		.sec = (uint32_t)(ns / 1000000000),
		.nsec = (uint32_t)(ns % 1000000000),
	};

	return gpa % 4 == 0 && domain_write(v->dom, gpa, &w, sizeof(w));
}

void domu_msr_exit(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->arch.regs.rcx;
	bool is_write = v->arch.vmcb->control.exit_info1 == 1;
	struct vmcb_save *s = &v->arch.vmcb->save;
	uint64_t value = (s->rax & 0xffffffff) | (v->arch.regs.rdx << 32);
	bool ok = true;

	if ((msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST) ||
	    msr == MSR_TSC_DEADLINE) {
		ok = is_write ? vlapic_msr_write(v, msr, value) :
			        vlapic_msr_read(v, msr, &value);
		if (ok && !is_write) {
			s->rax = value & 0xffffffff;
			v->arch.regs.rdx = value >> 32;
		}
	} else if (is_write) {
		switch (msr) {
		case MSR_KVM_SYSTEM_TIME_NEW:
			ok = kvmclock_enable(v, value);
			break;
		case MSR_KVM_WALL_CLOCK_NEW:
			ok = kvmclock_wall_clock(v, value);
			break;
		case MSR_KVM_STEAL_TIME:
			ok = steal_time_msr_write(v, value);
			break;
		case MSR_KVM_PV_EOI_EN:
			ok = pv_eoi_msr_write(v, value);
			break;
		case MSR_APIC_BASE:
			/* Only the value it has: x2APIC at the default base. */
			ok = value == apic_base_value(v);
			break;
		case MSR_EFER:
			ok = vcpu_efer_write(v, value, EFER_DOMU_WRITABLE);
			break;
		case MSR_MTRR_DEF_TYPE:
			/*
			 * Memory types come from the guest's PAT, the MTRRs
			 * stay write-back: Linux turns them off and on around
			 * its cache set-up, which changes nothing here.
			 */
			ok = mtrr_def_type_valid(value);
			break;
		case MSR_PAT:
			ok = pat_valid(value);
			if (ok)
				s->g_pat = value;
			break;
		default:
			ok = false;
		}
	} else {
		switch (msr) {
		case MSR_EFER:
			value = efer_guest_view(s->efer);
			break;
		case MSR_PAT:
			value = s->g_pat;
			break;
		case MSR_TSC:
			value = rdtsc() + v->arch.vmcb->control.tsc_offset;
			break;
		case MSR_HWCR:
			value = HWCR_TSC_FREQ_SEL;
			break;
		case MSR_MTRR_CAP:
			value = 0;	/* no variable or fixed ranges */
			break;
		case MSR_MTRR_DEF_TYPE:
			value = MTRR_DEF_TYPE_WB;
			break;
		case MSR_APIC_BASE:
			value = apic_base_value(v);
			break;
		case MSR_KVM_SYSTEM_TIME_NEW:
			value = v->arch.kvmclock_gpa;
			break;
		case MSR_KVM_STEAL_TIME:
			value = steal_time_msr_read(v);
			break;
		case MSR_KVM_PV_EOI_EN:
			value = pv_eoi_msr_read(v);
			break;
		default:
			ok = false;
		}
		if (ok) {
			s->rax = value & 0xffffffff;
			v->arch.regs.rdx = value >> 32;
		}
	}
	if (!ok) {
		vcpu_inject_exception_error(v, VECTOR_GP, 0);
		return;
	}
	vcpu_skip_insn(v, 2);
}

#define CPUID1_ECX_MONITOR	(1U << 3)
#define CPUID1_EDX_MCE		(1U << 7)
#define CPUID1_EDX_MCA		(1U << 14)
#define CPUID6_EAX_ARAT		(1U << 2)
#define CPUID7_ECX_RDPID	(1U << 22)
#define CPUID_EXT1_EDX_RDTSCP	(1U << 27)
#define CPUID_EXT7_EDX_INVARIANT_TSC (1U << 8)
#define CPUID1_ECX_X2APIC	(1U << 21)
#define CPUID1_ECX_TSC_DEADLINE	(1U << 24)
/* KVM paravirtual features (Linux: include/uapi/asm/kvm_para.h). */
#define KVM_FEATURE_NOP_IO_DELAY	(1U << 1)
#define KVM_FEATURE_CLOCKSOURCE2	(1U << 3)

void domu_cpuid_exit(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->arch.vmcb->save.rax;
	uint32_t subleaf = (uint32_t)v->arch.regs.rcx;
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf >= 0x40000000 && leaf <= 0x400000ff) {
		/* The KVM signature: stock Linux knows its paravirt ABI. */
		if (leaf == 0x40000000) {
			r.eax = 0x40000001;
			r.ebx = 0x4b4d564b;	/* "KVMK" */
			r.ecx = 0x564b4d56;	/* "VMKV" */
			r.edx = 0x0000004d;	/* "M\0\0\0" */
		} else if (leaf == 0x40000001) {
			r.eax = KVM_FEATURE_NOP_IO_DELAY | KVM_FEATURE_CLOCKSOURCE2 |
				KVM_FEATURE_STEAL_TIME | KVM_FEATURE_PV_EOI;
		}
	} else {
		r = cpuid_for_guest(leaf, subleaf);
		switch (leaf) {
		case 1:
			/* The platform's own APIC, no MONITOR/MWAIT. */
			r.ecx &= ~CPUID1_ECX_MONITOR;
			/* No machine-check MSRs: the host handles those. */
			r.edx &= ~(CPUID1_EDX_MCE | CPUID1_EDX_MCA);
			r.ecx |= CPUID1_ECX_X2APIC | CPUID1_ECX_TSC_DEADLINE;
			/* This vCPU's APIC ID, one logical CPU per package. */
			r.ebx = (r.ebx & 0x0000ffff) | (1U << 16) | (v->id << 24);
			break;
		case 6:
			r.eax |= CPUID6_EAX_ARAT;
			break;
		case 7:
			r.ecx &= ~CPUID7_ECX_RDPID;	/* no TSC_AUX here */
			break;
		case 0x80000001:
			r.edx &= ~CPUID_EXT1_EDX_RDTSCP;
			break;
		case 0x80000007:
			/*
			 * No invariant TSC: a vCPU moves between CPUs whose
			 * TSCs need not agree, so Linux should keep time by
			 * kvmclock, which the hypervisor keeps right.
			 */
			r.edx &= ~CPUID_EXT7_EDX_INVARIANT_TSC;
			break;
		case 0x80000008:
			r.ecx &= ~0xf0ffU;	/* one core per package */
			break;
		}
	}
	cpuid_complete(v, r);
}

void domu_hlt_exit(struct vcpu *v)
{
	vcpu_skip_insn(v, 1);
	/*
	 * An interrupt already waiting ends the HLT at once.  Otherwise the
	 * vCPU blocks until its timer or an IPI wakes it; with interrupts off
	 * only an NMI can (test kernels end so).
	 */
	/*
	 * Block first, then look: another CPU sets IRR and then wakes a
	 * blocked vCPU, so one of the two always sees the other (no lost
	 * wake-up between our look and our sleep).
	 */
	v->slept = true;
	__atomic_store_n(&v->state, VCPU_BLOCKED, __ATOMIC_SEQ_CST);
	if ((v->arch.vmcb->save.rflags & X86_RFLAGS_IF) && vlapic_has_pending(v))
		__atomic_store_n(&v->state, VCPU_RUNNABLE, __ATOMIC_SEQ_CST);
}

/* How many refused IOAPIC accesses of a domain get a log line. */
#define REFUSED_MMIO_LOGGED	16

/* An access to the IOAPIC's page: 32-bit MOVs only, as the chip takes. */
static void ioapic_access(struct vcpu *v, uint64_t gpa)
{
	struct domain *d = v->dom;
	struct mmio_insn mi;

	if (!mmio_decode_at_rip(v, &mi) || mi.size != 4) {
		/* A guest can repeat this at will: log only its first ones. */
		uint32_t n = __atomic_add_fetch(&d->arch.refused_mmio, 1,
						__ATOMIC_RELAXED);

		if (n <= REFUSED_MMIO_LOGGED)
			printk("d%u: unsupported IOAPIC access at rip %lx%s\n",
			       d->id, v->arch.vmcb->save.rip,
			       n == REFUSED_MMIO_LOGGED ?
			       " (further ones are refused without a log line)" : "");
		vcpu_inject_exception_error(v, VECTOR_GP, 0);
		return;
	}
	spin_lock(&d->arch.platform_lock);
	if (mi.is_write)
		vioapic_mmio_write(d, gpa & 0xfff,
				   (uint32_t)mmio_store_value(v, &mi));
	else
		mmio_load_value(v, &mi, vioapic_mmio_read(d, gpa & 0xfff));
	spin_unlock(&d->arch.platform_lock);
	mmio_complete(v, &mi);
}

/*
 * An access to the PCI host bridge's memory window: a virtio device's
 * BAR0 (hv/virtio_pci.h), or nothing (all-ones).  Any MOV width: Linux's
 * ioread8/16/32 are byte, word and dword MOVs and MOVZXs.
 */
static void pci_mmio_access(struct vcpu *v, uint64_t gpa)
{
	struct domain *d = v->dom;
	struct mmio_insn mi;

	if (!mmio_decode_at_rip(v, &mi)) {
		spin_lock(&d->arch.platform_lock);
		vpci_refuse(d, "undecodable instruction on PCI memory, rip",
			    v->arch.vmcb->save.rip);
		spin_unlock(&d->arch.platform_lock);
		vcpu_inject_exception_error(v, VECTOR_GP, 0);
		return;
	}
	spin_lock(&d->arch.platform_lock);
	if (mi.is_write)
		vpci_mmio_write(d, gpa, mi.size, mmio_store_value(v, &mi));
	else
		mmio_load_value(v, &mi, vpci_mmio_read(d, gpa, mi.size));
	spin_unlock(&d->arch.platform_lock);
	mmio_complete(v, &mi);
}

void domu_npf_exit(struct vcpu *v)
{
	uint64_t gpa = v->arch.vmcb->control.exit_info2;

	if (gpa >= HVP_IOAPIC_BASE && gpa < HVP_IOAPIC_BASE + PAGE_SIZE) {
		ioapic_access(v, gpa);
		return;
	}
	if (vpci_is_mmio(gpa)) {
		pci_mmio_access(v, gpa);
		return;
	}

	printk("d%u: access to %lx, outside its memory (rip %lx)\n", v->dom->id,
	       gpa, v->arch.vmcb->save.rip);
	domu_crash(v, "access outside its memory");
}

void domu_crash(struct vcpu *v, const char *why)
{
	printk("d%u: vCPU %u crashed: %s\n", v->dom->id, v->id, why);
	vcpu_dump(v);
	domain_stop(v->dom, HV_DOMAIN_CRASHED, why);
}
