// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scheduling customer vCPUs on the domain CPUs (every CPU but dom0's).
 *
 * What it promises
 *
 *   - Weights: under contention on a CPU, runnable vCPUs get CPU time in
 *     proportion to their domains' weights (1-65535, default 256).  It is
 *     work-conserving: a CPU never idles while a vCPU that may run waits.
 *   - Caps: a domain with a cap never gets more than cap percent of one CPU
 *     (summed over its vCPUs), measured over every 10 ms period, but for
 *     what a late timer lets it overrun, which it repays from the periods
 *     that follow.  With no cap it may use every cycle nobody else wants.
 *   - Accounting by timestamps: a vCPU pays for exactly the time from its
 *     VMRUN to its exit, in ns of its CPU's TSC, never by sampling ticks;
 *     one that yields just before a tick still pays.
 *   - Halted vCPUs cost nothing: HLT blocks a vCPU until its timer or an
 *     interrupt wakes it; a woken vCPU is placed just ahead of the queue
 *     (a few ms of credit, no more), so an I/O-bound domain answers fast
 *     next to CPU hogs without banking an unbounded credit while asleep.
 *     A vCPU parked by its cap is placed the same way when it may run
 *     again: lifting a cap gives an even share, not a burst.  So is a
 *     vCPU of a paused domain when it is unpaused; and a pause is not
 *     steal (the vCPU waits for dom0, not for its CPU).
 *
 * How
 *
 *   Weighted fair queueing by virtual time, as Linux's CFS: each vCPU's
 *   virtual time advances by ran_ns * 256 / weight; the CPU runs the
 *   runnable vCPU with the smallest virtual time, for at most a 10 ms
 *   slice.  So a vCPU of weight 512 advances half as fast as one of 256 and
 *   gets twice the time.  Caps are credit2's: a per-domain budget of
 *   period * cap / 100 refilled every 10 ms period; a domain whose budget
 *   is spent is parked until the next refill, whatever its virtual time,
 *   and a slice never runs past the budget left (shared out among the
 *   domain's vCPUs that may run, since they may be running on several CPUs
 *   at once), so a cap holds within one period rather than at Xen
 *   credit1's 30 ms granularity.  Debt from an overrun is carried into the
 *   next periods (up to one period of CPU time), so the long-run share
 *   equals the cap.  A parked vCPU is looked at again at its refill, even
 *   if that cuts another vCPU's slice short: waiting for the slice's end
 *   would cost a capped domain budget it is owed.  The arithmetic (exact,
 *   overflow-safe, wrap-safe comparisons) is quota/'s, tested on the host.
 *
 *   Each CPU has its own ring of vCPUs under its own lock, and runs only
 *   the vCPUs of its ring.  A CPU programs one one-shot timer for the
 *   earliest of: the end of the slice, the next guest timer of its vCPUs,
 *   the next cap refill of a vCPU its cap parks.
 *
 * Placement and affinity
 *
 *   Each vCPU has an affinity: the domain CPUs it may run on (default all
 *   of them; HVCALL_VCPU_AFFINITY, boot-time cpus=).  At boot a vCPU goes
 *   to the allowed CPU with the fewest vCPUs, and stays there (vCPUs are
 *   not balanced between CPUs) until its affinity no longer allows it.
 *   Then its CPU moves it, at the top of its scheduling loop, to the least
 *   loaded allowed CPU.  That is safe because of who may do what:
 *
 *   - A vCPU runs only on the CPU of the ring that holds it, and only that
 *     CPU takes it off its ring to move it; at the top of its loop that CPU
 *     runs no vCPU, so the vCPU being moved is not running anywhere, and
 *     cannot be until the new CPU picks it from the new ring.
 *   - The move holds both rings' locks (taken in CPU order, so two CPUs
 *     moving vCPUs to each other cannot deadlock): no ring walk sees the
 *     vCPU on neither ring or on both, and pcpu changes under both.  A
 *     destroyer that read the old pcpu finds it changed under the lock
 *     and looks again (sched_remove_vcpu).
 *   - Its virtual time keeps its distance from the ring's minimum (rings'
 *     virtual times are unrelated), so it neither jumps the new queue nor
 *     falls behind it.  Its guest timers move with it: run_timers() of the
 *     new CPU sees them, as deadlines on the host TSC, which the CPUs
 *     share for the guests' own TSCs already (one tsc_zero per domain).
 *     Its steal clock is stopped on the old CPU's TSC and restarted on the
 *     new one's, when that CPU first looks at it.
 *   - The old CPU then kicks the new one, which looks at its ring at once:
 *     for a runnable arrival, or a blocked one whose timer is due soon.  A
 *     waker that read the old pcpu kicks the old CPU instead, harmlessly:
 *     the new CPU's kick came after the move, so it sees the wake-up.
 *   - The CPU that last ran it forgets that it did (last_vcpu), so that it
 *     flushes the guest's TLB if the vCPU comes back after running
 *     elsewhere.
 *
 * Locks, and the order they nest in
 *
 *   Outermost first; a lock may be taken while holding only locks above it
 *   in this list, never one below it.
 *
 *   1. domctl_lock (domctl.c): one domain-control hypercall at a time.
 *      Domain creation under it takes domains_lock and the frame
 *      allocator's lock; quota and affinity changes call into here.
 *   2. domains_lock (domain.c): the domain table's slots.  Nothing else is
 *      taken under it.
 *   3. sched_cpu.lock, one per CPU: its ring and min_vtime.  Two are held
 *      at once only by move_vcpu(), taken in CPU-number order.
 *   4. domain.sched_lock: a domain's weight and cap budget.  Taken under a
 *      ring lock (pick() through within_cap()) or alone (sched_set_quota(),
 *      charge(), slice_ns()); no ring lock is ever taken under it.
 *   5. domain.arch.platform_lock: a customer domain's virtual UART and IOAPIC,
 *      taken by its vCPUs' exits (domu_exit.c, vlapic.c) and by dom0's
 *      console input; never with a scheduler lock held.
 *   6. Leaves, under which nothing is taken: the frame allocator's lock,
 *      the vCPU pool's (svm_vcpu.c), the wall clock's (time.c) and the
 *      console's, which printk() takes with interrupts off and which any
 *      of the above may hold (move_vcpu() prints after dropping its locks
 *      all the same, to keep ring locks short).
 *
 *   What runs under a ring lock must not block on another CPU: waking a
 *   vCPU (arch_vcpu_timers() raising its timer interrupt) sets bits and
 *   sends a kick, it takes no lock.
 *
 *   tests/bench/sched.py (make bench-sched) measures how well this holds.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/muldiv.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/time.h>
