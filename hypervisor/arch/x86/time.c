// SPDX-License-Identifier: GPL-2.0-only
/*
 * TSC calibration against PIT channel 2, and delays.
 *
 * PIT channel 2 is the one whose gate software controls (port 0x61) and
 * whose output it can read back, so it can time an interval without
 * interrupts.  The hypervisor touches the PIT only here, at boot; the device
 * itself belongs to dom0 afterwards.
 */
#include <public/hvabi.h>
#include <hv/console.h>
#include <hv/spinlock.h>
#include <hv/time.h>
#include <asm/time.h>
#include <asm/x86.h>

#define PIT_HZ		1193182
#define PIT_CH2_DATA	0x42
#define PIT_MODE	0x43
#define PORT_B		0x61	/* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 out */

#define PIT_CH2_MODE0_LOHI 0xb0	/* channel 2, lobyte/hibyte, mode 0, binary */

uint64_t tsc_khz;
static uint64_t pit_tsc_khz;	/* the boot calibration, the yardstick */

/* dom0's wall clock at one of its TSC readings; wall_ns 0 = not known. */
static struct spinlock wall_lock = SPINLOCK_INIT;
static uint64_t wall_ns, wall_tsc;

bool pit_measure(unsigned int ms, void (*fn)(void *arg, bool end), void *arg)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_HZ * ms / 1000);
	uint64_t spins;
	uint8_t b;

	if (count == 0 || count > 0xffff)
		return false;

	/* Gate low, speaker off, then load the count in mode 0. */
	b = inb(PORT_B) & ~0x03;
	outb(PORT_B, b);
	outb(PIT_MODE, PIT_CH2_MODE0_LOHI);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);

	/* Raising the gate starts counting; OUT2 goes high at zero. */
	fn(arg, false);
	outb(PORT_B, b | 0x01);
	for (spins = 0; !(inb(PORT_B) & 0x20); spins++)
		if (spins > 100000000ULL)
			return false;
	fn(arg, true);
	outb(PORT_B, b);
	return true;
}

static void sample_tsc(void *arg, bool end)
{
	uint64_t *tsc = arg;

	tsc[end] = rdtsc();
}

void time_calibrate(void)
{
	uint64_t tsc[2];
	const unsigned int ms = 50;

	if (!pit_measure(ms, sample_tsc, tsc)) {
		/* Without a PIT we still need delays: assume 2 GHz, log it. */
		tsc_khz = pit_tsc_khz = 2000000;
		printk("time: no PIT answered; assuming TSC at %lu kHz\n",
		       tsc_khz);
		return;
	}
	tsc_khz = (tsc[1] - tsc[0]) / ms;
	if (tsc_khz == 0)
		tsc_khz = 1;
	pit_tsc_khz = tsc_khz;
	printk("time: TSC %lu.%03lu MHz (calibrated against the PIT)\n",
	       tsc_khz / 1000, tsc_khz % 1000);
}

void udelay(uint64_t us)
{
	uint64_t start = rdtsc(), ticks = us * tsc_khz / 1000;

	while (rdtsc() - start < ticks)
		arch_cpu_relax();
}

uint64_t tsc_to_ns(uint64_t tsc)
{
	/* Split to avoid overflow for large tsc: (q*k + r) * 1e6 / khz. */
	return tsc / tsc_khz * 1000000 + tsc % tsc_khz * 1000000 / tsc_khz;
}

int64_t time_set(uint64_t khz, uint64_t tsc, uint64_t new_wall_ns)
{
	if (khz && (khz < pit_tsc_khz - pit_tsc_khz / 20 ||
		    khz > pit_tsc_khz + pit_tsc_khz / 20))
		return -HV_EINVAL;
	if (khz && khz != tsc_khz) {
		/* dom0 resends it every minute; say so when it moves 10 ppm. */
		if (khz > tsc_khz + tsc_khz / 100000 ||
		    khz < tsc_khz - tsc_khz / 100000)
			printk("time: TSC %lu.%03lu MHz, as dom0's clock measures it\n",
			       khz / 1000, khz % 1000);
		/* One aligned store: readers see the old rate or the new. */
		__atomic_store_n(&tsc_khz, khz, __ATOMIC_RELEASE);
	}
	if (new_wall_ns) {
		spin_lock(&wall_lock);
		wall_ns = new_wall_ns;
		wall_tsc = tsc;
		spin_unlock(&wall_lock);
	}
	return 0;
}

uint64_t time_wall_ns_at(uint64_t tsc)
{
	uint64_t ns;

	spin_lock(&wall_lock);
	if (!wall_ns)
		ns = 0;
	else if (tsc >= wall_tsc)
		ns = wall_ns + tsc_to_ns(tsc - wall_tsc);
	else
		ns = wall_ns - MIN(wall_ns, tsc_to_ns(wall_tsc - tsc));
	spin_unlock(&wall_lock);
	return ns;
}
