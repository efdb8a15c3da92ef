// SPDX-License-Identifier: GPL-2.0-only
/*
 * libhv - dom0's C library for the hypervisor's calls; see libhv.h for the
 * return convention.  Each call becomes one ioctl on /dev/hvpriv: the
 * driver copies our structure into kernel memory, hands its physical
 * address to the hypervisor, and copies it back (hvpriv.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvpriv.h"
#include "libhv.h"

/* Room for the header and data[] of a console read in one driver buffer. */
#define CONSOLE_READ_MAX	(HVPRIV_MAX_BUF - sizeof(struct hv_console_read))

_Static_assert(sizeof(struct hv_domain_list) +
	       HV_DOMAIN_LIST_MAX * sizeof(struct hv_domain_info) <= HVPRIV_MAX_BUF,
	       "HV_DOMAIN_LIST_MAX entries must fit in the driver's buffer");

int hv_open(struct hv_handle *h)
{
	h->fd = open(HVPRIV_DEVICE, O_RDWR | O_CLOEXEC);
	if (h->fd < 0)
		return -errno;
	return 0;
}

void hv_close(struct hv_handle *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

/*
 * The hypervisor's RAX as our return convention: 0 for success (a count or
 * version is read by the caller from *result), the positive HV_E* code for
 * a refusal.  A result too negative to be any HV_E* code is nonsense.
 */
static int hv_result(int64_t result)
{
	if (result >= 0)
		return 0;
	if (result < -INT_MAX)
		return -EPROTO;
	return (int)-result;
}

/*
 * One HVPRIV_IOCTL_CALL (buf may be NULL with size 0), in libhv's return
 * convention; on success *result is the hypervisor's (non-negative) RAX.
 */
int hv_call(struct hv_handle *h, uint32_t nr, void *buf, uint32_t size,
	    int64_t *result)
{
	struct hvpriv_call call = {
		.nr = nr,
		.size = size,
		.buf = (uint64_t)(uintptr_t)buf,
	};

	*result = 0;
	if (ioctl(h->fd, HVPRIV_IOCTL_CALL, &call) < 0)
		return -errno;
	*result = call.result;
	return hv_result(call.result);
}

int hv_abi_version(struct hv_handle *h, uint32_t *version)
{
	int64_t result;
	int err;

	err = hv_call(h, HVCALL_ABI_VERSION, NULL, 0, &result);
	if (err != 0)
		return err;
	if (result > UINT32_MAX)
		return -EPROTO;
	*version = (uint32_t)result;
	return 0;
}

int hv_physinfo(struct hv_handle *h, struct hv_physinfo *info)
{
	int64_t result;
	int err;

	memset(info, 0, sizeof(*info));
	err = hv_call(h, HVCALL_PHYSINFO, info, sizeof(*info), &result);
	if (err != 0)
		return err;
	/* Another version's structures are not ours to read (hvabi.h). */
	if (info->abi_version != HV_ABI_VERSION)
		return -EPROTO;
	/* Callers print it: never let a missing NUL run off the end. */
	info->version[HV_VERSION_LEN - 1] = '\0';
	return 0;
}

int hv_console_read(struct hv_handle *h, uint64_t *pos, char *buf,
		    size_t size, size_t *copied)
{
	struct hv_console_read *rd;
	int64_t result;
	int err;

	/* A shorter read than asked for is allowed: *copied says. */
	if (size > CONSOLE_READ_MAX)
		size = CONSOLE_READ_MAX;

	rd = calloc(1, sizeof(*rd) + size);
	if (!rd)
		return -ENOMEM;
	rd->pos = *pos;
	rd->size = (uint32_t)size;

	err = hv_call(h, HVCALL_CONSOLE_READ, rd, sizeof(*rd) + size, &result);
	if (err == 0 && rd->copied > size)
		err = -EPROTO;
	if (err == 0) {
		memcpy(buf, rd->data, rd->copied);
		*pos = rd->pos;
		*copied = rd->copied;
	}
	free(rd);
	return err;
}

int hv_domain_list(struct hv_handle *h, struct hv_domain_info *out,
		   uint32_t max, uint32_t *count, uint32_t *total)
{
	struct hv_domain_list *list;
	size_t size;
	int64_t result;
	uint32_t i;
	int err;

	if (max > HV_DOMAIN_LIST_MAX)
		max = HV_DOMAIN_LIST_MAX;

	size = sizeof(*list) + (size_t)max * sizeof(list->domains[0]);
	list = calloc(1, size);
	if (!list)
		return -ENOMEM;
	list->max = max;

	err = hv_call(h, HVCALL_DOMAIN_LIST, list, (uint32_t)size, &result);
	if (err == 0 && list->count > max)
		err = -EPROTO;
	if (err == 0) {
		for (i = 0; i < list->count; i++) {
			out[i] = list->domains[i];
			out[i].name[HV_NAME_LEN - 1] = '\0';
		}
		*count = list->count;
		*total = list->total;
	}
	free(list);
	return err;
}

int hv_vcpu_exits(struct hv_handle *h, uint32_t domid, uint32_t vcpu,
		  struct hv_exit_count *out, uint32_t max, uint32_t *count,
		  uint64_t *total)
{
	struct hv_vcpu_exits *req;
	size_t size;
	int64_t result;
	int err;

	if (max > HV_EXITS_MAX)
		max = HV_EXITS_MAX;
	size = sizeof(*req) + (size_t)max * sizeof(req->entries[0]);
	req = calloc(1, size);
	if (!req)
		return -ENOMEM;
	req->domid = domid;
	req->vcpu = vcpu;
	req->max = max;

	err = hv_call(h, HVCALL_VCPU_EXITS, req, (uint32_t)size, &result);
	if (err == 0 && req->count > max)
		err = -EPROTO;
	if (err == 0) {
		memcpy(out, req->entries, req->count * sizeof(req->entries[0]));
		*count = req->count;
		*total = req->total;
	}
	free(req);
	return err;
}

int hv_raw(struct hv_handle *h, uint64_t nr, const uint64_t args[4],
	   int64_t *result)
{
	struct hvpriv_raw raw = { .nr = nr };

	memcpy(raw.args, args, sizeof(raw.args));
	if (ioctl(h->fd, HVPRIV_IOCTL_RAW, &raw) < 0)
		return -errno;
	*result = raw.result;
	return 0;
}

const char *hv_strerror(int err)
{
	if (err < 0)
		return strerror(-err);

	switch (err) {
	case 0:
		return "success";
	case HV_EPERM:
		return "not permitted by the hypervisor (HV_EPERM)";
	case HV_EFAULT:
		return "buffer outside the caller's memory (HV_EFAULT)";
	case HV_EINVAL:
		return "invalid argument (HV_EINVAL)";
	case HV_ENOSYS:
		return "no such hypercall (HV_ENOSYS)";
	case HV_ENOSPC:
		return "no room: too many domains, or a buffer too small (HV_ENOSPC)";
	case HV_ENOMEM:
		return "not enough free memory for domains (HV_ENOMEM)";
	case HV_ESRCH:
		return "no such domain (HV_ESRCH)";
	case HV_EBUSY:
		return "the domain is not in a state for this (HV_EBUSY)";
	default:
		return "unknown hypervisor error";
	}
}
