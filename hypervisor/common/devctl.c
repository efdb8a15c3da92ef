// SPDX-License-Identifier: GPL-2.0-only
/*
 * HVCALL_DEVICE_ADD and HVCALL_DEVICE_CTL (include/public/hvabi.h): dom0
 * adds virtio devices to a customer domain before it boots, and its
 * backend raises their interrupts and answers resets.  Called from
 * hypercall() once the caller is known to be dom0's kernel and the buffer
 * its RAM; the request is copied once, so dom0 changing it meanwhile
 * cannot make a check and a use disagree.  The work itself is
 * common/virtio_pci.c's, under the domain's platform_lock.
 */
#include <hv/devctl.h>
#include <hv/domain.h>
#include <hv/spinlock.h>
#include <hv/virtio_pci.h>
#include <lib/string.h>

/* A customer domain that exists and is not being destroyed. */
static struct domain *customer(uint32_t domid)
{
	struct domain *d = domid ? domain_get(domid) : NULL;

	return d && d->state != HV_DOMAIN_DYING ? d : NULL;
}

int64_t devctl_device_add(void *buf, uint64_t size)
{
	struct hv_device_add add, *req = buf;
	struct domain *d;
	int64_t ret;

	(void)size;	/* hypercall() checked it holds the struct */
	memcpy(&add, req, sizeof(add));
	d = customer(add.domid);
	if (!d)
		return -HV_ESRCH;
	spin_lock(&d->arch.platform_lock);
	if (d->booted || d->state == HV_DOMAIN_DYING)
		ret = -HV_EBUSY;
	else
		ret = virtio_pci_add(d, &add);
	spin_unlock(&d->arch.platform_lock);
	if (ret >= 0)
		req->index = (uint32_t)ret;
	return ret;
}

int64_t devctl_device_ctl(void *buf, uint64_t size)
{
	struct hv_device_ctl ctl;
	struct domain *d;
	int64_t ret;

	(void)size;
	memcpy(&ctl, buf, sizeof(ctl));
	d = customer(ctl.domid);
	if (!d)
		return -HV_ESRCH;
	spin_lock(&d->arch.platform_lock);
	if (d->state == HV_DOMAIN_DYING)
		ret = -HV_ESRCH;
	else
		ret = virtio_pci_ctl(d, ctl.index, ctl.op, ctl.arg);
	spin_unlock(&d->arch.platform_lock);
	return ret;
}
