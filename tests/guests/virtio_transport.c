// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtio-pci transport as a driver meets it (hypervisor/common/vpci.c,
 * virtio_pci.c), with no backend behind the device: booted by
 * tests/dom0/hv-virtio-guest, which adds one virtio-blk device (index 0,
 * 2 queues of up to 256, VERSION_1 and BLK_SIZE offered, 12 bytes of
 * configuration whose first 8 are the capacity given on our command line
 * as "capacity=N").
 *
 * In order, as Linux does it: the configuration mechanism #1 probe, the
 * scan of bus 0 (host bridge at 00:00.0, the device at 00:01.0, nothing
 * else), the capability walk, BAR sizing and a move, the device
 * configuration, feature negotiation (a refused set first), a queue set up,
 * an MSI-X entry programmed, an interrupt dom0 raises (HVCALL_DEVICE_CTL,
 * after we print "ready for interrupts") held pending while its entry is
 * masked and delivered when unmasked, 10,000 notifies, VIRTIO_STATUS_DRIVER_OK, a reset;
 * then the hostile forms, each answered without harm.  Every answer is
 * checked.
 *
 * BAR0 (0xfe000000) is mapped at guest_mmio_window (virtual 1 GiB) with a
 * 2 MiB uncached page, which also covers where the test moves it.
 */
#include "lib/guest.h"

#define CFG_ADDR	0xcf8
#define CFG_DATA	0xcfc
#define VIRTIO_SLOT	1

#define NO_VECTOR	VIRTIO_MSI_NO_VECTOR
#define NOTIFIES	10000
#define MSI_VECTOR	0x60		/* queue 0's, MSI-X entry 1 */
#define ENTRY1_CONTROL	(HVP_VIRTIO_MSIX_OFFSET + 16 + 12)
#define MS		1000000ULL

extern uint64_t pml4[];
extern volatile uint8_t guest_mmio_window[];	/* guest.lds: 1 GiB */
static uint64_t pd_1g[512] __attribute__((aligned(4096)));

/* Guest memory for one queue of 16: descriptors, available, used ring. */
static uint8_t ring_mem[3][4096] __attribute__((aligned(4096)));

static uint32_t bar0_offset;	/* BAR0 from the start of the mapped page */

static void map_window(void)
{
	uint64_t *pdpt = (uint64_t *)(pml4[0] & ~0xfffULL);

	pd_1g[0] = HVP_PCI_MMIO_BASE | 0x80 | 0x18 | 0x3;	/* 2 MiB, PCD|PWT */
	pdpt[1] = (uint64_t)pd_1g | 0x3;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
}

/* --- configuration mechanism #1 ------------------------------------------------ */

static void cfg_select(unsigned int slot, unsigned int fn, unsigned int reg)
{
	outl(CFG_ADDR, 0x80000000U | slot << 11 | fn << 8 | (reg & 0xfc));
}

static uint32_t cfg32(unsigned int slot, unsigned int reg)
{
	cfg_select(slot, 0, reg);
	return inl(CFG_DATA);
}

static uint16_t cfg16(unsigned int slot, unsigned int reg)
{
	cfg_select(slot, 0, reg);
	return inw((uint16_t)(CFG_DATA + (reg & 2)));
}

static uint8_t cfg8(unsigned int slot, unsigned int reg)
{
	cfg_select(slot, 0, reg);
	return inb((uint16_t)(CFG_DATA + (reg & 3)));
}

static void cfg_write32(unsigned int slot, unsigned int reg, uint32_t v)
{
	cfg_select(slot, 0, reg);
	outl(CFG_DATA, v);
}

static void cfg_write16(unsigned int slot, unsigned int reg, uint16_t v)
{
	cfg_select(slot, 0, reg);
	outw((uint16_t)(CFG_DATA + (reg & 2)), v);
}

/* --- BAR0 -------------------------------------------------------------------------- */

