// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_libhv.c - the real hypervisor backend (--hv=libhv), over dom0's libhv
 * (dom0-image/libhv/libhv.h) and /dev/hvpriv.
 *
 * How the interface of hv_backend.h maps onto the hypervisor:
 *
 *   create     hv_domain_find (idempotent by name), else hv_domain_create
 *              (paused, RAM + vCPUs) and the image loaded into it: a Linux
 *              bzImage with its initrd (hv_domain_load_linux), or a PVH ELF
 *              kernel (hv_domain_load_elf; no initrd).  The domain is then
 *              built but not booted: the hypervisor starts vCPU 0 only with
 *              HVCALL_DOMAIN_BOOT, which also RUNS the domain at once.  So
 *              create remembers (in memory, by domain id) the boot call's
 *              arguments and the command line, and unpause makes the call.
 *   unpause    a created, never-booted domain: hv_domain_boot; else
 *              HV_DOMCTL_UNPAUSE.  A paused domain that was never booted
 *              but is not in the map (provisiond restarted between create
 *              and unpause) cannot be booted (its boot arguments are lost):
 *              it is destroyed and -EAGAIN returned, which tells the job to
 *              create it afresh (job_exec.c).
 *   pause, destroy   HV_DOMCTL_PAUSE / HV_DOMCTL_DESTROY.
 *   shutdown   HV_DOMCTL_POWER_BUTTON: the ACPI power button is pressed
 *              (docs/domu-platform.md); the guest decides.  The domain image
 *              of docs/domu-image.md powers off; a guest that ignores the
 *              button is destroyed by the stop job after stop_timeout.
 *   reboot     HV_ENOSYS: the hypervisor cannot reset a guest in place (a
 *              guest's own reboot ends its domain as "shut down").  The
 *              reboot job then restarts the server: a graceful stop and a
 *              fresh domain (job_exec.c).
 *   list, cpu_usage   hv_domain_list.
 *
 * CPU weight and cap: set with hv_domain_sched when hvabi.h has
 * HVCALL_DOMAIN_SCHED (a failure there fails the create); without it they
 * are ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv_backend.h"
#include "hv_libhv_devices.h"
#include "libhv.h"
#include "log.h"

#define MIB		(1024ULL * 1024)
#define FILE_MAX	(256 * MIB)	/* larger kernel or initrd files are refused */

/* A domain created by us and not booted yet: its HVCALL_DOMAIN_BOOT. */
struct pending {
	struct pending *next;
	uint32_t domid;
	struct hv_domain_boot boot;	/* everything but the command line */
	char *cmdline;
};

struct lhv {
	struct hv_backend ops;
	struct hv_handle h;
	pthread_mutex_t lock;		/* guards pending and create */
	struct pending *pending;
};

static struct lhv *lhv_of(struct hv_backend *hv)
{
	return hv->priv;
}

/* Takes the entry for domid out of the list (the caller frees it). */
static struct pending *pending_take(struct lhv *l, uint32_t domid)
{
	for (struct pending **pp = &l->pending; *pp; pp = &(*pp)->next) {
		struct pending *p = *pp;

		if (p->domid == domid) {
			*pp = p->next;
			return p;
		}
	}
	return NULL;
}

static void pending_free(struct pending *p)
{
	if (p) {
		free(p->cmdline);
		free(p);
	}
}

/* Reads a whole file into memory: 0 or -errno. */
static int read_file(const char *path, void **out, size_t *size)
{
	struct stat st;
	size_t done = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > FILE_MAX) {
		close(fd);
		return S_ISREG(st.st_mode) && st.st_size > 0 ? -EFBIG : -ENOEXEC;
	}
	buf = malloc(st.st_size);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;

			free(buf);
			close(fd);
			return err;
		}
		done += n;
	}
	close(fd);
	*out = buf;
	*size = done;
	return 0;
}

/* The domain's entry in the hypervisor's list: 0, or HV_ESRCH. */
static int lookup(struct lhv *l, uint32_t domid, struct hv_domain_info *out)
{
	uint32_t max = 64;

	for (;;) {
		struct hv_domain_info *doms = calloc(max, sizeof(*doms));
		uint32_t count, total;
		int err;

		if (!doms)
			return -ENOMEM;
		err = hv_domain_list(&l->h, doms, max, &count, &total);
		if (err) {
			free(doms);
			return err;
		}
		if (count < total && max < HV_DOMAIN_LIST_MAX) {
			free(doms);
			max = total + 16 > HV_DOMAIN_LIST_MAX ? HV_DOMAIN_LIST_MAX
							      : total + 16;
			continue;
		}
		for (uint32_t i = 0; i < count; i++) {
			if (doms[i].domid == domid) {
				*out = doms[i];
				free(doms);
				return 0;
			}
		}
		free(doms);
		return HV_ESRCH;
	}
}

