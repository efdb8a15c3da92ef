/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What test_vpci.c and test_virtio_pci.c share (vpci_harness.c): the test
 * doubles of the backend binding and of MSI delivery, which record what
 * they were asked, one domain with a virtio-blk device (index 0, two
 * queues), and a guest's view of its bus: configuration mechanism #1
 * through the port handlers, BAR0 through the MMIO handler at the address
 * the BAR holds.
 */
#ifndef VPCI_HARNESS_H
#define VPCI_HARNESS_H

#include <string.h>

#include <public/hvplatform.h>
#include <hv/arch.h>
#include <hv/backend.h>
#include <hv/domain.h>
#include <hv/virtio_pci.h>

#include "suites.h"

/* What the doubles recorded. */
extern struct hv_backend_page page;
extern bool bound;			/* backend_page() answers &page */
extern uint64_t posted_notify, posted_changed;
extern unsigned int notify_posts, changed_posts;
#define MAX_MSIS 64
struct msi_record {
	uint64_t address;
	uint32_t data;
};
extern struct msi_record msis[MAX_MSIS];
extern unsigned int nr_msis;

/* --- a domain and a guest's view of it --------------------------------------- */

extern struct domain dom;
static struct domain *const d = &dom;

#define FEATURE_BLK_SIZE	(1ULL << 6)
#define FEATURES		(VIRTIO_F_VERSION_1 | FEATURE_BLK_SIZE)
#define QUEUE_MAX		256

/* virtio 1.2, 4.1.4.3 */

#define S_ACK		VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRIVER	VIRTIO_STATUS_DRIVER
#define S_FEATURES_OK	VIRTIO_STATUS_FEATURES_OK
#define S_DRIVER_OK	VIRTIO_STATUS_DRIVER_OK

/* Adds a device as HVCALL_DEVICE_ADD would (8 bytes of config: 2048). */
int64_t add_device(uint32_t type, uint32_t nr_queues, uint64_t features);

/* The checked fixture: a fresh domain with one virtio-blk device. */
void vpci_setup(void);

static inline void outl(uint16_t port, uint32_t v) { vpci_config_port_write(d, port, 4, v); }
static inline uint32_t inl(uint16_t port) { return vpci_config_port_read(d, port, 4); }

/* A configuration read as Linux's pci_conf1_read() makes it. */
static inline uint32_t cfg_read(unsigned int devfn, unsigned int reg, unsigned int size)
{
	outl(0xcf8, 0x80000000U | devfn << 8 | (reg & 0xfc));
	return vpci_config_port_read(d, (uint16_t)(0xcfc + (reg & 3)), size);
}

static inline void cfg_write(unsigned int devfn, unsigned int reg, unsigned int size,
		      uint32_t value)
{
	outl(0xcf8, 0x80000000U | devfn << 8 | (reg & 0xfc));
	vpci_config_port_write(d, (uint16_t)(0xcfc + (reg & 3)), size, value);
}

#define VIRTIO_DEVFN	(1 << 3)	/* 00:01.0: device index 0 */
#define BAR0		(HVP_PCI_MMIO_BASE)
#define BAR2		(HVP_PCI_IO_BASE)

static inline uint64_t rd(uint32_t off, unsigned int size)
{
	return vpci_mmio_read(d, BAR0 + off, size);
}

static inline void wr(uint32_t off, unsigned int size, uint64_t value)
{
	vpci_mmio_write(d, BAR0 + off, size, value);
}

static inline void select_queue(uint16_t q)
{
	wr(HVP_VIRTIO_CC_QUEUE_SELECT, 2, q);
}

/* Negotiates features as virtio_pci_modern does: ACK, DRIVER, FEATURES_OK. */
static inline uint8_t negotiate(uint64_t accept)
{
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, S_ACK);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, S_ACK | S_DRIVER);
	wr(HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 4, 0);
	wr(HVP_VIRTIO_CC_DRIVER_FEATURE, 4, (uint32_t)accept);
	wr(HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 4, 1);
	wr(HVP_VIRTIO_CC_DRIVER_FEATURE, 4, (uint32_t)(accept >> 32));
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	return (uint8_t)rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1);
}

static inline void set_addresses(uint16_t q, uint64_t desc, uint64_t drv, uint64_t dev)
{
	select_queue(q);
	wr(HVP_VIRTIO_CC_QUEUE_DESC, 4, (uint32_t)desc);
	wr(HVP_VIRTIO_CC_QUEUE_DESC + 4, 4, (uint32_t)(desc >> 32));
	wr(HVP_VIRTIO_CC_QUEUE_DRIVER, 4, (uint32_t)drv);
	wr(HVP_VIRTIO_CC_QUEUE_DRIVER + 4, 4, (uint32_t)(drv >> 32));
	wr(HVP_VIRTIO_CC_QUEUE_DEVICE, 4, (uint32_t)dev);
	wr(HVP_VIRTIO_CC_QUEUE_DEVICE + 4, 4, (uint32_t)(dev >> 32));
}


struct caps {
	unsigned int at[5];		/* virtio cap of each cfg_type 1-4 */
	unsigned int msix;
	unsigned int count;
};

/* The walk Linux's pci_find_capability() makes: at most 48 steps. */
static inline struct caps walk_caps(unsigned int devfn)
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


static inline void msix_enable(uint16_t control)
{
	struct caps c = walk_caps(VIRTIO_DEVFN);

	cfg_write(VIRTIO_DEVFN, c.msix + 2, 2, control);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, c.msix + 2, 2), control | 2);
}

static inline void msix_entry(unsigned int n, uint32_t apic, uint8_t vector, bool masked)
{
	uint32_t at = HVP_VIRTIO_MSIX_OFFSET + 16 * n;

	wr(at, 4, 0xfee00000U | apic << 12);
	wr(at + 4, 4, 0);
	wr(at + 8, 4, vector);
	wr(at + 12, 4, masked);
}


#endif
