/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A customer domain's PCI bus 0 and its virtio-pci devices
 * (common/vpci.c, common/virtio_pci.c; docs/virtio.md).  All of it is
 * guarded by d->arch.platform_lock.
 */
#ifndef HV_VIRTIO_PCI_H
#define HV_VIRTIO_PCI_H

#include <public/hvabi.h>
#include <lib/types.h>

struct domain;

struct vpci {
	unsigned int nr_devices;
};

/*
 * Called by common/backend.c under the lock: at HVCALL_BACKEND_BIND, every
 * device's state is written into the new page and its changed bit set; at
 * UNBIND (or when the backend's dom0 process is gone), resets the driver
 * waits on complete, as the backend can no longer answer them.
 */
void virtio_pci_publish_all(struct domain *d);
void virtio_pci_backend_gone(struct domain *d);

#endif
