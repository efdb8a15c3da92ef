// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl's device commands: `io`, `io-limit`, and starting and waiting for
 * a domain's hv-backend (create, destroy).  The backend is one process per
 * domain (dom0-image/devices/backend/main.c); we talk to it through
 * libhv/io.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvctl.h"

/* A path fit for our output: printable ASCII, no '"' or '\' (JSON). */
static void clean_path(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = src[i] < ' ' || src[i] > '~' || src[i] == '"' ||
			 src[i] == '\\' ? '?' : src[i];
	dst[i] = '\0';
}

/* The interfaces' part of `hvctl io`. */
static void print_nets(FILE *out, const struct hv_io_net_stats *s, uint32_t n,
		       bool json)
{
	char name[HV_IO_IFNAME_MAX + 1], mac[18];

	if (!json && n)
		fprintf(out, "%-4s %-8s %-17s %14s %14s %10s %10s %12s %6s %12s %12s\n",
			"NET", "IFNAME", "MAC", "RX_BYTES", "TX_BYTES", "RX_PKTS",
			"TX_PKTS", "THROTTLED_MS", "ERRORS", "LIMIT_RX_BPS",
			"LIMIT_TX_BPS");
	for (uint32_t i = 0; i < n; i++) {
		char rx[24], tx[24];

		clean_path(name, s[i].ifname, sizeof(name));
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 s[i].mac[0], s[i].mac[1], s[i].mac[2], s[i].mac[3],
			 s[i].mac[4], s[i].mac[5]);
		if (json) {
			fprintf(out, "%s\n  {\"dev\": %" PRIu32 ", \"ifname\": \"%s\", "
				"\"mac\": \"%s\", \"rx_bps\": %" PRIu64
				", \"tx_bps\": %" PRIu64 ", \"rx_bytes\": %" PRIu64
				", \"tx_bytes\": %" PRIu64 ", \"rx_packets\": %" PRIu64
				", \"tx_packets\": %" PRIu64 ", \"throttled_ns\": %" PRIu64
				", \"errors\": %" PRIu64 "}",
				i ? "," : "", s[i].dev, name, mac, s[i].rx_bps,
				s[i].tx_bps, s[i].rx_bytes, s[i].tx_bytes,
				s[i].rx_packets, s[i].tx_packets, s[i].throttled_ns,
				s[i].errors);
			continue;
		}
		snprintf(rx, sizeof(rx), "%" PRIu64, s[i].rx_bps);
		snprintf(tx, sizeof(tx), "%" PRIu64, s[i].tx_bps);
		fprintf(out, "%-4" PRIu32 " %-8s %-17s %14" PRIu64 " %14" PRIu64
			" %10" PRIu64 " %10" PRIu64 " %12" PRIu64 " %6" PRIu64
			" %12s %12s\n", s[i].dev, name, mac, s[i].rx_bytes,
			s[i].tx_bytes, s[i].rx_packets, s[i].tx_packets,
			s[i].throttled_ns / 1000000, s[i].errors,
			s[i].rx_bps ? rx : "-", s[i].tx_bps ? tx : "-");
	}
}