static volatile uint8_t *bar0(uint32_t off)
{
	return guest_mmio_window + bar0_offset + off;
}

static uint8_t r8(uint32_t off) { return *bar0(off); }
static uint16_t r16(uint32_t off) { return *(volatile uint16_t *)bar0(off); }
static uint32_t r32(uint32_t off) { return *(volatile uint32_t *)bar0(off); }
static void w8(uint32_t off, uint8_t v) { *bar0(off) = v; }
static void w16(uint32_t off, uint16_t v) { *(volatile uint16_t *)bar0(off) = v; }
static void w32(uint32_t off, uint32_t v) { *(volatile uint32_t *)bar0(off) = v; }

static void w64(uint32_t off, uint64_t v)
{
	w32(off, (uint32_t)v);
	w32(off + 4, (uint32_t)(v >> 32));
}

/* --- the steps ------------------------------------------------------------------- */

static void probe(void)
{
	uint32_t old;

	/* Linux's pci_check_type1(). */
	outb(0xcfb, 0x01);
	old = inl(CFG_ADDR);
	outl(CFG_ADDR, 0x80000000U);
	CHECK(inl(CFG_ADDR) == 0x80000000U, "address register reads %x",
	      inl(CFG_ADDR));
	outl(CFG_ADDR, old);
	CHECK(inl(CFG_ADDR) == old, "address register not restored");
}

static void scan(void)
{
	unsigned int slot, fn, found = 0;

	for (slot = 0; slot < 32; slot++)
		for (fn = 0; fn < 8; fn++) {
			uint32_t id;

			cfg_select(slot, fn, 0);
			id = inl(CFG_DATA);
			if (id == 0xffffffffU)
				continue;
			found++;
			CHECK(fn == 0 && slot <= VIRTIO_SLOT,
			      "unexpected function %u.%u: %x", slot, fn, id);
		}
	CHECK(found == 2, "%u functions on bus 0, expected 2", found);
	CHECK(cfg32(0, 0) == 0x00081b36, "host bridge ID %x", cfg32(0, 0));
	CHECK(cfg32(0, 8) >> 8 == 0x060000, "host bridge class %x",
	      cfg32(0, 8) >> 8);
	CHECK(cfg32(VIRTIO_SLOT, 0) == 0x10421af4, "virtio ID %x",
	      cfg32(VIRTIO_SLOT, 0));
	CHECK(cfg8(VIRTIO_SLOT, 8) >= 1, "revision %u", cfg8(VIRTIO_SLOT, 8));
	CHECK(cfg16(VIRTIO_SLOT, 2) == 0x1042, "16-bit read %x",
	      cfg16(VIRTIO_SLOT, 2));
	CHECK(cfg8(VIRTIO_SLOT, 0x3d) == 0, "interrupt pin %u",
	      cfg8(VIRTIO_SLOT, 0x3d));
	CHECK(cfg16(VIRTIO_SLOT, 6) & 0x10, "no capability list");
	/* Bus 1 is empty. */
	outl(CFG_ADDR, 0x80010000U);
	CHECK(inl(CFG_DATA) == 0xffffffffU, "bus 1 answers");
}

struct caps {
	unsigned int common, notify, isr, device, msix;
};

static struct caps walk(void)
{
	struct caps c = { 0, 0, 0, 0, 0 };
	unsigned int pos = cfg8(VIRTIO_SLOT, 0x34), ttl = 48;

