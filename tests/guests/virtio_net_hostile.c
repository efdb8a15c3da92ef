// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile driver against a real virtio-net backend (hv-backend in dom0,
 * docs/virtio.md), booted by `hvctl create NAME MEM 1 virtio_net_hostile.elf
 * --net TAP` (the domain's only device).
 *
 * It sets the device up as a driver does (receive and transmit queues of
 * 16, MSI-X entry 0 for configuration changes), accepting CSUM and
 * HOST_TSO4 so that the header checks are about the fields themselves,
 * checks that a good packet is transmitted, then sends each malformed form
 * and checks what the device did:
 *  - packet-level faults (a transmit header with garbage flags, gso_type,
 *    gso_size, hdr_len or checksum position; a receive buffer of zero
 *    bytes or one the device may not write) are answered: the chain comes
 *    back used with 0 bytes, the packet never reaches the tap, and the
 *    queue goes on serving;
 *  - ring-level faults (a buffer outside RAM on either queue, a looping
 *    chain, a chain longer than the queue, a 4 GiB buffer, an indirect
 *    table outside RAM) are never answered: the device sets
 *    DEVICE_NEEDS_RESET and raises its configuration interrupt; we reset,
 *    set up again and a good packet goes out;
 *  - transport faults the hypervisor refuses itself (a queue size that is
 *    not a power of two, a notify of a queue that does not exist): the
 *    register keeps its value, nothing breaks.
 * Then 200 ring faults in a row (each reset) and 100,000 notifies, a good
 * packet after each, and last a queue broken and never reset: we print
 * "holding a broken queue" and wait HOLD_S seconds before we end, while
 * the system test runs a neighbour's transfer
 * (tests/system/test_virtio_hostile.py).
 */
#include "lib/guest.h"
#include "lib/virtio_pci.h"

#define DEV		0		/* device index: PCI 00:01.0 */
#define SLOT		1
#define QSIZE		16
#define RXQ		0
#define TXQ		1
#define CONFIG_VECTOR	0x61		/* MSI-X entry 0 */
#define NOTIFIES	100000
#define FAULT_STORM	200
#define HOLD_S		60
#define MS		1000000UL
#define FAR_AWAY	0x7fff00000000ULL	/* no guest has RAM there */

#define F_CSUM		(1ULL << 0)
#define F_HOST_TSO4	(1ULL << 11)
#define F_INDIRECT	(1ULL << 28)
#define F_VERSION_1	(1ULL << 32)

/* virtio 1.2, 2.7.5 and 5.1.6 */
#define D_NEXT		1
#define D_WRITE		2
#define D_INDIRECT	4
#define HDR_NEEDS_CSUM	1
#define GSO_TCPV4	1
#define GSO_UDP		3
#define HDR_LEN		12
#define FRAME_LEN	60

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

struct net_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};

/* One set of rings per queue. */
struct queue {
	struct desc descs[QSIZE] __attribute__((aligned(4096)));
	struct avail avail __attribute__((aligned(4096)));
	struct used used __attribute__((aligned(4096)));
	uint16_t avail_idx, used_seen;	/* the driver's copies */
	uint16_t notify_port;
};

static uint64_t pd_1g[512] __attribute__((aligned(4096)));
static struct queue queues[2] __attribute__((aligned(4096)));
static struct desc table[4] __attribute__((aligned(16)));
static struct net_hdr hdr;
static uint8_t frame[FRAME_LEN];
static uint8_t rxbuf[2048];
static volatile unsigned int config_irqs;

void guest_interrupt(unsigned int vector)
{
	if (vector == CONFIG_VECTOR)
		config_irqs++;
	/* Queue interrupts: we poll the used rings. */
}

static void take_interrupts(void)
{
	__asm__ volatile("sti; nop; nop; cli" : : : "memory");
}

/* --- set-up as a driver does it ------------------------------------------- */

