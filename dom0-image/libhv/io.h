/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io.h - dom0's side of a domain's device backend (hv-backend): the disk
 * option syntax shared by hvctl and hv-backend, and the client of the
 * backend's control channel (its line protocol is described at the top of
 * dom0-image/devices/backend/control.c).
 *
 * One hv-backend process serves one domain; it listens on
 * <run dir>/<domid>.sock, the run dir being HV_IO_RUN_DIR unless the
 * environment variable HV_BACKEND_RUN_DIR names another (tests).
 *
 * Return convention as libhv's for the calls that can fail: 0, or a negative
 * errno: -ENOENT no socket (no backend for this domain), -ECONNREFUSED a
 * socket nobody listens on (the backend died), -ENODEV no such disk,
 * -EINVAL a value the backend refused, -EPROTO an answer that makes no
 * sense, -ETIMEDOUT no answer within a few seconds.
 */
#ifndef LIBHV_IO_H
#define LIBHV_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_blk.h>

#include "hvabi.h"

#define HV_IO_RUN_DIR		"/run/hv-backend"
/* The device backend program, where dom0's image puts it (hvctl and
 * provisiond start it). */
#define HV_BACKEND_PATH		"/usr/sbin/hv-backend"
#define HV_IO_PATH_MAX		1024	/* a disk's path, with its NUL */
#define HV_IO_SERIAL_MAX	VIRTIO_BLK_ID_BYTES
#define HV_IO_DISKS_MAX		HV_DOMAIN_DEVICES_MAX	/* disks and NICs */

/*
 * One --disk option: PATH[,ro][,bps=N][,iops=N][,serial=S].  bps and iops
 * 0 mean unlimited; serial "" means the backend's default (derived from the
 * domain and the disk's index).  The path is absolute and cannot contain
 * ',' or control characters.
 */
struct hv_disk_spec {
	char path[HV_IO_PATH_MAX];
	bool read_only;
	uint64_t bps;
	uint64_t iops;
	char serial[HV_IO_SERIAL_MAX + 1];
};

/*
 * Parses spec into *out.  Returns 0, or -EINVAL with a reason in why (a
 * sentence without the option itself).
 */
int hv_disk_spec_parse(const char *spec, struct hv_disk_spec *out,
		       char *why, size_t why_len);

/* The backend's directory (HV_IO_RUN_DIR or $HV_BACKEND_RUN_DIR). */
const char *hv_io_run_dir(void);

/* <run dir>/<domid>.<suffix> ("sock", "pid", "log") into buf; -ENAMETOOLONG. */
int hv_io_path(uint32_t domid, const char *suffix, char *buf, size_t len);

/*
 * "ping": 0 when the domain's backend runs, -ENOENT when it has none
 * (never started, or exited cleanly), -ECONNREFUSED when it died.
 */
int hv_io_ping(uint32_t domid);

/* Counters of one disk, monotonic for the domain's life, and its limits. */
struct hv_io_disk_stats {
	uint32_t disk;			/* its index: PCI 00:(disk+1).0 */
	bool read_only;
	uint64_t bps, iops;		/* limits in force; 0 = unlimited */
	uint64_t read_bytes, write_bytes;
	uint64_t read_ops, write_ops, flush_ops, discard_ops;
	uint64_t throttled_ns;		/* time requests waited for tokens */
	uint64_t errors;		/* requests answered IOERR or UNSUPP */
	char path[HV_IO_PATH_MAX];
};

/* "stats": up to max disks into out[], *count of them. */
int hv_io_stats(uint32_t domid, struct hv_io_disk_stats *out, uint32_t max,
		uint32_t *count);

/* "limit DISK bps=N iops=N": new limits (0 = unlimited), in force at once. */
int hv_io_limit(uint32_t domid, uint32_t disk, uint64_t bps, uint64_t iops);

/* Parses one "stats" reply line ("disk=0 ro=0 ... path=P") into *s; 0 or
 * -EPROTO.  Exposed for the unit tests. */
int hv_io_parse_stats_line(const char *line, struct hv_io_disk_stats *s);

/* --- network interfaces (virtio-net on a dom0 tap) ------------------------------- */
#define HV_IO_IFNAME_MAX	15	/* IFNAMSIZ - 1 */

/*
 * One --net option: TAP[,mac=XX:XX:XX:XX:XX:XX][,rx_bps=N][,tx_bps=N].
 * TAP is the dom0 tap interface the backend creates (or attaches to);
 * rx is towards the guest, tx from it; 0 = unlimited.  have_mac false
 * means the default, hv_net_default_mac().
 */
struct hv_net_spec {
	char ifname[HV_IO_IFNAME_MAX + 1];
	bool have_mac;
	uint8_t mac[6];
	uint64_t rx_bps, tx_bps;
};

/* Parses spec into *out: 0, or -EINVAL with a reason in why.  A MAC must
 * be unicast (multicast bit clear) and not all zeros. */
int hv_net_spec_parse(const char *spec, struct hv_net_spec *out,
		      char *why, size_t why_len);

/* The default MAC of the domain's interface number `nic` (0 for its first
 * --net): 02:68:76:DH:DL:NIC - locally administered, unicast, "hv", the
 * domain id's low 16 bits and the interface number. */
void hv_net_default_mac(uint32_t domid, unsigned nic, uint8_t mac[6]);

/* Counters of one interface, monotonic for the domain's life, and its
 * limits.  rx = to the guest, tx = from the guest. */
struct hv_io_net_stats {
	uint32_t dev;			/* device index: PCI 00:(dev+1).0 */
	uint8_t mac[6];
	uint64_t rx_bps, tx_bps;	/* limits in force; 0 = unlimited */
	uint64_t rx_bytes, tx_bytes;	/* Ethernet frames, without the
					 * virtio header */
	uint64_t rx_packets, tx_packets;
	uint64_t throttled_ns;		/* time packets waited for tokens,
					 * both directions added */
	uint64_t errors;		/* malformed chains, tap errors */
	char ifname[HV_IO_IFNAME_MAX + 1];
};

/* "stats", the interfaces' lines: up to max into out[], *count of them. */
int hv_io_net_stats(uint32_t domid, struct hv_io_net_stats *out, uint32_t max,
		    uint32_t *count);

/* "limit DEV rx_bps=N tx_bps=N" for interface device DEV; a negative
 * value leaves that limit as it is. */
int hv_io_net_limit(uint32_t domid, uint32_t dev, int64_t rx_bps,
		    int64_t tx_bps);

/* Parses one "net=..." stats line; 0 or -EPROTO.  For the unit tests. */
int hv_io_parse_net_stats_line(const char *line, struct hv_io_net_stats *s);

#endif /* LIBHV_IO_H */