	while (pos && ttl--) {
		uint8_t id = cfg8(VIRTIO_SLOT, pos);

		CHECK(pos >= 0x40 && pos % 4 == 0, "capability at %x", pos);
		if (id == 0x11) {
			c.msix = pos;
		} else {
			uint8_t type = cfg8(VIRTIO_SLOT, pos + 3);

			CHECK(id == 0x09, "capability ID %x", id);
			if (type == 1)
				c.common = pos;
			else if (type == 2)
				c.notify = pos;
			else if (type == 3)
				c.isr = pos;
			else if (type == 4)
				c.device = pos;
			else
				test_fail("virtio capability type %u", type);
		}
		pos = cfg8(VIRTIO_SLOT, pos + 1);
	}
	CHECK(ttl > 0, "capability list loops");
	CHECK(c.common && c.notify && c.isr && c.device && c.msix,
	      "capabilities missing: %x %x %x %x %x", c.common, c.notify,
	      c.isr, c.device, c.msix);
	CHECK(cfg8(VIRTIO_SLOT, c.common + 4) == 0 &&
	      cfg32(VIRTIO_SLOT, c.common + 8) == HVP_VIRTIO_COMMON_OFFSET &&
	      cfg32(VIRTIO_SLOT, c.common + 12) >= 0x38, "common capability");
	CHECK(cfg8(VIRTIO_SLOT, c.notify + 4) == 2 &&
	      cfg32(VIRTIO_SLOT, c.notify + 16) == HVP_VIRTIO_NOTIFY_MULTIPLIER,
	      "notify capability");
	CHECK(cfg32(VIRTIO_SLOT, c.isr + 8) == HVP_VIRTIO_ISR_OFFSET,
	      "ISR capability");
	CHECK(cfg32(VIRTIO_SLOT, c.device + 8) == HVP_VIRTIO_DEVICE_OFFSET &&
	      cfg32(VIRTIO_SLOT, c.device + 12) == 12, "device capability");
	CHECK(cfg16(VIRTIO_SLOT, c.msix + 2) == 2 &&
	      cfg32(VIRTIO_SLOT, c.msix + 4) == HVP_VIRTIO_MSIX_OFFSET &&
	      cfg32(VIRTIO_SLOT, c.msix + 8) == HVP_VIRTIO_PBA_OFFSET,
	      "MSI-X capability: control %x", cfg16(VIRTIO_SLOT, c.msix + 2));
	return c;
}

static uint32_t bar_size(unsigned int reg, uint32_t mask)
{
	uint32_t old = cfg32(VIRTIO_SLOT, reg), sized;

	cfg_write32(VIRTIO_SLOT, reg, 0xffffffffU);
	sized = cfg32(VIRTIO_SLOT, reg) & mask;
	cfg_write32(VIRTIO_SLOT, reg, old);
	CHECK(cfg32(VIRTIO_SLOT, reg) == old, "BAR %x not restored", reg);
	return sized & ~(sized - 1);
}

static void bars(void)
{
	uint32_t base0 = cfg32(VIRTIO_SLOT, 0x10);

	CHECK(base0 == HVP_PCI_MMIO_BASE, "BAR0 at %x", base0);
	CHECK((cfg32(VIRTIO_SLOT, 0x18) & 0xffff) == (HVP_PCI_IO_BASE | 1),
	      "BAR2 %x", cfg32(VIRTIO_SLOT, 0x18));
	CHECK(bar_size(0x10, ~0xfU) == HVP_VIRTIO_BAR0_SIZE, "BAR0 size");
	CHECK(bar_size(0x18, 0xfffc) == HVP_VIRTIO_BAR2_SIZE, "BAR2 size");
	CHECK(bar_size(0x14, ~0U) == 0, "BAR1 implemented");
	CHECK(r16(HVP_VIRTIO_CC_NUM_QUEUES) == 2, "num_queues %u", r16(HVP_VIRTIO_CC_NUM_QUEUES));

	/* Moved by 1 MiB: the old place reads all-ones, the new one answers. */
	cfg_write32(VIRTIO_SLOT, 0x10, base0 + 0x100000);
	CHECK(r16(HVP_VIRTIO_CC_NUM_QUEUES) == 0xffff, "old BAR0 place still answers");
	bar0_offset = 0x100000;
	CHECK(r16(HVP_VIRTIO_CC_NUM_QUEUES) == 2, "moved BAR0 does not answer");
	cfg_write32(VIRTIO_SLOT, 0x10, base0);
	bar0_offset = 0;
	CHECK(r16(HVP_VIRTIO_CC_NUM_QUEUES) == 2, "BAR0 back home does not answer");

	/* Memory decoding off and on. */
	cfg_write16(VIRTIO_SLOT, 4, 0x1);
	CHECK(r32(HVP_VIRTIO_CC_DEVICE_FEATURE) == 0xffffffffU, "BAR0 decodes while off");
	cfg_write16(VIRTIO_SLOT, 4, 0x7);
	CHECK(cfg16(VIRTIO_SLOT, 4) == 0x7, "command %x", cfg16(VIRTIO_SLOT, 4));
}

