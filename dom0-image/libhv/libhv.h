/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libhv - dom0's C library for the hypervisor's calls, over /dev/hvpriv
 * (the hvpriv.ko driver).  Used by hvctl and provisiond.
 *
 *	struct hv_handle hv;
 *	struct hv_physinfo pi;
 *	int err = hv_open(&hv);
 *	if (err == 0)
 *		err = hv_physinfo(&hv, &pi);
 *	if (err != 0)
 *		fprintf(stderr, "%s\n", hv_strerror(err));
 *	hv_close(&hv);
 *
 * The structures and constants are hvabi.h's (included here); build with
 * -I hypervisor/include/public -I dom0-image/driver -I dom0-image/libhv.
 *
 * Return convention: every function that can fail returns an int that is
 *   0        success;
 *   > 0      the hypervisor refused the call: its HV_E* code from hvabi.h
 *            (HV_EPERM, HV_EFAULT, HV_EINVAL, HV_ENOSYS, HV_ENOSPC), positive;
 *   < 0      the call did not get a usable answer from the hypervisor: a
 *            negative errno from open/ioctl/malloc (-ENOENT: no /dev/hvpriv,
 *            hvpriv.ko not loaded; -EACCES/-EPERM: not root; -ENOMEM; ...),
 *            or -EPROTO if the hypervisor's answer makes no sense (e.g. it
 *            claims to have copied more than the buffer holds).
 * The HV_E* values coincide with the errno values of the same name, so the
 * sign is what tells the two apart.  hv_strerror() describes all three.
 *
 * There is no global state: everything lives in the caller's hv_handle.
 * Calls on one handle may be made from several threads at once (each is one
 * ioctl on the same file descriptor).
 */
#ifndef LIBHV_H
#define LIBHV_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "hvabi.h"

struct hv_handle {
	int fd;			/* /dev/hvpriv, or -1 when closed */
};

/* Open /dev/hvpriv (root only).  On failure h->fd is -1. */
int hv_open(struct hv_handle *h);

/* Close the device; harmless on a handle that is already closed. */
void hv_close(struct hv_handle *h);

/* HVCALL_ABI_VERSION: the hypervisor's HV_ABI_VERSION into *version. */
int hv_abi_version(struct hv_handle *h, uint32_t *version);

/*
 * HVCALL_PHYSINFO: fills *info; info->version is always NUL-terminated.
 * -EPROTO when info->abi_version is not the HV_ABI_VERSION libhv was built
 * with: the hypervisor's structures are then not the ones we know.
 */
int hv_physinfo(struct hv_handle *h, struct hv_physinfo *info);

/*
 * HVCALL_CONSOLE_READ: copies up to size bytes of the hypervisor console,
 * from position *pos on, into buf (not NUL-terminated).  On success *pos is
 * the position after the last byte copied and *copied the number of bytes.
 * Start with *pos = 0 (the oldest byte still held); *copied == 0 means that
 * there is nothing new yet.  If *pos jumps by more than *copied, the bytes
 * in between were overwritten before they were read.
 */
int hv_console_read(struct hv_handle *h, uint64_t *pos, char *buf,
		    size_t size, size_t *copied);

/*
 * HVCALL_DOMAIN_LIST: fills out[] with up to max domains; *count is the
 * number written, *total the number of domains there are (more than *count
 * when out[] was too small: call again with a larger array).  max may be 0
 * (out may then be NULL) to learn only *total.  Names are always
 * NUL-terminated.  At most HV_DOMAIN_LIST_MAX entries per call.
 */
#define HV_DOMAIN_LIST_MAX	14000	/* what fits in the driver's 1 MiB */
int hv_domain_list(struct hv_handle *h, struct hv_domain_info *out,
		   uint32_t max, uint32_t *count, uint32_t *total);

/*
 * HVCALL_VCPU_EXITS: vCPU `vcpu` of domain `domid` left the guest *total
 * times; out[] gets up to max (exit code, count) pairs with a non-zero
 * count, *count of them.
 */
#define HV_EXITS_MAX		256
int hv_vcpu_exits(struct hv_handle *h, uint32_t domid, uint32_t vcpu,
		  struct hv_exit_count *out, uint32_t max, uint32_t *count,
		  uint64_t *total);

/*
 * Any hypercall, numbers passed unchanged (HVPRIV_IOCTL_RAW), for tests.
 * Returns 0 if the call was made, with the hypervisor's RAX in *result
 * (>= 0, or -HV_E*); or a negative errno if it could not be made.
 */
int hv_raw(struct hv_handle *h, uint64_t nr, const uint64_t args[4],
	   int64_t *result);

