// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPUs under SVM (see asm/svm_vcpu.h): VMCB set-up and the run loop.
 *
 * Intercepts every guest gets: VMRUN (mandatory) and the other SVM
 * instructions, since guests see no SVM; VMMCALL (hypercalls); CPUID;
 * MSR accesses through a permission map; shutdown (triple fault); NMI, so the
 * hypervisor can stop CPUs.  Physical interrupts are not intercepted: with
 * V_INTR_MASKING off they go straight to the guest's own IDT, which is right
 * for dom0, the owner of the devices and of its CPU's local APIC.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/halt.h>
#include <lib/linux_boot.h>
#include <asm/msr_intercept.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/steal_time.h>
#include <lib/string.h>
#include <asm/svm.h>
#include <asm/svm_vcpu.h>
#include <hv/time.h>
#include <asm/vlapic.h>
#include <asm/x86.h>

_Static_assert(__builtin_offsetof(struct vcpu_regs, r15) == 104,
	       "svm_run.S relies on the vcpu_regs layout");

void svm_run(uint64_t vmcb_pa, struct vcpu_regs *regs, uint64_t host_state_pa);

/* Every vCPU of every domain: dom0's and HV_DOMAIN_VCPUS_MAX per domU. */
#define MAX_VCPUS (HV_DOMAIN_VCPUS_MAX * (MAX_DOMAINS + 1))

static struct vcpu vcpu_pool[MAX_VCPUS];
static bool vcpu_used[MAX_VCPUS];
static struct spinlock vcpu_pool_lock = SPINLOCK_INIT;

struct vcpu *current_vcpu(void)
{
	return this_cpu()->current_vcpu;
}

