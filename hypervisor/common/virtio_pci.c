// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-pci devices of customer domains (see hv/virtio_pci.h).  Being
 * written (issue 12): for now only the two calls the backend binding makes,
 * correct for a domain without devices, which is every domain so far.
 */
#include <hv/domain.h>
#include <hv/virtio_pci.h>

void virtio_pci_publish_all(struct domain *d)
{
	(void)d;	/* no device can exist yet: nothing to publish */
}

void virtio_pci_backend_gone(struct domain *d)
{
	(void)d;	/* no device, so no reset waits on the backend */
}