void hvctl_print_io(FILE *out, const char *domain, uint32_t domid,
		    const struct hv_io_disk_stats *s, uint32_t n,
		    const struct hv_io_net_stats *nets, uint32_t nn, bool json)
{
	char path[HV_IO_PATH_MAX], name[HV_NAME_LEN + 1];

	clean_path(name, domain, sizeof(name));
	if (json) {
		fprintf(out, "{\"domain\": \"%s\", \"domid\": %" PRIu32 ", \"disks\": [",
			name, domid);
		for (uint32_t i = 0; i < n; i++) {
			clean_path(path, s[i].path, sizeof(path));
			fprintf(out, "%s\n  {\"disk\": %" PRIu32 ", \"path\": \"%s\", "
				"\"read_only\": %s, \"bps\": %" PRIu64 ", \"iops\": %" PRIu64
				", \"read_bytes\": %" PRIu64 ", \"write_bytes\": %" PRIu64
				", \"read_ops\": %" PRIu64 ", \"write_ops\": %" PRIu64
				", \"flush_ops\": %" PRIu64 ", \"discard_ops\": %" PRIu64
				", \"throttled_ns\": %" PRIu64 ", \"errors\": %" PRIu64 "}",
				i ? "," : "", s[i].disk, path,
				s[i].read_only ? "true" : "false", s[i].bps, s[i].iops,
				s[i].read_bytes, s[i].write_bytes, s[i].read_ops,
				s[i].write_ops, s[i].flush_ops, s[i].discard_ops,
				s[i].throttled_ns, s[i].errors);
		}
		fprintf(out, "%s], \"nets\": [", n ? "\n" : "");
		print_nets(out, nets, nn, true);
		fprintf(out, "%s]}\n", nn ? "\n" : "");
		return;
	}
	if (!n && nn) {
		print_nets(out, nets, nn, false);
		return;
	}
	fprintf(out, "%-4s %-2s %14s %14s %10s %10s %8s %8s %12s %6s %12s %8s  %s\n",
		"DISK", "RO", "READ_BYTES", "WRITE_BYTES", "READ_OPS", "WRITE_OPS",
		"FLUSHES", "DISCARDS", "THROTTLED_MS", "ERRORS", "LIMIT_BPS",
		"LIMIT_IOPS", "PATH");
	for (uint32_t i = 0; i < n; i++) {
		char bps[24], iops[24];

		clean_path(path, s[i].path, sizeof(path));
		snprintf(bps, sizeof(bps), "%" PRIu64, s[i].bps);
		snprintf(iops, sizeof(iops), "%" PRIu64, s[i].iops);
		fprintf(out, "%-4" PRIu32 " %-2s %14" PRIu64 " %14" PRIu64 " %10" PRIu64
			" %10" PRIu64 " %8" PRIu64 " %8" PRIu64 " %12" PRIu64 " %6" PRIu64
			" %12s %8s  %s\n",
			s[i].disk, s[i].read_only ? "ro" : "rw", s[i].read_bytes,
			s[i].write_bytes, s[i].read_ops, s[i].write_ops,
			s[i].flush_ops, s[i].discard_ops, s[i].throttled_ns / 1000000,
			s[i].errors, s[i].bps ? bps : "-", s[i].iops ? iops : "-", path);
	}
	print_nets(out, nets, nn, false);
}

void hvctl_io_error(FILE *err, const char *domain, uint32_t domid, int rc)
{
	char log[256];

	if (rc == -ENOENT) {
		fprintf(err, "hvctl: %s: no device backend (a domain without devices, "
			"or not created by `hvctl create --disk/--net`)\n", domain);
	} else if (rc == -ECONNREFUSED) {
		if (hv_io_path(domid, "log", log, sizeof(log)))
			snprintf(log, sizeof(log), "its log");
		fprintf(err, "hvctl: %s: device backend not running (died; see %s)\n",
			domain, log);
	} else if (rc == -ENODEV) {
		fprintf(err, "hvctl: %s: no such device\n", domain);
	} else {
		fprintf(err, "hvctl: %s: device backend: %s\n", domain, strerror(-rc));
	}
}

int hvctl_io_cmd(const struct hvctl_args *a, uint32_t domid, FILE *out,
		 FILE *err)
{
	struct hv_io_disk_stats st[HV_IO_DISKS_MAX];
	struct hv_io_net_stats nets[HV_IO_DISKS_MAX];
	uint32_t n, nn = 0;
	int rc;

	if (a->cmd == HVCTL_IO_LIMIT && (a->rx_bps >= 0 || a->tx_bps >= 0)) {
		/* The backend keeps the limit not given, and says EINVAL
		 * when DEV is a disk. */
		rc = hv_io_net_limit(domid, a->disk, a->rx_bps, a->tx_bps);
	} else if (a->cmd == HVCTL_IO_LIMIT) {
		uint64_t bps = 0, iops = 0;

		if (a->bps < 0 || a->iops < 0) {
			/* Keep what is not given: read it first. */
			rc = hv_io_stats(domid, st, HV_IO_DISKS_MAX, &n);
			if (rc) {
				hvctl_io_error(err, a->domain, domid, rc);
				return HVCTL_EXIT_FAIL;
			}
			for (uint32_t i = 0; i < n; i++)
				if (st[i].disk == a->disk) {
					bps = st[i].bps;
					iops = st[i].iops;
				}
		}
		rc = hv_io_limit(domid, a->disk, a->bps >= 0 ? (uint64_t)a->bps : bps,
				 a->iops >= 0 ? (uint64_t)a->iops : iops);
	} else {
		rc = hv_io_stats(domid, st, HV_IO_DISKS_MAX, &n);
		if (!rc)
			rc = hv_io_net_stats(domid, nets, HV_IO_DISKS_MAX, &nn);
		if (!rc)
			hvctl_print_io(out, a->domain, domid, st, n, nets, nn,
				       a->json);
	}
	if (rc) {
		hvctl_io_error(err, a->domain, domid, rc);
		return HVCTL_EXIT_FAIL;
	}
	return HVCTL_EXIT_OK;
}

