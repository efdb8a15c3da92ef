// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercalls (see include/public/hvabi.h for the ABI).
 *
 * Each call that takes a buffer checks it with domain_map() before touching
 * it: the whole buffer must be the caller's own RAM.  Fields the caller
 * filled in are read once into locals, so a caller changing them meanwhile
 * cannot make a check and a use see different values.
 */
#include <hv/arch.h>
#include <hv/backend.h>
#include <hv/console.h>
#include <hv/devctl.h>
#include <hv/domctl.h>
#include <hv/hypercall.h>
#include <hv/setup.h>
#include <hv/smp.h>
#include <lib/string.h>
#include <hv/time.h>

#ifndef HV_VERSION
#define HV_VERSION "unknown"
#endif

/* The buffer of a structure call, or NULL. */
static void *call_buffer(struct domain *d, const uint64_t args[4],
			 size_t fixed_size, int64_t *err)
{
	void *buf;

	if (args[1] < fixed_size || args[1] > HV_MAX_BUFFER) {
		*err = -HV_EINVAL;
		return NULL;
	}
	buf = domain_map(d, args[0], args[1]);
	if (!buf)
		*err = -HV_EFAULT;
	return buf;
}

static int64_t do_physinfo(struct domain *d, const uint64_t args[4])
{
	struct hv_physinfo info, *out;
	int64_t err;

	out = call_buffer(d, args, sizeof(*out), &err);
	if (!out)
		return err;
	memset(&info, 0, sizeof(info));
	info.abi_version = HV_ABI_VERSION;
	info.nr_cpus = nr_cpus_online;
	info.nr_dom0_cpus = dom0.nr_vcpus;
	info.total_ram_bytes = usable_ram_bytes;
	info.dom0_ram_bytes = dom0.ram_bytes;
	info.domain_free_bytes = frames.free_frames * PAGE_SIZE;
	info.hypervisor_bytes = usable_ram_bytes - dom0.ram_bytes -
				info.domain_free_bytes;
	info.tsc_khz = tsc_khz;
	memcpy(info.version, HV_VERSION, MIN(sizeof(HV_VERSION), HV_VERSION_LEN - 1));
	memcpy(out, &info, sizeof(info));
	return 0;
}

static int64_t do_console_read(struct domain *d, const uint64_t args[4])
{
	struct hv_console_read *req;
	uint64_t pos;
	size_t room, n;
	int64_t err;

	req = call_buffer(d, args, sizeof(*req), &err);
	if (!req)
		return err;
	pos = req->pos;
	room = MIN((size_t)req->size, args[1] - sizeof(*req));
	n = console_ring_read(&pos, req->data, room);
	req->pos = pos;
	req->copied = (uint32_t)n;
	return (int64_t)n;
}

static void describe(const struct domain *dom, struct hv_domain_info *info)
{
	unsigned int i;

	memset(info, 0, sizeof(*info));
	info->domid = dom->id;
	info->state = dom->state;
	info->nr_vcpus = dom->nr_vcpus;
	info->ram_bytes = dom->ram_bytes;
	info->overhead_bytes = (uint32_t)MIN(domain_overhead_bytes(dom),
					     (uint64_t)UINT32_MAX);
	for (i = 0; i < dom->nr_vcpus; i++) {
		info->cpu_time_ns += dom->vcpus[i]->run_ns;
		info->steal_ns += dom->vcpus[i]->steal_ns;
	}
	memcpy(info->name, dom->name, HV_NAME_LEN - 1);
}

static int64_t do_domain_list(struct domain *d, const uint64_t args[4])
{
	struct hv_domain_list *req;
	struct hv_domain_info info;
	uint32_t max, count = 0, id;
	int64_t err;

	req = call_buffer(d, args, sizeof(*req), &err);
	if (!req)
		return err;
	max = MIN(req->max, (args[1] - sizeof(*req)) / sizeof(info));
	for (id = 0; id <= MAX_DOMAINS && count < max; id++) {
		const struct domain *dom = domain_get(id);

		if (!dom)
			continue;
		describe(dom, &info);
		memcpy(&req->domains[count++], &info, sizeof(info));
	}
	req->count = count;
	req->total = domain_count();
	return count;
}

static int64_t do_vcpu_exits(struct domain *d, const uint64_t args[4])
{
	struct hv_vcpu_exits *req;
	const struct domain *dom;
	uint32_t domid, vcpu, max, count;
	uint64_t total;
	int64_t err;

	req = call_buffer(d, args, sizeof(*req), &err);
	if (!req)
		return err;
	domid = req->domid;
	vcpu = req->vcpu;
	max = MIN(req->max, (args[1] - sizeof(*req)) /
			   sizeof(struct hv_exit_count));
	dom = domain_get(domid);
	if (!dom || vcpu >= dom->nr_vcpus)
		return -HV_EINVAL;

	count = arch_vcpu_exit_counts(dom->vcpus[vcpu], req->entries, max,
				      &total);
	req->count = count;
	req->total = total;
	return count;
}