struct vcpu *svm_vcpu_create(struct domain *d, struct frame_allocator *fa,
			     uint32_t asid)
{
	struct vcpu *v = NULL;
	struct vmcb_control *c;
	uint64_t vmcb_pa;
	unsigned int i;

	if (d->nr_vcpus == HV_DOMAIN_VCPUS_MAX)
		return NULL;
	vmcb_pa = frame_alloc(fa);
	if (!vmcb_pa)
		return NULL;
	spin_lock(&vcpu_pool_lock);
	for (i = 0; i < MAX_VCPUS && !v; i++)
		if (!vcpu_used[i]) {
			vcpu_used[i] = true;
			v = &vcpu_pool[i];
		}
	spin_unlock(&vcpu_pool_lock);
	if (!v) {
		frame_free(fa, vmcb_pa);
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->arch.vmcb_pa = vmcb_pa;
	v->arch.vmcb = (struct vmcb *)(uintptr_t)vmcb_pa;
	memset(v->arch.vmcb, 0, PAGE_SIZE);
	v->dom = d;
	v->id = d->nr_vcpus;
	d->vcpus[d->nr_vcpus++] = v;

	c = &v->arch.vmcb->control;
	c->intercept_misc1 = INTERCEPT1_NMI | INTERCEPT1_CPUID |
			     INTERCEPT1_MSR | INTERCEPT1_SHUTDOWN |
			     INTERCEPT1_INVLPGA;
	c->intercept_misc2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL |
			     INTERCEPT2_VMLOAD | INTERCEPT2_VMSAVE |
			     INTERCEPT2_STGI | INTERCEPT2_CLGI |
			     INTERCEPT2_SKINIT;
	c->msrpm_base_pa = msr_intercept_bitmap();
	c->iopm_base_pa = msr_intercept_io_bitmap();	/* all ports pass */
	c->asid = asid;
	c->tlb_control = TLB_CONTROL_FLUSH_ALL;
	c->nested_ctl = NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = d->arch.npt_root;
	return v;
}

void svm_vcpu_destroy(struct vcpu *v, struct frame_allocator *fa)
{
	unsigned int i;

	/* No CPU may take it for the vCPU it ran last (TLB hygiene). */
	for (i = 0; i < MAX_CPUS; i++)
		if (percpu_area[i].last_vcpu == v)
			percpu_area[i].last_vcpu = NULL;
	frame_free(fa, v->arch.vmcb_pa);
	spin_lock(&vcpu_pool_lock);
	vcpu_used[v - vcpu_pool] = false;
	spin_unlock(&vcpu_pool_lock);
}

uint64_t vcpu_get_reg(struct vcpu *v, unsigned int n)
{
	struct vcpu_regs *r = &v->arch.regs;

	switch (n & 15) {
	case 0:  return v->arch.vmcb->save.rax;
	case 1:  return r->rcx;
	case 2:  return r->rdx;
	case 3:  return r->rbx;
	case 4:  return v->arch.vmcb->save.rsp;
	case 5:  return r->rbp;
	case 6:  return r->rsi;
	case 7:  return r->rdi;
	case 8:  return r->r8;
	case 9:  return r->r9;
	case 10: return r->r10;
	case 11: return r->r11;
	case 12: return r->r12;
	case 13: return r->r13;
	case 14: return r->r14;
	default: return r->r15;
	}
}

void vcpu_set_reg(struct vcpu *v, unsigned int n, uint64_t value)
{
	struct vcpu_regs *r = &v->arch.regs;

	switch (n & 15) {
	case 0:  v->arch.vmcb->save.rax = value; break;
	case 1:  r->rcx = value; break;
	case 2:  r->rdx = value; break;
	case 3:  r->rbx = value; break;
	case 4:  v->arch.vmcb->save.rsp = value; break;
	case 5:  r->rbp = value; break;
	case 6:  r->rsi = value; break;
	case 7:  r->rdi = value; break;
	case 8:  r->r8 = value; break;
	case 9:  r->r9 = value; break;
	case 10: r->r10 = value; break;
	case 11: r->r11 = value; break;
	case 12: r->r12 = value; break;
	case 13: r->r13 = value; break;
	case 14: r->r14 = value; break;
	default: r->r15 = value; break;
	}
}

void vcpu_skip_insn(struct vcpu *v, unsigned int len)
{
	/* With NRIP save the CPU knows the length; TCG has no NRIP save. */
	if (this_cpu()->arch.svm.features & SVM_FEATURE_NRIPS && v->arch.vmcb->control.next_rip)
		v->arch.vmcb->save.rip = v->arch.vmcb->control.next_rip;
	else
		v->arch.vmcb->save.rip += len;
	/* An instruction completed: any interrupt shadow is over. */
	v->arch.vmcb->control.int_state &= ~1ULL;
}

void vcpu_set_linux_entry(struct vcpu *v, uint64_t entry, uint64_t gdt,
			  uint64_t cr3, uint64_t zero_page)
{
	struct vmcb_save *s = &v->arch.vmcb->save;
	struct vmcb_seg code = { LINUX_BOOT_CS, SEG_ATTR_CODE64, 0xffffffff, 0 };
	struct vmcb_seg data = { LINUX_BOOT_DS, SEG_ATTR_DATA, 0xffffffff, 0 };

	s->cs = code;
	s->ds = s->es = s->ss = s->fs = s->gs = data;
	s->gdtr = (struct vmcb_seg){ 0, 0, LINUX_BOOT_GDT_ENTRIES * 8 - 1, gdt };
	s->idtr = (struct vmcb_seg){ 0, 0, 0, 0 };
	s->ldtr = (struct vmcb_seg){ 0, SEG_ATTR_LDT, 0xffff, 0 };
	s->tr = (struct vmcb_seg){ 0, SEG_ATTR_TSS64_BUSY, 0xffff, 0 };
	s->cpl = 0;
	s->cr0 = X86_CR0_PE | X86_CR0_PG | (1ULL << 4) | (1ULL << 5); /* ET, NE */
	s->cr3 = cr3;
	s->cr4 = X86_CR4_PAE;
	s->efer = EFER_LME | EFER_LMA | EFER_SVME;
	s->rflags = 0x2;
	s->rip = entry;
	s->rsp = 0;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = 0x0007040600070406ULL;	/* the power-on PAT */
	v->arch.regs.rsi = zero_page;
}

void vcpu_inject_exception(struct vcpu *v, unsigned int vector)
{
	v->arch.vmcb->control.event_inj = EVENT_VALID | EVENT_TYPE_EXCEPTION | vector;
}

void vcpu_inject_exception_error(struct vcpu *v, unsigned int vector,
				 uint32_t error_code)
{
	v->arch.vmcb->control.event_inj = EVENT_VALID | EVENT_TYPE_EXCEPTION |
				     EVENT_ERROR_VALID | vector |
				     ((uint64_t)error_code << 32);
}

void vcpu_flush_tlb(struct vcpu *v)
{
	v->arch.vmcb->control.tlb_control = TLB_CONTROL_FLUSH_ALL;
}

void vcpu_dump(struct vcpu *v)
{
	struct vmcb_save *s = &v->arch.vmcb->save;
	struct vcpu_regs *r = &v->arch.regs;

	printk("  RIP %016lx  RSP %016lx  RFLAGS %016lx  CPL %u\n", s->rip,
	       s->rsp, s->rflags, s->cpl);
	printk("  RAX %016lx  RBX %016lx  RCX %016lx  RDX %016lx\n", s->rax,
	       r->rbx, r->rcx, r->rdx);
	printk("  RSI %016lx  RDI %016lx  RBP %016lx  R8  %016lx\n", r->rsi,
	       r->rdi, r->rbp, r->r8);
	printk("  R9  %016lx  R10 %016lx  R11 %016lx  R12 %016lx\n", r->r9,
	       r->r10, r->r11, r->r12);
	printk("  R13 %016lx  R14 %016lx  R15 %016lx\n", r->r13, r->r14, r->r15);
	printk("  CR0 %016lx  CR2 %016lx  CR3 %016lx  CR4 %016lx  EFER %016lx\n",
	       s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
	printk("  CS %04x base %lx  SS %04x  exit %lx info1 %lx info2 %lx\n",
	       s->cs.selector, s->cs.base, s->ss.selector,
	       v->arch.vmcb->control.exit_code, v->arch.vmcb->control.exit_info1,
	       v->arch.vmcb->control.exit_info2);
}

bool opt_exit_stats;

/*
 * With the exit_stats boot option, a domain that ends prints its exits by
 * reason, all vCPUs summed, with the mean time the hypervisor took over
 * each (the benchmark of exit costs reads them: a boot-time domain has no
 * dom0 to ask with hvctl exits).
 */
void svm_print_exit_stats(const struct domain *d)
{
	unsigned int slot, i;

	if (!opt_exit_stats)
		return;
	for (slot = 0; slot < EXIT_STAT_SLOTS; slot++) {
		uint64_t count = 0, tsc = 0;

		for (i = 0; i < d->nr_vcpus; i++) {
			count += d->vcpus[i]->arch.exits[slot];
			tsc += d->vcpus[i]->arch.exits_tsc[slot];
		}
		if (count)
			printk("d%u: exit_stats code 0x%x count %lu handled_ns %lu\n",
			       d->id, exit_stat_code(slot), count,
			       tsc_to_ns(tsc));
	}
}

static unsigned int exit_stat_slot(uint64_t code)
{
	return code < EXIT_STAT_NPF ? (unsigned int)code :
	       code == VMEXIT_NPF ? EXIT_STAT_NPF : EXIT_STAT_OTHER;
}

void svm_vcpu_confine(struct vcpu *v)
{
	struct vmcb_control *c = &v->arch.vmcb->control;

	/* Its TSC reads 0 at its domain's start; kvmclock counts from there. */
	c->tsc_offset = -v->dom->tsc_zero;
	vlapic_reset(v);

	c->intercept_misc1 |= INTERCEPT1_INTR | INTERCEPT1_HLT |
			      INTERCEPT1_IOIO | INTERCEPT1_INIT;
	c->msrpm_base_pa = msr_intercept_domu_bitmap();
	c->iopm_base_pa = msr_intercept_domu_io_bitmap();
	/* The guest's IF masks only virtual interrupts, not the machine's. */
	c->int_ctl |= INT_CTL_V_INTR_MASKING;
}

/* One VMRUN and the handling of the exit that ends it. */
static void enter_once(struct vcpu *v, struct percpu *cpu)
{
	unsigned int slot;
	uint64_t exit_tsc;

	/* An NMI that arrived for the guest goes in now, if free. */
	if (v->arch.nmi_pending && !(v->arch.vmcb->control.event_inj & EVENT_VALID)) {
		v->arch.vmcb->control.event_inj = EVENT_VALID | EVENT_TYPE_NMI | 2;
		v->arch.nmi_pending = false;
	}
	svm_run(v->arch.vmcb_pa, &v->arch.regs, cpu->arch.svm.host_state_pa);
	exit_tsc = rdtsc();
	v->arch.vmcb->control.tlb_control = TLB_CONTROL_NONE;
	if (!v->dom->privileged)
		vlapic_after_exit(v);
	/*
	 * An event whose delivery the exit interrupted (an interrupt already
	 * taken from the APIC, an exception) must not be lost.
	 */
	if (v->arch.vmcb->control.exit_int_info & EVENT_VALID)
		v->arch.vmcb->control.event_inj = v->arch.vmcb->control.exit_int_info;
	slot = exit_stat_slot(v->arch.vmcb->control.exit_code);
	v->arch.exits[slot]++;
	v->arch.nr_exits++;
	svm_handle_exit(v);
	/* Same CPU throughout, so the TSC difference means something. */
	v->arch.exits_tsc[slot] += rdtsc() - exit_tsc;
}

__noreturn void svm_vcpu_run(struct vcpu *v)
{
	struct percpu *cpu = this_cpu();

	cpu->current_vcpu = v;
	v->pcpu = cpu->index;
	for (;;) {
		/* dom0 has its CPU to itself: all of its time is its own. */
		uint64_t start = rdtsc();

		enter_once(v, cpu);
		v->run_ns += tsc_to_ns(rdtsc() - start);
	}
}

void svm_vcpu_run_slice(struct vcpu *v)
{
	struct percpu *cpu = this_cpu();
	uint64_t start, end;

	/*
	 * vCPUs of one domain share its ASID.  Another vCPU ran here last,
	 * so this one's TLB entries may be stale or someone else's: flush.
	 * (TCG ignores ASIDs; real hardware does not.)
	 */
	if (cpu->last_vcpu != v) {
		vcpu_flush_tlb(v);
		cpu->last_vcpu = v;
	}
	cpu->current_vcpu = v;
	/* need_resched was cleared by the scheduler before it armed the timer. */
	start = rdtsc();
	sched_stop_waiting(v, start);
	steal_time_schedule_in(v);
	while (v->state == VCPU_RUNNABLE && v->dom->state == HV_DOMAIN_RUNNING) {
		vlapic_timer_check(v, rdtsc());
		vlapic_inject(v);
		/*
		 * The end of the slice is looked at with GIF clear, and it stays
		 * clear until VMRUN (svm_run clears it again, harmlessly): a tick
		 * that comes after the look is held, then ends the guest's run
		 * at once as an intercepted INTR.  Looked at with interrupts on,
		 * a tick between the look and VMRUN was taken here, and the
		 * guest ran on with no timer left: for good, if it never exits.
		 */
		__asm__ volatile("clgi" : : : "memory");
		if (cpu->need_resched) {
			__asm__ volatile("stgi" : : : "memory");
			break;
		}
		enter_once(v, cpu);
	}
	end = rdtsc();
	v->run_ns += tsc_to_ns(end - start);
	/* Still runnable: from now on it waits for its CPU. */
	v->waiting_since = v->state == VCPU_RUNNABLE ? end : 0;
	steal_time_schedule_out(v);
	__atomic_store_n(&cpu->current_vcpu, NULL, __ATOMIC_RELEASE);
}
