// SPDX-License-Identifier: GPL-2.0-only
/*
 * A customer domain's PCI bus 0 and virtio-pci transport
 * (hypervisor/common/vpci.c and virtio_pci.c), driven the way a guest
 * drives them: configuration mechanism #1 through the port handlers,
 * BAR0 through the MMIO handler at the address the BAR holds, notify
 * through the I/O handler.  The backend binding (common/backend.c) and
 * MSI delivery (arch/x86/msi.c) are test doubles here that record what
 * they were asked.
 */
#include <string.h>

#include <public/hvplatform.h>
#include <hv/arch.h>
#include <hv/backend.h>
#include <hv/domain.h>
#include <hv/virtio_pci.h>

#include "suites.h"

/* --- test doubles ---------------------------------------------------------- */

static struct hv_backend_page page;
static bool bound;
static uint64_t posted_notify, posted_changed;
static unsigned int notify_posts, changed_posts;

struct hv_backend_page *backend_page(struct domain *d)
{
	(void)d;
	return bound ? &page : NULL;
}

void backend_post_notify(struct domain *d, uint64_t bits)
{
	(void)d;
	posted_notify |= bits;
	notify_posts++;
}

void backend_post_changed(struct domain *d, uint64_t bits)
{
	(void)d;
	posted_changed |= bits;
	changed_posts++;
}

#define MAX_MSIS 64
static struct { uint64_t address; uint32_t data; } msis[MAX_MSIS];
static unsigned int nr_msis;

void arch_msi_deliver(struct domain *d, uint64_t address, uint32_t data)
{
	(void)d;
	ck_assert_uint_lt(nr_msis, MAX_MSIS);
	msis[nr_msis].address = address;
	msis[nr_msis].data = data;
	nr_msis++;
}

/* --- a domain and a guest's view of it --------------------------------------- */

static struct domain dom;
static struct domain *const d = &dom;

#define FEATURE_BLK_SIZE	(1ULL << 6)
#define FEATURES		(VIRTIO_F_VERSION_1 | FEATURE_BLK_SIZE)
#define QUEUE_MAX		256

/* virtio 1.2, 4.1.4.3 */
#define DEVICE_FEATURE_SELECT	0x00
#define DEVICE_FEATURE		0x04
#define DRIVER_FEATURE_SELECT	0x08
#define DRIVER_FEATURE		0x0c
#define CONFIG_MSIX_VECTOR	0x10
#define NUM_QUEUES		0x12
#define DEVICE_STATUS		0x14
#define CONFIG_GENERATION	0x15
#define QUEUE_SELECT		0x16
#define QUEUE_SIZE		0x18
#define QUEUE_MSIX_VECTOR	0x1a
#define QUEUE_ENABLE		0x1c
#define QUEUE_NOTIFY_OFF	0x1e
#define QUEUE_DESC		0x20
#define QUEUE_DRIVER		0x28
#define QUEUE_DEVICE		0x30

#define S_ACK		VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRIVER	VIRTIO_STATUS_DRIVER
#define S_FEATURES_OK	VIRTIO_STATUS_FEATURES_OK
#define S_DRIVER_OK	VIRTIO_STATUS_DRIVER_OK

static int64_t add_device(uint32_t type, uint32_t nr_queues, uint64_t features)
{
	struct hv_device_add add;
	uint64_t capacity = 2048;

	memset(&add, 0, sizeof(add));
	add.domid = 1;
	add.type = type;
	add.nr_queues = nr_queues;
	add.queue_size = QUEUE_MAX;
	add.features = features;
	add.config_len = 8;
	memcpy(add.config, &capacity, 8);
	return virtio_pci_add(d, &add);
}

static void setup(void)
{
	memset(&dom, 0, sizeof(dom));
	memset(&page, 0, sizeof(page));
	dom.id = 1;
	dom.nr_vcpus = 2;
	dom.ram_bytes = 64ULL << 20;
	bound = false;
	posted_notify = posted_changed = 0;
	notify_posts = changed_posts = 0;
	nr_msis = 0;
	ck_assert_int_eq(add_device(HV_VIRTIO_BLK, 2, FEATURES), 0);
}

static void outl(uint16_t port, uint32_t v) { vpci_config_port_write(d, port, 4, v); }
static uint32_t inl(uint16_t port) { return vpci_config_port_read(d, port, 4); }

/* A configuration read as Linux's pci_conf1_read() makes it. */
static uint32_t cfg_read(unsigned int devfn, unsigned int reg, unsigned int size)
{
	outl(0xcf8, 0x80000000U | devfn << 8 | (reg & 0xfc));
	return vpci_config_port_read(d, (uint16_t)(0xcfc + (reg & 3)), size);
}

static void cfg_write(unsigned int devfn, unsigned int reg, unsigned int size,
		      uint32_t value)
{
	outl(0xcf8, 0x80000000U | devfn << 8 | (reg & 0xfc));
	vpci_config_port_write(d, (uint16_t)(0xcfc + (reg & 3)), size, value);
}

#define VIRTIO_DEVFN	(1 << 3)	/* 00:01.0: device index 0 */
#define BAR0		(HVP_PCI_MMIO_BASE)
#define BAR2		(HVP_PCI_IO_BASE)

