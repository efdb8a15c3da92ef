// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile driver against a real virtio-blk backend (hv-backend in dom0,
 * docs/virtio.md), booted by `hvctl create NAME MEM 1 virtio_blk_hostile.elf
 * --disk FILE` where FILE's sector 0 starts with "HOSTILEDISK".
 *
 * It sets the device up as a driver does (one queue of 16, MSI-X entry 0
 * for configuration changes, entry 1 for the queue), checks that a good
 * read returns the file's pattern, then sends each malformed form and
 * checks what the device did:
 *  - request-level faults (a header too short, a sector beyond the
 *    capacity, a status byte the device may only read) are answered: the
 *    chain comes back used, with IOERR where there is a status byte to
 *    write, and the queue goes on serving;
 *  - ring-level faults (a buffer outside RAM, a looping chain, a chain
 *    longer than the queue, a 4 GiB length, an indirect table outside RAM
 *    or of a bad length, more segments than the device takes) are never
 *    answered: the device sets DEVICE_NEEDS_RESET and raises its
 *    configuration interrupt; we reset, set up again and a good read works.
 * Then 200 ring faults in a row (each reset), 100,000 notifies with
 * nothing available, a good read after each,
 * and last a queue broken and never reset: we print "holding a broken
 * queue" and wait HOLD_S seconds before we end, so that the system test
 * can look at the backend meanwhile (tests/system/test_virtio_hostile.py).
 */
#include "lib/guest.h"
#include "lib/virtio_pci.h"

#define DEV		0		/* device index: PCI 00:01.0 */
#define SLOT		1
#define QSIZE		16
#define CONFIG_VECTOR	0x61		/* MSI-X entry 0 */
#define QUEUE_VECTOR	0x60		/* MSI-X entry 1 */
#define NOTIFIES	100000
#define FAULT_STORM	200
#define HOLD_S		60
#define MS		1000000UL
#define FAR_AWAY	0x7fff00000000ULL	/* no guest has RAM there */

#define F_VERSION_1	(1ULL << 32)
#define F_INDIRECT	(1ULL << 28)

/* virtio 1.2, 2.7.5 and 5.2.6 */
#define D_NEXT		1
#define D_WRITE		2
#define D_INDIRECT	4
#define T_IN		0
#define S_OK		0
#define S_IOERR		1
#define STATUS_UNTOUCHED 0xaa

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct avail {
	uint16_t flags, idx, ring[QSIZE], used_event;
};

struct used {
	uint16_t flags, idx;
	struct { uint32_t id, len; } ring[QSIZE];
	uint16_t avail_event;
};

struct blk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

static uint64_t pd_1g[512] __attribute__((aligned(4096)));
static struct desc descs[QSIZE] __attribute__((aligned(4096)));
static struct avail avail __attribute__((aligned(4096)));
static struct used used __attribute__((aligned(4096)));
/* 300 descriptors: an indirect table longer than any chain may be. */
static struct desc table[300] __attribute__((aligned(16)));
static struct blk_hdr hdr;
static uint8_t data[512];
static volatile uint8_t status;

static uint16_t avail_idx, used_seen;	/* the driver's copies */
static uint16_t notify_port;
static volatile unsigned int config_irqs, queue_irqs;

void guest_interrupt(unsigned int vector)
{
	if (vector == CONFIG_VECTOR)
		config_irqs++;
	else if (vector == QUEUE_VECTOR)
		queue_irqs++;
	else
		test_fail("unexpected interrupt, vector %u", vector);
}

/* Lets pending interrupts in, briefly. */
static void take_interrupts(void)
{
	__asm__ volatile("sti; nop; nop; cli" : : : "memory");
}

/* --- set-up as a driver does it ------------------------------------------- */

