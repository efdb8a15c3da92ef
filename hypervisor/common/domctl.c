// SPDX-License-Identifier: GPL-2.0-only
/*
 * dom0's control of customer domains: HVCALL_DOMAIN_CREATE, _WRITE, _BOOT,
 * _CTL, _CONSOLE, _SCHED, _INPUT, HVCALL_VCPU_AFFINITY and the domain
 * lookup of HVCALL_BACKEND_BIND (see
 * include/public/hvabi.h).  Called from hypercall()
 * once the caller is known to be dom0's kernel and the buffer its RAM.
 *
 * One lock serialises these calls: dom0 makes them from any of its vCPUs,
 * and a domain must not be destroyed while another call writes into it.
 */
#include <hv/backend.h>
#include <hv/console.h>
#include <lib/cpuset.h>
#include <hv/domctl.h>
#include <hv/domu.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <lib/string.h>

static struct spinlock domctl_lock = SPINLOCK_INIT;

static bool name_valid(const char *name)
{
	unsigned int i;

	for (i = 0; i < HV_NAME_LEN && name[i]; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return i > 0 && i < HV_NAME_LEN;
}

/* A customer domain that exists and is not being destroyed. */
static struct domain *customer(uint32_t domid)
{
	struct domain *d = domid ? domain_get(domid) : NULL;

	return d && d->state != HV_DOMAIN_DYING ? d : NULL;
}

int64_t domctl_create(struct hv_domain_create *req)
{
	struct hv_domain_create c;
	struct domain *d;
	const char *why;

	memcpy(&c, req, sizeof(c));
	c.name[HV_NAME_LEN - 1] = '\0';
	if (!name_valid(c.name))
		return -HV_EINVAL;
	why = hv_domain_size_check(c.ram_bytes, c.nr_vcpus);
	if (why) {
		printk("hv: dom0 could not create domain '%s': %s\n", c.name, why);
		return -HV_EINVAL;
	}

	spin_lock(&domctl_lock);
	d = domu_new(c.name, c.ram_bytes, c.nr_vcpus, &why);
	spin_unlock(&domctl_lock);
	if (!d) {
		printk("hv: dom0 could not create domain '%s': %s\n", c.name, why);
		return !strcmp(why, "too many domains") ||
		       !strcmp(why, "out of ASIDs") ? -HV_ENOSPC : -HV_ENOMEM;
	}
	printk("d%u: created by dom0: '%s', %lu MiB, %u vCPU(s)\n", d->id,
	       d->name, d->ram_bytes / MiB, d->nr_vcpus);
	req->domid = d->id;
	return d->id;
}

int64_t domctl_write(struct hv_domain_write *req, uint64_t buf_size)
{
	uint32_t domid = req->domid;
	uint64_t gpa = req->gpa, len = req->len;
	struct domain *d;
	int64_t ret = 0;

	if (len > buf_size - sizeof(*req))
		return -HV_EINVAL;
	spin_lock(&domctl_lock);
	d = customer(domid);
	if (!d)
		ret = -HV_ESRCH;
	else if (d->booted)
		ret = -HV_EBUSY;
	else if (!domain_write(d, gpa, req->data, len))
		ret = -HV_EFAULT;
	spin_unlock(&domctl_lock);
	return ret;
}

int64_t domctl_boot(struct hv_domain_boot *req, uint64_t buf_size)
{
	uint32_t domid = req->domid, entry = req->entry32;
	uint32_t len = req->cmdline_len;
	struct domain *d;
	const char *why;
	int64_t ret = 0;

	if ((req->protocol != HV_BOOT_PVH && req->protocol != HV_BOOT_LINUX) ||
	    len > buf_size - sizeof(*req))
		return -HV_EINVAL;
	spin_lock(&domctl_lock);
	d = customer(domid);
	if (!d) {
		ret = -HV_ESRCH;
	} else if (d->booted) {
		ret = -HV_EBUSY;
	} else {
		if (req->protocol == HV_BOOT_PVH) {
			why = domu_boot_pvh(d, entry, req->cmdline, len, true);
		} else {
			struct domu_linux_boot lb = {
				.head = req->linux_head,
				.image_size = req->image_size,
				.kernel_gpa = req->kernel_gpa,
				.initrd_gpa = req->initrd_gpa,
				.initrd_size = req->initrd_size,
				.cmdline = req->cmdline,
				.cmdline_len = len,
			};

			why = domu_boot_linux(d, &lb, true);
		}
		if (why) {
			printk("d%u: boot refused: %s\n", d->id, why);
			ret = -HV_EINVAL;
		}
	}
	spin_unlock(&domctl_lock);
	return ret;
}

int64_t domctl_ctl(const struct hv_domain_ctl *req)
{
	uint32_t domid = req->domid, op = req->op;
	struct domain *d;
	int64_t ret = 0;

	spin_lock(&domctl_lock);
	d = customer(domid);
	if (!d) {
		ret = -HV_ESRCH;
	} else if (op == HV_DOMCTL_PAUSE) {
		if (d->state == HV_DOMAIN_RUNNING) {
			d->state = HV_DOMAIN_PAUSED;
			backend_domain_state(d);
		} else if (d->state != HV_DOMAIN_PAUSED) {
			ret = -HV_EBUSY;
		}
	} else if (op == HV_DOMCTL_UNPAUSE) {
		if (d->state == HV_DOMAIN_PAUSED && d->booted) {
			d->state = HV_DOMAIN_RUNNING;
			backend_domain_state(d);
		} else if (d->state != HV_DOMAIN_RUNNING) {
			ret = -HV_EBUSY;
		}
	} else if (op == HV_DOMCTL_DESTROY) {
		domain_destroy(d);
	} else if (op == HV_DOMCTL_POWER_BUTTON) {
		if (d->state == HV_DOMAIN_RUNNING)
			domu_press_power_button(d);
		else
			ret = -HV_EBUSY;
	} else {
		ret = -HV_EINVAL;
	}
	spin_unlock(&domctl_lock);
	return ret;
}

int64_t domctl_backend_bind(struct hv_backend_bind *req, uint64_t buf_size)
{
	uint32_t domid = req->domid, op = req->op;
	struct domain *d;
	int64_t ret;

	if (op != HV_BACKEND_BIND && op != HV_BACKEND_UNBIND)
		return -HV_EINVAL;
	spin_lock(&domctl_lock);
	/* Not customer(): a domain destroyed while bound is unbound here. */
	d = domain_get(domid);
	if (!d)
		ret = -HV_ESRCH;
	else if (op == HV_BACKEND_BIND)
		ret = backend_bind(d, req, buf_size);
	else
		ret = backend_unbind(d);
	spin_unlock(&domctl_lock);
	return ret;
}

int64_t domctl_sched(struct hv_domain_sched *req)
{
	uint32_t domid = req->domid, set = req->set;
	uint32_t weight = req->weight, cap = req->cap_pct;
	struct domain *d;
	int64_t ret = 0;

	spin_lock(&domctl_lock);
	d = customer(domid);
	if (!d) {
		ret = -HV_ESRCH;
	} else if (set && !sched_set_quota(d, weight, cap)) {
		ret = -HV_EINVAL;
	} else {
		if (set)
			printk("d%u: weight %u, cap %u%%\n", d->id, weight, cap);
		req->weight = d->weight;
		req->cap_pct = d->cap.cap_pct;
	}
	spin_unlock(&domctl_lock);
	return ret;
}

int64_t domctl_vcpu_affinity(struct hv_vcpu_affinity *req)
{
	uint32_t domid = req->domid, vcpu = req->vcpu, set = req->set;
	uint64_t cpus = req->cpus;
	char list[CPUSET_LIST_LEN];
	const struct vcpu *v;
	struct domain *d;
	unsigned int i;
	int64_t ret = 0;

	spin_lock(&domctl_lock);
	d = customer(domid);
	if (!d) {
		ret = -HV_ESRCH;
	} else if (vcpu == HV_VCPU_ALL ? !set : vcpu >= d->nr_vcpus) {
		ret = -HV_EINVAL;
	} else if (set && !sched_affinity_valid(cpus)) {
		ret = -HV_EINVAL;
	} else {
		for (i = 0; set && i < d->nr_vcpus; i++)
			if (vcpu == HV_VCPU_ALL || vcpu == i)
				sched_set_affinity(d->vcpus[i], cpus);
		if (set) {
			cpuset_format(cpus, list, sizeof(list));
			if (vcpu == HV_VCPU_ALL)
				printk("d%u: vCPUs may run on cpus %s\n", d->id, list);
			else
				printk("d%u: vCPU %u may run on cpus %s\n", d->id,
				       vcpu, list);
		}
		v = d->vcpus[vcpu == HV_VCPU_ALL ? 0 : vcpu];
		req->cpus = sched_vcpu_cpus(v);
		/* vCPUs are placed when the domain boots. */
		req->cpu = d->booted ? v->pcpu : HV_CPU_NONE;
		req->domain_cpus = sched_domain_cpus();
		req->run_ns = v->run_ns;
	}
	spin_unlock(&domctl_lock);
	return ret;
}

int64_t domctl_console(struct hv_domain_console *req, uint64_t buf_size)
{
	uint32_t domid = req->domid;
	uint64_t pos = req->pos, room = MIN(req->size, buf_size - sizeof(*req));
	const struct domain *d;
	uint64_t n = 0;

	spin_lock(&domctl_lock);
	d = customer(domid);
	if (!d) {
		spin_unlock(&domctl_lock);
		return -HV_ESRCH;
	}
	if (d->console_head > DOMAIN_CONSOLE_SIZE &&
	    pos < d->console_head - DOMAIN_CONSOLE_SIZE)
		pos = d->console_head - DOMAIN_CONSOLE_SIZE;
	if (pos > d->console_head)
		pos = d->console_head;
	while (n < room && pos < d->console_head)
		req->data[n++] = d->console[pos++ % DOMAIN_CONSOLE_SIZE];
	spin_unlock(&domctl_lock);
	req->pos = pos;
	req->copied = (uint32_t)n;
	return (int64_t)n;
}

int64_t domctl_input(struct hv_domain_input *req, uint64_t buf_size)
{
	uint32_t domid = req->domid, len = req->len;
	struct domain *d;
	int64_t ret;

	if (len > buf_size - sizeof(*req))
		return -HV_EINVAL;
	spin_lock(&domctl_lock);
	d = customer(domid);
	if (!d)
		ret = -HV_ESRCH;
	else if (d->state != HV_DOMAIN_RUNNING && d->state != HV_DOMAIN_PAUSED)
		ret = -HV_EBUSY;
	else
		ret = (int64_t)domu_console_input(d, req->data, len);
	spin_unlock(&domctl_lock);
	return ret;
}