/*
 * Loads the image into the new domain id and fills p->boot: a Linux bzImage
 * with its initrd, or a PVH ELF kernel.  0, or an error with a log line.
 */
static int load_image(struct lhv *l, const struct hvb_domain_config *cfg,
		      uint32_t id, struct pending *p)
{
	bool has_initrd = cfg->initrd_path && cfg->initrd_path[0];
	void *kernel = NULL, *initrd = NULL;
	size_t ksize = 0, isize = 0;
	uint32_t entry = 0;
	int err;

	err = read_file(cfg->kernel_path, &kernel, &ksize);
	if (err) {
		log_error("libhv: %s: cannot read kernel %s: %s", cfg->name,
			  cfg->kernel_path, strerror(-err));
		return err;
	}
	if (hv_is_linux_image(kernel, ksize)) {
		if (has_initrd) {
			err = read_file(cfg->initrd_path, &initrd, &isize);
			if (err)
				log_error("libhv: %s: cannot read initrd %s: %s",
					  cfg->name, cfg->initrd_path, strerror(-err));
		}
		if (!err) {
			err = hv_domain_load_linux(&l->h, id,
						   (uint64_t)cfg->memory_mib * MIB,
						   kernel, ksize, initrd, isize, &p->boot);
			if (err == -ENOSPC)
				log_error("libhv: %s: kernel %s and its initrd do not "
					  "fit in %u MiB", cfg->name, cfg->kernel_path,
					  cfg->memory_mib);
			else if (err)
				log_error("libhv: %s: loading Linux %s into d%u: %s",
					  cfg->name, cfg->kernel_path, id, hv_strerror(err));
		}
	} else if (has_initrd) {
		/* An initrd is Linux's; a PVH ELF kernel has no use for one. */
		log_error("libhv: %s: %s is not a Linux bzImage, so it cannot take "
			  "the initrd %s", cfg->name, cfg->kernel_path, cfg->initrd_path);
		err = -EINVAL;
	} else {
		err = hv_domain_load_elf(&l->h, id, kernel, ksize, &entry);
		if (err)
			log_error("libhv: %s: loading %s into d%u: %s", cfg->name,
				  cfg->kernel_path, id, err == -ENOEXEC ?
				  "not a Linux bzImage or PVH ELF kernel" : hv_strerror(err));
		p->boot = (struct hv_domain_boot){
			.domid = id, .protocol = HV_BOOT_PVH, .entry32 = entry,
		};
	}
	free(initrd);
	free(kernel);
	return err;
}

