// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler (hypervisor/common/sched.c) through the arch interface
 * (hv/arch.h): this file is the architecture.  Its clock is a counter
 * (1 tick = 1 ns), a vCPU "runs" until the one-shot timer the scheduler
 * armed, idling jumps to that timer, and every request (kicks, timers,
 * interrupt state) is recorded.  sched_run() never returns, so after a
 * given number of turns the arch hooks jump back to the test (both places
 * hold no lock).
 *
 * CPU 0 is dom0's; the tests run the scheduling loop of CPU 1.  this_cpu()
 * reads %gs:0 as in the hypervisor, so the test points GS at CPU 1's
 * struct percpu (Check runs each test in its own process).
 */
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <hv/arch.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/time.h>

#include "suites.h"

/* The Linux arch_prctl() code that sets the GS base (asm/prctl.h). */
#define ARCH_SET_GS	0x1001

#define ME		1	/* the CPU whose loop the tests run */
#define SLICE_NS	(SCHED_SLICE_US * 1000ULL)

/* What the hypervisor's other files provide, for sched.c. */
struct percpu percpu_area[MAX_CPUS];
uint64_t tsc_khz = 1000000;		/* 1 GHz: a tick is a nanosecond */

uint64_t tsc_to_ns(uint64_t tsc)
{
	return tsc * 1000000 / tsc_khz;
}

void printk(const char *fmt, ...)
{
	(void)fmt;
}

/* --- the test architecture ------------------------------------------------- */

static struct {
	uint64_t clock;			/* the timestamp counter */
	uint64_t timer;			/* armed one-shot deadline, 0 = none */
	bool irqs_on;
	unsigned int turns, max_turns;	/* runs and idles, and the limit */
	uint64_t idle_ns;
	uint64_t kicks;			/* bit n: CPU n was kicked */
	unsigned int runs_with_irqs_off;
	unsigned int idles_with_irqs_on;
	unsigned int timers_armed;
	jmp_buf out;
} arch;

uint64_t arch_timestamp(void)
{
	return arch.clock;
}

void arch_kick_cpu(unsigned int cpu)
{
	arch.kicks |= 1ULL << cpu;
}

void arch_timer_oneshot(uint64_t ticks)
{
	ck_assert_uint_ge(ticks, 1);
	arch.timer = arch.clock + ticks;
	arch.timers_armed++;
}

void arch_irq_disable(void)
{
	arch.irqs_on = false;
}

void arch_irq_enable(void)
{
	arch.irqs_on = true;
}

/* The timer fires: what the tick's interrupt handler does. */
static void timer_fires(void)
{
	ck_assert_msg(arch.timer, "waiting with no timer armed");
	arch.clock = MAX(arch.clock, arch.timer);
	arch.timer = 0;
	this_cpu()->timer_deadline = 0;
	this_cpu()->need_resched = true;
}

static void end_of_turn(void)
{
	if (++arch.turns == arch.max_turns)
		longjmp(arch.out, 1);
}

void arch_idle(void)
{
	uint64_t from = arch.clock;

	if (arch.irqs_on)
		arch.idles_with_irqs_on++;
	arch.irqs_on = true;
	timer_fires();
	arch.idle_ns += arch.clock - from;
	end_of_turn();
}

/* As svm_vcpu_run_slice(): the guest runs until the slice's timer. */
void arch_vcpu_run(struct vcpu *v)
{
	uint64_t start = arch.clock;

	if (!arch.irqs_on)
		arch.runs_with_irqs_off++;
	ck_assert_ptr_eq(this_cpu()->current_vcpu, v);
	sched_stop_waiting(v, start);
	timer_fires();
	v->run_ns += tsc_to_ns(arch.clock - start);
	v->waiting_since = v->state == VCPU_RUNNABLE ? arch.clock : 0;
	this_cpu()->current_vcpu = NULL;
	end_of_turn();
}

uint64_t arch_vcpu_timers(struct vcpu *v, uint64_t now)
{
	(void)v;
	(void)now;
	return 0;		/* no guest timers in these tests */
}

/* Exit counters: no guest exits here. */
uint32_t arch_vcpu_exit_counts(const struct vcpu *v,
			       struct hv_exit_count *entries, uint32_t max,
			       uint64_t *total)
{
	(void)v;
	(void)entries;
	(void)max;
	*total = 0;
	return 0;
}

/* Domain memory: not the scheduler's business. */
bool arch_domain_memory_init(struct domain *d)
{
	(void)d;
	return true;
}

bool arch_domain_map_ram(struct domain *d, uint64_t gpa, uint64_t hpa,
			 uint64_t size)
{
	(void)d;
	(void)gpa;
	(void)hpa;
	(void)size;
	return true;
}

void arch_domain_memory_free(struct domain *d)
{
	(void)d;
}

uint64_t arch_domain_overhead_bytes(const struct domain *d)
{
	(void)d;
	return 0;
}