/*
 * Any structure call: buf (size bytes, at most HV_MAX_BUFFER) goes to the
 * hypervisor and back; *result is RAX.  Returns as the functions above.
 */
int hv_call(struct hv_handle *h, uint32_t nr, void *buf, uint32_t size,
	    int64_t *result);

/* --- customer domains (domain.c) --------------------------------------- */

/*
 * A paused domain; *domid its id.  HV_EINVAL without asking when the name
 * is too long or hv_domain_size_check() refuses the size.
 */
int hv_domain_create(struct hv_handle *h, const char *name, uint64_t ram_bytes,
		     uint32_t nr_vcpus, uint32_t *domid);

/* Copies len bytes into the (not yet booted) domain at gpa. */
int hv_domain_write(struct hv_handle *h, uint32_t domid, uint64_t gpa,
		    const void *data, size_t len);

/*
 * Loads a PVH ELF kernel (file, size bytes) into the domain; *entry gets its
 * 32-bit entry.  -ENOEXEC when the file is not a usable PVH kernel.
 */
int hv_domain_load_elf(struct hv_handle *h, uint32_t domid, const void *file,
		       size_t size, uint32_t *entry);

/* Starts vCPU 0 at entry with this kernel command line. */
int hv_domain_boot_pvh(struct hv_handle *h, uint32_t domid, uint32_t entry,
		       const char *cmdline);

/*
 * Loads a Linux bzImage (and an initrd, if initrd_size) into a domain
 * with ram_bytes of RAM, placed as linux_place() says, and starts it with
 * this command line.  -ENOEXEC when the file is not a usable bzImage,
 * -ENOSPC when it does not fit.
 */
int hv_domain_boot_linux(struct hv_handle *h, uint32_t domid,
			 uint64_t ram_bytes, const void *image, size_t size,
			 const void *initrd, size_t initrd_size,
			 const char *cmdline);

/*
 * hv_domain_boot_linux in two steps, for a caller that builds a domain now
 * and starts it later (provisiond creates domains paused): load writes the
 * kernel and initrd into the domain and fills *boot (the domain is not
 * started); hv_domain_boot then starts it with this command line.
 */
int hv_domain_load_linux(struct hv_handle *h, uint32_t domid,
			 uint64_t ram_bytes, const void *image, size_t size,
			 const void *initrd, size_t initrd_size,
			 struct hv_domain_boot *boot);
int hv_domain_boot(struct hv_handle *h, const struct hv_domain_boot *boot,
		   const char *cmdline);

/* True when file looks like a Linux bzImage (else try it as an ELF). */
bool hv_is_linux_image(const void *file, size_t size);

/* Console input for the domain; *taken says how much its buffer took. */
int hv_domain_input(struct hv_handle *h, uint32_t domid, const char *data,
		    size_t len, size_t *taken);

/* HV_DOMCTL_PAUSE, _UNPAUSE, _DESTROY or _POWER_BUTTON. */
int hv_domain_ctl(struct hv_handle *h, uint32_t domid, uint32_t op);

/* The domain's console from *pos, as hv_console_read. */
int hv_domain_console(struct hv_handle *h, uint32_t domid, uint64_t *pos,
		      char *buf, size_t size, size_t *copied);

/*
 * A domain's CPU quota: with set, changes weight and cap (percent of one
 * CPU, 0 = none; hv_sched_quota_check()'s rules, the cap checked here
 * against HV_DOMAIN_VCPUS_MAX and by the hypervisor against the domain's
 * vCPUs); either way *weight and *cap_pct get what holds.
 */
int hv_domain_sched(struct hv_handle *h, uint32_t domid, bool set,
		    uint32_t *weight, uint32_t *cap_pct);

/*
 * HVCALL_VCPU_AFFINITY: fill in a->domid, a->vcpu (or HV_VCPU_ALL), a->set
 * and, to change it, a->cpus (bit n = CPU n).  On success every field holds
 * what the hypervisor answered: the vCPU's mask, the CPU it is on, the
 * CPUs domains may use, its CPU time.  HV_EINVAL for a bad mask or vCPU.
 */
int hv_vcpu_affinity(struct hv_handle *h, struct hv_vcpu_affinity *a);

/*
 * Device backends and virtio devices (hv_backend_bind(), hv_device_add(),
 * ...) are declared in libhv_backend.h: their struct hv_backend would
 * clash with provisiond's own struct of that name, so only the programs
 * that serve devices include it.
 */

/* The id of the domain called name; HV_ESRCH when there is none. */
int hv_domain_find(struct hv_handle *h, const char *name, uint32_t *domid);

/* A message for any return value above (0, HV_E* code or negative errno). */
const char *hv_strerror(int err);

#endif /* LIBHV_H */