static int lhv_create(struct hv_backend *hv, const struct hvb_domain_config *cfg,
		      uint32_t *domid, bool *existed)
{
	struct lhv *l = lhv_of(hv);
	struct pending *p = NULL;
	uint32_t id;
	int err;

	*existed = false;
	if (!cfg->kernel_path || !cfg->kernel_path[0])
		return -EINVAL;

	/* One create at a time: two racing creates of one name must not
	 * both miss the find. */
	pthread_mutex_lock(&l->lock);
	err = hv_domain_find(&l->h, cfg->name, &id);
	if (err == 0) {
		*domid = id;
		*existed = true;
		goto out;
	}
	if (err != HV_ESRCH)
		goto out;

	p = calloc(1, sizeof(*p));
	if (!p || !(p->cmdline = strdup(cfg->cmdline ? cfg->cmdline : ""))) {
		err = -ENOMEM;
		goto out;
	}
	err = hv_domain_create(&l->h, cfg->name, (uint64_t)cfg->memory_mib * MIB,
			       cfg->vcpus, &id);
	if (err)
		goto out;
	err = load_image(l, cfg, id, p);
	if (err) {
		/* Leave nothing half-built behind. */
		hv_domain_ctl(&l->h, id, HV_DOMCTL_DESTROY);
		goto out;
	}
	/* The disks' device backend, before the domain boots (as hvctl
	 * create --disk does). */
	if (cfg->ndisks || cfg->nic) {
		char why[512];

		err = lhv_devices_start(id, cfg->disks, cfg->ndisks, cfg->nic, why,
					sizeof(why));
		if (err) {
			log_error("libhv: %s: %s", cfg->name, why);
			hv_domain_ctl(&l->h, id, HV_DOMCTL_DESTROY);
			goto out;
		}
	}
#ifdef HVCALL_DOMAIN_SCHED
	/* The plan's CPU quota, where the hypervisor has the call. */
	{
		uint32_t weight = cfg->cpu_weight;
		uint32_t cap = cfg->cpu_cap_pct;

		err = hv_domain_sched(&l->h, id, true, &weight, &cap);
		if (err) {
			log_error("libhv: %s: setting CPU weight %u, cap %u%% of d%u: %s",
				  cfg->name, cfg->cpu_weight, cfg->cpu_cap_pct, id,
				  hv_strerror(err));
			hv_domain_ctl(&l->h, id, HV_DOMCTL_DESTROY);
			goto out;
		}
	}
#endif
	p->domid = id;
	p->next = l->pending;
	l->pending = p;
	p = NULL;
	*domid = id;
	log_info("libhv: domain %s created as d%u (%u MiB, %u vCPU(s), kernel %s%s%s), "
		 "paused", cfg->name, id, cfg->memory_mib, cfg->vcpus, cfg->kernel_path,
		 cfg->initrd_path && cfg->initrd_path[0] ? ", initrd " : "",
		 cfg->initrd_path ? cfg->initrd_path : "");
out:
	pthread_mutex_unlock(&l->lock);
	pending_free(p);
	return err;
}

static int lhv_unpause(struct hv_backend *hv, uint32_t domid)
{
	struct lhv *l = lhv_of(hv);
	struct hv_domain_info info;
	struct pending *p;
	int err;

	pthread_mutex_lock(&l->lock);
	p = pending_take(l, domid);
	if (p) {
		err = hv_domain_boot(&l->h, &p->boot, p->cmdline);
		if (err && err != HV_ESRCH) {
			/* Keep it: a later unpause may try again. */
			p->next = l->pending;
			l->pending = p;
			p = NULL;
		} else if (!err) {
			log_info("libhv: d%u booted", domid);
		}
		pthread_mutex_unlock(&l->lock);
		pending_free(p);
		return err;
	}
	pthread_mutex_unlock(&l->lock);

	err = hv_domain_ctl(&l->h, domid, HV_DOMCTL_UNPAUSE);
	if (err != HV_EBUSY)
		return err;
	/* Paused but never booted, and we no longer know how to boot it
	 * (provisiond restarted since it was created): start over. */
	if (lookup(l, domid, &info) == 0 && info.state == HV_DOMAIN_PAUSED) {
		log_warn("libhv: d%u (%s) was created but never booted by an earlier "
			 "run: destroying it so that it is created again", domid, info.name);
		err = hv_domain_ctl(&l->h, domid, HV_DOMCTL_DESTROY);
		return err ? err : -EAGAIN;
	}
	return HV_EBUSY;
}

static int lhv_pause(struct hv_backend *hv, uint32_t domid)
{
	return hv_domain_ctl(&lhv_of(hv)->h, domid, HV_DOMCTL_PAUSE);
}

static int lhv_shutdown(struct hv_backend *hv, uint32_t domid)
{
	/* The ACPI power button: the guest decides (see the top of this file). */
	return hv_domain_ctl(&lhv_of(hv)->h, domid, HV_DOMCTL_POWER_BUTTON);
}

static int lhv_reboot(struct hv_backend *hv, uint32_t domid)
{
	(void)hv;
	(void)domid;
	/* No reset in place: the reboot job restarts the server instead. */
	return HV_ENOSYS;
}

static int lhv_destroy(struct hv_backend *hv, uint32_t domid)
{
	struct lhv *l = lhv_of(hv);
	struct hv_domain_info info;
	bool named = lookup(l, domid, &info) == 0;
	int err = hv_domain_ctl(&l->h, domid, HV_DOMCTL_DESTROY);

	if (err == 0 || err == HV_ESRCH) {
		pthread_mutex_lock(&l->lock);
		pending_free(pending_take(l, domid));
		pthread_mutex_unlock(&l->lock);
	}
	/* Its network filter and routes go with it (they outlive the tap). */
	if (err == 0 && named)
		lhv_nic_remove(info.name);
	return err;
}

