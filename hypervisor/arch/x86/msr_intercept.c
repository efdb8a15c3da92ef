// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which MSRs and ports trap, and dom0's MSR and CPUID exits (see
 * hv/msr_intercept.h); what a write may do is hv/msr_policy.h's.
 *
 * The MSR permission map has two bits per MSR (read, write) for three
 * ranges; an MSR outside them is always intercepted.  Everything in range is
 * passed through except the few below.  dom0 drives real hardware, so real
 * values are what it needs; an unknown MSR outside the ranges gets #GP, as
 * on a CPU that does not have it.
 */
#include <public/hvabi.h>
#include <hv/console.h>
#include <asm/msr_intercept.h>
#include <asm/msr_policy.h>
#include <lib/string.h>
#include <asm/svm_vcpu.h>
#include <asm/x86.h>

#define MSRPM_SIZE	(8 * KiB)
#define IOPM_SIZE	(12 * KiB)

#define MSR_IGNNE	0xc0010115
#define MSR_SMM_CTL	0xc0010116

static uint64_t msrpm_pa, iopm_pa, domu_msrpm_pa, domu_iopm_pa;

/* Bit offset of msr's read bit in the map, or -1 outside the ranges. */
static long msrpm_bit(uint32_t msr)
{
	if (msr <= 0x1fff)
		return (long)msr * 2;
	if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		return 0x800 * 8 + (long)(msr - 0xc0000000) * 2;
	if (msr >= 0xc0010000 && msr <= 0xc0011fff)
		return 0x1000 * 8 + (long)(msr - 0xc0010000) * 2;
	return -1;
}

static void intercept(uint8_t *map, uint32_t msr, bool read, bool write)
{
	long bit = msrpm_bit(msr);

	if (read)
		map[bit / 8] |= 1 << (bit % 8);
	if (write)
		map[(bit + 1) / 8] |= 1 << ((bit + 1) % 8);
}

static void pass(uint8_t *map, uint32_t msr)
{
	long bit = msrpm_bit(msr);

	map[bit / 8] &= ~(1 << (bit % 8));
	map[(bit + 1) / 8] &= ~(1 << ((bit + 1) % 8));
}

/*
 * What a customer vCPU reads and writes without an exit: the segment bases
 * and system-call MSRs, which live in its VMCB and which VMLOAD/VMSAVE
 * switch (svm_run.S), so no other context ever sees its values.
 */
static const uint32_t domu_passthrough[] = {
	0x174, 0x175, 0x176,			/* SYSENTER_CS, _ESP, _EIP */
	0xc0000081, 0xc0000082, 0xc0000083,	/* STAR, LSTAR, CSTAR */
	0xc0000084,				/* SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102,	/* FS_BASE, GS_BASE, KERNEL_GS_BASE */
};

bool msr_intercept_init(struct frame_allocator *fa)
{
	unsigned int i;
	uint8_t *map;

	msrpm_pa = frame_alloc_contig(fa, MSRPM_SIZE / PAGE_SIZE, PAGE_SIZE, 0);
	iopm_pa = frame_alloc_contig(fa, IOPM_SIZE / PAGE_SIZE, PAGE_SIZE, 0);
	domu_msrpm_pa = frame_alloc_contig(fa, MSRPM_SIZE / PAGE_SIZE, PAGE_SIZE, 0);
	domu_iopm_pa = frame_alloc_contig(fa, IOPM_SIZE / PAGE_SIZE, PAGE_SIZE, 0);
	if (!msrpm_pa || !iopm_pa || !domu_msrpm_pa || !domu_iopm_pa)
		return false;
	memset((void *)(uintptr_t)domu_msrpm_pa, 0xff, MSRPM_SIZE);
	for (i = 0; i < ARRAY_SIZE(domu_passthrough); i++)
		pass((uint8_t *)(uintptr_t)domu_msrpm_pa, domu_passthrough[i]);
	memset((void *)(uintptr_t)domu_iopm_pa, 0xff, IOPM_SIZE);
	map = (uint8_t *)(uintptr_t)msrpm_pa;
	memset(map, 0, MSRPM_SIZE);
	memset((void *)(uintptr_t)iopm_pa, 0, IOPM_SIZE);

	intercept(map, MSR_EFER, true, true);		/* SVME hidden, kept */
	intercept(map, MSR_VM_CR, true, true);		/* SVM looks locked off */
	intercept(map, MSR_VM_HSAVE_PA, true, true);	/* ours alone */
	intercept(map, MSR_IGNNE, true, true);
	intercept(map, MSR_SMM_CTL, true, true);
	intercept(map, MSR_APIC_BASE, false, true);	/* no moving the APIC */
	return true;
}