static uint64_t rd(uint32_t off, unsigned int size)
{
	return vpci_mmio_read(d, BAR0 + off, size);
}

static void wr(uint32_t off, unsigned int size, uint64_t value)
{
	vpci_mmio_write(d, BAR0 + off, size, value);
}

static void select_queue(uint16_t q)
{
	wr(QUEUE_SELECT, 2, q);
}

/* Negotiates features as virtio_pci_modern does: ACK, DRIVER, FEATURES_OK. */
static uint8_t negotiate(uint64_t accept)
{
	wr(DEVICE_STATUS, 1, S_ACK);
	wr(DEVICE_STATUS, 1, S_ACK | S_DRIVER);
	wr(DRIVER_FEATURE_SELECT, 4, 0);
	wr(DRIVER_FEATURE, 4, (uint32_t)accept);
	wr(DRIVER_FEATURE_SELECT, 4, 1);
	wr(DRIVER_FEATURE, 4, (uint32_t)(accept >> 32));
	wr(DEVICE_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	return (uint8_t)rd(DEVICE_STATUS, 1);
}

static void set_addresses(uint16_t q, uint64_t desc, uint64_t drv, uint64_t dev)
{
	select_queue(q);
	wr(QUEUE_DESC, 4, (uint32_t)desc);
	wr(QUEUE_DESC + 4, 4, (uint32_t)(desc >> 32));
	wr(QUEUE_DRIVER, 4, (uint32_t)drv);
	wr(QUEUE_DRIVER + 4, 4, (uint32_t)(drv >> 32));
	wr(QUEUE_DEVICE, 4, (uint32_t)dev);
	wr(QUEUE_DEVICE + 4, 4, (uint32_t)(dev >> 32));
}

/* --- configuration space ----------------------------------------------------- */

START_TEST(address_register_reads_back)
{
	/* Linux's pci_check_type1(). */
	vpci_config_port_write(d, 0xcfb, 1, 0x01);
	ck_assert_uint_eq(inl(0xcf8), 0);
	outl(0xcf8, 0x80000000U);
	ck_assert_uint_eq(inl(0xcf8), 0x80000000U);
	outl(0xcf8, 0x80fffffcU);
	ck_assert_uint_eq(inl(0xcf8), 0x80fffffcU);
	/* Reserved bits and the two low bits read 0. */
	outl(0xcf8, 0xffffffffU);
	ck_assert_uint_eq(inl(0xcf8), 0x80fffffcU);
	/* Narrow accesses to the address ports neither read nor change it. */
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcf8, 2), 0xffff);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfb, 1), 0xff);
	vpci_config_port_write(d, 0xcf8, 2, 0);
	ck_assert_uint_eq(inl(0xcf8), 0x80fffffcU);
	ck_assert(vpci_is_config_port(0xcf8) && vpci_is_config_port(0xcff));
	ck_assert(!vpci_is_config_port(0xcf7) && !vpci_is_config_port(0xd00));
}
END_TEST

START_TEST(host_bridge)
{
	ck_assert_uint_eq(cfg_read(0, 0, 4), 0x00081b36);
	ck_assert_uint_eq(cfg_read(0, 0, 2), 0x1b36);
	ck_assert_uint_eq(cfg_read(0, 2, 2), 0x0008);
	ck_assert_uint_eq(cfg_read(0, 8, 4) >> 8, 0x060000);
	ck_assert_uint_eq(cfg_read(0, 0x0b, 1), 0x06);	/* base class */
	ck_assert_uint_eq(cfg_read(0, 0x0e, 1), 0);	/* header type 0 */
	/* Nothing in it is writable. */
	cfg_write(0, 0, 4, 0);
	cfg_write(0, 4, 2, 0xffff);
	ck_assert_uint_eq(cfg_read(0, 0, 4), 0x00081b36);
	ck_assert_uint_eq(cfg_read(0, 4, 2), 0);
}
END_TEST

START_TEST(empty_slots_read_all_ones)
{
	unsigned int devfn;

	for (devfn = 0; devfn < 256; devfn++) {
		bool exists = devfn == 0 || devfn == VIRTIO_DEVFN;

		FAST_ASSERT((cfg_read(devfn, 0, 4) == 0xffffffffU) == !exists);
	}
	/* Bus 1, and the enable bit clear. */
	outl(0xcf8, 0x80010000U);
	ck_assert_uint_eq(inl(0xcfc), 0xffffffffU);
	outl(0xcf8, 0x00000000U);
	ck_assert_uint_eq(inl(0xcfc), 0xffffffffU);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfc, 1), 0xff);
	/* Writes there change nothing that can be seen. */
	cfg_write(2 << 3, 4, 2, 0xffff);
	ck_assert_uint_eq(cfg_read(2 << 3, 0, 4), 0xffffffffU);
}
END_TEST

