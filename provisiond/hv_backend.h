// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_backend.h - what provisiond needs from the hypervisor, as a table of
 * function pointers.
 *
 * provisiond's jobs, reconciler and usage monitor call the hypervisor only
 * through struct hv_backend, never libhv or /dev/hvpriv directly.  Each
 * binary lists the backends it is built with in hv_backend_kinds[]:
 *
 *   "libhv"  the product (hv_libhv.c), the only backend of
 *            build/provisiond/provisiond (hv_backends.c): dom0's libhv
 *            (dom0-image/libhv/libhv.h) over the hvpriv driver.  Without
 *            /dev/hvpriv (not on the appliance hypervisor) it fails at
 *            startup, saying so.  shutdown presses the guest's ACPI power
 *            button; reboot returns HV_ENOSYS (no reset in place: the
 *            reboot job restarts the server instead, job_exec.c).
 *   "fake"   a TEST DOUBLE that runs no guest, built only into the API
 *            tests' binary build/provisiond/provisiond-testhv
 *            (tests/api/testhv/), never into the product.
 *
 * The model is Xen's: a domain is created paused from a configuration
 * (memory, vCPUs, CPU weight and cap, kernel, initrd, command line), then
 * unpaused; a stopped server has no domain at all.
 *
 * Return convention (libhv's, so the real backend passes codes through):
 *   0    success;
 *   > 0  the hypervisor refused: an HV_E* code from hvabi.h (HV_EINVAL ...);
 *   < 0  no usable answer: a negative errno (-ENOENT: no /dev/hvpriv,
 *        -EIO, -ETIMEDOUT, -ENOMEM ...).
 * libhv's hv_strerror() describes any of them (the one table of texts).  Calls on one backend may
 * come from several threads at once; implementations lock what they share.
 *
 * Idempotence, which crash recovery relies on: create() with the name of a
 * domain that exists returns that domain's id (and sets *existed) instead
 * of making a second one.  provisiond names each domain after its server's
 * id, so re-running an interrupted create can never duplicate a server.
 */
#ifndef PROVISIOND_HV_BACKEND_H
#define PROVISIOND_HV_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* hvabi.h, and hv_strerror(): the one table of the hypervisor's error texts */
#include "libhv.h"

/* Domain names: at most HVB_NAME_MAX - 1 bytes (hvabi.h's HV_NAME_LEN). */
#define HVB_NAME_MAX	HV_NAME_LEN

/* Domain states are hvabi.h's HV_DOMAIN_* values:
 *   HV_DOMAIN_RUNNING, _BLOCKED (running, idle), _PAUSED, _SHUTDOWN (the
 *   guest powered off; the domain exists until destroyed), _CRASHED, _DYING,
 *   _REBOOT (the guest reset itself; it must be created afresh). */

/* What create() builds. */
/* A disk of a domain: a file in dom0 served by the domain's device
 * backend as a virtio-blk device, in the order of the array (vda, vdb,
 * ...). */
struct hvb_disk {
	const char *path;
	bool read_only;
	uint64_t bps, iops;		/* quotas; 0 = none */
	const char *serial;		/* virtio-blk serial, "" for none */
};

#define HVB_DISKS_MAX	3		/* root, data, seed */

/*
 * A network interface: the tap the device backend makes in dom0 for it,
 * its MAC, rate limits in bytes/s (rx towards the guest, 0 = none), the
 * source addresses (prefixes) hv-netfilter lets it use, and its inbound
 * firewall: whether what is not allowed is dropped, and the allow rules
 * in hv-netfilter's --allow syntax; and the resolvers dom0's DHCP and
 * router advertisements tell the guest (hv-netd; docs/networking.md).
 */
#define HVB_NIC_ADDRS_MAX	8
#define HVB_NIC_ALLOW_MAX	16	/* hv-netfilter's NF_ALLOW_MAX */
#define HVB_NIC_ALLOW_LEN	64	/* "tcp:65535-65535@<IPv6>/128" fits */
#define HVB_NIC_DNS_MAX		4
#define HVB_TAP_NAME_MAX	16	/* IFNAMSIZ, with its NUL */

struct hvb_nic {
	char tap[HVB_TAP_NAME_MAX];
	char mac[18];
	uint64_t rx_bps, tx_bps;
	char addrs[HVB_NIC_ADDRS_MAX][64];	/* "A/32", "B/128", "P/64" */
	uint32_t naddrs;
	bool inbound_deny;			/* false: everything is let in */
	char allow[HVB_NIC_ALLOW_MAX][HVB_NIC_ALLOW_LEN];
	uint32_t nallow;
	char dns[HVB_NIC_DNS_MAX][48];		/* IPv4 and IPv6 addresses */
	uint32_t ndns;
	/* make run's port forward (dev_forward.h): dom0's TCP fwd_host_port
	 * to the first IPv4 address's fwd_port; 0: none. */
	uint16_t fwd_host_port, fwd_port;
};

/* A server's tap: "v" and the first 14 hex digits of its id ("srv_<16
 * hex>"), unique among servers, stable for its life, <= 15 bytes. */
static inline void hvb_tap_name(const char *server_id, char out[HVB_TAP_NAME_MAX])
{
	const char *hex = server_id;
	int i;

	for (const char *p = server_id; *p; p++)
		if (*p == '_')
			hex = p + 1;
	out[0] = 'v';
	for (i = 0; i < HVB_TAP_NAME_MAX - 2 && hex[i]; i++)
		out[i + 1] = hex[i];
	out[i + 1] = '\0';
}

struct hvb_domain_config {
	const char *name;		/* unique; the server's id */
	uint32_t memory_mib;
	uint32_t vcpus;
	uint32_t cpu_weight;		/* HV_SCHED_WEIGHT_MIN..MAX */
	uint32_t cpu_cap_pct;		/* % of one CPU, at most vcpus x
					 * HV_SCHED_CAP_PER_VCPU; 0 = no cap */
	const char *kernel_path;	/* files in dom0 */
	const char *initrd_path;	/* NULL or "" for none */
	const char *cmdline;		/* "" for none */
	const struct hvb_disk *disks;	/* ndisks of them */
	uint32_t ndisks;
	const struct hvb_nic *nic;	/* NULL: no network interface */
};

/* One domain, as list() reports it. */
struct hvb_domain {
	uint32_t domid;			/* 0 is dom0 */
	uint32_t state;			/* HV_DOMAIN_* */
	uint32_t vcpus;
	uint64_t memory_bytes;
	uint64_t cpu_time_ns;		/* all its vCPUs, since it was created */
	char name[HVB_NAME_MAX];	/* NUL-terminated */
	uint64_t steal_ns;		/* time its vCPUs were runnable but
					 * waited, since it was created */
};

/* A domain's device counters, its disks and its network interfaces each
 * summed, monotonic for the domain's life (the device backend's). */
struct hvb_io_counters {
	uint64_t disk_read_bytes, disk_write_bytes;
	uint64_t disk_read_ops, disk_write_ops;
	uint64_t net_rx_bytes, net_tx_bytes;	/* rx: towards the guest */
	uint64_t net_rx_packets, net_tx_packets;
	/* ns requests waited for their quota's tokens, all disks; and packets,
	 * the network interface (metrics only: not billed). */
	uint64_t disk_throttled_ns, net_throttled_ns;
};

struct hv_backend {
	const char *name;		/* "libhv", "fake" */
	void *priv;

	/* Creates a domain, paused; idempotent by name (see above). */
	int (*create)(struct hv_backend *hv, const struct hvb_domain_config *cfg,
		      uint32_t *domid, bool *existed);
	/* Starts a created domain, or resumes a paused one.  -EAGAIN: the
	 * domain could not be started and was destroyed, to be created afresh
	 * (libhv after a restart between create and the first unpause). */
	int (*unpause)(struct hv_backend *hv, uint32_t domid);
	/* Stops scheduling the domain's vCPUs; its memory stays. */
	int (*pause)(struct hv_backend *hv, uint32_t domid);
	/* Asks the guest to power off (ACPI-style); returns at once.  The
	 * domain reaches HV_DOMAIN_SHUTDOWN when the guest complies. */
	int (*shutdown)(struct hv_backend *hv, uint32_t domid);
	/* Asks the guest to reboot; the domain and its id stay.  HV_ENOSYS
	 * when the backend cannot: the caller then stops and starts it. */
	int (*reboot)(struct hv_backend *hv, uint32_t domid);
	/* Tears the domain down at once and frees its memory. */
	int (*destroy)(struct hv_backend *hv, uint32_t domid);
	/* Fills out[] with up to max domains (dom0 included); *count written,
	 * *total existing.  max may be 0 to learn *total only. */
	int (*list)(struct hv_backend *hv, struct hvb_domain *out, uint32_t max,
		    uint32_t *count, uint32_t *total);
	/* The CPU time the domain's vCPUs have used, in ns. */
	int (*cpu_usage)(struct hv_backend *hv, uint32_t domid,
			 uint64_t *cpu_time_ns);
	/*
	 * The domain's console output from *pos on: up to size bytes into buf
	 * (not NUL-terminated), *got of them, *pos advanced past them (it may
	 * jump further if older output was dropped).  *got 0: nothing new.
	 */
	int (*console)(struct hv_backend *hv, uint32_t domid, uint64_t *pos,
		       char *buf, size_t size, size_t *got);
	/* Releases everything; the backend is unusable afterwards. */
	void (*close)(struct hv_backend *hv);
	/* What the machine is and how its memory is divided (hvabi.h's
	 * HVCALL_PHYSINFO): /metrics reports free memory from it. */
	int (*physinfo)(struct hv_backend *hv, struct hv_physinfo *out);
	/*
	 * Console input for the domain's UART (the web console's keyboard):
	 * up to len bytes of buf, *taken of them accepted (fewer when its
	 * input buffer is full: offer the rest again later).
	 */
	int (*console_input)(struct hv_backend *hv, uint32_t domid, const char *buf,
			     size_t len, size_t *taken);
	/*
	 * Applies nic's filter, routes and inbound firewall again to the
	 * running domain's interface (its firewall rules changed), as one
	 * transaction: the old rules stay if it fails.  0, or a negative
	 * errno / HV_E* with why filled in.
	 */
	int (*nic_apply)(struct hv_backend *hv, uint32_t domid, const struct hvb_nic *nic,
			 char *why, size_t len);
	/* The domain's device counters (usage meters).  A domain without
	 * devices has all 0. */
	int (*io_counters)(struct hv_backend *hv, uint32_t domid,
			   struct hvb_io_counters *out);
	/* New rate limits of the domain's network interface, in bytes/s (0 =
	 * none), in force at once (the traffic allowance's throttle).
	 * -ENODEV: the domain has no interface. */
	int (*net_limit)(struct hv_backend *hv, uint32_t domid, uint64_t rx_bps,
			 uint64_t tx_bps);
};

/*
 * Opens a backend.  state_path is a file the backend may keep its state in
 * (the test double does; libhv keeps none).  0, or -1 with err filled in.
 */
typedef int hv_backend_open_fn(const char *state_path, struct hv_backend **out,
			       char *err, size_t errlen);

struct hv_backend_kind {
	const char *name;		/* what --hv names */
	hv_backend_open_fn *open;
};

/* The backends this binary has, ending with { NULL, NULL }: hv_backends.c
 * in the product (libhv only); tests/api/testhv/ in the test binary. */
extern const struct hv_backend_kind hv_backend_kinds[];

/*
 * Opens the backend called kind from hv_backend_kinds[].  0, or -1 with err
 * filled in: an unknown kind (the product refuses "fake"), or for "libhv"
 * without /dev/hvpriv, that the backend is not available.
 */
int hv_backend_open(const char *kind, const char *state_path,
		    struct hv_backend **out, char *err, size_t errlen);

/* The product backend (hv_libhv.c); it keeps no state file. */
hv_backend_open_fn hv_libhv_open;

/* True if an error is worth retrying later (transient, not a refusal). */
bool hv_backend_retryable(int err);

/*
 * Lists every domain, growing the array as needed.  *out is malloc'ed (free
 * it); 0 or the backend's error.
 */
int hvb_list_all(struct hv_backend *hv, struct hvb_domain **out, uint32_t *n);

/* Finds the domain called name (never dom0): *found and *d.  0, or the
 * backend's error from list(). */
int hvb_find(struct hv_backend *hv, const char *name, struct hvb_domain *d,
	     bool *found);

#endif