static uint64_t device_config(uint64_t capacity)
{
	uint64_t lo = r32(HVP_VIRTIO_DEVICE_OFFSET);
	uint64_t got = lo | (uint64_t)r32(HVP_VIRTIO_DEVICE_OFFSET + 4) << 32;

	CHECK(got == capacity, "capacity %lx, expected %lx", got, capacity);
	CHECK(r8(HVP_VIRTIO_DEVICE_OFFSET) == (uint8_t)capacity, "byte read");
	w32(HVP_VIRTIO_DEVICE_OFFSET, 0);
	CHECK(r32(HVP_VIRTIO_DEVICE_OFFSET) == (uint32_t)capacity,
	      "device configuration written");
	CHECK(r32(HVP_VIRTIO_DEVICE_OFFSET + 12) == 0xffffffffU,
	      "read beyond the configuration");
	return got;
}

static uint8_t negotiate(uint64_t accept)
{
	w8(HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	w8(HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	w32(HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 0);
	w32(HVP_VIRTIO_CC_DRIVER_FEATURE, (uint32_t)accept);
	w32(HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 1);
	w32(HVP_VIRTIO_CC_DRIVER_FEATURE, (uint32_t)(accept >> 32));
	w8(HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	return r8(HVP_VIRTIO_CC_DEVICE_STATUS);
}

static void features(void)
{
	uint64_t offered;

	w32(HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 0);
	offered = r32(HVP_VIRTIO_CC_DEVICE_FEATURE);
	w32(HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 1);
	offered |= (uint64_t)r32(HVP_VIRTIO_CC_DEVICE_FEATURE) << 32;
	CHECK(offered == ((1ULL << 32) | (1ULL << 6)), "features %lx", offered);

	/* A feature not offered: refused. */
	CHECK(negotiate(offered | (1ULL << 9)) == (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER),
	      "VIRTIO_STATUS_FEATURES_OK kept with a feature not offered");
	w8(HVP_VIRTIO_CC_DEVICE_STATUS, 0);
	CHECK(r8(HVP_VIRTIO_CC_DEVICE_STATUS) == 0, "reset without a backend is not at once");
	/* No VERSION_1: refused. */
	CHECK(negotiate(1ULL << 6) == (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER), "legacy driver accepted");
	w8(HVP_VIRTIO_CC_DEVICE_STATUS, 0);
	CHECK(negotiate(offered) == (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK),
	      "VIRTIO_STATUS_FEATURES_OK refused");
}

static void queue(struct caps c)
{
	uint16_t size;

	w16(HVP_VIRTIO_CC_QUEUE_SELECT, 0);
	size = r16(HVP_VIRTIO_CC_QUEUE_SIZE);
	CHECK(size == 256, "queue 0 size %u", size);
	w16(HVP_VIRTIO_CC_QUEUE_SIZE, 16);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_SIZE) == 16, "queue size not taken");
	w64(HVP_VIRTIO_CC_QUEUE_DESC, (uint64_t)ring_mem[0]);
	w64(HVP_VIRTIO_CC_QUEUE_DRIVER, (uint64_t)ring_mem[1]);
	w64(HVP_VIRTIO_CC_QUEUE_DEVICE, (uint64_t)ring_mem[2]);
	CHECK(r32(HVP_VIRTIO_CC_QUEUE_DESC) == (uint32_t)(uint64_t)ring_mem[0] &&
	      r32(HVP_VIRTIO_CC_QUEUE_DESC + 4) == 0, "queue_desc reads back %x",
	      r32(HVP_VIRTIO_CC_QUEUE_DESC));

	/* MSI-X: enable, program entry 1 for queue 0 (vector 0x60, vCPU 0). */
	cfg_write16(VIRTIO_SLOT, c.msix + 2, 0x8000);
	CHECK(cfg16(VIRTIO_SLOT, c.msix + 2) == 0x8002, "MSI-X control %x",
	      cfg16(VIRTIO_SLOT, c.msix + 2));
	CHECK(r32(HVP_VIRTIO_MSIX_OFFSET + 16 + 12) == 1, "entry not masked");
	w32(HVP_VIRTIO_MSIX_OFFSET + 16, 0xfee00000U);
	w32(HVP_VIRTIO_MSIX_OFFSET + 16 + 4, 0);
	w32(HVP_VIRTIO_MSIX_OFFSET + 16 + 8, 0x60);
	w32(HVP_VIRTIO_MSIX_OFFSET + 16 + 12, 0);
	CHECK(r32(HVP_VIRTIO_MSIX_OFFSET + 16 + 8) == 0x60 &&
	      r32(HVP_VIRTIO_MSIX_OFFSET + 16 + 12) == 0, "MSI-X entry");
	CHECK(r32(HVP_VIRTIO_PBA_OFFSET) == 0, "PBA %x", r32(HVP_VIRTIO_PBA_OFFSET));
	w16(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 1);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR) == 1, "queue vector refused");
	w16(HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR, 0);
	CHECK(r16(HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR) == 0, "config vector refused");

	w16(HVP_VIRTIO_CC_QUEUE_ENABLE, 1);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_ENABLE) == 1, "queue not enabled");
	/* An enabled queue's set-up is fixed. */
	w16(HVP_VIRTIO_CC_QUEUE_SIZE, 32);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_SIZE) == 16, "enabled queue resized");
}