START_TEST(odd_sizes_and_offsets)
{
	/* Each byte and word of the ID dword through its own data port. */
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0, 1), 0xf4);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 1, 1), 0x1a);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 2, 1), 0x42);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 3, 1), 0x10);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 2, 2), 0x1042);
	/* Crossing the dword, or misaligned: all-ones. */
	outl(0xcf8, 0x80000000U | VIRTIO_DEVFN << 8);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfe, 4), 0xffffffffU);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfd, 4), 0xffffffffU);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfd, 2), 0xffff);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcff, 2), 0xffff);
	/* A write that crosses changes nothing. */
	outl(0xcf8, 0x80000000U | VIRTIO_DEVFN << 8 | 0x04);
	vpci_config_port_write(d, 0xcfe, 4, 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 4, 2), 0x3);
	/* Direct calls with nonsense sizes and registers. */
	ck_assert_uint_eq(vpci_config_read(d, VIRTIO_DEVFN, 256, 4), 0xffffffffU);
	ck_assert_uint_eq(vpci_config_read(d, VIRTIO_DEVFN, 0, 3), 0xffffffU);
	ck_assert_uint_eq(vpci_config_read(d, 300, 0, 4), 0xffffffffU);
	vpci_config_write(d, VIRTIO_DEVFN, 0x10, 3, 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x10, 4), (uint32_t)BAR0);
}
END_TEST

START_TEST(virtio_function_header)
{
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0, 4), 0x10421af4);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 8, 1), 1);	/* revision */
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 8, 4) >> 8, 0x010000);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x0e, 1), 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x2c, 2), 0x1af4);
	ck_assert_uint_ge(cfg_read(VIRTIO_DEVFN, 0x2e, 2), 0x40);
	ck_assert(cfg_read(VIRTIO_DEVFN, 6, 2) & 0x10);		/* cap list */
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x3d, 1), 0);	/* no INTx */
	/* The interrupt line is a scratch byte the OS may write. */
	cfg_write(VIRTIO_DEVFN, 0x3c, 1, 11);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x3c, 1), 11);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x3d, 1), 0);
	/* IDs are read-only. */
	cfg_write(VIRTIO_DEVFN, 0, 4, 0x12345678);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0, 4), 0x10421af4);
	/* A network device is 0x1041, class network. */
	ck_assert_int_eq(add_device(HV_VIRTIO_NET, 3, FEATURES), 1);
	ck_assert_uint_eq(cfg_read(2 << 3, 0, 4), 0x10411af4);
	ck_assert_uint_eq(cfg_read(2 << 3, 8, 4) >> 8, 0x020000);
}
END_TEST

struct caps {
	unsigned int at[5];		/* virtio cap of each cfg_type 1-4 */
	unsigned int msix;
	unsigned int count;
};

/* The walk Linux's pci_find_capability() makes: at most 48 steps. */
static struct caps walk_caps(unsigned int devfn)
{
	struct caps c;
	unsigned int pos = cfg_read(devfn, 0x34, 1), ttl = 48;

	memset(&c, 0, sizeof(c));
	while (pos >= 0x40 && ttl--) {
		unsigned int id = cfg_read(devfn, pos, 1);

		pos &= ~3U;
		ck_assert_uint_lt(pos, 256);
		if (id == 0x09) {
			unsigned int type = cfg_read(devfn, pos + 3, 1);

			ck_assert(type >= 1 && type <= 4);
			ck_assert_uint_eq(c.at[type], 0);
			c.at[type] = pos;
		} else if (id == 0x11) {
			c.msix = pos;
		} else {
			ck_abort_msg("unexpected capability %u", id);
		}
		c.count++;
		pos = cfg_read(devfn, pos + 1, 1);
	}
	ck_assert_int_gt(ttl, 0);
	return c;
}

START_TEST(capability_walk)
{
	struct caps c = walk_caps(VIRTIO_DEVFN);
	unsigned int p;

	ck_assert_uint_eq(c.count, 5);
	/* common: BAR0 at the common offset, at least 0x38 bytes */
	p = c.at[1];
	ck_assert_uint_ge(cfg_read(VIRTIO_DEVFN, p + 2, 1), 16);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 4, 1), 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), HVP_VIRTIO_COMMON_OFFSET);
	ck_assert_uint_ge(cfg_read(VIRTIO_DEVFN, p + 12, 4), 0x38);
	/* notify: BAR2, 2 queues, the multiplier after the struct */
	p = c.at[2];
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 2, 1), 20);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 4, 1), 2);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 12, 4),
			  2 * HVP_VIRTIO_NOTIFY_MULTIPLIER);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 16, 4),
			  HVP_VIRTIO_NOTIFY_MULTIPLIER);
	/* ISR */
	p = c.at[3];
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 4, 1), 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), HVP_VIRTIO_ISR_OFFSET);
	ck_assert_uint_ge(cfg_read(VIRTIO_DEVFN, p + 12, 4), 1);
	/* device configuration: the 8 bytes given */
	p = c.at[4];
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), HVP_VIRTIO_DEVICE_OFFSET);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 12, 4), 8);
	/* MSI-X: 3 entries (N - 1 encoded), table and PBA in BAR0 */
	p = c.msix;
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 2, 2), 2);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 4, 4), HVP_VIRTIO_MSIX_OFFSET);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), HVP_VIRTIO_PBA_OFFSET);
	/* Capabilities are read-only. */
	cfg_write(VIRTIO_DEVFN, c.at[1] + 8, 4, 0x100);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, c.at[1] + 8, 4), 0);
}
END_TEST