#include <lib/cpuset.h>

struct sched_cpu {
	struct spinlock lock;
	struct vcpu *cursor;	/* any vCPU of the ring (the ring's handle) */
	unsigned int nr_vcpus;
	uint64_t min_vtime;	/* never goes back: where wakers are placed */
};

static struct sched_cpu sched_cpus[MAX_CPUS];
static unsigned int nr_dom0_cpus = 1;

_Static_assert(MAX_CPUS <= CPUSET_MAX_CPUS, "a CPU set is one 64-bit mask");

void sched_set_dom0_cpus(unsigned int n)
{
	nr_dom0_cpus = n;
}

static uint64_t now_ns(void)
{
	return tsc_to_ns(arch_timestamp());
}

void sched_domain_init(struct domain *d)
{
	d->weight = HV_SCHED_WEIGHT_DEFAULT;
	cap_init(&d->cap, 0, QUOTA_CAP_PERIOD_DEFAULT_NS, now_ns());
}

bool sched_set_quota(struct domain *d, uint32_t weight, uint32_t cap_pct)
{
	if (hv_sched_quota_check(weight, cap_pct, d->nr_vcpus))
		return false;
	spin_lock(&d->sched_lock);
	d->weight = weight;
	cap_set(&d->cap, cap_pct, now_ns());
	spin_unlock(&d->sched_lock);
	return true;
}

uint64_t sched_domain_cpus(void)
{
	uint64_t set = 0;
	unsigned int i;

	for (i = nr_dom0_cpus; i < MAX_CPUS; i++)
		if (percpu_area[i].online)
			set |= cpuset_of(i);
	return set;
}

bool sched_affinity_valid(uint64_t cpus)
{
	return cpus && !(cpus & ~sched_domain_cpus());
}

uint64_t sched_vcpu_cpus(const struct vcpu *v)
{
	uint64_t cpus = __atomic_load_n(&v->affinity, __ATOMIC_ACQUIRE);

	return cpus ? cpus : sched_domain_cpus();
}

/*
 * The CPU in `allowed` with the fewest vCPUs, or -1.  The counts are read
 * without their rings' locks: placement needs a good guess, not a promise.
 */
static int least_loaded(uint64_t allowed)
{
	unsigned int load[MAX_CPUS], i;

	for (i = 0; i < MAX_CPUS; i++)
		load[i] = __atomic_load_n(&sched_cpus[i].nr_vcpus, __ATOMIC_RELAXED);
	return cpuset_least_loaded(allowed & sched_domain_cpus(), load, MAX_CPUS);
}

