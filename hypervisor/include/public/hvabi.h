/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypercall ABI between the hypervisor and its domains: the one
 * definition that the hypervisor, the dom0 driver (a Linux module), libhv and
 * the dom0 tools all include.  Fixed-width types and explicit padding only,
 * so the layout is the same for every compiler and in kernel and user space.
 * Documented in docs/hypercall-abi.md; change both together.
 *
 * Calling convention (AMD): VMMCALL with
 *   RAX = call number (HVCALL_*),
 *   RBX = argument 0, RCX = argument 1, RDX = argument 2, RSI = argument 3;
 * the result comes back in RAX: 0 or a positive count on success, a negative
 * HV_E* code on failure.  Other registers are preserved.
 *
 * Calls that take a structure pass its guest-physical address in argument 0
 * and its size in bytes in argument 1.  The hypervisor checks that the size
 * is at least the fixed part of the structure and at most HV_MAX_BUFFER
 * (else HV_EINVAL), and that the whole buffer lies in one physically
 * contiguous run of the caller's own RAM (else HV_EFAULT), before it reads or
 * writes a byte.
 *
 * Privileged calls (every call in ABI version 1) are accepted only from
 * dom0 running in kernel mode (CPL 0); from user mode they fail with
 * HV_EPERM, from other domains with HV_EPERM as well.
 */
#ifndef HV_PUBLIC_HVABI_H
#define HV_PUBLIC_HVABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/*
 * Bumped on every change of this file's ABI (a call, a structure, a limit),
 * never reused.  dom0's driver refuses to load on a hypervisor with another
 * version, and libhv and hvctl refuse to read its structures.
 */
#define HV_ABI_VERSION		3

/* Call numbers.  Kept clear of the KVM hypercall numbers (1..12) that domUs
 * will also use. */
#define HVCALL_BASE		0x1000
#define HVCALL_ABI_VERSION	(HVCALL_BASE + 0)	/* -> HV_ABI_VERSION */
#define HVCALL_PHYSINFO		(HVCALL_BASE + 1)	/* struct hv_physinfo */
#define HVCALL_CONSOLE_READ	(HVCALL_BASE + 2)	/* struct hv_console_read */
#define HVCALL_DOMAIN_LIST	(HVCALL_BASE + 3)	/* struct hv_domain_list */
#define HVCALL_VCPU_EXITS	(HVCALL_BASE + 4)	/* struct hv_vcpu_exits */
#define HVCALL_DOMAIN_CREATE	(HVCALL_BASE + 5)	/* struct hv_domain_create */
#define HVCALL_DOMAIN_WRITE	(HVCALL_BASE + 6)	/* struct hv_domain_write */
#define HVCALL_DOMAIN_BOOT	(HVCALL_BASE + 7)	/* struct hv_domain_boot */
#define HVCALL_DOMAIN_CTL	(HVCALL_BASE + 8)	/* struct hv_domain_ctl */
#define HVCALL_DOMAIN_CONSOLE	(HVCALL_BASE + 9)	/* struct hv_domain_console */
#define HVCALL_DOMAIN_SCHED	(HVCALL_BASE + 10)	/* struct hv_domain_sched */
#define HVCALL_DOMAIN_INPUT	(HVCALL_BASE + 11)	/* struct hv_domain_input */
#define HVCALL_SET_TIME		(HVCALL_BASE + 12)	/* struct hv_set_time */
#define HVCALL_VCPU_AFFINITY	(HVCALL_BASE + 13)	/* struct hv_vcpu_affinity */
#define HVCALL_DEVICE_ADD	(HVCALL_BASE + 14)	/* struct hv_device_add */
#define HVCALL_DEVICE_CTL	(HVCALL_BASE + 15)	/* struct hv_device_ctl */
#define HVCALL_BACKEND_BIND	(HVCALL_BASE + 16)	/* struct hv_backend_bind */
#define HVCALL_EVENT_VECTOR	(HVCALL_BASE + 17)	/* struct hv_event_vector */
#define HVCALL_MAX		HVCALL_EVENT_VECTOR