START_TEST(bar_sizing_and_relocation)
{
	/* Sizing as Linux's __pci_read_base(): all-ones, read, restore. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, 0xffffffffU);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x10, 4),
			  (uint32_t)~(HVP_VIRTIO_BAR0_SIZE - 1));
	cfg_write(VIRTIO_DEVFN, 0x18, 4, 0xffffffffU);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x18, 4),
			  (0xffff & ~(HVP_VIRTIO_BAR2_SIZE - 1)) | 1);
	/* Unimplemented BARs and the ROM stay 0. */
	cfg_write(VIRTIO_DEVFN, 0x14, 4, 0xffffffffU);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x14, 4), 0);
	cfg_write(VIRTIO_DEVFN, 0x30, 4, 0xffffffffU);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x30, 4), 0);
	/* While sized, the BAR is outside the window: nothing decodes. */
	ck_assert_uint_eq(rd(NUM_QUEUES, 2), 0xffff);

	/* Moved elsewhere in the window: the old place is empty. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, (uint32_t)(BAR0 + 0x100000));
	cfg_write(VIRTIO_DEVFN, 0x18, 4, BAR2 + 0x800);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x10, 4), (uint32_t)(BAR0 + 0x100000));
	ck_assert_uint_eq(rd(NUM_QUEUES, 2), 0xffff);
	ck_assert_uint_eq(vpci_mmio_read(d, BAR0 + 0x100000 + NUM_QUEUES, 2), 2);
	vpci_io_write(d, BAR2, 2, 0);
	ck_assert_uint_eq(notify_posts, 0);
	vpci_io_write(d, BAR2 + 0x800 + 2, 2, 1);
	ck_assert_uint_eq(notify_posts, 1);
	ck_assert_uint_eq(posted_notify, 1ULL << 1);

	/* Low bits of an address are dropped (alignment), as on hardware. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, (uint32_t)(BAR0 + 0x4123));
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x10, 4), (uint32_t)(BAR0 + 0x4000));
	/* Outside the window (in RAM, say): never decoded. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, 0x00100000);
	ck_assert_uint_eq(vpci_mmio_read(d, 0x00100000 + NUM_QUEUES, 2), 0xffff);
	ck_assert(vpci_is_mmio(HVP_PCI_MMIO_BASE + HVP_PCI_MMIO_SIZE - 1));
	ck_assert(!vpci_is_mmio(HVP_PCI_MMIO_BASE + HVP_PCI_MMIO_SIZE));

	/* Back home, then memory decoding off in the command register. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, (uint32_t)BAR0);
	ck_assert_uint_eq(rd(NUM_QUEUES, 2), 2);
	cfg_write(VIRTIO_DEVFN, 4, 2, 0x1);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 4, 2), 0x1);
	ck_assert_uint_eq(rd(NUM_QUEUES, 2), 0xffff);
	cfg_write(VIRTIO_DEVFN, 4, 2, 0xffff);	/* only the writable bits */
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 4, 2), 0x0407);
	ck_assert_uint_eq(rd(NUM_QUEUES, 2), 2);
	/* I/O decoding off: notifies go nowhere. */
	cfg_write(VIRTIO_DEVFN, 4, 2, 0x2);
	vpci_io_write(d, BAR2 + 0x800, 2, 0);
	ck_assert_uint_eq(notify_posts, 1);
}
END_TEST

/* --- common configuration ---------------------------------------------------- */

START_TEST(feature_negotiation)
{
	wr(DEVICE_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(rd(DEVICE_FEATURE, 4), (uint32_t)FEATURES);
	wr(DEVICE_FEATURE_SELECT, 4, 1);
	ck_assert_uint_eq(rd(DEVICE_FEATURE, 4), 1);	/* VERSION_1 */
	wr(DEVICE_FEATURE_SELECT, 4, 2);
	ck_assert_uint_eq(rd(DEVICE_FEATURE, 4), 0);
	ck_assert_uint_eq(rd(DEVICE_FEATURE_SELECT, 4), 2);
	ck_assert_uint_eq(rd(NUM_QUEUES, 2), 2);

	ck_assert_uint_eq(negotiate(FEATURES), S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(DRIVER_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(rd(DRIVER_FEATURE, 4), (uint32_t)FEATURES);
	/* After FEATURES_OK the accepted set is fixed. */
	wr(DRIVER_FEATURE, 4, 0);
	ck_assert_uint_eq(rd(DRIVER_FEATURE, 4), (uint32_t)FEATURES);
	wr(DEVICE_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0xf);
	/* The driver cannot take bits back except by a reset. */
	wr(DEVICE_STATUS, 1, S_ACK);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0xf);
	/* ... nor set NEEDS_RESET itself. */
	wr(DEVICE_STATUS, 1, 0xf | VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0xf);
	wr(DEVICE_STATUS, 1, 0xf | VIRTIO_STATUS_FAILED);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0x8f);
}
END_TEST

START_TEST(feature_refusals)
{
	/* A feature not offered: FEATURES_OK reads back clear. */
	ck_assert_uint_eq(negotiate(FEATURES | (1ULL << 9)), S_ACK | S_DRIVER);
	wr(DEVICE_STATUS, 1, 0);
	/* Without VERSION_1 (a legacy driver): refused too. */
	ck_assert_uint_eq(negotiate(FEATURE_BLK_SIZE), S_ACK | S_DRIVER);
	/* DRIVER_OK without FEATURES_OK is refused. */
	wr(DEVICE_STATUS, 1, S_ACK | S_DRIVER | S_DRIVER_OK);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), S_ACK | S_DRIVER);
	ck_assert_uint_gt(d->vpci.refused, 0);
	/* A subset of what is offered, with VERSION_1, is fine. */
	wr(DEVICE_STATUS, 1, 0);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0);
	ck_assert_uint_eq(negotiate(VIRTIO_F_VERSION_1),
			  S_ACK | S_DRIVER | S_FEATURES_OK);
}
END_TEST