static volatile unsigned int msis_taken;

void guest_interrupt(unsigned int vector)
{
	CHECK(vector == MSI_VECTOR, "unexpected interrupt, vector %u", vector);
	msis_taken++;
}

static void interrupts(void)
{
	uint64_t start;

	CHECK(kvmclock_enable(), "kvmclock refused");
	wrmsr_safe(X2APIC_SVR, 0x1ff);
	/* Entry 1 masked: dom0's interrupt must wait in the PBA. */
	w32(ENTRY1_CONTROL, 1);
	printk("ready for interrupts\n");
	start = kvmclock_ns();
	while (!(r32(HVP_VIRTIO_PBA_OFFSET) & 2)) {
		uint64_t t = kvmclock_ns();

		CHECK(t - start < 180000 * MS, "no interrupt from dom0 in 180 s");
		while (kvmclock_ns() - t < 10 * MS)
			__asm__ volatile("pause");
	}
	CHECK(msis_taken == 0, "a masked entry's message was delivered");
	CHECK(r8(HVP_VIRTIO_ISR_OFFSET) == 1, "ISR does not say queue");
	/* Unmasking sends it; taken once interrupts are on. */
	w32(ENTRY1_CONTROL, 0);
	CHECK(r32(HVP_VIRTIO_PBA_OFFSET) == 0, "pending after unmask: %x",
	      r32(HVP_VIRTIO_PBA_OFFSET));
	start = kvmclock_ns();
	while (!msis_taken) {
		__asm__ volatile("sti; hlt; cli");
		CHECK(kvmclock_ns() - start < 5000 * MS, "MSI not delivered in 5 s");
	}
	CHECK(msis_taken == 1, "%u interrupts for one message", msis_taken);
	printk("MSI-X interrupt taken\n");
}