/* Largest buffer a call accepts, in bytes. */
#define HV_MAX_BUFFER		(1024 * 1024)

/* Error codes (negated in RAX). */
#define HV_EPERM		1	/* caller may not make this call */
#define HV_EFAULT		14	/* buffer outside the caller's RAM */
#define HV_EINVAL		22	/* an argument is out of range */
#define HV_ENOSYS		38	/* no such call */
#define HV_ENOSPC		28	/* buffer too small for the result */
#define HV_ENOMEM		12	/* not enough free memory */
#define HV_ESRCH		3	/* no such domain */
#define HV_EBUSY		16	/* the domain is not in a state for this */

/* The CPUID leaf 0x40000000 signature of our hypervisor (EBX, ECX, EDX). */
#define HV_CPUID_SIGNATURE	"ApplianceHV\0"

#define HV_VERSION_LEN		32
#define HV_NAME_LEN		32

/* HVCALL_PHYSINFO: what the machine is and how it is divided. */
struct hv_physinfo {
	uint32_t abi_version;		/* HV_ABI_VERSION */
	uint32_t nr_cpus;		/* CPUs online in the hypervisor */
	uint32_t nr_dom0_cpus;		/* of which dom0 runs on */
	uint32_t pad0;
	uint64_t total_ram_bytes;	/* usable RAM in the firmware map */
	uint64_t dom0_ram_bytes;	/* RAM given to dom0 */
	uint64_t domain_free_bytes;	/* free for customer domains */
	uint64_t hypervisor_bytes;	/* held by the hypervisor itself */
	uint64_t tsc_khz;
	char version[HV_VERSION_LEN];	/* NUL-terminated */
};

/*
 * HVCALL_CONSOLE_READ: copies hypervisor console bytes from position pos
 * (bytes ever written; 0 = the oldest still held) into data[].  On return
 * pos is the position after the last byte copied, copied the count, and the
 * call returns the count.  Bytes that were overwritten before being read are
 * skipped: pos jumps forward.
 */
struct hv_console_read {
	uint64_t pos;			/* in/out */
	uint32_t size;			/* in: bytes of data[] */
	uint32_t copied;		/* out */
	char data[];
};

/* Domain states. */
#define HV_DOMAIN_RUNNING	1
#define HV_DOMAIN_BLOCKED	2
#define HV_DOMAIN_PAUSED	3
#define HV_DOMAIN_SHUTDOWN	4
#define HV_DOMAIN_CRASHED	5
#define HV_DOMAIN_DYING		6
#define HV_DOMAIN_REBOOT	7	/* the guest asked to be restarted:
					   ended, for dom0 to create anew */

struct hv_domain_info {
	uint32_t domid;			/* 0 = dom0 */
	uint32_t state;			/* HV_DOMAIN_* */
	uint32_t nr_vcpus;
	uint32_t overhead_bytes;	/* hypervisor memory it holds beyond
					   its RAM: domain and vCPU slots,
					   VMCBs, nested page tables */
	uint64_t ram_bytes;
	uint64_t cpu_time_ns;		/* time its vCPUs ran, all of them */
	uint64_t steal_ns;		/* time they were runnable but waited */
	char name[HV_NAME_LEN];		/* NUL-terminated */
};

/*
 * HVCALL_DOMAIN_LIST: fills domains[] with up to max entries, sets count to
 * the number written and total to the number of domains; returns count.
 */
struct hv_domain_list {
	uint32_t max;			/* in: entries domains[] can hold */
	uint32_t count;			/* out */
	uint32_t total;			/* out */
	uint32_t pad0;
	struct hv_domain_info domains[];
};

/*
 * HVCALL_VCPU_EXITS: how often a vCPU left the guest, by SVM exit code
 * (AMD APM vol. 2, appendix C; 0x400 = nested page fault), for profiling,
 * and how long the hypervisor took over them: handled_ns sums, for each
 * exit, the time from VMRUN's return to the end of its handling (the
 * VMSAVE/VMLOAD after VMRUN and the world switch itself are not in it).
 * Fills entries[] with the codes whose count is not zero, in increasing
 * code order, up to max; sets count to the number written.  Codes the
 * hypervisor does not count one by one are summed under HV_EXIT_OTHER.
 * HV_EINVAL for a domain or vCPU that does not exist.
 */