static void assert_published_consistent(void)
{
	FAST_ASSERT(page.dev[0].seq % 2 == 0);
}

START_TEST(queue_setup_is_published)
{
	const struct hv_device_state *s = &page.dev[0];
	uint32_t seq;

	bound = true;
	virtio_pci_publish_all(d);
	ck_assert_uint_eq(page.nr_devices, 1);
	ck_assert_uint_eq(posted_changed, 1);
	ck_assert_uint_eq(s->vq[0].size, QUEUE_MAX);
	ck_assert_uint_eq(s->vq[0].msix_vector, VIRTIO_MSI_NO_VECTOR);
	assert_published_consistent();

	/* A seq dom0 scribbled odd still ends even. */
	page.dev[0].seq = 7;
	negotiate(FEATURES);
	assert_published_consistent();
	ck_assert_uint_eq(s->status, S_ACK | S_DRIVER | S_FEATURES_OK);
	ck_assert_uint_eq(s->driver_features, FEATURES);

	posted_changed = 0;
	seq = s->seq;
	select_queue(1);
	ck_assert_uint_eq(s->seq, seq);		/* selecting changes nothing */
	wr(QUEUE_SIZE, 2, 64);
	assert_published_consistent();
	ck_assert_uint_gt(s->seq, seq);
	ck_assert_uint_eq(posted_changed, 1);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), 64);
	ck_assert_uint_eq(s->vq[1].size, 64);
	wr(QUEUE_MSIX_VECTOR, 2, 2);
	ck_assert_uint_eq(rd(QUEUE_MSIX_VECTOR, 2), 2);
	ck_assert_uint_eq(s->vq[1].msix_vector, 2);
	set_addresses(1, 0x123456789000ULL, 0x1000, 0x2000);
	assert_published_consistent();
	ck_assert_uint_eq(s->vq[1].desc, 0x123456789000ULL);
	ck_assert_uint_eq(s->vq[1].driver, 0x1000);
	ck_assert_uint_eq(s->vq[1].device, 0x2000);
	ck_assert_uint_eq(rd(QUEUE_DESC + 4, 4), 0x1234);
	ck_assert_uint_eq(rd(QUEUE_DESC, 4), 0x56789000);
	ck_assert_uint_eq(rd(QUEUE_NOTIFY_OFF, 2), 1);
	ck_assert_uint_eq(s->vq[1].enabled, 0);
	wr(QUEUE_ENABLE, 2, 1);
	ck_assert_uint_eq(rd(QUEUE_ENABLE, 2), 1);
	ck_assert_uint_eq(s->vq[1].enabled, 1);
	assert_published_consistent();
	/* Queue 0 untouched. */
	ck_assert_uint_eq(s->vq[0].enabled, 0);
	ck_assert_uint_eq(s->vq[0].desc, 0);
	/* An enabled queue's set-up is fixed. */
	wr(QUEUE_SIZE, 2, 32);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), 64);
	wr(DEVICE_STATUS, 1, 0xf);
	ck_assert_uint_eq(s->status, 0xf);
	assert_published_consistent();
}
END_TEST

START_TEST(reset_without_backend)
{
	negotiate(FEATURES);
	set_addresses(0, 0x1000, 0x2000, 0x3000);
	wr(QUEUE_ENABLE, 2, 1);
	wr(CONFIG_MSIX_VECTOR, 2, 0);
	wr(DEVICE_STATUS, 1, 0);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0);
	select_queue(0);
	ck_assert_uint_eq(rd(QUEUE_ENABLE, 2), 0);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), QUEUE_MAX);
	ck_assert_uint_eq(rd(QUEUE_DESC, 4), 0);
	ck_assert_uint_eq(rd(CONFIG_MSIX_VECTOR, 2), VIRTIO_MSI_NO_VECTOR);
	wr(DRIVER_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(rd(DRIVER_FEATURE, 4), 0);
	ck_assert_uint_eq(changed_posts, 0);
	/* And it can be set up again. */
	ck_assert_uint_eq(negotiate(FEATURES), S_ACK | S_DRIVER | S_FEATURES_OK);
}
END_TEST