/* The console: printk above writes nothing, and so do these. */
void arch_console_putc(char c)
{
	(void)c;
}

void arch_console_put_byte(uint8_t c)
{
	(void)c;
}

/* --- domains and vCPUs ------------------------------------------------------ */

#define NR_TEST_DOMAINS	4

static struct domain doms[NR_TEST_DOMAINS];
static struct vcpu vcpus[NR_TEST_DOMAINS][HV_DOMAIN_VCPUS_MAX];

/* Brings up CPUs 0 (dom0's) to last and makes this process CPU ME. */
static void cpus_up(unsigned int last)
{
	unsigned int i;

	memset(&arch, 0, sizeof(arch));
	arch.clock = 1000;
	for (i = 0; i <= last; i++) {
		percpu_area[i].self = &percpu_area[i];
		percpu_area[i].index = i;
		percpu_area[i].online = true;
	}
	sched_set_dom0_cpus(1);
	ck_assert_int_eq(syscall(SYS_arch_prctl, ARCH_SET_GS,
				 (unsigned long)&percpu_area[ME]), 0);
	ck_assert_ptr_eq(this_cpu(), &percpu_area[ME]);
}

/* A running domain with n runnable vCPUs, not yet placed. */
static struct domain *domain(unsigned int i, unsigned int n)
{
	struct domain *d = &doms[i];
	unsigned int k;

	d->id = i + 1;
	d->state = HV_DOMAIN_RUNNING;
	d->nr_vcpus = n;
	sched_domain_init(d);
	for (k = 0; k < n; k++) {
		struct vcpu *v = &vcpus[i][k];

		v->dom = d;
		v->id = k;
		v->state = VCPU_RUNNABLE;
		d->vcpus[k] = v;
	}
	return d;
}

static void place(struct domain *d)
{
	unsigned int k;

	for (k = 0; k < d->nr_vcpus; k++)
		ck_assert(sched_add_vcpu(d->vcpus[k]));
}

/* Runs CPU ME's scheduling loop for `turns` runs or idles. */
static void run_turns(unsigned int turns)
{
	arch.turns = 0;
	arch.max_turns = turns;
	if (setjmp(arch.out) == 0)
		sched_run();
	ck_assert_uint_eq(arch.runs_with_irqs_off, 0);
	ck_assert_uint_eq(arch.idles_with_irqs_on, 0);
}

/* |a/b - want| within 2 %. */
static void assert_ratio(uint64_t a, uint64_t b, double want)
{
	double got = (double)a / (double)b;

	ck_assert_msg(got > want * 0.98 && got < want * 1.02,
		      "ratio %f, want %f (%lu / %lu)", got, want,
		      (unsigned long)a, (unsigned long)b);
}

/* --- tests ------------------------------------------------------------------- */

START_TEST(test_quota_limits)
{
	struct domain *d;

	cpus_up(1);
	d = domain(0, 2);
	ck_assert_uint_eq(d->weight, HV_SCHED_WEIGHT_DEFAULT);
	ck_assert(!sched_set_quota(d, 0, 0));
	ck_assert(!sched_set_quota(d, HV_SCHED_WEIGHT_MAX + 1, 0));
	ck_assert(!sched_set_quota(d, HV_SCHED_WEIGHT_DEFAULT, 201));	/* 2 vCPUs */
	ck_assert_uint_eq(d->weight, HV_SCHED_WEIGHT_DEFAULT);
	ck_assert(sched_set_quota(d, HV_SCHED_WEIGHT_MAX, 200));
	ck_assert_uint_eq(d->weight, HV_SCHED_WEIGHT_MAX);
}
END_TEST

START_TEST(test_one_vcpu_runs_whole_slices)
{
	struct domain *d;

	cpus_up(1);
	d = domain(0, 1);
	place(d);
	run_turns(10);
	ck_assert_uint_eq(d->vcpus[0]->run_ns, 10 * SLICE_NS);
	ck_assert_uint_eq(arch.idle_ns, 0);
	ck_assert_uint_eq(d->vcpus[0]->steal_ns, 0);
}
END_TEST

START_TEST(test_weights_share_the_cpu)
{
	struct domain *light, *heavy;

	cpus_up(1);
	light = domain(0, 1);
	heavy = domain(1, 1);
	ck_assert(sched_set_quota(heavy, 2 * HV_SCHED_WEIGHT_DEFAULT, 0));
	place(light);
	place(heavy);
	run_turns(300);
	assert_ratio(heavy->vcpus[0]->run_ns, light->vcpus[0]->run_ns, 2.0);
	/* Work-conserving, and each one's wait is steal. */
	ck_assert_uint_eq(arch.idle_ns, 0);
	ck_assert_uint_gt(light->vcpus[0]->steal_ns, 0);
	ck_assert_uint_gt(heavy->vcpus[0]->steal_ns, 0);
}
END_TEST