#define HV_EXIT_OTHER		0xffffffffU

struct hv_exit_count {
	uint32_t code;
	uint32_t pad0;
	uint64_t count;
	uint64_t handled_ns;
};

struct hv_vcpu_exits {
	uint32_t domid;			/* in */
	uint32_t vcpu;			/* in */
	uint32_t max;			/* in: entries entries[] can hold */
	uint32_t count;			/* out */
	uint64_t total;			/* out: all exits */
	struct hv_exit_count entries[];
};

/*
 * Building a customer domain from dom0, in three steps:
 *
 * 1. HVCALL_DOMAIN_CREATE: a paused domain with ram_bytes of zeroed RAM (a
 *    multiple of 2 MiB) at guest-physical 0 and nr_vcpus vCPUs, within
 *    the limits below (hv_domain_size_check()).
 *    Returns the new domain id (also in domid).  HV_ENOMEM when the pool
 *    has not enough free 2 MiB chunks, HV_EINVAL for a bad name or size.
 * 2. HVCALL_DOMAIN_WRITE, as often as needed: copies len bytes of data[]
 *    into the domain's memory at gpa.  Only before it is booted
 *    (HV_EBUSY after); HV_EFAULT when [gpa, gpa + len) is not all its RAM.
 * 3. HVCALL_DOMAIN_BOOT: starts vCPU 0 by the PVH convention at entry32,
 *    with a start info holding cmdline and the memory map at 0x1000
 *    (docs/domu-platform.md); the domain runs from now on.
 */
/*
 * Customer domain limits: the one definition.  The hypervisor enforces them
 * on every path that makes a domain (boot modules and HVCALL_DOMAIN_CREATE),
 * and dom0's tools and provisiond validate against them before asking, so a
 * plan the hypervisor could never run is refused where it is written.
 */
#define HV_DOMAIN_VCPUS_MIN	1
#define HV_DOMAIN_VCPUS_MAX	8
#define HV_DOMAIN_RAM_ALIGN_MIB	2		/* RAM comes in 2 MiB chunks */
#define HV_DOMAIN_RAM_MIN_MIB	2
#define HV_DOMAIN_RAM_MAX_MIB	524288		/* 512 GiB */

/* A number as a string literal, for messages that name a limit. */
#define HV_STR_(x)		#x
#define HV_STR(x)		HV_STR_(x)

/*
 * The one check of a domain's size against the limits above, made by the
 * hypervisor on every path that makes a domain and by dom0's tools before
 * they ask: NULL when ram_bytes and nr_vcpus are within them, else why not.
 */
static inline const char *hv_domain_size_check(uint64_t ram_bytes,
					       uint32_t nr_vcpus)
{
	const uint64_t mib = 1024 * 1024;

	if (nr_vcpus < HV_DOMAIN_VCPUS_MIN || nr_vcpus > HV_DOMAIN_VCPUS_MAX)
		return "vCPUs must be " HV_STR(HV_DOMAIN_VCPUS_MIN) " to "
		       HV_STR(HV_DOMAIN_VCPUS_MAX);
	if (ram_bytes < HV_DOMAIN_RAM_MIN_MIB * mib ||
	    ram_bytes > HV_DOMAIN_RAM_MAX_MIB * mib)
		return "memory must be " HV_STR(HV_DOMAIN_RAM_MIN_MIB) " to "
		       HV_STR(HV_DOMAIN_RAM_MAX_MIB) " MiB";
	if (ram_bytes % (HV_DOMAIN_RAM_ALIGN_MIB * mib))
		return "memory must be a multiple of "
		       HV_STR(HV_DOMAIN_RAM_ALIGN_MIB) " MiB";
	return (const char *)0;
}

struct hv_domain_create {
	char name[HV_NAME_LEN];		/* in: NUL-terminated, [A-Za-z0-9._-] */
	uint64_t ram_bytes;		/* in */
	uint32_t nr_vcpus;		/* in */
	uint32_t domid;			/* out */
};