static int lhv_list(struct hv_backend *hv, struct hvb_domain *out, uint32_t max,
		    uint32_t *count, uint32_t *total)
{
	struct lhv *l = lhv_of(hv);
	struct hv_domain_info *doms = NULL;
	uint32_t n = 0, t = 0;
	int err;

	if (max > HV_DOMAIN_LIST_MAX)
		max = HV_DOMAIN_LIST_MAX;
	if (max) {
		doms = calloc(max, sizeof(*doms));
		if (!doms)
			return -ENOMEM;
	}
	err = hv_domain_list(&l->h, doms, max, &n, &t);
	if (err) {
		free(doms);
		return err;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct hvb_domain *d = &out[i];

		memset(d, 0, sizeof(*d));
		d->domid = doms[i].domid;
		d->state = doms[i].state;
		d->vcpus = doms[i].nr_vcpus;
		d->memory_bytes = doms[i].ram_bytes;
		d->cpu_time_ns = doms[i].cpu_time_ns;
		d->steal_ns = doms[i].steal_ns;
		snprintf(d->name, sizeof(d->name), "%s", doms[i].name);
	}
	free(doms);
	*count = n;
	*total = t;
	return 0;
}

static int lhv_cpu_usage(struct hv_backend *hv, uint32_t domid,
			 uint64_t *cpu_time_ns)
{
	struct hv_domain_info info;
	int err = lookup(lhv_of(hv), domid, &info);

	if (err == 0)
		*cpu_time_ns = info.cpu_time_ns;
	return err;
}

static int lhv_console(struct hv_backend *hv, uint32_t domid, uint64_t *pos,
		       char *buf, size_t size, size_t *got)
{
	return hv_domain_console(&lhv_of(hv)->h, domid, pos, buf, size, got);
}

static int lhv_physinfo(struct hv_backend *hv, struct hv_physinfo *out)
{
	return hv_physinfo(&lhv_of(hv)->h, out);
}

static int lhv_console_input(struct hv_backend *hv, uint32_t domid,
			     const char *buf, size_t len, size_t *taken)
{
	return hv_domain_input(&lhv_of(hv)->h, domid, buf, len, taken);
}

/* The tap is the domain's; hv-netfilter needs only its name. */
static int lhv_nic_apply_op(struct hv_backend *hv, uint32_t domid, const struct hvb_nic *nic,
			    char *why, size_t len)
{
	(void)hv;
	(void)domid;
	return lhv_nic_apply(nic, why, len);
}

static void lhv_close(struct hv_backend *hv)
{
	struct lhv *l = lhv_of(hv);

	if (!l)
		return;
	while (l->pending) {
		struct pending *p = l->pending;

		l->pending = p->next;
		pending_free(p);
	}
	hv_close(&l->h);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

int hv_libhv_open(const char *state_path, struct hv_backend **out, char *err,
		  size_t errlen)
{
	struct lhv *l = calloc(1, sizeof(*l));
	uint32_t version;
	int rc;

	(void)state_path;	/* the hypervisor itself holds the state */

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = hv_open(&l->h);
	if (rc == 0)
		rc = hv_abi_version(&l->h, &version);
	if (rc == 0 && version != HV_ABI_VERSION) {
		snprintf(err, errlen, "hypervisor ABI version %u, provisiond built for %u",
			 version, HV_ABI_VERSION);
		hv_close(&l->h);
		free(l);
		return -1;
	}
	if (rc) {
		snprintf(err, errlen, "hypervisor backend 'libhv' not available: cannot "
			 "open the hypervisor (/dev/hvpriv): %s (is this dom0 on the "
			 "appliance hypervisor, with hvpriv.ko loaded?)", hv_strerror(rc));
		hv_close(&l->h);
		free(l);
		return -1;
	}
	pthread_mutex_init(&l->lock, NULL);
	l->ops = (struct hv_backend){
		.name = "libhv",
		.priv = l,
		.create = lhv_create,
		.unpause = lhv_unpause,
		.pause = lhv_pause,
		.shutdown = lhv_shutdown,
		.reboot = lhv_reboot,
		.destroy = lhv_destroy,
		.list = lhv_list,
		.cpu_usage = lhv_cpu_usage,
		.console = lhv_console,
		.close = lhv_close,
		.physinfo = lhv_physinfo,
		.console_input = lhv_console_input,
		.nic_apply = lhv_nic_apply_op,
		.io_counters = lhv_io_counters,
		.net_limit = lhv_net_limit,
	};
	*out = &l->ops;
	return 0;
}