START_TEST(reset_with_backend)
{
	const struct hv_device_state *s = &page.dev[0];

	bound = true;
	negotiate(FEATURES);
	set_addresses(0, 0x1000, 0x2000, 0x3000);
	wr(QUEUE_ENABLE, 2, 1);
	wr(DEVICE_STATUS, 1, 0xf);
	posted_changed = 0;
	wr(DEVICE_STATUS, 1, 0);
	/* The driver keeps reading the old status: the backend is not done. */
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0xf);
	ck_assert_uint_eq(s->reset, 1);
	ck_assert_uint_eq(s->status, 0);
	ck_assert_uint_eq(posted_changed, 1);
	assert_published_consistent();
	/* Meanwhile writes change nothing, and interrupts are dropped. */
	wr(DEVICE_STATUS, 1, S_ACK);
	select_queue(1);
	ck_assert_uint_eq(rd(QUEUE_SELECT, 2), 0);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0xf);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1), 0);
	ck_assert_uint_eq(nr_msis, 0);
	/* RESET_DONE: status 0, queues gone, published. */
	posted_changed = 0;
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_RESET_DONE, 0), 0);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0);
	ck_assert_uint_eq(s->reset, 0);
	ck_assert_uint_eq(s->vq[0].enabled, 0);
	ck_assert_uint_eq(s->vq[0].desc, 0);
	ck_assert_uint_eq(s->driver_features, 0);
	ck_assert_uint_eq(posted_changed, 1);
	assert_published_consistent();
	/* A second RESET_DONE is harmless. */
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_RESET_DONE, 0), 0);
	ck_assert_uint_eq(negotiate(FEATURES), S_ACK | S_DRIVER | S_FEATURES_OK);

	/* A backend that goes away completes a pending reset. */
	wr(DEVICE_STATUS, 1, 0);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0xb);
	bound = false;
	virtio_pci_backend_gone(d);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0);
}
END_TEST

START_TEST(device_config_is_read_only)
{
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET, 4), 2048);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET + 4, 4), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET, 8), 2048);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET + 1, 1), 8);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET + 1, 2), 0xffff);	/* misaligned */
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET + 8, 1), 0xff);	/* beyond */
	wr(HVP_VIRTIO_DEVICE_OFFSET, 4, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET, 4), 2048);
	ck_assert_uint_eq(rd(CONFIG_GENERATION, 1), 0);
}
END_TEST

/* --- MSI-X, ISR and notify ----------------------------------------------------- */

static void msix_enable(uint16_t control)
{
	struct caps c = walk_caps(VIRTIO_DEVFN);

	cfg_write(VIRTIO_DEVFN, c.msix + 2, 2, control);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, c.msix + 2, 2), control | 2);
}

static void msix_entry(unsigned int n, uint32_t apic, uint8_t vector, bool masked)
{
	uint32_t at = HVP_VIRTIO_MSIX_OFFSET + 16 * n;

	wr(at, 4, 0xfee00000U | apic << 12);
	wr(at + 4, 4, 0);
	wr(at + 8, 4, vector);
	wr(at + 12, 4, masked);
}

START_TEST(msix_masking_and_pending)
{
	uint32_t pba = HVP_VIRTIO_PBA_OFFSET;

	/* Entries start masked. */
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 12, 4), 1);
	negotiate(FEATURES);
	wr(CONFIG_MSIX_VECTOR, 2, 0);
	select_queue(0);
	wr(QUEUE_MSIX_VECTOR, 2, 1);
	select_queue(1);
	wr(QUEUE_MSIX_VECTOR, 2, 2);
	msix_entry(0, 0, 0x40, false);
	msix_entry(1, 1, 0x41, true);
	msix_entry(2, 0, 0x42, false);
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 16 + 8, 4), 0x41);

	/* MSI-X off: nothing sent, the ISR says it. */
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1), 0);
	ck_assert_uint_eq(nr_msis, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_ISR_OFFSET, 1), 1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_ISR_OFFSET, 1), 0);	/* read clears */

	msix_enable(MSIX_CTRL_ENABLE);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 2), 0);
	ck_assert_uint_eq(nr_msis, 1);
	ck_assert_uint_eq(msis[0].address, 0xfee00000U);
	ck_assert_uint_eq(msis[0].data, 0x42);
	/* Queue 0's entry (1) is masked: pending, then sent on unmask. */
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1), 0);
	ck_assert_uint_eq(nr_msis, 1);
	ck_assert_uint_eq(rd(pba, 4), 1U << 1);
	ck_assert_uint_eq(rd(pba, 8), 1U << 1);
	wr(pba, 4, 0);					/* PBA is read-only */
	ck_assert_uint_eq(rd(pba, 4), 1U << 1);
	wr(HVP_VIRTIO_MSIX_OFFSET + 16 + 12, 4, 0);
	ck_assert_uint_eq(nr_msis, 2);
	ck_assert_uint_eq(msis[1].address, 0xfee01000U);
	ck_assert_uint_eq(msis[1].data, 0x41);
	ck_assert_uint_eq(rd(pba, 4), 0);

	/* The function mask holds everything; clearing it flushes. */
	msix_enable(MSIX_CTRL_ENABLE | MSIX_CTRL_FUNCTION_MASK);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT,
					HV_DEVCTL_CONFIG_BIT | 3), 0);
	ck_assert_uint_eq(nr_msis, 2);
	ck_assert_uint_eq(rd(pba, 4), 7);
	msix_enable(MSIX_CTRL_ENABLE);
	ck_assert_uint_eq(nr_msis, 5);
	ck_assert_uint_eq(rd(pba, 4), 0);

	/* No vector chosen: dropped. */
	select_queue(0);
	wr(QUEUE_MSIX_VECTOR, 2, VIRTIO_MSI_NO_VECTOR);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1), 0);
	ck_assert_uint_eq(nr_msis, 5);
	ck_assert_uint_eq(rd(pba, 4), 0);
	/* A vector beyond the table reads back as none. */
	wr(QUEUE_MSIX_VECTOR, 2, 3);
	ck_assert_uint_eq(rd(QUEUE_MSIX_VECTOR, 2), VIRTIO_MSI_NO_VECTOR);

	/* Entries beyond the table and narrow accesses are refused. */
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 16 * 3, 4), 0xffffffffU);
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 8, 2), 0xffff);
	wr(HVP_VIRTIO_MSIX_OFFSET + 8, 2, 0x99);
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 8, 4), 0x40);
}
END_TEST