struct hv_domain_write {
	uint32_t domid;
	uint32_t pad0;
	uint64_t gpa;
	uint64_t len;			/* bytes of data[] */
	uint8_t data[];
};

#define HV_BOOT_PVH		1	/* an ELF with a PVH entry note */
#define HV_BOOT_LINUX		2	/* a Linux bzImage, 64-bit protocol */
#define HV_LINUX_HEAD_LEN	1024	/* the bzImage's setup header part */

/*
 * HVCALL_DOMAIN_BOOT: starts a domain whose kernel dom0 has written into
 * its memory (HVCALL_DOMAIN_WRITE).  The hypervisor then writes the
 * platform's description (ACPI tables, memory map) and the boot structures
 * (include/public/hvplatform.h has the layout) and starts vCPU 0.
 *   PVH:   entry32 is the ELF's PVH entry point.
 *   LINUX: dom0 wrote the protected-mode kernel (the bzImage from its
 *          setup sectors on) at kernel_gpa and the initrd at initrd_gpa;
 *          linux_head holds the image's first HV_LINUX_HEAD_LEN bytes and
 *          image_size its whole size.  The placement must follow the rules
 *          of linux_place() (hypervisor/arch/x86/linux_boot.c), else EINVAL.
 */
struct hv_domain_boot {
	uint32_t domid;
	uint32_t protocol;		/* HV_BOOT_* */
	uint32_t entry32;		/* PVH */
	uint32_t cmdline_len;		/* bytes of cmdline[], no NUL needed */
	uint64_t image_size;		/* LINUX */
	uint64_t kernel_gpa;		/* LINUX */
	uint64_t initrd_gpa;		/* LINUX */
	uint64_t initrd_size;		/* LINUX, 0 = no initrd */
	uint8_t linux_head[HV_LINUX_HEAD_LEN];	/* LINUX */
	char cmdline[];
};

/*
 * HVCALL_DOMAIN_CTL: pause (its vCPUs stop running, state paused),
 * unpause, or destroy (its vCPUs stop, its memory is scrubbed and returned
 * to the pool, its id freed).  A stopped domain (shut down, crashed) can
 * only be destroyed; dom0 can be none of these.
 */
#define HV_DOMCTL_PAUSE		1
#define HV_DOMCTL_UNPAUSE	2
#define HV_DOMCTL_DESTROY	3
/*
 * Asks a running domain to shut down gracefully: its ACPI power button is
 * pressed (the guest decides what to do; Linux with acpid powers off).
 */
#define HV_DOMCTL_POWER_BUTTON	4

struct hv_domain_ctl {
	uint32_t domid;
	uint32_t op;			/* HV_DOMCTL_* */
};

/*
 * HVCALL_DOMAIN_CONSOLE: what the domain wrote to its console (kept after
 * it stops, until it is destroyed), from position pos, as
 * HVCALL_CONSOLE_READ does for the hypervisor's own.
 */
struct hv_domain_console {
	uint32_t domid;
	uint32_t size;			/* in: bytes of data[] */
	uint64_t pos;			/* in/out */
	uint32_t copied;		/* out */
	uint32_t pad0;
	char data[];
};

/*
 * HVCALL_DOMAIN_INPUT: keystrokes for the domain's console (its UART's
 * receive buffer, VUART_RX_SIZE bytes).  Returns how many bytes were taken
 * (fewer than len when the buffer is full: try the rest again later).
 */
struct hv_domain_input {
	uint32_t domid;
	uint32_t len;			/* bytes of data[] */
	char data[];
};

/*
 * HVCALL_SET_TIME: dom0 tells the hypervisor what its clock says, so that
 * customer domains' kvmclocks agree with it.  tsc_khz is the rate of dom0's
 * clock against the TSC, in TSC ticks per millisecond of CLOCK_MONOTONIC
 * (hvpriv measures it: more precise than the hypervisor's early PIT
 * calibration, and right whatever clocksource dom0 runs on); 0 keeps the
 * rate, else it must be within 5% of the hypervisor's own figure.  wall_ns
 * is dom0's CLOCK_REALTIME (ns since 1970-01-01 UTC) at the moment its TSC
 * read tsc; 0 keeps the wall clock.  Both apply to domains' kvmclocks set
 * up afterwards (Linux sets its up at boot).
 */
