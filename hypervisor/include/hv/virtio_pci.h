/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A customer domain's PCI bus 0 and its virtio-pci devices
 * (common/vpci.c, common/virtio_pci.c, common/devctl.c; docs/virtio.md).
 * All of it is guarded by d->arch.platform_lock: every function here that
 * takes a domain expects the caller to hold it.
 *
 * vpci.c is the bus: configuration mechanism #1, each function's
 * configuration space (IDs, command register, BARs, capability list,
 * MSI-X control) and which device a BAR access lands in.  virtio_pci.c is
 * what is behind the BARs: the virtio registers, the device status state
 * machine, MSI-X, notify forwarding and what the backend is told.
 */
#ifndef HV_VIRTIO_PCI_H
#define HV_VIRTIO_PCI_H

#include <public/hvabi.h>
#include <public/hvplatform.h>
#include <lib/types.h>

struct domain;

#define VIRTIO_F_VERSION_1		(1ULL << 32)

/* MSI-X: one table entry per queue plus one for configuration changes. */
#define VPCI_MSIX_ENTRIES		(HV_DEVICE_QUEUES_MAX + 1)
#define MSIX_CTRL_ENABLE		0x8000	/* message control bits */
#define MSIX_CTRL_FUNCTION_MASK		0x4000
#define MSIX_VECTOR_MASKED		1	/* vector control bit */

struct msix_entry {
	uint32_t address_lo;
	uint32_t address_hi;
	uint32_t data;
	uint32_t control;		/* MSIX_VECTOR_MASKED */
};

/* One virtio function, 00:(index+1).0. */
struct virtio_dev {
	/* What dom0 gave at HVCALL_DEVICE_ADD. */
	uint32_t type;			/* HV_VIRTIO_* */
	uint16_t nr_queues;
	uint16_t max_queue_size;
	uint64_t device_features;
	uint32_t config_len;
	uint8_t config[HV_DEVICE_CONFIG_MAX];

	/* PCI configuration space (vpci.c). */
	uint16_t command;
	uint8_t interrupt_line;		/* scratch byte the OS may write */
	uint32_t bar0;			/* as the guest wrote it, masked */
	uint32_t bar2;
	uint16_t msix_control;		/* MSIX_CTRL_ENABLE, _FUNCTION_MASK */

	/* Common configuration (virtio 1.2, 4.1.4.3). */
	uint32_t device_feature_select;
	uint32_t driver_feature_select;
	uint64_t driver_features;
	uint16_t config_msix_vector;
	uint8_t status;
	uint8_t config_generation;
	uint16_t queue_select;
	struct hv_vq_config vq[HV_DEVICE_QUEUES_MAX];
	bool reset_pending;		/* status 0 written, backend not done */
	uint8_t isr;			/* bit 0 queue, bit 1 configuration */

	struct msix_entry msix[VPCI_MSIX_ENTRIES];
	uint32_t msix_pending;		/* the PBA: bit n = entry n */
};

struct vpci {
	uint32_t config_address;	/* port 0xcf8 */
	unsigned int nr_devices;
	struct virtio_dev dev[HV_DOMAIN_DEVICES_MAX];
	uint32_t refused;		/* hostile accesses seen (log limit) */
};

/* --- The bus (vpci.c) -------------------------------------------------- */

/* Ports 0xcf8-0xcff: the address register and the data window. */
bool vpci_is_config_port(uint16_t port);
uint32_t vpci_config_port_read(struct domain *d, uint16_t port,
			       unsigned int size);
void vpci_config_port_write(struct domain *d, uint16_t port,
			    unsigned int size, uint32_t value);

/* One function's configuration space: dev 0 the host bridge, 1.. virtio. */
uint32_t vpci_config_read(struct domain *d, unsigned int devfn,
			  unsigned int reg, unsigned int size);
void vpci_config_write(struct domain *d, unsigned int devfn,
		       unsigned int reg, unsigned int size, uint32_t value);

/* True for addresses and ports of the host bridge's windows. */
bool vpci_is_mmio(uint64_t gpa);
bool vpci_is_io(uint16_t port);

/*
 * Accesses inside the windows: a device's BAR0 or BAR2 where it decodes
 * them, all-ones (reads) and nothing (writes) elsewhere.
 */
uint64_t vpci_mmio_read(struct domain *d, uint64_t gpa, unsigned int size);
void vpci_mmio_write(struct domain *d, uint64_t gpa, unsigned int size,
		     uint64_t value);
void vpci_io_write(struct domain *d, uint16_t port, unsigned int size,
		   uint32_t value);

/*
 * Logs a guest's hostile or broken access, the first VPCI_LOGGED of a
 * domain only (a guest can repeat it at will).
 */
#define VPCI_LOGGED	16
void vpci_refuse(struct domain *d, const char *what, uint64_t where);

/* --- The virtio registers behind the BARs (virtio_pci.c) --------------- */

void virtio_pci_dev_init(struct virtio_dev *dev, const struct hv_device_add *add,
			 unsigned int index);
uint64_t virtio_pci_bar0_read(struct domain *d, unsigned int index,
			      uint32_t offset, unsigned int size);
void virtio_pci_bar0_write(struct domain *d, unsigned int index,
			   uint32_t offset, unsigned int size, uint64_t value);
void virtio_pci_notify(struct domain *d, unsigned int index, uint32_t offset);

/* The message control word changed: pending messages may go out. */
void virtio_pci_msix_control(struct domain *d, unsigned int index,
			     uint16_t control);

/*
 * HVCALL_DEVICE_ADD and _CTL once the domain is known (devctl.c checks
 * the caller and holds the lock): 0 or index, or -HV_E*.
 */
int64_t virtio_pci_add(struct domain *d, const struct hv_device_add *add);
int64_t virtio_pci_ctl(struct domain *d, unsigned int index, uint32_t op,
		       uint32_t arg);

/*
 * Called by common/backend.c under the lock: at HVCALL_BACKEND_BIND, every
 * device's state is written into the new page and its changed bit set; at
 * UNBIND (or when the backend's dom0 process is gone), resets the driver
 * waits on complete, as the backend can no longer answer them.
 */
void virtio_pci_publish_all(struct domain *d);
void virtio_pci_backend_gone(struct domain *d);

#endif
