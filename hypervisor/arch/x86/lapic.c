// SPDX-License-Identifier: GPL-2.0-only
/*
 * Local APIC, xAPIC mode (see asm/lapic.h).
 *
 * The register page is at the address IA32_APIC_BASE names (0xfee00000
 * unless firmware moved it), inside the 1:1 map; paging_init() maps it
 * uncacheable.
 */
#include <asm/asm.h>
#include <hv/console.h>
#include <asm/lapic.h>
#include <hv/muldiv.h>
#include <hv/percpu.h>
#include <hv/time.h>
#include <asm/time.h>
#include <asm/x86.h>

#define TIMER_DIV_1	0xb

static volatile uint32_t *regs;
uint32_t lapic_timer_khz;

static uint32_t lapic_read(unsigned int reg)
{
	return regs[reg / 4];
}

static void lapic_write(unsigned int reg, uint32_t v)
{
	regs[reg / 4] = v;
}

bool lapic_ready(void)
{
	return regs != NULL;
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_REG_ID) >> 24;
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	/* Hardware-enable in xAPIC mode if firmware left it off. */
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	regs = (volatile uint32_t *)(uintptr_t)(base & ~0xfffULL & 0xffffffffffULL);

	lapic_write(LAPIC_REG_TPR, 0);
	lapic_write(LAPIC_REG_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_REG_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_REG_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_REG_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_REG_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
	/* The error status register wants a write before each read. */
	lapic_write(LAPIC_REG_ESR, 0);
	lapic_write(LAPIC_REG_ESR, 0);
	lapic_eoi();
}

static void sample_timer(void *arg, bool end)
{
	uint32_t *count = arg;

	if (!end) {
		lapic_write(LAPIC_REG_TIMER_DIV, TIMER_DIV_1);
		lapic_write(LAPIC_REG_LVT_TIMER, LVT_MASKED);	/* one-shot, no IRQ */
		lapic_write(LAPIC_REG_TIMER_INIT, 0xffffffff);
	}
	count[end] = lapic_read(LAPIC_REG_TIMER_CUR);
}

void lapic_calibrate(void)
{
	uint32_t count[2];
	const unsigned int ms = 50;

	if (!pit_measure(ms, sample_timer, count) || count[0] == count[1]) {
		lapic_timer_khz = 100000;	/* a guess, logged */
		printk("lapic: timer not calibrated; assuming 100 MHz\n");
	} else {
		lapic_timer_khz = (count[0] - count[1]) / ms;
	}
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	printk("lapic: xAPIC at 0x%lx, version 0x%x, timer %u.%03u MHz\n",
	       (uint64_t)(uintptr_t)regs, lapic_read(LAPIC_REG_VERSION) & 0xff,
	       lapic_timer_khz / 1000, lapic_timer_khz % 1000);
}

void lapic_timer_start_periodic(unsigned int hz)
{
	uint64_t count = (uint64_t)lapic_timer_khz * 1000 / hz;

	lapic_write(LAPIC_REG_TIMER_DIV, TIMER_DIV_1);
	lapic_write(LAPIC_REG_LVT_TIMER, LVT_PERIODIC | VECTOR_TIMER);
	lapic_write(LAPIC_REG_TIMER_INIT, count > 0xffffffff ? 0xffffffff :
		    (uint32_t)(count ? count : 1));
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_REG_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
}

void lapic_timer_oneshot(uint64_t tsc_ticks)
{
	uint64_t count = muldiv64(tsc_ticks, lapic_timer_khz, tsc_khz ? tsc_khz : 1);

	lapic_write(LAPIC_REG_TIMER_DIV, TIMER_DIV_1);
	lapic_write(LAPIC_REG_LVT_TIMER, VECTOR_TIMER);	/* one-shot */
	lapic_write(LAPIC_REG_TIMER_INIT, count > 0xffffffff ? 0xffffffff :
		    count ? (uint32_t)count : 1);
}

uint32_t lapic_read_reg(unsigned int offset)
{
	return lapic_read(offset & 0xff0);
}

void lapic_write_reg(unsigned int offset, uint32_t value)
{
	lapic_write(offset & 0xff0, value);
}

void lapic_timer_interrupt(void)
{
	this_cpu()->arch.timer_ticks++;
	this_cpu()->need_resched = true;
	/* Fired: nothing is armed now, whatever the TSC says (see arm_timer). */
	this_cpu()->timer_deadline = 0;
	lapic_eoi();
	console_tick();		/* our lines held for dom0's may be due */
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_REG_EOI, 0);
}

static void wait_icr_idle(void)
{
	for (unsigned int spins = 0; spins < 1000000; spins++) {
		if (!(lapic_read(LAPIC_REG_ICR_LOW) & ICR_PENDING))
			return;
		arch_cpu_relax();
	}
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	wait_icr_idle();
	lapic_write(LAPIC_REG_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_REG_ICR_LOW, icr_low);
	wait_icr_idle();
}