struct hv_set_time {
	uint64_t tsc_khz;		/* in */
	uint64_t tsc;			/* in */
	uint64_t wall_ns;		/* in */
};

/*
 * HVCALL_DOMAIN_SCHED: a customer domain's CPU quota.  weight
 * (HV_SCHED_WEIGHT_MIN to _MAX, default _DEFAULT) is its share of a CPU under contention, relative to the
 * others'; cap_pct (0 = none, else 1 to 100 per vCPU) a hard ceiling in
 * percent of one CPU (hv_sched_quota_check()).  With set = 1 both are changed, effective at once
 * (HV_EINVAL when out of range); with set = 0 they are only read back.
 */
#define HV_SCHED_WEIGHT_MIN	1
#define HV_SCHED_WEIGHT_MAX	65535
#define HV_SCHED_WEIGHT_DEFAULT	256
#define HV_SCHED_CAP_PER_VCPU	100	/* cap_pct is at most nr_vcpus x this */

/*
 * The one check of a quota against the rules above (weight in range, cap at
 * most nr_vcpus x HV_SCHED_CAP_PER_VCPU), made by the hypervisor and by
 * dom0's tools: NULL when weight and cap_pct are allowed for a domain of
 * nr_vcpus vCPUs, else why not.
 */
static inline const char *hv_sched_quota_check(uint32_t weight,
					       uint32_t cap_pct,
					       uint32_t nr_vcpus)
{
	if (weight < HV_SCHED_WEIGHT_MIN || weight > HV_SCHED_WEIGHT_MAX)
		return "weight must be " HV_STR(HV_SCHED_WEIGHT_MIN) " to "
		       HV_STR(HV_SCHED_WEIGHT_MAX);
	if ((uint64_t)cap_pct > (uint64_t)HV_SCHED_CAP_PER_VCPU * nr_vcpus)
		return "cap must be at most " HV_STR(HV_SCHED_CAP_PER_VCPU)
		       " per vCPU (percent of one CPU)";
	return (const char *)0;
}

struct hv_domain_sched {
	uint32_t domid;
	uint32_t set;			/* in: 1 = change, 0 = read */
	uint32_t weight;		/* in/out */
	uint32_t cap_pct;		/* in/out */
};

/*
 * HVCALL_VCPU_AFFINITY: the physical CPUs a customer domain's vCPU may run
 * on, as a mask (bit n = CPU n; the hypervisor runs at most 64 CPUs).  The
 * default is every domain CPU (every CPU online but dom0's).  With set = 1
 * the mask is changed for vCPU `vcpu`, or for all of the domain's vCPUs
 * with HV_VCPU_ALL; on a running domain a vCPU whose CPU is no longer
 * allowed moves to the least loaded allowed CPU at once (at that CPU's
 * next scheduling point), and a domain not yet booted has its vCPUs placed
 * within the mask.  With set = 0 one vCPU's mask is only read back.  On
 * success the out fields describe vCPU `vcpu` (vCPU 0 for HV_VCPU_ALL).
 * HV_EINVAL when the mask is empty or names any CPU that is not a domain
 * CPU (dom0's, offline or absent ones), when there is no such vCPU, or for
 * HV_VCPU_ALL with set = 0; HV_ESRCH when there is no such customer domain
 * (dom0 included: its CPUs are its own).
 */
#define HV_VCPU_ALL		0xffffffffU	/* vcpu: every vCPU (set only) */
#define HV_CPU_NONE		0xffffffffU	/* cpu: not placed (not booted) */

struct hv_vcpu_affinity {
	uint32_t domid;			/* in */
	uint32_t vcpu;			/* in: its number, or HV_VCPU_ALL */
	uint32_t set;			/* in: 1 = change, 0 = read */
	uint32_t cpu;			/* out: the CPU it is placed on now */
	uint64_t cpus;			/* in/out: CPUs it may run on */
	uint64_t domain_cpus;		/* out: the CPUs domains may use */
	uint64_t run_ns;		/* out: time it ran, ns */
};

