// SPDX-License-Identifier: GPL-2.0-only
/*
 * A customer domain's PCI bus 0 (see hv/virtio_pci.h, docs/virtio.md).
 *
 * What it promises:
 *  - Configuration mechanism #1: port 0xcf8 is a 32-bit address register
 *    that reads back what was written (bits 31 and 23-2; Linux's
 *    pci_direct_probe() checks this), ports 0xcfc-0xcff a data window of
 *    1-, 2- and 4-byte accesses that stay within the dword.  Any other
 *    form, any bus but 0 and any function that does not exist reads
 *    all-ones and drops writes, as an empty slot does, and costs no more
 *    than before the bus existed (Linux's boot probes ~34,000 of them).
 *  - 00:00.0 is a host bridge (Linux's pci_sanity_check() wants one);
 *    device index i is the virtio function 00:(i+1).0 (modern, vendor
 *    0x1af4, device 0x1040 + type), with BAR0 (memory) and BAR2 (I/O)
 *    the guest may size and move, a command register that turns their
 *    decoding on and off, a capability list (virtio common, notify, ISR,
 *    device configuration, MSI-X) and interrupt pin 0: no INTx.
 *  - A BAR decodes only while its decoding is on in the command register
 *    and it lies wholly inside its window of the host bridge (hvplatform.h:
 *    HVP_PCI_*); the windows otherwise read all-ones.
 * Everything is read from the device's state on each access, so there is
 * no second copy of a register to keep in step.
 */
#include <public/hvplatform.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/virtio_pci.h>
#include <lib/string.h>

#define PCI_ADDRESS_ENABLE	0x80000000U
#define PCI_ADDRESS_MASK	0x80fffffcU	/* enable, bus, dev, fn, reg */

#define PCI_VENDOR_REDHAT	0x1b36	/* the host bridge's IDs */
#define PCI_DEVICE_HOST_BRIDGE	0x0008
#define PCI_VENDOR_VIRTIO	0x1af4
#define PCI_DEVICE_VIRTIO_BASE	0x1040	/* + virtio device ID: modern */
#define PCI_SUBSYSTEM_VIRTIO	0x0040

#define PCI_CLASS_HOST_BRIDGE	0x060000
#define PCI_CLASS_STORAGE_SCSI	0x010000
#define PCI_CLASS_NETWORK	0x020000
#define PCI_CLASS_OTHER		0xff0000

/* Registers of a type 0 header. */
#define PCI_COMMAND		0x04
#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_COMMAND_WRITABLE	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | \
				 PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_BAR0		0x10
#define PCI_BAR2		0x18
#define PCI_BAR_IO		0x1
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_CAP_ID_VENDOR	0x09
#define PCI_CAP_ID_MSIX		0x11

/* The virtio capabilities (virtio 1.2, 4.1.4): their types. */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_COMMON_CFG_LEN		0x38	/* up to queue_device */

/* Where the capabilities sit in a virtio function's configuration space. */
#define CAP_COMMON		0x40
#define CAP_NOTIFY		0x50	/* 20 bytes: with the multiplier */
#define CAP_ISR			0x68
#define CAP_DEVICE		0x78
#define CAP_MSIX		0x88	/* 12 bytes */
#define MSIX_CONTROL		(CAP_MSIX + 2)

bool vpci_is_config_port(uint16_t port)
{
	return port >= HVP_PCI_CONFIG_ADDRESS && port < HVP_PCI_CONFIG_DATA + 4;
}

bool vpci_is_mmio(uint64_t gpa)
{
	return gpa >= HVP_PCI_MMIO_BASE &&
	       gpa < HVP_PCI_MMIO_BASE + HVP_PCI_MMIO_SIZE;
}

bool vpci_is_io(uint16_t port)
{
	return port >= HVP_PCI_IO_BASE && port < HVP_PCI_IO_BASE + HVP_PCI_IO_SIZE;
}