static int64_t do_set_time(struct domain *d, const uint64_t args[4])
{
	struct hv_set_time *req;
	int64_t err;

	req = call_buffer(d, args, sizeof(*req), &err);
	if (!req)
		return err;
	return time_set(req->tsc_khz, req->tsc, req->wall_ns);
}

/* Adapters: domctl's handlers take the buffer and its size. */
static int64_t domctl_create_call(void *buf, uint64_t size)
{
	(void)size;
	return domctl_create(buf);
}

static int64_t domctl_write_call(void *buf, uint64_t size)
{
	return domctl_write(buf, size);
}

static int64_t domctl_boot_call(void *buf, uint64_t size)
{
	return domctl_boot(buf, size);
}

static int64_t domctl_ctl_call(void *buf, uint64_t size)
{
	(void)size;
	return domctl_ctl(buf);
}

static int64_t domctl_console_call(void *buf, uint64_t size)
{
	return domctl_console(buf, size);
}

static int64_t domctl_sched_call(void *buf, uint64_t size)
{
	(void)size;
	return domctl_sched(buf);
}

static int64_t domctl_input_call(void *buf, uint64_t size)
{
	return domctl_input(buf, size);
}

static int64_t domctl_vcpu_affinity_call(void *buf, uint64_t size)
{
	(void)size;
	return domctl_vcpu_affinity(buf);
}

static int64_t domctl_backend_bind_call(void *buf, uint64_t size)
{
	return domctl_backend_bind(buf, size);
}

static int64_t backend_event_vector_call(void *buf, uint64_t size)
{
	(void)size;
	return backend_set_event_vector(buf);
}

static int64_t with_buffer(struct domain *d, const uint64_t args[4],
			   size_t fixed_size,
			   int64_t (*fn)(void *buf, uint64_t size))
{
	int64_t err;
	void *buf = call_buffer(d, args, fixed_size, &err);

	return buf ? fn(buf, args[1]) : err;
}

int64_t hypercall(struct domain *d, bool kernel_mode, uint64_t nr,
		  const uint64_t args[4])
{
	if (nr < HVCALL_BASE || nr > HVCALL_MAX)
		return -HV_ENOSYS;
	if (!d->privileged || !kernel_mode)
		return -HV_EPERM;

	switch (nr) {
	case HVCALL_ABI_VERSION:
		return HV_ABI_VERSION;
	case HVCALL_PHYSINFO:
		return do_physinfo(d, args);
	case HVCALL_CONSOLE_READ:
		return do_console_read(d, args);
	case HVCALL_DOMAIN_LIST:
		return do_domain_list(d, args);
	case HVCALL_VCPU_EXITS:
		return do_vcpu_exits(d, args);
	case HVCALL_DOMAIN_CREATE:
		return with_buffer(d, args, sizeof(struct hv_domain_create),
				   domctl_create_call);
	case HVCALL_DOMAIN_WRITE:
		return with_buffer(d, args, sizeof(struct hv_domain_write),
				   domctl_write_call);
	case HVCALL_DOMAIN_BOOT:
		return with_buffer(d, args, sizeof(struct hv_domain_boot),
				   domctl_boot_call);
	case HVCALL_DOMAIN_CTL:
		return with_buffer(d, args, sizeof(struct hv_domain_ctl),
				   domctl_ctl_call);
	case HVCALL_DOMAIN_CONSOLE:
		return with_buffer(d, args, sizeof(struct hv_domain_console),
				   domctl_console_call);
	case HVCALL_DOMAIN_SCHED:
		return with_buffer(d, args, sizeof(struct hv_domain_sched),
				   domctl_sched_call);
	case HVCALL_DOMAIN_INPUT:
		return with_buffer(d, args, sizeof(struct hv_domain_input),
				   domctl_input_call);
	case HVCALL_SET_TIME:
		return do_set_time(d, args);
	case HVCALL_VCPU_AFFINITY:
		return with_buffer(d, args, sizeof(struct hv_vcpu_affinity),
				   domctl_vcpu_affinity_call);
	case HVCALL_BACKEND_BIND:
		return with_buffer(d, args, sizeof(struct hv_backend_bind),
				   domctl_backend_bind_call);
	case HVCALL_EVENT_VECTOR:
		return with_buffer(d, args, sizeof(struct hv_event_vector),
				   backend_event_vector_call);
	case HVCALL_DEVICE_ADD:
		return with_buffer(d, args, sizeof(struct hv_device_add), devctl_device_add);
	case HVCALL_DEVICE_CTL:
		return with_buffer(d, args, sizeof(struct hv_device_ctl), devctl_device_ctl);
	}
	return -HV_ENOSYS;
}