/*
 * Paravirtual devices (docs/virtio.md): virtio 1.x devices on a domU's PCI
 * bus 0 (modern virtio-pci), served by a backend process in dom0.
 *
 * The split of the work:
 *  - The hypervisor emulates the transport: PCI configuration space, the
 *    virtio-pci registers (common configuration, ISR, device configuration,
 *    MSI-X table), so that no guest access ever waits for dom0.  A queue
 *    notify (an OUT to the device's notify port) is completed at once and
 *    posted to the backend as an event; see struct hv_backend_page.
 *  - The backend reads the queues from the domain's RAM, which dom0 maps
 *    while it is bound (HVCALL_BACKEND_BIND), and raises the guest's
 *    interrupts with HVCALL_DEVICE_CTL.
 *
 * Building a domain with devices: after HVCALL_DOMAIN_CREATE and before
 * HVCALL_DOMAIN_BOOT, HVCALL_DEVICE_ADD once per device; device index i
 * sits at PCI 00:(i+1).0.
 */
#define HV_VIRTIO_NET		1	/* virtio device IDs (virtio 1.2, 5) */
#define HV_VIRTIO_BLK		2

#define HV_DOMAIN_DEVICES_MAX	8	/* devices per domain */
#define HV_DEVICE_QUEUES_MAX	8	/* queues per device */
#define HV_DEVICE_QUEUE_SIZE_MAX 1024	/* largest queue size offered */
#define HV_DEVICE_CONFIG_MAX	256	/* bytes of device configuration */

/*
 * HVCALL_DEVICE_ADD: adds a virtio device to a customer domain that has
 * not booted yet (HV_EBUSY after; HV_ENOSPC beyond HV_DOMAIN_DEVICES_MAX).
 * features are the device features offered (VIRTIO_F_VERSION_1, bit 32,
 * is required; the hypervisor offers no feature the caller did not list).
 * queue_size is the largest size each queue offers (a power of two, 2 to
 * HV_DEVICE_QUEUE_SIZE_MAX); config[0..config_len) is the device-specific
 * configuration the guest reads (struct virtio_blk_config, ...), read-only
 * to it.  HV_EINVAL for an unknown type or a count, size or length out of
 * range.  Returns the device index (also in index).
 */
struct hv_device_add {
	uint32_t domid;			/* in */
	uint32_t type;			/* in: HV_VIRTIO_* */
	uint32_t nr_queues;		/* in: 1 to HV_DEVICE_QUEUES_MAX */
	uint32_t queue_size;		/* in */
	uint64_t features;		/* in */
	uint32_t config_len;		/* in: bytes of config[] */
	uint32_t index;			/* out */
	uint8_t config[HV_DEVICE_CONFIG_MAX];	/* in */
};

/*
 * HVCALL_DEVICE_CTL: a backend's requests about one device (index) of a
 * domain.  HV_ESRCH for no such domain, HV_EINVAL for no such device, op
 * or queue.
 *   INTERRUPT:   raise the guest's interrupt for each queue whose bit is
 *                set in arg (bit q = queue q), and for a configuration
 *                change with HV_DEVCTL_CONFIG_BIT: the MSI-X vector the
 *                guest chose for it, held pending while masked, dropped
 *                when it chose none (VIRTIO_MSI_NO_VECTOR).
 *   RESET_DONE:  the backend dropped all it held of the device after the
 *                driver reset it (hv_device_state.reset): from now on
 *                device_status reads 0 and the driver may set it up anew.
 *   NEEDS_RESET: the device met an error it cannot go on from (a
 *                malformed queue): DEVICE_NEEDS_RESET is set in its
 *                status and the configuration-change interrupt raised.
 */
#define HV_DEVCTL_INTERRUPT	1
#define HV_DEVCTL_RESET_DONE	2
#define HV_DEVCTL_NEEDS_RESET	3
#define HV_DEVCTL_CONFIG_BIT	(1U << 31)