uint64_t msr_intercept_bitmap(void)
{
	return msrpm_pa;
}

uint64_t msr_intercept_io_bitmap(void)
{
	return iopm_pa;
}

uint64_t msr_intercept_domu_bitmap(void)
{
	return domu_msrpm_pa;
}

uint64_t msr_intercept_domu_io_bitmap(void)
{
	return domu_iopm_pa;
}

bool vcpu_efer_write(struct vcpu *v, uint64_t value, uint64_t writable)
{
	struct vmcb_save *s = &v->arch.vmcb->save;
	uint64_t next;

	if (!efer_guest_write(s->efer, s->cr0, value, writable, &next))
		return false;
	if ((next ^ s->efer) & EFER_NXE)
		vcpu_flush_tlb(v);
	s->efer = next;
	return true;
}

static bool msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	switch (msr) {
	case MSR_EFER:
		*value = efer_guest_view(v->arch.vmcb->save.efer);
		return true;
	case MSR_VM_CR:
		/* What a BIOS that disabled SVM shows: kvm_amd will not load. */
		*value = VM_CR_LOCK | VM_CR_SVMDIS;
		return true;
	default:
		return false;
	}
}

static bool msr_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
	struct vmcb_save *s = &v->arch.vmcb->save;

	switch (msr) {
	case MSR_EFER:
		return vcpu_efer_write(v, value, EFER_DOM0_WRITABLE);
	case MSR_APIC_BASE:
		/* Same value (Linux rewrites it at boot) is fine; moves are not. */
		if (value == rdmsr(MSR_APIC_BASE))
			return true;
		printk("dom0: refused APIC base change to %lx (rip %lx)\n",
		       value, s->rip);
		return false;
	default:
		return false;
	}
}

void msr_exit(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->arch.regs.rcx;
	bool is_write = v->arch.vmcb->control.exit_info1 == 1;
	uint64_t value;

	if (is_write) {
		value = (v->arch.vmcb->save.rax & 0xffffffff) |
			(v->arch.regs.rdx << 32);
		if (!msr_write(v, msr, value)) {
			vcpu_inject_exception_error(v, VECTOR_GP, 0);
			return;
		}
	} else {
		if (!msr_read(v, msr, &value)) {
			vcpu_inject_exception_error(v, VECTOR_GP, 0);
			return;
		}
		v->arch.vmcb->save.rax = value & 0xffffffff;
		v->arch.regs.rdx = value >> 32;
	}
	vcpu_skip_insn(v, 2);
}

#define CPUID_HV_BASE		0x40000000
#define CPUID_HV_LAST		0x40000001
#define CPUID1_ECX_VMX		(1U << 5)
#define CPUID1_ECX_HYPERVISOR	(1U << 31)
#define CPUID_EXT1_ECX_SVM	(1U << 2)

struct cpuid_regs cpuid_for_guest(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = cpuid_count(leaf, subleaf);

	switch (leaf) {
	case 1:
		r.ecx = (r.ecx & ~CPUID1_ECX_VMX) | CPUID1_ECX_HYPERVISOR;
		break;
	case 0x80000001:
		r.ecx &= ~CPUID_EXT1_ECX_SVM;
		break;
	case 0x8000000a:	/* SVM features: none to see */
		r.eax = r.ebx = r.ecx = r.edx = 0;
		break;
	}
	return r;
}

void cpuid_complete(struct vcpu *v, struct cpuid_regs r)
{
	v->arch.vmcb->save.rax = r.eax;
	v->arch.regs.rbx = r.ebx;
	v->arch.regs.rcx = r.ecx;
	v->arch.regs.rdx = r.edx;
	vcpu_skip_insn(v, 2);
}

void cpuid_exit(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->arch.vmcb->save.rax;
	uint32_t subleaf = (uint32_t)v->arch.regs.rcx;
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf >= CPUID_HV_BASE && leaf <= 0x400000ff) {
		if (leaf == CPUID_HV_BASE) {
			r.eax = CPUID_HV_LAST;
			memcpy(&r.ebx, HV_CPUID_SIGNATURE, 4);
			memcpy(&r.ecx, HV_CPUID_SIGNATURE + 4, 4);
			memcpy(&r.edx, HV_CPUID_SIGNATURE + 8, 4);
		} else if (leaf == CPUID_HV_LAST) {
			r.eax = HV_ABI_VERSION;
		}
	} else {
		r = cpuid_for_guest(leaf, subleaf);
	}
	cpuid_complete(v, r);
}