START_TEST(needs_reset)
{
	negotiate(FEATURES);
	wr(DEVICE_STATUS, 1, 0xf);
	wr(CONFIG_MSIX_VECTOR, 2, 0);
	msix_entry(0, 1, 0x50, false);
	msix_enable(MSIX_CTRL_ENABLE);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_NEEDS_RESET, 0), 0);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0xf | VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(nr_msis, 1);
	ck_assert_uint_eq(msis[0].data, 0x50);
	ck_assert_uint_eq(rd(HVP_VIRTIO_ISR_OFFSET, 1), 2);
	wr(DEVICE_STATUS, 1, 0);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0);
}
END_TEST

START_TEST(notify_posts_queue_bits)
{
	unsigned int i;

	ck_assert_int_eq(add_device(HV_VIRTIO_NET, 3, FEATURES), 1);
	for (i = 0; i < 10000; i++)
		vpci_io_write(d, BAR2 + 2, 2, 1);
	ck_assert_uint_eq(notify_posts, 10000);
	ck_assert_uint_eq(posted_notify, 1ULL << 1);
	/* Device 1's BAR2 follows device 0's; any width notifies. */
	vpci_io_write(d, BAR2 + HVP_VIRTIO_BAR2_SIZE + 4, 1, 0);
	vpci_io_write(d, BAR2 + HVP_VIRTIO_BAR2_SIZE, 4, 0);
	ck_assert_uint_eq(posted_notify, (1ULL << 1) | 1ULL << (8 + 2) | 1ULL << 8);
	/* No such queue, an odd port, a port between the BARs: nothing. */
	posted_notify = 0;
	vpci_io_write(d, BAR2 + 4, 2, 2);
	vpci_io_write(d, BAR2 + 1, 1, 0);
	vpci_io_write(d, BAR2 + 3 * HVP_VIRTIO_BAR2_SIZE, 2, 0);
	ck_assert_uint_eq(posted_notify, 0);
	ck_assert(vpci_is_io(BAR2) && !vpci_is_io(BAR2 - 1) &&
		  !vpci_is_io(BAR2 + HVP_PCI_IO_SIZE));
}
END_TEST

/* --- hostile forms ------------------------------------------------------------ */

START_TEST(hostile_queue_registers)
{
	negotiate(FEATURES);
	/* No such queue: size reads 0, writes change nothing. */
	select_queue(2);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), 0);
	ck_assert_uint_eq(rd(QUEUE_MSIX_VECTOR, 2), VIRTIO_MSI_NO_VECTOR);
	wr(QUEUE_SIZE, 2, 16);
	wr(QUEUE_ENABLE, 2, 1);
	wr(QUEUE_DESC, 4, 0x1000);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), 0);
	select_queue(0xffff);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), 0);
	ck_assert_uint_eq(rd(QUEUE_DESC, 4), 0);
	/* Sizes: not a power of two, above the maximum, zero. */
	select_queue(0);
	wr(QUEUE_SIZE, 2, 3);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), QUEUE_MAX);
	wr(QUEUE_SIZE, 2, QUEUE_MAX * 2);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), QUEUE_MAX);
	wr(QUEUE_SIZE, 2, 0);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), QUEUE_MAX);
	wr(QUEUE_SIZE, 2, 1);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), 1);
	/* Enable before the addresses: refused. */
	wr(QUEUE_DESC, 4, 0x1000);
	wr(QUEUE_ENABLE, 2, 1);
	ck_assert_uint_eq(rd(QUEUE_ENABLE, 2), 0);
	/* Addresses outside RAM are the backend's to judge. */
	set_addresses(0, 0xfff0000000000ULL, 0xfff0000001000ULL, 0xfff0000002000ULL);
	wr(QUEUE_ENABLE, 2, 2);				/* only 1 enables */
	ck_assert_uint_eq(rd(QUEUE_ENABLE, 2), 0);
	wr(QUEUE_ENABLE, 2, 1);
	ck_assert_uint_eq(rd(QUEUE_ENABLE, 2), 1);
	ck_assert_uint_gt(d->vpci.refused, 5);
}
END_TEST