struct hv_device_ctl {
	uint32_t domid;
	uint32_t index;
	uint32_t op;			/* HV_DEVCTL_* */
	uint32_t arg;
};

/*
 * One virtqueue as the driver set it up (virtio 1.2, 4.1.4.3), published
 * to the backend.  Addresses are guest-physical.
 */
struct hv_vq_config {
	uint16_t size;			/* queue_size the driver chose */
	uint16_t enabled;		/* queue_enable: 1 = in use */
	uint16_t msix_vector;		/* its MSI-X table entry, or 0xffff */
	uint16_t pad0;
	uint32_t pad1;
	uint32_t pad2;
	uint64_t desc;			/* descriptor table */
	uint64_t driver;		/* available ring */
	uint64_t device;		/* used ring */
};

/*
 * One device's transport state, written by the hypervisor whenever the
 * driver changes it, read by the backend.  seq makes the read consistent
 * (a seqlock): it is odd while the hypervisor writes; a reader copies the
 * struct between two reads of an equal, even seq.
 */
struct hv_device_state {
	uint32_t seq;
	uint32_t status;		/* device_status as the driver set it */
	uint64_t driver_features;	/* what the driver accepted */
	uint32_t reset;			/* 1: the driver wrote status 0; the
					   backend drops the device's state and
					   answers HV_DEVCTL_RESET_DONE */
	uint32_t pad0;
	uint64_t pad1;
	struct hv_vq_config vq[HV_DEVICE_QUEUES_MAX];
};

/*
 * The page through which the hypervisor tells a domain's backend what
 * happened: one page of dom0's RAM named at HVCALL_BACKEND_BIND, written
 * only by the hypervisor except for the two event words, which the backend
 * takes with an atomic exchange (to 0).
 *   notify:  bit (index * HV_DEVICE_QUEUES_MAX + queue): the guest
 *            notified that queue.
 *   changed: bit index: dev[index] changed (status, features, a queue's
 *            set-up, a reset), and bit HV_BACKEND_DOMAIN_BIT: the domain
 *            stopped (domain_state says how).
 * When either word goes from 0 to non-zero, the hypervisor sends dom0's
 * CPU the event vector (HVCALL_EVENT_VECTOR), so a backend that empties
 * both words before it sleeps misses nothing.
 */
#define HV_BACKEND_DOMAIN_BIT	(1ULL << 63)

struct hv_backend_page {
	uint64_t notify;
	uint64_t changed;
	uint32_t domain_state;		/* HV_DOMAIN_* */
	uint32_t nr_devices;		/* devices added to the domain */
	uint64_t pad[5];
	struct hv_device_state dev[HV_DOMAIN_DEVICES_MAX];
};

/*
 * HVCALL_BACKEND_BIND: with op BIND, dom0 becomes the backend of a
 * customer domain's devices: the hypervisor maps the domain's RAM into
 * dom0 at the host-physical addresses that extents[] lists (dom0's kernel
 * maps them into the backend process only), writes every device's state
 * into the page at page_gpa (4 KiB-aligned dom0 RAM), and posts events
 * there from now on.  At most one binding per domain (HV_EBUSY).  extents[]
 * gets up to max entries, count the number the domain has (HV_ENOSPC when
 * more than max).  With op UNBIND the mapping and the page are let go;
 * a reset the driver is waiting on completes, and the devices serve
 * nothing until the next BIND.  A domain destroyed while bound stays, its
 * memory unscrubbed and not reused, in state DYING until the UNBIND.
 */
#define HV_BACKEND_BIND		1
#define HV_BACKEND_UNBIND	2

struct hv_ram_extent {
	uint64_t gpa;			/* in the domain */
	uint64_t hpa;			/* where dom0 sees it */
	uint64_t len;
};

struct hv_backend_bind {
	uint32_t domid;			/* in */
	uint32_t op;			/* in: HV_BACKEND_* */
	uint64_t page_gpa;		/* in: BIND */
	uint32_t max;			/* in: entries extents[] can hold */
	uint32_t count;			/* out */
	struct hv_ram_extent extents[];	/* out */
};