static void notify(void)
{
	uint16_t port = (uint16_t)((cfg32(VIRTIO_SLOT, 0x18) & ~3U) +
				   0 * HVP_VIRTIO_NOTIFY_MULTIPLIER);
	unsigned int i;

	w16(HVP_VIRTIO_CC_QUEUE_SELECT, 0);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF) == 0, "notify_off %u", r16(HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF));
	for (i = 0; i < NOTIFIES; i++)
		outw(port, 0);
	/* Other widths are taken too, and a notify never blocks. */
	outb(port, 0);
	outl(port, 0);
	printk("%u notifies done\n", NOTIFIES);
}

static void driver_ok_and_reset(void)
{
	w8(HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK(r8(HVP_VIRTIO_CC_DEVICE_STATUS) == 0xf, "VIRTIO_STATUS_DRIVER_OK: status %x", r8(HVP_VIRTIO_CC_DEVICE_STATUS));
	w8(HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	CHECK(r8(HVP_VIRTIO_CC_DEVICE_STATUS) == 0xf, "status bits cleared without reset");
	/* With no backend bound, a reset is done at once. */
	w8(HVP_VIRTIO_CC_DEVICE_STATUS, 0);
	CHECK(r8(HVP_VIRTIO_CC_DEVICE_STATUS) == 0, "status %x after reset", r8(HVP_VIRTIO_CC_DEVICE_STATUS));
	w16(HVP_VIRTIO_CC_QUEUE_SELECT, 0);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_ENABLE) == 0 && r16(HVP_VIRTIO_CC_QUEUE_SIZE) == 256 &&
	      r32(HVP_VIRTIO_CC_QUEUE_DESC) == 0, "queue survived the reset");
	CHECK(r16(HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR) == NO_VECTOR, "config vector survived");
}