static void setup(void)
{
	uint64_t offered, accept;

	virtio_w8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_w8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_w32(DEV, HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 0);
	offered = virtio_r32(DEV, HVP_VIRTIO_CC_DEVICE_FEATURE);
	virtio_w32(DEV, HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 1);
	offered |= (uint64_t)virtio_r32(DEV, HVP_VIRTIO_CC_DEVICE_FEATURE) << 32;
	CHECK((offered & (F_VERSION_1 | F_INDIRECT)) == (F_VERSION_1 | F_INDIRECT),
	      "features offered %lx", offered);
	/* No EVENT_IDX: every completion interrupts, every notify counts. */
	accept = F_VERSION_1 | F_INDIRECT;
	virtio_w32(DEV, HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 0);
	virtio_w32(DEV, HVP_VIRTIO_CC_DRIVER_FEATURE, (uint32_t)accept);
	virtio_w32(DEV, HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 1);
	virtio_w32(DEV, HVP_VIRTIO_CC_DRIVER_FEATURE, (uint32_t)(accept >> 32));
	virtio_w8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) & VIRTIO_STATUS_FEATURES_OK,
	      "FEATURES_OK refused");

	__builtin_memset(descs, 0, sizeof(descs));
	__builtin_memset(&avail, 0, sizeof(avail));
	__builtin_memset(&used, 0, sizeof(used));
	avail_idx = used_seen = 0;

	virtio_msix_entry(DEV, 0, CONFIG_VECTOR);
	virtio_msix_entry(DEV, 1, QUEUE_VECTOR);
	virtio_w16(DEV, HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR, 0);
	CHECK(virtio_r16(DEV, HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR) == 0,
	      "config vector refused");
	virtio_w16(DEV, HVP_VIRTIO_CC_QUEUE_SELECT, 0);
	virtio_w16(DEV, HVP_VIRTIO_CC_QUEUE_SIZE, QSIZE);
	virtio_w16(DEV, HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 1);
	virtio_w64(DEV, HVP_VIRTIO_CC_QUEUE_DESC, (uint64_t)descs);
	virtio_w64(DEV, HVP_VIRTIO_CC_QUEUE_DRIVER, (uint64_t)&avail);
	virtio_w64(DEV, HVP_VIRTIO_CC_QUEUE_DEVICE, (uint64_t)&used);
	virtio_w16(DEV, HVP_VIRTIO_CC_QUEUE_ENABLE, 1);
	CHECK(virtio_r16(DEV, HVP_VIRTIO_CC_QUEUE_ENABLE) == 1, "queue not enabled");
	notify_port = (uint16_t)((vpci_read32(SLOT, 0x18) & ~3U) +
				 virtio_r16(DEV, HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF) *
				 HVP_VIRTIO_NOTIFY_MULTIPLIER);
	virtio_w8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK(virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) == 0xf, "DRIVER_OK: status %x",
	      virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS));
}

/* A reset, as a driver does it: write 0, wait until it reads 0. */
static void reset(void)
{
	uint64_t start = kvmclock_ns();

	virtio_w8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS, 0);
	while (virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) != 0) {
		CHECK(kvmclock_ns() - start < 30000 * MS,
		      "reset not done in 30 s: status %x",
		      virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS));
		__asm__ volatile("pause");
	}
}

/* --- requests ---------------------------------------------------------------- */

enum outcome { ANSWERED, NEEDS_RESET };

/* Makes chain head available, notifies, and waits for the device's answer:
 * the chain used (its used length in *len) or DEVICE_NEEDS_RESET. */
static enum outcome submit(uint16_t head, uint32_t *len)
{
	uint64_t start = kvmclock_ns();

	status = STATUS_UNTOUCHED;
	avail.ring[avail_idx % QSIZE] = head;
	__atomic_store_n(&avail.idx, ++avail_idx, __ATOMIC_RELEASE);
	outw(notify_port, 0);
	for (;;) {
		take_interrupts();
		if (__atomic_load_n(&used.idx, __ATOMIC_ACQUIRE) != used_seen) {
			uint16_t slot = used_seen++ % QSIZE;

			CHECK(used.idx == used_seen, "used idx %u, expected %u",
			      used.idx, used_seen);
			CHECK(used.ring[slot].id == head, "used id %u for head %u",
			      used.ring[slot].id, head);
			*len = used.ring[slot].len;
			return ANSWERED;
		}
		if (virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) & VIRTIO_STATUS_NEEDS_RESET)
			return NEEDS_RESET;
		CHECK(kvmclock_ns() - start < 30000 * MS,
		      "no answer in 30 s to head %u", head);
	}
}

static void set_desc(unsigned int i, const void *addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	descs[i] = (struct desc){ (uint64_t)addr, len, flags, next };
}