/*
 * HVCALL_EVENT_VECTOR: the interrupt vector (0x20 to 0xff, 0 = none) on
 * which dom0's CPU with local APIC ID apic_id takes backend events; dom0's
 * kernel allocates it and acknowledges it with an ordinary EOI.
 */
struct hv_event_vector {
	uint32_t vector;
	uint32_t apic_id;
};

/*
 * The layout every side must agree on, checked wherever this file is
 * compiled (hypervisor, dom0's kernel module, user space): a size that
 * changes is an ABI change and fails the build until HV_ABI_VERSION and
 * these lines are updated together.  Offsets are checked where a 64-bit
 * field follows 32-bit ones and where a flexible array begins.
 */
#define HV_ABI_SIZE(type, bytes) \
	_Static_assert(sizeof(struct type) == (bytes), \
		       "struct " #type " is part of the ABI: " #bytes " bytes")
#define HV_ABI_OFFSET(type, field, at) \
	_Static_assert(__builtin_offsetof(struct type, field) == (at), \
		       "struct " #type "." #field " is part of the ABI: at " #at)

HV_ABI_SIZE(hv_physinfo, 88);
HV_ABI_OFFSET(hv_physinfo, total_ram_bytes, 16);
HV_ABI_OFFSET(hv_physinfo, version, 56);
HV_ABI_SIZE(hv_console_read, 16);
HV_ABI_OFFSET(hv_console_read, data, 16);
HV_ABI_SIZE(hv_domain_info, 72);
HV_ABI_OFFSET(hv_domain_info, ram_bytes, 16);
HV_ABI_OFFSET(hv_domain_info, name, 40);
HV_ABI_SIZE(hv_domain_list, 16);
HV_ABI_OFFSET(hv_domain_list, domains, 16);
HV_ABI_SIZE(hv_exit_count, 24);
HV_ABI_SIZE(hv_vcpu_exits, 24);
HV_ABI_OFFSET(hv_vcpu_exits, entries, 24);
HV_ABI_SIZE(hv_domain_create, 48);
HV_ABI_OFFSET(hv_domain_create, ram_bytes, 32);
HV_ABI_SIZE(hv_domain_write, 24);
HV_ABI_OFFSET(hv_domain_write, data, 24);
HV_ABI_SIZE(hv_domain_boot, 1072);
HV_ABI_OFFSET(hv_domain_boot, image_size, 16);
HV_ABI_OFFSET(hv_domain_boot, linux_head, 48);
HV_ABI_OFFSET(hv_domain_boot, cmdline, 1072);
HV_ABI_SIZE(hv_domain_ctl, 8);
HV_ABI_SIZE(hv_domain_console, 24);
HV_ABI_OFFSET(hv_domain_console, pos, 8);
HV_ABI_OFFSET(hv_domain_console, data, 24);
HV_ABI_SIZE(hv_domain_input, 8);
HV_ABI_OFFSET(hv_domain_input, data, 8);
HV_ABI_SIZE(hv_set_time, 24);
HV_ABI_SIZE(hv_domain_sched, 16);
HV_ABI_SIZE(hv_vcpu_affinity, 40);
HV_ABI_OFFSET(hv_vcpu_affinity, cpus, 16);
HV_ABI_SIZE(hv_device_add, 288);
HV_ABI_OFFSET(hv_device_add, features, 16);
HV_ABI_OFFSET(hv_device_add, config, 32);
HV_ABI_SIZE(hv_device_ctl, 16);
HV_ABI_SIZE(hv_vq_config, 40);
HV_ABI_OFFSET(hv_vq_config, desc, 16);
HV_ABI_SIZE(hv_device_state, 352);
HV_ABI_OFFSET(hv_device_state, vq, 32);
HV_ABI_SIZE(hv_backend_page, 2880);
HV_ABI_OFFSET(hv_backend_page, dev, 64);
HV_ABI_SIZE(hv_ram_extent, 24);
HV_ABI_SIZE(hv_backend_bind, 24);
HV_ABI_OFFSET(hv_backend_bind, extents, 24);
HV_ABI_SIZE(hv_event_vector, 8);

#undef HV_ABI_SIZE
#undef HV_ABI_OFFSET

#endif