static void hostile(void)
{
	negotiate((1ULL << 32) | (1ULL << 6));

	/* No such queue: size 0, writes change nothing. */
	w16(HVP_VIRTIO_CC_QUEUE_SELECT, 7);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_SIZE) == 0, "queue 7 size %u", r16(HVP_VIRTIO_CC_QUEUE_SIZE));
	w16(HVP_VIRTIO_CC_QUEUE_SIZE, 16);
	w16(HVP_VIRTIO_CC_QUEUE_ENABLE, 1);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_SIZE) == 0 && r16(HVP_VIRTIO_CC_QUEUE_ENABLE) == 0, "queue 7 took writes");
	w16(HVP_VIRTIO_CC_QUEUE_SELECT, 0xffff);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_SIZE) == 0, "queue 0xffff size");

	/* Sizes: not a power of two, too big. */
	w16(HVP_VIRTIO_CC_QUEUE_SELECT, 1);
	w16(HVP_VIRTIO_CC_QUEUE_SIZE, 100);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_SIZE) == 256, "size 100 taken");
	w16(HVP_VIRTIO_CC_QUEUE_SIZE, 512);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_SIZE) == 256, "size 512 taken");

	/* Read-only registers. */
	w16(HVP_VIRTIO_CC_NUM_QUEUES, 9);
	CHECK(r16(HVP_VIRTIO_CC_NUM_QUEUES) == 2, "num_queues written");
	w32(HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 0);
	w32(HVP_VIRTIO_CC_DEVICE_FEATURE, 0);
	CHECK(r32(HVP_VIRTIO_CC_DEVICE_FEATURE) == (1U << 6), "device_feature written");
	w16(HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF, 3);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF) == 1, "queue_notify_off written");

	/* Bad widths and registers crossed: all-ones, no change. */
	CHECK(r16(HVP_VIRTIO_CC_DEVICE_FEATURE) == 0xffff, "16-bit device_feature read");
	CHECK(r32(HVP_VIRTIO_CC_NUM_QUEUES) == 0xffffffffU, "32-bit num_queues read");
	CHECK(r32(HVP_VIRTIO_CC_DEVICE_FEATURE + 2) == 0xffffffffU, "crossing read");
	w32(HVP_VIRTIO_CC_QUEUE_SELECT, 0);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_SELECT) == 1, "32-bit queue_select write taken");
	w16(HVP_VIRTIO_CC_DEVICE_STATUS, 0);
	CHECK(r8(HVP_VIRTIO_CC_DEVICE_STATUS) == (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK),
	      "16-bit status write taken");

	/* Enable before the addresses: refused. */
	w16(HVP_VIRTIO_CC_QUEUE_ENABLE, 1);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_ENABLE) == 0, "queue enabled without addresses");
	/* Addresses outside RAM are the backend's to judge. */
	w64(HVP_VIRTIO_CC_QUEUE_DESC, 0x7fff00000000ULL);
	w64(HVP_VIRTIO_CC_QUEUE_DRIVER, 0x7fff00001000ULL);
	w64(HVP_VIRTIO_CC_QUEUE_DEVICE, 0x7fff00002000ULL);
	w16(HVP_VIRTIO_CC_QUEUE_ENABLE, 1);
	CHECK(r16(HVP_VIRTIO_CC_QUEUE_ENABLE) == 1, "queue with far addresses refused");

	/* The ISR and PBA are read-only. */
	w8(HVP_VIRTIO_ISR_OFFSET, 0xff);
	CHECK(r8(HVP_VIRTIO_ISR_OFFSET) == 0, "ISR written");
	w32(HVP_VIRTIO_PBA_OFFSET, 0xff);
	CHECK(r32(HVP_VIRTIO_PBA_OFFSET) == 0, "PBA written");
	/* MSI-X entries beyond the table. */
	CHECK(r32(HVP_VIRTIO_MSIX_OFFSET + 16 * 3) == 0xffffffffU,
	      "MSI-X entry 3 exists");

	/* Notify of no queue, an odd port: completed, nothing else. */
	outw((uint16_t)(HVP_PCI_IO_BASE + 2 * HVP_VIRTIO_NOTIFY_MULTIPLIER), 0);
	outw((uint16_t)(HVP_PCI_IO_BASE + 1), 0);

	/* Configuration space: crossing the data dword, unknown functions. */
	cfg_select(VIRTIO_SLOT, 0, 0);
	CHECK(inl(CFG_DATA + 2) == 0xffffffffU, "crossing config read");
	CHECK(cfg32(5, 0) == 0xffffffffU, "slot 5 answers");
	cfg_write32(5, 0x10, 0);
	cfg_write32(VIRTIO_SLOT, 0, 0);
	CHECK(cfg32(VIRTIO_SLOT, 0) == 0x10421af4, "ID written");

	/* The empty window reads all-ones and takes writes harmlessly. */
	bar0_offset = 0x10000;
	w32(0, 0x12345678);
	CHECK(r32(0) == 0xffffffffU, "empty window answers");
	bar0_offset = 0;

	w8(HVP_VIRTIO_CC_DEVICE_STATUS, 0);
	CHECK(r8(HVP_VIRTIO_CC_DEVICE_STATUS) == 0, "final reset");
}

static uint64_t parse_capacity(const struct hvm_start_info *si)
{
	const char *s = (const char *)si->cmdline_paddr;
	uint64_t v = 0;

	if (!s)
		return 0;
	for (; *s; s++)
		if (s[0] == 'c' && !__builtin_memcmp(s, "capacity=", 9)) {
			for (s += 9; *s >= '0' && *s <= '9'; s++)
				v = v * 10 + (uint64_t)(*s - '0');
			break;
		}
	return v;
}

void test_main(const struct hvm_start_info *si)
{
	uint64_t capacity = parse_capacity(si);
	struct caps c;

	CHECK(capacity, "no capacity= on the command line");
	map_window();
	probe();
	scan();
	c = walk();
	bars();
	printk("virtio-blk capacity %lu sectors\n", device_config(capacity));
	features();
	queue(c);
	interrupts();
	notify();
	driver_ok_and_reset();
	hostile();
}