/* The usual IN of one sector: header, data, status in descriptors 0-2. */
static void read_chain(uint64_t sector)
{
	hdr = (struct blk_hdr){ T_IN, 0, sector };
	set_desc(0, &hdr, sizeof(hdr), D_NEXT, 1);
	set_desc(1, data, sizeof(data), D_NEXT | D_WRITE, 2);
	set_desc(2, (const void *)&status, 1, D_WRITE, 0);
}

static void good_read(const char *when)
{
	uint32_t len;

	__builtin_memset(data, 0, sizeof(data));
	read_chain(0);
	CHECK(submit(0, &len) == ANSWERED, "good read %s: device needs reset", when);
	CHECK(status == S_OK && len == sizeof(data) + 1,
	      "good read %s: status %u, used length %u", when, status, len);
	CHECK(!__builtin_memcmp(data, "HOSTILEDISK", 11),
	      "good read %s: sector 0 reads %x %x %x", when, data[0], data[1],
	      data[2]);
}

/* A request-level fault: answered, the queue goes on. */
static void expect_answer(const char *what, uint8_t want_status, uint32_t want_len)
{
	uint32_t len;

	CHECK(submit(0, &len) == ANSWERED, "%s: device needs reset", what);
	CHECK(status == want_status && len == want_len,
	      "%s: status %x used length %u, expected %x and %u", what, status,
	      len, want_status, want_len);
	printk("%s: answered, status %x\n", what, status);
	good_read(what);
}

/* A ring-level fault: never answered; NEEDS_RESET and a configuration
 * interrupt; after a reset and a new set-up a good read works. */
static void expect_needs_reset(const char *what)
{
	unsigned int irqs = config_irqs;
	uint64_t start;
	uint32_t len;

	CHECK(submit(0, &len) == NEEDS_RESET, "%s: answered (status %x, length %u)",
	      what, status, len);
	CHECK(status == STATUS_UNTOUCHED, "%s: status byte written", what);
	start = kvmclock_ns();
	while (config_irqs == irqs) {
		take_interrupts();
		CHECK(kvmclock_ns() - start < 5000 * MS,
		      "%s: no configuration interrupt", what);
	}
	CHECK(virtio_r8(DEV, HVP_VIRTIO_ISR_OFFSET) & 2, "%s: ISR without config",
	      what);
	CHECK(used.idx == used_seen, "%s: a used element appeared", what);
	printk("%s: device needs reset\n", what);
	reset();
	setup();
	good_read(what);
}

static uint64_t capacity(void)
{
	return virtio_r32(DEV, HVP_VIRTIO_DEVICE_OFFSET) |
	       (uint64_t)virtio_r32(DEV, HVP_VIRTIO_DEVICE_OFFSET + 4) << 32;
}

static void request_faults(void)
{
	/* A header of 8 bytes. */
	read_chain(0);
	descs[0].len = 8;
	expect_answer("short header", S_IOERR, 1);

	/* The first sector beyond the disk. */
	read_chain(capacity());
	expect_answer("sector beyond capacity", S_IOERR, 1);

	/* The status byte device-readable: nothing the device may write. */
	hdr = (struct blk_hdr){ T_IN, 0, 0 };
	set_desc(0, &hdr, sizeof(hdr), D_NEXT, 1);
	set_desc(1, (const void *)&status, 1, 0, 0);
	expect_answer("device-readable status", STATUS_UNTOUCHED, 0);
}