START_TEST(hostile_widths_and_read_only)
{
	uint32_t refused;

	/* Read-only registers keep their value. */
	wr(DEVICE_FEATURE, 4, 0);
	wr(DEVICE_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(rd(DEVICE_FEATURE, 4), (uint32_t)FEATURES);
	wr(NUM_QUEUES, 2, 7);
	ck_assert_uint_eq(rd(NUM_QUEUES, 2), 2);
	wr(CONFIG_GENERATION, 1, 5);
	ck_assert_uint_eq(rd(CONFIG_GENERATION, 1), 0);
	wr(QUEUE_NOTIFY_OFF, 2, 5);
	ck_assert_uint_eq(rd(QUEUE_NOTIFY_OFF, 2), 0);
	wr(HVP_VIRTIO_ISR_OFFSET, 1, 0xff);
	ck_assert_uint_eq(rd(HVP_VIRTIO_ISR_OFFSET, 1), 0);

	/* Bad widths and crossing: all-ones, no change. */
	refused = d->vpci.refused;
	ck_assert_uint_eq(rd(DEVICE_FEATURE, 2), 0xffff);
	ck_assert_uint_eq(rd(NUM_QUEUES, 4), 0xffffffffU);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 2), 0xffff);
	ck_assert_uint_eq(rd(DEVICE_FEATURE + 2, 4), 0xffffffffU);
	ck_assert_uint_eq(rd(QUEUE_DESC, 8), ~0ULL);
	ck_assert_uint_eq(rd(QUEUE_SIZE + 1, 1), 0xff);
	wr(DEVICE_STATUS, 4, S_ACK);
	wr(QUEUE_SELECT, 4, 1);
	wr(QUEUE_SIZE, 1, 16);
	wr(QUEUE_DESC, 8, 0x1000);
	ck_assert_uint_eq(rd(DEVICE_STATUS, 1), 0);
	ck_assert_uint_eq(rd(QUEUE_SELECT, 2), 0);
	ck_assert_uint_eq(rd(QUEUE_SIZE, 2), QUEUE_MAX);
	ck_assert_uint_eq(rd(QUEUE_DESC, 4), 0);
	ck_assert_uint_eq(d->vpci.refused - refused, 10);
	/* Past the registers: reserved, reads 0. */
	ck_assert_uint_eq(rd(0x38, 4), 0);
	ck_assert_uint_eq(rd(0xffc, 4), 0);
	/* The window's empty parts read all-ones. */
	ck_assert_uint_eq(vpci_mmio_read(d, BAR0 + 2 * HVP_VIRTIO_BAR0_SIZE, 4),
			  0xffffffffU);
	ck_assert_uint_eq(vpci_mmio_read(d, BAR0 + 2 * HVP_VIRTIO_BAR0_SIZE, 8), ~0ULL);
}
END_TEST

START_TEST(device_add_and_ctl_refusals)
{
	struct hv_device_add add;
	unsigned int i;

	memset(&add, 0, sizeof(add));
	add.type = HV_VIRTIO_BLK;
	add.nr_queues = 1;
	add.queue_size = 128;
	add.features = VIRTIO_F_VERSION_1;
	add.type = 3;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.type = HV_VIRTIO_BLK;
	add.nr_queues = 0;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.nr_queues = HV_DEVICE_QUEUES_MAX + 1;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.nr_queues = 1;
	add.queue_size = 96;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.queue_size = HV_DEVICE_QUEUE_SIZE_MAX * 2;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.queue_size = 1;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.queue_size = 128;
	add.config_len = HV_DEVICE_CONFIG_MAX + 1;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.config_len = 0;
	add.features = 1;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.features = VIRTIO_F_VERSION_1;
	dom.ram_bytes = HVP_PCI_MMIO_BASE + (2 << 20);
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	dom.ram_bytes = 64 << 20;
	ck_assert_uint_eq(d->vpci.nr_devices, 1);
	for (i = 1; i < HV_DOMAIN_DEVICES_MAX; i++)
		ck_assert_int_eq(virtio_pci_add(d, &add), i);
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_ENOSPC);
	/* Without device configuration there is no device capability. */
	ck_assert_uint_eq(walk_caps(2 << 3).count, 4);

	ck_assert_int_eq(virtio_pci_ctl(d, HV_DOMAIN_DEVICES_MAX, HV_DEVCTL_INTERRUPT, 1),
			 -HV_EINVAL);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, 99, 0), -HV_EINVAL);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1U << 2), -HV_EINVAL);
	ck_assert_int_eq(virtio_pci_ctl(d, 1, HV_DEVCTL_INTERRUPT, 1U << 1), -HV_EINVAL);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 3), 0);
}
END_TEST

Suite *vpci_suite(void)
{
	Suite *s = suite_create("vpci");
	TCase *tc = tcase_create("bus");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, address_register_reads_back);
	tcase_add_test(tc, host_bridge);
	tcase_add_test(tc, empty_slots_read_all_ones);
	tcase_add_test(tc, odd_sizes_and_offsets);
	tcase_add_test(tc, virtio_function_header);
	tcase_add_test(tc, capability_walk);
	tcase_add_test(tc, bar_sizing_and_relocation);
	suite_add_tcase(s, tc);

	tc = tcase_create("virtio");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, feature_negotiation);
	tcase_add_test(tc, feature_refusals);
	tcase_add_test(tc, queue_setup_is_published);
	tcase_add_test(tc, reset_without_backend);
	tcase_add_test(tc, reset_with_backend);
	tcase_add_test(tc, device_config_is_read_only);
	tcase_add_test(tc, msix_masking_and_pending);
	tcase_add_test(tc, needs_reset);
	tcase_add_test(tc, notify_posts_queue_bits);
	tcase_add_test(tc, hostile_queue_registers);
	tcase_add_test(tc, hostile_widths_and_read_only);
	tcase_add_test(tc, device_add_and_ctl_refusals);
	suite_add_tcase(s, tc);
	return s;
}
