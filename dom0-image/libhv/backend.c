// SPDX-License-Identifier: GPL-2.0-only
/*
 * libhv: a domain's device backend and its devices (see libhv_backend.h).  The
 * binding is an open /dev/hvpriv of its own (HVPRIV_IOCTL_BACKEND_BIND in
 * hvpriv.h): closing it, or the process's death, unbinds.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvpriv.h"
#include "libhv_backend.h"

static void backend_clear(struct hv_backend *be)
{
	be->fd = -1;
	be->ram = NULL;
	be->ram_bytes = 0;
	be->page = NULL;
}

int hv_backend_bind(uint32_t domid, struct hv_backend *be)
{
	struct hvpriv_backend_bind arg = { .domid = domid };
	void *ram, *page;
	int err;

	backend_clear(be);
	be->fd = open(HVPRIV_DEVICE, O_RDWR | O_CLOEXEC);
	if (be->fd < 0) {
		err = -errno;
		backend_clear(be);
		return err;
	}
	if (ioctl(be->fd, HVPRIV_IOCTL_BACKEND_BIND, &arg) < 0)
		goto fail;
	ram = mmap(NULL, arg.ram_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		   be->fd, 0);
	if (ram == MAP_FAILED)
		goto fail;
	be->ram = ram;
	be->ram_bytes = arg.ram_bytes;
	page = mmap(NULL, HVPRIV_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    be->fd, (off_t)HVPRIV_PAGE_OFFSET);
	if (page == MAP_FAILED)
		goto fail;
	be->page = page;
	return 0;

fail:
	err = -errno;
	hv_backend_unbind(be);
	return err;
}

void hv_backend_unbind(struct hv_backend *be)
{
	if (be->page)
		munmap(be->page, HVPRIV_PAGE_SIZE);
	if (be->ram)
		munmap(be->ram, be->ram_bytes);
	/* The last reference to the file: the driver unbinds here. */
	if (be->fd >= 0)
		close(be->fd);
	backend_clear(be);
}

uint64_t hv_backend_take_notify(struct hv_backend *be)
{
	return __atomic_exchange_n(&be->page->notify, 0, __ATOMIC_ACQ_REL);
}

uint64_t hv_backend_take_changed(struct hv_backend *be)
{
	return __atomic_exchange_n(&be->page->changed, 0, __ATOMIC_ACQ_REL);
}

int hv_backend_device_state(struct hv_backend *be, uint32_t index,
			    struct hv_device_state *out)
{
	const struct hv_device_state *dev;
	uint32_t before, after;

	if (index >= HV_DOMAIN_DEVICES_MAX)
		return HV_EINVAL;
	dev = &be->page->dev[index];
	/* The seqlock of hvabi.h: an even seq, unchanged across the copy. */
	for (;;) {
		before = __atomic_load_n(&dev->seq, __ATOMIC_ACQUIRE);
		if (!(before & 1)) {
			memcpy(out, (const void *)dev, sizeof(*out));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			after = __atomic_load_n(&dev->seq, __ATOMIC_RELAXED);
			if (after == before)
				return 0;
		}
		sched_yield();	/* the hypervisor is writing it: brief */
	}
}

int hv_device_add(struct hv_handle *h, struct hv_device_add *req)
{
	int64_t result;

	return hv_call(h, HVCALL_DEVICE_ADD, req, sizeof(*req), &result);
}

int hv_device_ctl(struct hv_handle *h, uint32_t domid, uint32_t index,
		  uint32_t op, uint32_t arg)
{
	struct hv_device_ctl ctl = {
		.domid = domid,
		.index = index,
		.op = op,
		.arg = arg,
	};
	int64_t result;

	return hv_call(h, HVCALL_DEVICE_CTL, &ctl, sizeof(ctl), &result);
}
