// SPDX-License-Identifier: GPL-2.0-only
/*
 * SVM detection and enabling (see asm/svm.h).
 *
 * Order matters (AMD APM vol. 2, 15.4): CPUID says whether the CPU has SVM;
 * VM_CR.SVMDIS says whether firmware turned it off; only then may EFER.SVME
 * be set, and VM_HSAVE_PA must point at a 4 KiB page of our own before the
 * first VMRUN, where the CPU keeps host state across guest runs.
 */
#include <hv/console.h>
#include <hv/format.h>
#include <hv/time.h>
#include <lib/string.h>
#include <asm/svm.h>
#include <asm/x86.h>

#define CPUID_EXT_MAX		0x80000000
#define CPUID_EXT_FEATURES	0x80000001
#define CPUID_SVM		0x8000000a
#define CPUID_EXT_ECX_SVM	(1U << 2)

static const struct {
	uint32_t bit;
	const char *name;
} feature_names[] = {
	{ SVM_FEATURE_NPT, "npt" },
	{ SVM_FEATURE_LBRV, "lbrv" },
	{ SVM_FEATURE_SVML, "svm-lock" },
	{ SVM_FEATURE_NRIPS, "nrip-save" },
	{ SVM_FEATURE_TSC_RATE, "tsc-rate" },
	{ SVM_FEATURE_VMCB_CLEAN, "vmcb-clean" },
	{ SVM_FEATURE_FLUSH_BY_ASID, "flush-by-asid" },
	{ SVM_FEATURE_DECODE_ASSISTS, "decode-assists" },
	{ SVM_FEATURE_PAUSE_FILTER, "pause-filter" },
	{ SVM_FEATURE_PAUSE_THRESHOLD, "pause-threshold" },
	{ SVM_FEATURE_AVIC, "avic" },
	{ SVM_FEATURE_VMSAVE_VIRT, "vmsave-virt" },
	{ SVM_FEATURE_VGIF, "vgif" },
	{ SVM_FEATURE_GMET, "gmet" },
	{ SVM_FEATURE_X2AVIC, "x2avic" },
	{ SVM_FEATURE_SPEC_CTRL, "spec-ctrl" },
	{ SVM_FEATURE_VNMI, "vnmi" },
	{ SVM_FEATURE_ADDR_CHK, "svme-addr-chk" },
};

void svm_feature_names(uint32_t features, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(feature_names); i++) {
		if (!(features & feature_names[i].bit))
			continue;
		len += hv_snprintf(buf + MIN(len, size), size - MIN(len, size),
				   "%s%s", len ? " " : "", feature_names[i].name);
	}
	if (len == 0)
		hv_snprintf(buf, size, "none");
}

/*
 * What one VMSAVE and one VMLOAD cost here, timed once on the boot CPU:
 * svm_run does three of them around every VMRUN (the guest's VMLOAD before
 * it, its VMSAVE after, the hypervisor's VMLOAD), a fixed share of every
 * exit's round trip that the exit-cost breakdown (docs/testing.md) needs.
 * Saving and reloading our own state changes nothing.
 */
#define STATE_SWITCH_ROUNDS	7
#define STATE_SWITCH_PAIRS	1000

static void svm_time_state_switch(uint64_t host_state_pa)
{
	uint64_t best = ~0ULL;
	unsigned int round, i;

	for (round = 0; round < STATE_SWITCH_ROUNDS; round++) {
		uint64_t start = rdtsc(), took;

		for (i = 0; i < STATE_SWITCH_PAIRS; i++)
			__asm__ volatile("vmsave %%rax\n\tvmload %%rax"
					 : : "a"(host_state_pa) : "memory");
		took = rdtsc() - start;
		if (took < best)
			best = took;
	}
	printk("svm: VMSAVE + VMLOAD: %lu ns a pair (best of %u x %u)\n",
	       tsc_to_ns(best) / STATE_SWITCH_PAIRS, STATE_SWITCH_ROUNDS,
	       STATE_SWITCH_PAIRS);
}

const char *svm_cpu_enable(struct percpu *p, struct frame_allocator *fa)
{
	struct cpuid_regs r;
	char names[256];

	if (cpuid(CPUID_EXT_MAX).eax < CPUID_SVM ||
	    !(cpuid(CPUID_EXT_FEATURES).ecx & CPUID_EXT_ECX_SVM))
		return "this CPU has no SVM (AMD-V)";
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return "SVM is disabled by the firmware (VM_CR.SVMDIS); enable virtualization in the BIOS setup";

	r = cpuid(CPUID_SVM);
	p->arch.svm.revision = r.eax & 0xff;
	p->arch.svm.nr_asids = r.ebx;
	p->arch.svm.features = r.edx;
	if (!(p->arch.svm.features & SVM_FEATURE_NPT))
		return "this CPU's SVM has no nested paging (NPT)";

	if (!p->arch.svm.host_save_pa) {
		p->arch.svm.host_save_pa = frame_alloc(fa);
		p->arch.svm.host_state_pa = frame_alloc(fa);
		if (!p->arch.svm.host_save_pa || !p->arch.svm.host_state_pa)
			return "out of memory for the SVM host save areas";
		memset((void *)(uintptr_t)p->arch.svm.host_save_pa, 0, PAGE_SIZE);
		memset((void *)(uintptr_t)p->arch.svm.host_state_pa, 0, PAGE_SIZE);
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, p->arch.svm.host_save_pa);
	/* Our own FS/GS/TR state, reloaded by svm_run after every exit. */
	__asm__ volatile("vmsave %%rax" : : "a"(p->arch.svm.host_state_pa) : "memory");
	p->arch.svm_enabled = true;
	if (p->index == 0)
		svm_time_state_switch(p->arch.svm.host_state_pa);

	svm_feature_names(p->arch.svm.features, names, sizeof(names));
	printk("cpu%u: apic %u up, SVM enabled: revision %u, %u ASIDs, features: %s\n",
	       p->index, p->arch.apic_id, p->arch.svm.revision, p->arch.svm.nr_asids, names);
	return NULL;
}