/* Links v into sc's ring (under sc's lock). */
static void ring_insert(struct sched_cpu *sc, struct vcpu *v)
{
	if (!sc->cursor) {
		v->next_on_cpu = v;
		sc->cursor = v;
	} else {
		v->next_on_cpu = sc->cursor->next_on_cpu;
		sc->cursor->next_on_cpu = v;
	}
	sc->nr_vcpus++;
}

/*
 * Unlinks v from sc's ring (under sc's lock); false when it is not there.
 * next_on_cpu = NULL then says it is on no ring.
 */
static bool ring_unlink(struct sched_cpu *sc, struct vcpu *v)
{
	struct vcpu *prev = sc->cursor;
	unsigned int n;

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
		v->next_on_cpu = NULL;
		return true;
	}
	return false;
}

bool sched_add_vcpu(struct vcpu *v)
{
	struct sched_cpu *sc;
	int cpu = least_loaded(sched_vcpu_cpus(v));

	if (cpu < 0)
		return false;
	sc = &sched_cpus[cpu];
	spin_lock(&sc->lock);
	vtime_init(&v->vt, sc->min_vtime);
	ring_insert(sc, v);
	v->pcpu = (unsigned int)cpu;
	spin_unlock(&sc->lock);
	return true;
}

void sched_remove_vcpu(struct vcpu *v)
{
	for (;;) {
		unsigned int cpu = __atomic_load_n(&v->pcpu, __ATOMIC_ACQUIRE);
		struct sched_cpu *sc = &sched_cpus[cpu];
		bool moved;

		spin_lock(&sc->lock);
		/* Moved to another ring since pcpu was read: look there. */
		moved = v->pcpu != cpu;
		if (!moved)
			ring_unlink(sc, v);	/* not there: never placed */
		spin_unlock(&sc->lock);
		if (!moved)
			return;
	}
}

void sched_set_affinity(struct vcpu *v, uint64_t cpus)
{
	unsigned int cpu;

	/*
	 * Stored before pcpu is read (a full barrier between): if the CPU
	 * that held v moves it meanwhile, its move came after this read, so
	 * the new CPU, kicked after the move, sees this mask (see the top).
	 */
	__atomic_store_n(&v->affinity, cpus, __ATOMIC_SEQ_CST);
	cpu = __atomic_load_n(&v->pcpu, __ATOMIC_SEQ_CST);
	/* Not placed yet (pcpu still 0, dom0's): placement will see it. */
	if (cpu >= nr_dom0_cpus && v->next_on_cpu && !cpuset_has(cpus, cpu))
		arch_kick_cpu(cpu);
}

/*
 * Moves v, which this CPU (`from`) found on its ring but not allowed here,
 * to CPU `to`, and kicks that CPU.  Nothing happens when that is no longer
 * right once both locks are held: the destroyer took v off (it may be
 * freed as soon as the locks are dropped), or its affinity changed again.
 */
void sched_stop_waiting(struct vcpu *v, uint64_t now_tsc)
{
	if (v->waiting_since && now_tsc > v->waiting_since)
		v->steal_ns += tsc_to_ns(now_tsc - v->waiting_since);
	v->waiting_since = 0;
}

static void move_vcpu(struct vcpu *v, unsigned int from, unsigned int to)
{
	struct sched_cpu *a = &sched_cpus[from], *b = &sched_cpus[to];
	struct sched_cpu *first = from < to ? a : b, *second = from < to ? b : a;
	uint32_t domid = 0, id = 0;
	uint64_t cpus;
	bool ok;

	spin_lock(&first->lock);
	spin_lock(&second->lock);
	cpus = sched_vcpu_cpus(v);
	ok = v->pcpu == from && v->next_on_cpu && !cpuset_has(cpus, from) &&
	     cpuset_has(cpus, to) && ring_unlink(a, v);
	if (ok) {
		/* The same distance from the new ring's minimum (see the top). */
		v->vt.ns = v->vt.ns - a->min_vtime + b->min_vtime;
		/*
		 * Its steal so far, on this CPU's TSC; the new CPU starts its
		 * own count when it first looks at it (pick()).
		 */
		sched_stop_waiting(v, arch_timestamp());
		if (this_cpu()->last_vcpu == v)
			this_cpu()->last_vcpu = NULL;
		domid = v->dom->id;
		id = v->id;
		ring_insert(b, v);
		__atomic_store_n(&v->pcpu, to, __ATOMIC_RELEASE);
	}
	spin_unlock(&second->lock);
	spin_unlock(&first->lock);
	if (!ok)
		return;
	arch_kick_cpu(to);
	printk("d%u: vCPU %u moved from cpu%u to cpu%u\n", domid, id, from, to);
}

