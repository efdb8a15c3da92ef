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

#define HV_IO_RUN_DIR		"/run/hv-backend"
#define HV_IO_PATH_MAX		1024	/* a disk's path, with its NUL */
#define HV_IO_SERIAL_MAX	20	/* VIRTIO_BLK_ID_BYTES */
#define HV_IO_DISKS_MAX		8	/* HV_DOMAIN_DEVICES_MAX */

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

#endif /* LIBHV_IO_H */