void vpci_refuse(struct domain *d, const char *what, uint64_t where)
{
	uint32_t n = ++d->vpci.refused;

	if (n <= VPCI_LOGGED)
		printk("d%u: refused PCI/virtio access: %s at %lx%s\n", d->id,
		       what, where, n == VPCI_LOGGED ?
		       " (further ones are refused without a log line)" : "");
}

/* The virtio device of a function number, or NULL. */
static struct virtio_dev *function_dev(struct domain *d, unsigned int devfn,
				       unsigned int *index)
{
	unsigned int slot = devfn >> 3, fn = devfn & 7;

	if (fn != 0 || slot == 0 || slot > d->vpci.nr_devices)
		return NULL;
	*index = slot - 1;
	return &d->vpci.dev[slot - 1];
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void host_bridge_space(uint8_t space[256])
{
	put16(space + 0x00, PCI_VENDOR_REDHAT);
	put16(space + 0x02, PCI_DEVICE_HOST_BRIDGE);
	put32(space + 0x08, PCI_CLASS_HOST_BRIDGE << 8);
}

/* One struct virtio_pci_cap (virtio 1.2, 4.1.4) at space[at]. */
static void virtio_cap(uint8_t *space, unsigned int at, unsigned int next,
		       unsigned int len, uint8_t type, uint8_t bar,
		       uint32_t offset, uint32_t length)
{
	space[at + 0] = PCI_CAP_ID_VENDOR;
	space[at + 1] = (uint8_t)next;
	space[at + 2] = (uint8_t)len;
	space[at + 3] = type;
	space[at + 4] = bar;
	space[at + 5] = 0;		/* id: one capability of each type */
	put32(space + at + 8, offset);
	put32(space + at + 12, length);
}

static uint32_t class_of(uint32_t type)
{
	switch (type) {
	case HV_VIRTIO_BLK:
		return PCI_CLASS_STORAGE_SCSI;
	case HV_VIRTIO_NET:
		return PCI_CLASS_NETWORK;
	}
	return PCI_CLASS_OTHER;
}

static void virtio_space(const struct virtio_dev *dev, uint8_t space[256])
{
	unsigned int after_isr = dev->config_len ? CAP_DEVICE : CAP_MSIX;

	put16(space + 0x00, PCI_VENDOR_VIRTIO);
	put16(space + 0x02, (uint16_t)(PCI_DEVICE_VIRTIO_BASE + dev->type));
	put16(space + PCI_COMMAND, dev->command);
	put16(space + 0x06, PCI_STATUS_CAP_LIST);
	put32(space + 0x08, class_of(dev->type) << 8 | 1);	/* revision 1 */
	put32(space + PCI_BAR0, dev->bar0);
	put32(space + PCI_BAR2, dev->bar2);
	put16(space + 0x2c, PCI_VENDOR_VIRTIO);
	put16(space + 0x2e, PCI_SUBSYSTEM_VIRTIO);
	space[0x34] = CAP_COMMON;
	space[PCI_INTERRUPT_LINE] = dev->interrupt_line;
	space[0x3d] = 0;		/* interrupt pin: none, MSI-X only */

	virtio_cap(space, CAP_COMMON, CAP_NOTIFY, 16, VIRTIO_PCI_CAP_COMMON_CFG,
		   0, HVP_VIRTIO_COMMON_OFFSET, VIRTIO_COMMON_CFG_LEN);
	virtio_cap(space, CAP_NOTIFY, CAP_ISR, 20, VIRTIO_PCI_CAP_NOTIFY_CFG,
		   2, 0, dev->nr_queues * HVP_VIRTIO_NOTIFY_MULTIPLIER);
	put32(space + CAP_NOTIFY + 16, HVP_VIRTIO_NOTIFY_MULTIPLIER);
	virtio_cap(space, CAP_ISR, after_isr, 16, VIRTIO_PCI_CAP_ISR_CFG,
		   0, HVP_VIRTIO_ISR_OFFSET, 1);
	if (dev->config_len)
		virtio_cap(space, CAP_DEVICE, CAP_MSIX, 16,
			   VIRTIO_PCI_CAP_DEVICE_CFG, 0,
			   HVP_VIRTIO_DEVICE_OFFSET, dev->config_len);

	space[CAP_MSIX] = PCI_CAP_ID_MSIX;
	space[CAP_MSIX + 1] = 0;	/* the last capability */
	put16(space + MSIX_CONTROL,
	      (uint16_t)(dev->msix_control | (dev->nr_queues + 1 - 1)));
	put32(space + CAP_MSIX + 4, HVP_VIRTIO_MSIX_OFFSET);	/* BIR 0 */
	put32(space + CAP_MSIX + 8, HVP_VIRTIO_PBA_OFFSET);	/* BIR 0 */
}

/* Whether a function exists, and if so its whole configuration space. */
static bool function_space(struct domain *d, unsigned int devfn,
			   uint8_t space[256])
{
	struct virtio_dev *dev;
	unsigned int index;

	if (devfn == 0) {
		memset(space, 0, 256);
		host_bridge_space(space);
		return true;
	}
	dev = function_dev(d, devfn, &index);
	if (!dev)
		return false;
	memset(space, 0, 256);
	virtio_space(dev, space);
	return true;
}

static bool access_ok(unsigned int reg, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && reg < 256 &&
	       reg % size == 0;
}

uint32_t vpci_config_read(struct domain *d, unsigned int devfn,
			  unsigned int reg, unsigned int size)
{
	uint8_t space[256];
	uint32_t value = 0;

	if (!access_ok(reg, size) || devfn > 0xff ||
	    !function_space(d, devfn, space))
		return size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
	memcpy(&value, space + reg, size);
	return value;
}

/* A BAR's new value: the guest's address bits, the size's low bits clear. */
static uint32_t bar_value(uint32_t written, uint32_t size, uint32_t flags,
			  uint32_t limit)
{
	return (written & ~(size - 1) & limit) | flags;
}

/* Applies the written bytes of the dword at reg (mask: which bytes). */
static void virtio_dword_write(struct domain *d, unsigned int index,
			       unsigned int reg, uint32_t value, uint32_t mask)
{
	struct virtio_dev *dev = &d->vpci.dev[index];
	uint16_t control;

	switch (reg) {
	case PCI_COMMAND:	/* the status half is read-only here */
		if (mask & 0xffff)
			dev->command = (uint16_t)((dev->command & ~mask) |
				       (value & mask & PCI_COMMAND_WRITABLE));
		break;
	case PCI_BAR0:
		value = (dev->bar0 & ~mask) | (value & mask);
		dev->bar0 = bar_value(value, HVP_VIRTIO_BAR0_SIZE, 0, ~0U);
		break;
	case PCI_BAR2:
		value = (dev->bar2 & ~mask) | (value & mask);
		dev->bar2 = bar_value(value, HVP_VIRTIO_BAR2_SIZE, PCI_BAR_IO,
				      0xffff);
		break;
	case PCI_INTERRUPT_LINE:
		if (mask & 0xff)
			dev->interrupt_line = (uint8_t)value;
		break;
	case CAP_MSIX:		/* message control is the upper half */
		if (!(mask & 0xffff0000U))
			break;
		value = ((uint32_t)dev->msix_control << 16 & ~mask) |
			(value & mask);
		control = (uint16_t)(value >> 16) &
			  (MSIX_CTRL_ENABLE | MSIX_CTRL_FUNCTION_MASK);
		dev->msix_control = control;
		virtio_pci_msix_control(d, index, control);
		break;
	default:
		break;		/* read-only: IDs, class, capabilities */
	}
}

void vpci_config_write(struct domain *d, unsigned int devfn,
		       unsigned int reg, unsigned int size, uint32_t value)
{
	unsigned int index, shift;
	uint32_t mask;

	if (!access_ok(reg, size) || devfn > 0xff)
		return;
	/* The host bridge has nothing writable. */
	if (!function_dev(d, devfn, &index))
		return;
	shift = 8 * (reg & 3);
	mask = (size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1) << shift;
	virtio_dword_write(d, index, reg & ~3U, value << shift, mask);
}

/* The function and register the address register names for a data port. */
static bool config_target(struct domain *d, uint16_t port, unsigned int size,
			  unsigned int *devfn, unsigned int *reg)
{
	uint32_t address = d->vpci.config_address;
	unsigned int byte = port - HVP_PCI_CONFIG_DATA;

	if (!(address & PCI_ADDRESS_ENABLE) || ((address >> 16) & 0xff) != 0 ||
	    byte + size > 4)
		return false;
	*devfn = (address >> 8) & 0xff;
	*reg = (address & 0xfc) + byte;
	return true;
}

uint32_t vpci_config_port_read(struct domain *d, uint16_t port,
			       unsigned int size)
{
	uint32_t ones = size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
	unsigned int devfn, reg;

	if (port < HVP_PCI_CONFIG_DATA)
		return port == HVP_PCI_CONFIG_ADDRESS && size == 4 ?
		       d->vpci.config_address : ones;
	if (!config_target(d, port, size, &devfn, &reg))
		return ones;
	return vpci_config_read(d, devfn, reg, size);
}

void vpci_config_port_write(struct domain *d, uint16_t port,
			    unsigned int size, uint32_t value)
{
	unsigned int devfn, reg;

	if (port < HVP_PCI_CONFIG_DATA) {
		/* Byte writes to 0xcfb (mechanism #2's probe) change nothing. */
		if (port == HVP_PCI_CONFIG_ADDRESS && size == 4)
			d->vpci.config_address = value & PCI_ADDRESS_MASK;
		return;
	}
	if (config_target(d, port, size, &devfn, &reg))
		vpci_config_write(d, devfn, reg, size, value);
}

/* The device whose BAR0 holds gpa, and the offset in it; or NULL. */
static struct virtio_dev *bar0_dev(struct domain *d, uint64_t gpa,
				   unsigned int *index, uint32_t *offset)
{
	unsigned int i;

	for (i = 0; i < d->vpci.nr_devices; i++) {
		struct virtio_dev *dev = &d->vpci.dev[i];
		uint64_t base = dev->bar0;

		if (!(dev->command & PCI_COMMAND_MEMORY) ||
		    base < HVP_PCI_MMIO_BASE ||
		    base + HVP_VIRTIO_BAR0_SIZE > HVP_PCI_MMIO_BASE + HVP_PCI_MMIO_SIZE)
			continue;
		if (gpa >= base && gpa < base + HVP_VIRTIO_BAR0_SIZE) {
			*index = i;
			*offset = (uint32_t)(gpa - base);
			return dev;
		}
	}
	return NULL;
}

uint64_t vpci_mmio_read(struct domain *d, uint64_t gpa, unsigned int size)
{
	unsigned int index;
	uint32_t offset;

	if (!bar0_dev(d, gpa, &index, &offset))
		return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	return virtio_pci_bar0_read(d, index, offset, size);
}

void vpci_mmio_write(struct domain *d, uint64_t gpa, unsigned int size,
		     uint64_t value)
{
	unsigned int index;
	uint32_t offset;

	if (bar0_dev(d, gpa, &index, &offset))
		virtio_pci_bar0_write(d, index, offset, size, value);
}

void vpci_io_write(struct domain *d, uint16_t port, unsigned int size,
		   uint32_t value)
{
	unsigned int i;

	(void)size;	/* any width notifies; the value names no more */
	(void)value;
	for (i = 0; i < d->vpci.nr_devices; i++) {
		struct virtio_dev *dev = &d->vpci.dev[i];
		uint32_t base = dev->bar2 & ~(uint32_t)PCI_BAR_IO;

		if (!(dev->command & PCI_COMMAND_IO) ||
		    base < HVP_PCI_IO_BASE ||
		    base + HVP_VIRTIO_BAR2_SIZE > HVP_PCI_IO_BASE + HVP_PCI_IO_SIZE)
			continue;
		if (port >= base && port < base + HVP_VIRTIO_BAR2_SIZE) {
			virtio_pci_notify(d, i, port - base);
			return;
		}
	}
}
