// SPDX-License-Identifier: GPL-2.0-only
/* Round-robin scheduling of customer vCPUs (see hv/sched.h). */
#include <hv/domain.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/lapic.h>
#include <hv/svm_vcpu.h>
#include <hv/time.h>
#include <hv/vlapic.h>
#include <hv/x86.h>

struct sched_cpu {
	struct spinlock lock;
	struct vcpu *cursor;	/* the vCPU that ran last; the ring goes on */
	unsigned int nr_vcpus;
};

static struct sched_cpu sched_cpus[MAX_CPUS];
static unsigned int nr_dom0_cpus = 1;

void sched_set_dom0_cpus(unsigned int n)
{
	nr_dom0_cpus = n;
}

bool sched_add_vcpu(struct vcpu *v)
{
	struct sched_cpu *best = NULL;
	unsigned int i, best_cpu = 0;

	for (i = nr_dom0_cpus; i < MAX_CPUS; i++) {
		if (!percpu_area[i].online)
			continue;
		if (!best || sched_cpus[i].nr_vcpus < best->nr_vcpus) {
			best = &sched_cpus[i];
			best_cpu = i;
		}
	}
	if (!best)
		return false;

	spin_lock(&best->lock);
	if (!best->cursor) {
		v->next_on_cpu = v;
		best->cursor = v;
	} else {
		v->next_on_cpu = best->cursor->next_on_cpu;
		best->cursor->next_on_cpu = v;
	}
	best->nr_vcpus++;
	v->pcpu = best_cpu;
	spin_unlock(&best->lock);
	return true;
}

void sched_remove_vcpu(struct vcpu *v)
{
	struct sched_cpu *sc = &sched_cpus[v->pcpu];
	struct vcpu *prev;
	unsigned int n;

	spin_lock(&sc->lock);
	prev = sc->cursor;
	for (n = 0; prev && n < sc->nr_vcpus; n++, prev = prev->next_on_cpu) {
		if (prev->next_on_cpu != v)
			continue;
		if (prev == v) {		/* the only one */
			sc->cursor = NULL;
		} else {
			prev->next_on_cpu = v->next_on_cpu;
			if (sc->cursor == v)
				sc->cursor = prev;
		}
		sc->nr_vcpus--;
		break;
	}
	spin_unlock(&sc->lock);
}

bool sched_vcpu_running(const struct vcpu *v)
{
	unsigned int i;

	for (i = 0; i < MAX_CPUS; i++)
		if (__atomic_load_n(&percpu_area[i].current_vcpu, __ATOMIC_ACQUIRE) == v)
			return true;
	return false;
}

static bool can_run(const struct vcpu *v)
{
	return v->state == VCPU_RUNNABLE && v->dom->state == HV_DOMAIN_RUNNING;
}

/* The next vCPU after the cursor that can run, or NULL. */
static struct vcpu *pick(struct sched_cpu *sc)
{
	struct vcpu *v, *found = NULL;
	unsigned int n;

	spin_lock(&sc->lock);
	v = sc->cursor;
	for (n = 0; v && n < sc->nr_vcpus; n++) {
		v = v->next_on_cpu;
		if (can_run(v)) {
			found = v;
			sc->cursor = v;
			/*
			 * Claimed under the lock: a destroyer that takes v off
			 * the ring after this sees it running and waits.
			 */
			__atomic_store_n(&this_cpu()->current_vcpu, v,
					 __ATOMIC_RELEASE);
			break;
		}
	}
	spin_unlock(&sc->lock);
	return found;
}

/*
 * Fires the virtual timers that are due on this CPU's vCPUs (waking those
 * blocked in HLT) and returns the earliest deadline still pending, or
 * UINT64_MAX.
 */
static uint64_t run_timers(struct sched_cpu *sc, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct vcpu *v;
	unsigned int n;

	spin_lock(&sc->lock);
	v = sc->cursor;
	for (n = 0; v && n < sc->nr_vcpus; n++, v = v->next_on_cpu) {
		uint64_t d;

		if (v->dom->state != HV_DOMAIN_RUNNING)
			continue;
		vlapic_timer_check(v, now);
		d = vlapic_next_deadline(v);
		if (d && d < next)
			next = d;
	}
	spin_unlock(&sc->lock);
	return next;
}

/*
 * Programs this CPU's timer for `deadline` (host TSC), unless it is already
 * set for then: each LAPIC register write is an MMIO access, and the run
 * loop passes here after every guest exit that ends a slice.
 */
static void arm_timer(uint64_t now, uint64_t deadline)
{
	struct percpu *cpu = this_cpu();

	if (cpu->timer_deadline > now && cpu->timer_deadline == deadline)
		return;
	cpu->timer_deadline = deadline;
	lapic_timer_oneshot(deadline - now);
}

__noreturn void sched_run(void)
{
	struct sched_cpu *sc = &sched_cpus[this_cpu()->index];
	uint64_t slice = SCHED_SLICE_US * tsc_khz / 1000;

	for (;;) {
		uint64_t now = rdtsc();
		uint64_t next = run_timers(sc, now);
		struct vcpu *v;

		/*
		 * One timer for everything on this CPU: the end of the slice
		 * about to start, or the earliest guest timer if sooner.  Idle,
		 * the slice length bounds how long a new domain waits.
		 */
		irq_disable();
		arm_timer(now, next < now + slice ? MAX(next, now + 1) : now + slice);
		v = pick(sc);
		if (!v) {
			this_cpu()->current_vcpu = NULL;
			safe_halt();
			continue;
		}
		irq_enable();
		svm_vcpu_run_slice(v);
	}
}