static void setup_queue(unsigned int q)
{
	struct queue *vq = &queues[q];

	__builtin_memset(vq, 0, sizeof(*vq));
	virtio_w16(DEV, HVP_VIRTIO_CC_QUEUE_SELECT, (uint16_t)q);
	virtio_w16(DEV, HVP_VIRTIO_CC_QUEUE_SIZE, QSIZE);
	/* Not a power of two: the transport refuses it, the size stays. */
	virtio_w16(DEV, HVP_VIRTIO_CC_QUEUE_SIZE, 100);
	CHECK(virtio_r16(DEV, HVP_VIRTIO_CC_QUEUE_SIZE) == QSIZE,
	      "queue %u: size 100 taken (reads %u)", q,
	      virtio_r16(DEV, HVP_VIRTIO_CC_QUEUE_SIZE));
	virtio_w16(DEV, HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, (uint16_t)(q + 1));
	virtio_w64(DEV, HVP_VIRTIO_CC_QUEUE_DESC, (uint64_t)vq->descs);
	virtio_w64(DEV, HVP_VIRTIO_CC_QUEUE_DRIVER, (uint64_t)&vq->avail);
	virtio_w64(DEV, HVP_VIRTIO_CC_QUEUE_DEVICE, (uint64_t)&vq->used);
	virtio_w16(DEV, HVP_VIRTIO_CC_QUEUE_ENABLE, 1);
	CHECK(virtio_r16(DEV, HVP_VIRTIO_CC_QUEUE_ENABLE) == 1,
	      "queue %u not enabled", q);
	vq->notify_port = (uint16_t)((vpci_read32(SLOT, 0x18) & ~3U) +
				     virtio_r16(DEV, HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF) *
				     HVP_VIRTIO_NOTIFY_MULTIPLIER);
}

static void setup(void)
{
	uint64_t offered, accept;

	virtio_w8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_w8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_w32(DEV, HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 0);
	offered = virtio_r32(DEV, HVP_VIRTIO_CC_DEVICE_FEATURE);
	virtio_w32(DEV, HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 1);
	offered |= (uint64_t)virtio_r32(DEV, HVP_VIRTIO_CC_DEVICE_FEATURE) << 32;
	accept = F_VERSION_1 | F_INDIRECT | F_CSUM | F_HOST_TSO4;
	CHECK((offered & accept) == accept, "features offered %lx", offered);
	/* No EVENT_IDX: every completion counts, every notify counts. */
	virtio_w32(DEV, HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 0);
	virtio_w32(DEV, HVP_VIRTIO_CC_DRIVER_FEATURE, (uint32_t)accept);
	virtio_w32(DEV, HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 1);
	virtio_w32(DEV, HVP_VIRTIO_CC_DRIVER_FEATURE, (uint32_t)(accept >> 32));
	virtio_w8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) & VIRTIO_STATUS_FEATURES_OK,
	      "FEATURES_OK refused");

	virtio_msix_entry(DEV, 0, CONFIG_VECTOR);
	virtio_msix_entry(DEV, 1, 0x60);
	virtio_msix_entry(DEV, 2, 0x62);
	virtio_w16(DEV, HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR, 0);
	CHECK(virtio_r16(DEV, HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR) == 0,
	      "config vector refused");
	setup_queue(RXQ);
	setup_queue(TXQ);
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

/* Makes chain head available on queue q, notifies, and waits for the
 * device's answer: the chain used (its used length in *len) or
 * DEVICE_NEEDS_RESET. */
static enum outcome submit(unsigned int q, uint16_t head, uint32_t *len)
{
	struct queue *vq = &queues[q];
	uint64_t start = kvmclock_ns();

	vq->avail.ring[vq->avail_idx % QSIZE] = head;
	__atomic_store_n(&vq->avail.idx, ++vq->avail_idx, __ATOMIC_RELEASE);
	outw(vq->notify_port, (uint16_t)q);
	for (;;) {
		take_interrupts();
		if (__atomic_load_n(&vq->used.idx, __ATOMIC_ACQUIRE) != vq->used_seen) {
			uint16_t slot = vq->used_seen++ % QSIZE;

			CHECK(vq->used.idx == vq->used_seen,
			      "queue %u: used idx %u, expected %u", q,
			      vq->used.idx, vq->used_seen);
			CHECK(vq->used.ring[slot].id == head,
			      "queue %u: used id %u for head %u", q,
			      vq->used.ring[slot].id, head);
			*len = vq->used.ring[slot].len;
			return ANSWERED;
		}
		if (virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) & VIRTIO_STATUS_NEEDS_RESET)
			return NEEDS_RESET;
		CHECK(kvmclock_ns() - start < 30000 * MS,
		      "queue %u: no answer in 30 s to head %u", q, head);
	}
}