/*
 * At the top of this CPU's scheduling loop, where it runs no vCPU: moves
 * every vCPU of its ring that may no longer run here to the least loaded
 * CPU it may run on.  Bounded: a vCPU that cannot be moved (its affinity
 * changing under us) is left for the next pass, a slice away at most.
 */
static void move_disallowed(struct sched_cpu *sc, unsigned int me)
{
	unsigned int tries;

	for (tries = 0; tries < HV_DOMAIN_VCPUS_MAX * MAX_DOMAINS; tries++) {
		struct vcpu *v, *stray = NULL;
		unsigned int n;
		int to;

		spin_lock(&sc->lock);
		v = sc->cursor;
		for (n = 0; v && n < sc->nr_vcpus && !stray; n++, v = v->next_on_cpu)
			if (!cpuset_has(sched_vcpu_cpus(v), me))
				stray = v;
		spin_unlock(&sc->lock);
		if (!stray)
			return;
		to = least_loaded(sched_vcpu_cpus(stray));
		if (to < 0 || (unsigned int)to == me)
			return;		/* a mask changing under us: next pass */
		move_vcpu(stray, me, (unsigned int)to);
	}
}

bool sched_vcpu_running(const struct vcpu *v)
{
	unsigned int i;

	for (i = 0; i < MAX_CPUS; i++)
		if (__atomic_load_n(&percpu_area[i].current_vcpu, __ATOMIC_ACQUIRE) == v)
			return true;
	return false;
}

/* True when the domain's cap lets it run now (refilling it if due). */
static bool within_cap(struct domain *d, uint64_t now, uint64_t *refill)
{
	bool ok;

	spin_lock(&d->sched_lock);
	cap_refill(&d->cap, now);
	ok = cap_runnable(&d->cap);
	if (!ok && cap_next_refill_ns(&d->cap) < *refill)
		*refill = cap_next_refill_ns(&d->cap);
	spin_unlock(&d->sched_lock);
	return ok;
}

/*
 * The runnable vCPU with the smallest virtual time whose domain's cap
 * allows it, claimed for this CPU; or NULL, with *refill the earliest cap
 * refill (ns) that would change that.
 */
static struct vcpu *pick(struct sched_cpu *sc, uint64_t now_tsc, uint64_t now,
			 uint64_t *refill)
{
	struct vcpu *v, *best = NULL;
	unsigned int n;

	*refill = UINT64_MAX;
	spin_lock(&sc->lock);
	v = sc->cursor;
	for (n = 0; v && n < sc->nr_vcpus; n++, v = v->next_on_cpu) {
		if (v->state != VCPU_RUNNABLE || v->dom->state != HV_DOMAIN_RUNNING) {
			/*
			 * A paused domain waits for dom0, not for its CPU: no
			 * steal, and, as a sleeper, no credit banked for when
			 * it is unpaused.
			 */
			sched_stop_waiting(v, now_tsc);
			if (v->state == VCPU_RUNNABLE)
				v->slept = true;
			continue;
		}
		/*
		 * Runnable, its wait not timed yet: woken by another CPU, or
		 * moved here.  Its steal counts from now, on this CPU's TSC.
		 */
		if (!v->waiting_since)
			v->waiting_since = now_tsc;
		if (v->slept) {
			/* Back from HLT: no credit banked beyond a few ms. */
			v->vt.ns = vtime_on_wake(v->vt.ns, sc->min_vtime,
						 QUOTA_WAKE_CREDIT_DEFAULT_NS);
			v->slept = false;
		}
		if (!within_cap(v->dom, now, refill)) {
			/*
			 * Parked by its cap: like a sleeper, it may not bank
			 * the time it could not run as credit for later.
			 */
			v->slept = true;
			continue;
		}
		if (!best || vtime_before(v->vt.ns, best->vt.ns))
			best = v;
	}
	if (best) {
		sc->min_vtime = vtime_max(sc->min_vtime, best->vt.ns);
		/*
		 * Claimed under the lock: a destroyer that takes it off the
		 * ring after this sees it running and waits.
		 */
		__atomic_store_n(&this_cpu()->current_vcpu, best, __ATOMIC_RELEASE);
	}
	spin_unlock(&sc->lock);
	return best;
}