/* The grandchild: becomes hv-backend. */
static void exec_backend(const struct hvctl_args *a, uint32_t domid,
			 int ready_fd, const char *log)
{
	const char *prog = getenv("HVCTL_BACKEND");
	char *argv[7 + 2 * HV_IO_DISKS_MAX];	/* --resume; disks and nets: at most 8 */
	char domid_s[16], fd_s[16];
	int n = 0, fd;

	if (!prog || !*prog)
		prog = HV_BACKEND_PATH;
	snprintf(domid_s, sizeof(domid_s), "%" PRIu32, domid);
	snprintf(fd_s, sizeof(fd_s), "%d", ready_fd);
	argv[n++] = (char *)prog;
	argv[n++] = "--domid";
	argv[n++] = domid_s;
	argv[n++] = "--ready-fd";
	argv[n++] = fd_s;
	if (a->cmd == HVCTL_BACKEND_RESTART)
		argv[n++] = "--resume";
	for (unsigned i = 0; i < a->nr_disks; i++) {
		argv[n++] = "--disk";
		argv[n++] = (char *)a->disks[i];
	}
	for (unsigned i = 0; i < a->nr_nets; i++) {
		argv[n++] = "--net";
		argv[n++] = (char *)a->nets[i];
	}
	argv[n] = NULL;
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	execv(prog, argv);
	fprintf(stderr, "hvctl: cannot run %s: %s\n", prog, strerror(errno));
	_exit(127);
}

int hvctl_backend_start(const struct hvctl_args *a, uint32_t domid, FILE *err)
{
	char log[256], buf[16];
	size_t have = 0;
	int pipefd[2], status;
	pid_t child;

	if (mkdir(hv_io_run_dir(), 0700) < 0 && errno != EEXIST) {
		fprintf(err, "hvctl: %s: %s\n", hv_io_run_dir(), strerror(errno));
		return -errno;
	}
	if (hv_io_path(domid, "log", log, sizeof(log)) || pipe(pipefd) < 0)
		return -EINVAL;
	fflush(NULL);
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (child == 0) {
		/* Detach: a session of its own, and not our child, so that it
		 * outlives hvctl and init reaps it. */
		close(pipefd[0]);
		setsid();
		if (fork() == 0)
			exec_backend(a, domid, pipefd[1], log);
		_exit(0);
	}
	close(pipefd[1]);
	waitpid(child, &status, 0);
	/* "ready\n", or the pipe closes (it failed) without it. */
	for (;;) {
		ssize_t n = read(pipefd[0], buf + have, sizeof(buf) - 1 - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (have += (size_t)n) >= sizeof(buf) - 1)
			break;
	}
	close(pipefd[0]);
	buf[have] = '\0';
	if (strcmp(buf, "ready\n")) {
		fprintf(err, "hvctl: the device backend did not start; see %s\n", log);
		return -EIO;
	}
	return 0;
}

void hvctl_backend_wait_gone(uint32_t domid, bool had_backend, FILE *err)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };

	if (!had_backend)
		return;
	for (int i = 0; i < 200; i++) {
		if (hv_io_ping(domid) != 0)
			return;		/* gone: clean exit or dead */
		nanosleep(&tick, NULL);
	}
	fprintf(err, "hvctl: warning: domain %" PRIu32 "'s device backend "
		"has not exited after 10 s\n", domid);
}