static void set_desc(unsigned int q, unsigned int i, const void *addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	queues[q].descs[i] = (struct desc){ (uint64_t)addr, len, flags, next };
}

/* A packet as a driver sends it: header, frame, in descriptors 0-1 of the
 * transmit queue; a broadcast Ethernet frame of an unknown type. */
static void tx_chain(void)
{
	hdr = (struct net_hdr){ 0 };
	__builtin_memset(frame, 0xff, 6);
	__builtin_memset(frame + 6, 0x02, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;	/* the IEEE's local experimental EtherType */
	set_desc(TXQ, 0, &hdr, sizeof(hdr), D_NEXT, 1);
	set_desc(TXQ, 1, frame, sizeof(frame), 0, 0);
}

static void good_tx(const char *when)
{
	uint32_t len;

	tx_chain();
	CHECK(submit(TXQ, 0, &len) == ANSWERED, "good packet %s: device needs reset",
	      when);
	CHECK(len == 0, "good packet %s: used length %u", when, len);
}

/* A packet-level fault: answered with 0 bytes, the device goes on. */
static void expect_answer(unsigned int q, const char *what)
{
	uint32_t len;

	CHECK(submit(q, 0, &len) == ANSWERED, "%s: device needs reset", what);
	CHECK(len == 0, "%s: used length %u", what, len);
	printk("%s: answered\n", what);
	good_tx(what);
}

/* A ring-level fault: never answered; NEEDS_RESET and a configuration
 * interrupt; after a reset and a new set-up a good packet goes out. */
static void expect_needs_reset(unsigned int q, const char *what)
{
	unsigned int irqs = config_irqs;
	uint64_t start;
	uint32_t len;

	CHECK(submit(q, 0, &len) == NEEDS_RESET, "%s: answered (length %u)",
	      what, len);
	start = kvmclock_ns();
	while (config_irqs == irqs) {
		take_interrupts();
		CHECK(kvmclock_ns() - start < 5000 * MS,
		      "%s: no configuration interrupt", what);
	}
	CHECK(virtio_r8(DEV, HVP_VIRTIO_ISR_OFFSET) & 2, "%s: ISR without config",
	      what);
	CHECK(queues[q].used.idx == queues[q].used_seen,
	      "%s: a used element appeared", what);
	printk("%s: device needs reset\n", what);
	reset();
	setup();
	good_tx(what);
}

/* A transmit chain whose header is h. */
static void bad_header(const char *what, struct net_hdr h)
{
	tx_chain();
	hdr = h;
	expect_answer(TXQ, what);
}

static void packet_faults(void)
{
	bad_header("garbage flags", (struct net_hdr){ .flags = 0xff });
	bad_header("garbage gso_type", (struct net_hdr){ .gso_type = 0x33 });
	bad_header("GSO without NEEDS_CSUM",
		   (struct net_hdr){ .gso_type = GSO_TCPV4, .gso_size = 1448 });
	bad_header("gso_size 0", (struct net_hdr){ .flags = HDR_NEEDS_CSUM,
		   .gso_type = GSO_TCPV4, .csum_start = 34, .csum_offset = 16 });
	bad_header("UDP GSO not offered", (struct net_hdr){
		   .flags = HDR_NEEDS_CSUM, .gso_type = GSO_UDP,
		   .gso_size = 1448, .csum_start = 34, .csum_offset = 6 });
	bad_header("checksum beyond the frame", (struct net_hdr){
		   .flags = HDR_NEEDS_CSUM, .csum_start = 0xfff0,
		   .csum_offset = 0xfff0 });
	bad_header("hdr_len beyond the frame", (struct net_hdr){
		   .hdr_len = 0xffff });

	/* Receive buffers: zero bytes, and one the device may not write. */
	set_desc(RXQ, 0, rxbuf, 0, D_WRITE, 0);
	expect_answer(RXQ, "zero-length receive buffer");
	set_desc(RXQ, 0, rxbuf, sizeof(rxbuf), 0, 0);
	expect_answer(RXQ, "read-only receive buffer");
}

static void ring_faults(void)
{
	tx_chain();
	queues[TXQ].descs[1].addr = FAR_AWAY;
	expect_needs_reset(TXQ, "transmit buffer outside RAM");

	set_desc(RXQ, 0, (const void *)FAR_AWAY, sizeof(rxbuf), D_WRITE, 0);
	expect_needs_reset(RXQ, "receive buffer outside RAM");

	tx_chain();
	queues[TXQ].descs[1].flags = D_NEXT;
	queues[TXQ].descs[1].next = 1;
	expect_needs_reset(TXQ, "looping chain");

	/* Every descriptor in one chain, the last pointing back to the first:
	 * longer than the queue. */
	for (unsigned int i = 0; i < QSIZE; i++)
		set_desc(TXQ, i, frame, 16, D_NEXT, (uint16_t)((i + 1) % QSIZE));
	expect_needs_reset(TXQ, "chain longer than the queue");

	tx_chain();
	queues[TXQ].descs[1].len = 0xffffffffU;
	expect_needs_reset(TXQ, "4 GiB buffer");

	set_desc(TXQ, 0, (const void *)FAR_AWAY, sizeof(table), D_INDIRECT, 0);
	expect_needs_reset(TXQ, "indirect table outside RAM");
}

static void hypervisor_refusals(void)
{
	/* The size register was tried with 100 in every set-up (setup_queue);
	 * a notify of queue 7 (the device has 2) is refused and forgotten. */
	for (unsigned int i = 0; i < 100; i++)
		outw((uint16_t)(queues[TXQ].notify_port +
				6 * HVP_VIRTIO_NOTIFY_MULTIPLIER), 7);
	CHECK(!(virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) & VIRTIO_STATUS_NEEDS_RESET),
	      "notify of no queue: device needs reset");
	good_tx("after notifies of no queue");
	printk("notify of no queue: ignored\n");
}

