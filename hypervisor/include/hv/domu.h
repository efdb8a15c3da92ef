/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Customer domains (domUs): boot-time domains, their exits, and how they
 * end.  The platform they see is in include/public/hvplatform.h and
 * docs/domu-platform.md.
 */
#ifndef HV_DOMU_H
#define HV_DOMU_H

#include <hv/domain.h>
#include <lib/linux_boot.h>
#include <hv/mb2.h>

/* True when a boot module is a customer domain ("domain name=..."). */
bool module_is_domain(const struct boot_module *m);

/* True when boot module i is a customer domain's kernel or its initrd. */
bool module_is_for_domain(unsigned int i);

/*
 * Creates and starts a domain for every domain module (Xen's hyperlaunch,
 * without dom0).  A module that cannot be started is reported and skipped:
 * one bad domain does not stop the others.  Returns how many started.
 */
unsigned int boot_domains_start(void);

/*
 * A paused customer domain with its memory and nr_vcpus vCPUs (confined,
 * none running yet), or NULL with *why.
 */
struct domain *domu_new(const char *name, uint64_t mem_bytes,
			unsigned int nr_vcpus, const char **why);

/*
 * Boots d by the PVH convention: start info, vCPU 0 at entry, every vCPU
 * placed on a domain CPU; running at once when start.  NULL or why not.
 */
const char *domu_boot_pvh(struct domain *d, uint32_t entry,
			  const char *cmdline, size_t cmdlen, bool start);

/* A Linux bzImage's boot, as dom0 or a boot module describes it. */
struct domu_linux_boot {
	const uint8_t *head;		/* the image's first LINUX_HEAD_LEN bytes */
	uint64_t image_size;
	uint64_t kernel_gpa;		/* where its protected-mode part was put */
	uint64_t initrd_gpa;
	uint64_t initrd_size;		/* 0 = none */
	const char *cmdline;
	size_t cmdline_len;
};

/*
 * Boots d by the Linux 64-bit boot protocol; kernel and initrd are
 * already in its memory, placed by linux_place()'s rules (checked here).
 * Running at once when start.  NULL or why not.
 */
const char *domu_boot_linux(struct domain *d, const struct domu_linux_boot *lb,
			    bool start);

/*
 * Writes what the hypervisor tells every domain about its platform: ACPI
 * tables at HVP_ACPI_BASE and the memory map (into e820, at most max
 * entries).  Returns the number of e820 entries, 0 on failure.
 */
unsigned int domu_write_platform(struct domain *d, struct e820_entry *e820,
				 unsigned int max);

/* Places vCPUs on domain CPUs and marks d booted; NULL or why not. */
const char *domu_start_vcpus(struct domain *d, bool start);

/* Console input from dom0; returns the bytes taken. */
size_t domu_console_input(struct domain *d, const char *data, size_t len);

/* Presses d's ACPI power button (a GED interrupt). */
void domu_press_power_button(struct domain *d);

/*
 * Stops every vCPU of d, waits until no CPU runs them, frees them and the
 * domain (memory scrubbed).  d must not be used afterwards.  A domain whose
 * backend in dom0 is bound stays DYING instead, its memory kept, until the
 * unbind frees it (common/backend.c).
 */
void domain_destroy(struct domain *d);

/*
 * Ends domain d: its vCPUs stop at their next exit; memory and console stay
 * until it is destroyed.  state is HV_DOMAIN_SHUTDOWN or _CRASHED.  Tells
 * its backend, if bound (it takes d->arch.platform_lock: never call it
 * with that lock held).
 */
void domain_stop(struct domain *d, uint32_t state, const char *why);

#endif