/* After v ran ran_ns: its virtual time and its domain's cap budget. */
static void charge(struct vcpu *v, uint64_t ran_ns)
{
	struct domain *d = v->dom;

	vtime_charge(&v->vt, ran_ns, d->weight);
	spin_lock(&d->sched_lock);
	cap_charge(&d->cap, ran_ns);
	spin_unlock(&d->sched_lock);
}

/*
 * How long v may run now: a slice, or its share of what is left of its
 * domain's cap budget.  The budget is shared out among the domain's vCPUs
 * that may run (their states read without a lock: a guess is enough), as
 * they may be running on other CPUs at the same time and are charged only
 * when their slices end; each taking all that is left would overrun the
 * budget, the overrun would be charged after the next refill, and the
 * refill would drop as unused a budget that was in fact being used.
 */
static uint64_t slice_ns(struct vcpu *v)
{
	struct domain *d = v->dom;
	uint64_t left, runnable = 0;
	unsigned int i;

	spin_lock(&d->sched_lock);
	left = cap_budget_left_ns(&d->cap);
	spin_unlock(&d->sched_lock);
	if (left == UINT64_MAX)
		return SCHED_SLICE_US * 1000;		/* uncapped */
	for (i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i]->state == VCPU_RUNNABLE)
			runnable++;
	if (runnable > 1)
		left = (left + runnable - 1) / runnable;
	return MIN(left, SCHED_SLICE_US * 1000);
}

/*
 * Fires the virtual timers that are due on this CPU's vCPUs (waking those
 * blocked in HLT) and returns the earliest guest deadline still pending
 * (host TSC), or UINT64_MAX.
 */
static uint64_t run_timers(struct sched_cpu *sc, uint64_t now_tsc)
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
		d = arch_vcpu_timers(v, now_tsc);
		if (d && d < next)
			next = d;
	}
	spin_unlock(&sc->lock);
	return next;
}

/*
 * Programs this CPU's timer for `deadline` (host TSC), unless it is still
 * armed for exactly then: each LAPIC register write is an MMIO access.  The
 * timer interrupt clears timer_deadline, since the LAPIC timer can fire a
 * little before the TSC reaches the deadline it was computed from.
 */
static void arm_timer(uint64_t now, uint64_t deadline)
{
	struct percpu *cpu = this_cpu();

	if (cpu->timer_deadline && cpu->timer_deadline == deadline)
		return;
	cpu->timer_deadline = deadline;
	arch_timer_oneshot(deadline - now);
}

static uint64_t ns_to_tsc(uint64_t ns)
{
	return muldiv64(ns, tsc_khz, 1000000);
}

__noreturn void sched_run(void)
{
	unsigned int me = this_cpu()->index;
	struct sched_cpu *sc = &sched_cpus[me];
	uint64_t idle_poll = ns_to_tsc(SCHED_SLICE_US * 1000);

	for (;;) {
		uint64_t now_tsc, now, next, refill, deadline;
		uint64_t ran_before;
		struct vcpu *v;

		move_disallowed(sc, me);
		now_tsc = arch_timestamp();
		now = tsc_to_ns(now_tsc);
		next = run_timers(sc, now_tsc);

		arch_irq_disable();
		/*
		 * Cleared before the timer is armed, never after: a short slice
		 * can end as soon as interrupts are back on, and that tick must
		 * not be lost, or the vCPU would run on with no timer left.
		 */
		this_cpu()->need_resched = false;
		v = pick(sc, now_tsc, now, &refill);
		/*
		 * A vCPU parked by its cap may run again at its refill: the
		 * CPU looks again then, whether it idles or runs another.  Else
		 * a refill that comes during a 10 ms slice waits for its end,
		 * and a capped domain loses budget it was owed.
		 */
		if (refill != UINT64_MAX && refill > now)
			next = MIN(next, now_tsc + ns_to_tsc(refill - now));
		if (!v) {
			/* Idle until a guest timer, a cap refill or a poll. */
			deadline = MIN(next, now_tsc + idle_poll);
			arm_timer(now_tsc, MAX(deadline, now_tsc + 1));
			this_cpu()->current_vcpu = NULL;
			arch_idle();
			continue;
		}
		deadline = MIN(next, now_tsc + ns_to_tsc(slice_ns(v)));
		arm_timer(now_tsc, MAX(deadline, now_tsc + 1));
		arch_irq_enable();
		ran_before = v->run_ns;
		arch_vcpu_run(v);
		charge(v, v->run_ns - ran_before);
	}
}