/* FAULT_STORM ring faults in a row, each reset at once: the backend's log
 * of them must be rate limited (the system test counts its lines). */
static void fault_storm(void)
{
	uint64_t start = kvmclock_ns();
	uint32_t len;

	for (unsigned int i = 0; i < FAULT_STORM; i++) {
		tx_chain();
		queues[TXQ].descs[1].addr = FAR_AWAY;
		CHECK(submit(TXQ, 0, &len) == NEEDS_RESET, "fault %u answered", i);
		reset();
		setup();
	}
	printk("%u ring faults in %lu ms\n", FAULT_STORM,
	       (kvmclock_ns() - start) / MS);
	good_tx("after the fault storm");
}

static void notify_storm(void)
{
	uint64_t start = kvmclock_ns();

	for (unsigned int i = 0; i < NOTIFIES; i++)
		outw(queues[i & 1].notify_port, (uint16_t)(i & 1));
	printk("%u notifies in %lu ms\n", NOTIFIES,
	       (kvmclock_ns() - start) / MS);
	CHECK(!(virtio_r8(DEV, HVP_VIRTIO_CC_DEVICE_STATUS) & VIRTIO_STATUS_NEEDS_RESET),
	      "notify storm: device needs reset");
	good_tx("after the notify storm");
}

/* Breaks the queue and never resets it: the backend must keep serving
 * everyone else, answer `hvctl io`, and let the domain end normally. */
static void leave_broken(void)
{
	uint64_t start;
	uint32_t len;

	tx_chain();
	queues[TXQ].descs[1].flags = D_NEXT;
	queues[TXQ].descs[1].next = 1;
	CHECK(submit(TXQ, 0, &len) == NEEDS_RESET, "last break answered");
	for (unsigned int i = 0; i < 1000; i++)
		outw(queues[TXQ].notify_port, TXQ);
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
	CHECK(vpci_read32(SLOT, 0) == 0x10411af4, "no virtio-net at 00:01.0: %x",
	      vpci_read32(SLOT, 0));
	vpci_write16(SLOT, 4, 0x7);		/* I/O, memory, bus master */
	msix = vpci_find_cap(SLOT, 0x11);
	CHECK(msix, "no MSI-X capability");
	vpci_write16(SLOT, msix + 2, 0x8000);	/* MSI-X on */
	reset();
	setup();
	good_tx("first");
	printk("good packet works\n");
	hypervisor_refusals();	/* first: the hypervisor logs its first few */
	packet_faults();
	ring_faults();
	fault_storm();
	notify_storm();
	leave_broken();
}