static void ring_faults(void)
{
	read_chain(0);
	descs[1].addr = FAR_AWAY;
	expect_needs_reset("buffer outside RAM");

	/* Status back to data: a loop among device-writable descriptors
	 * (back to the header would be an order fault first). */
	read_chain(0);
	descs[2].flags |= D_NEXT;
	descs[2].next = 1;
	expect_needs_reset("looping chain");

	/* Every descriptor in one chain, the last pointing back to the first:
	 * longer than the queue. */
	hdr = (struct blk_hdr){ T_IN, 0, 0 };
	set_desc(0, &hdr, sizeof(hdr), D_NEXT, 1);
	for (unsigned int i = 1; i < QSIZE; i++)
		set_desc(i, data, 32, D_NEXT | D_WRITE, (uint16_t)((i + 1) % QSIZE));
	expect_needs_reset("chain longer than the queue");

	read_chain(0);
	descs[1].len = 0xffffffffU;
	expect_needs_reset("4 GiB buffer");

	set_desc(0, (const void *)FAR_AWAY, 3 * sizeof(struct desc), D_INDIRECT, 0);
	expect_needs_reset("indirect table outside RAM");

	read_chain(0);
	__builtin_memcpy(table, descs, 3 * sizeof(struct desc));
	set_desc(0, table, 3 * sizeof(struct desc) + 4, D_INDIRECT, 0);
	expect_needs_reset("indirect table of a bad length");

	/* 300 segments in a queue of 16 (and more than the device takes). */
	table[0] = (struct desc){ (uint64_t)&hdr, sizeof(hdr), D_NEXT, 1 };
	for (unsigned int i = 1; i < 300; i++)
		table[i] = (struct desc){ (uint64_t)data, 1, D_WRITE |
					  (i < 299 ? D_NEXT : 0), (uint16_t)(i + 1) };
	hdr = (struct blk_hdr){ T_IN, 0, 0 };
	set_desc(0, table, sizeof(table), D_INDIRECT, 0);
	expect_needs_reset("indirect chain of 300");
}

/* FAULT_STORM ring faults in a row, each reset at once: the backend's log
 * of them must be rate limited (the system test counts its lines). */
static void fault_storm(void)
{
	uint64_t start = kvmclock_ns();
	uint32_t len;

	for (unsigned int i = 0; i < FAULT_STORM; i++) {
		read_chain(0);
		descs[1].addr = FAR_AWAY;
		CHECK(submit(0, &len) == NEEDS_RESET, "fault %u answered", i);
		reset();
		setup();
	}
	printk("%u ring faults in %lu ms\n", FAULT_STORM,
	       (kvmclock_ns() - start) / MS);
	good_read("after the fault storm");
}

static void notify_storm(void)
{
	uint64_t start = kvmclock_ns();

	for (unsigned int i = 0; i < NOTIFIES; i++)
		outw(notify_port, 0);
	printk("%u notifies in %lu ms\n", NOTIFIES,
	       (kvmclock_ns() - start) / MS);
	CHECK(!(virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) & VIRTIO_STATUS_NEEDS_RESET),
	      "notify storm: device needs reset");
	good_read("after the notify storm");
}

/* Breaks the queue and never resets it: the backend must keep serving
 * everyone else, answer `hvctl io`, and let the domain end normally. */
static void leave_broken(void)
{
	uint64_t start;
	uint32_t len;

	read_chain(0);
	descs[2].flags |= D_NEXT;
	descs[2].next = 1;
	CHECK(submit(0, &len) == NEEDS_RESET, "last break answered");
	/* More notifies to a broken queue change nothing. */
	for (unsigned int i = 0; i < 1000; i++)
		outw(notify_port, 0);
	printk("holding a broken queue for %u s\n", HOLD_S);
	start = kvmclock_ns();
	while (kvmclock_ns() - start < HOLD_S * 1000 * MS)
		__asm__ volatile("pause");
	CHECK(virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
	      "NEEDS_RESET cleared without a reset");
}

void test_main(const struct hvm_start_info *si)
{
	unsigned int msix;

	(void)si;
	CHECK(kvmclock_enable(), "kvmclock refused");
	wrmsr_safe(X2APIC_SVR, 0x1ff);
	virtio_map_window(pd_1g);
	CHECK(vpci_read32(SLOT, 0) == 0x10421af4, "no virtio-blk at 00:01.0: %x",
	      vpci_read32(SLOT, 0));
	vpci_write16(SLOT, 4, 0x7);		/* I/O, memory, bus master */
	msix = vpci_find_cap(SLOT, 0x11);
	CHECK(msix, "no MSI-X capability");
	vpci_write16(SLOT, msix + 2, 0x8000);	/* MSI-X on */
	reset();
	setup();
	printk("capacity %lu sectors\n", capacity());
	good_read("first");
	printk("good read works\n");
	request_faults();
	ring_faults();
	fault_storm();
	notify_storm();
	leave_broken();
}