START_TEST(test_cap_limits_an_idle_cpu)
{
	struct domain *d;
	uint64_t start, elapsed;

	cpus_up(1);
	d = domain(0, 1);
	ck_assert(sched_set_quota(d, HV_SCHED_WEIGHT_DEFAULT, 30));
	place(d);
	start = arch.clock;
	run_turns(400);
	elapsed = arch.clock - start;
	/* 30 % of the CPU, the rest idle, though nobody else wants it. */
	assert_ratio(d->vcpus[0]->run_ns, elapsed, 0.30);
	assert_ratio(arch.idle_ns, elapsed, 0.70);
	/*
	 * Always runnable, it either ran or waited for its cap: the guest
	 * sees that wait as steal (as under Xen's caps), all of it.
	 */
	ck_assert_msg(d->vcpus[0]->run_ns + d->vcpus[0]->steal_ns <= elapsed &&
		      d->vcpus[0]->run_ns + d->vcpus[0]->steal_ns >= elapsed - SLICE_NS,
		      "run %lu + steal %lu vs %lu", (unsigned long)d->vcpus[0]->run_ns,
		      (unsigned long)d->vcpus[0]->steal_ns, (unsigned long)elapsed);
}
END_TEST

/* On CPU ME alone, a paused domain (doms[0]) beside a running one. */
static void paused_beside_running(void)
{
	cpus_up(1);
	domain(0, 1)->state = HV_DOMAIN_PAUSED;
	domain(1, 1);
	place(&doms[0]);
	place(&doms[1]);
}

START_TEST(test_paused_domain_never_runs)
{
	struct domain *paused = &doms[0], *running = &doms[1];

	paused_beside_running();
	run_turns(50);
	ck_assert_uint_eq(paused->vcpus[0]->run_ns, 0);
	/* It waits for dom0, not for its CPU: no steal. */
	ck_assert_uint_eq(paused->vcpus[0]->steal_ns, 0);
	ck_assert_uint_eq(running->vcpus[0]->run_ns, 50 * SLICE_NS);
}
END_TEST

START_TEST(test_unpaused_domain_gets_no_burst)
{
	struct domain *paused = &doms[0], *running = &doms[1];

	paused_beside_running();
	run_turns(100);
	/* Unpaused: an even share from now on, not 100 slices of credit. */
	paused->state = HV_DOMAIN_RUNNING;
	running->vcpus[0]->run_ns = 0;
	run_turns(100);
	assert_ratio(paused->vcpus[0]->run_ns, running->vcpus[0]->run_ns, 1.0);
}
END_TEST

START_TEST(test_no_runnable_vcpu_idles)
{
	struct domain *d;

	cpus_up(1);
	d = domain(0, 1);
	d->vcpus[0]->state = VCPU_BLOCKED;
	place(d);
	run_turns(5);
	ck_assert_uint_eq(d->vcpus[0]->run_ns, 0);
	/* It idles on a poll timer, a slice at a time. */
	ck_assert_uint_eq(arch.idle_ns, 5 * SLICE_NS);
}
END_TEST

START_TEST(test_placement_and_affinity)
{
	struct domain *d;
	unsigned int k, on[3] = { 0, 0, 0 };

	cpus_up(2);
	ck_assert_uint_eq(sched_domain_cpus(), 0x6);
	ck_assert(!sched_affinity_valid(0));
	ck_assert(!sched_affinity_valid(0x1));		/* dom0's CPU */
	ck_assert(sched_affinity_valid(0x4));
	d = domain(0, 4);
	place(d);
	/* The least loaded allowed CPU each time: two and two. */
	for (k = 0; k < 4; k++)
		on[d->vcpus[k]->pcpu]++;
	ck_assert_uint_eq(on[0], 0);
	ck_assert_uint_eq(on[1], 2);
	ck_assert_uint_eq(on[2], 2);

	/* Its affinity no longer allows its CPU: that CPU is kicked. */
	for (k = 0; d->vcpus[k]->pcpu != ME; k++)
		;
	sched_set_affinity(d->vcpus[k], 0x4);
	ck_assert_uint_eq(arch.kicks, 1ULL << ME);
	ck_assert_uint_eq(sched_vcpu_cpus(d->vcpus[k]), 0x4);

	/* At the top of its loop, CPU ME moves it to CPU 2 and kicks it. */
	arch.kicks = 0;
	run_turns(1);
	ck_assert_uint_eq(d->vcpus[k]->pcpu, 2);
	ck_assert(arch.kicks & (1ULL << 2));
}
END_TEST

Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_quota_limits);
	tcase_add_test(tc, test_one_vcpu_runs_whole_slices);
	tcase_add_test(tc, test_weights_share_the_cpu);
	tcase_add_test(tc, test_cap_limits_an_idle_cpu);
	tcase_add_test(tc, test_paused_domain_never_runs);
	tcase_add_test(tc, test_unpaused_domain_gets_no_burst);
	tcase_add_test(tc, test_no_runnable_vcpu_idles);
	tcase_add_test(tc, test_placement_and_affinity);
	suite_add_tcase(s, tc);
	return s;
}
