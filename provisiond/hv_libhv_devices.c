// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_libhv_devices.c - the real backend's disks: a domain with disks gets
 * its device backend, one hv-backend process, started the way `hvctl
 * create --disk` starts it (dom0-image/hvctl/io.c): after the domain is
 * created and before it boots, detached (a session of its own, reparented
 * to init: it outlives provisiond, as the domain does), with --ready-fd,
 * and provisiond waits for its "ready" line.  The disk options are
 * libhv's syntax, checked with libhv's own parser (io.h).
 *
 * hv-backend exits by itself when its domain is destroyed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv_backend.h"
#include "hv_libhv_devices.h"
#include "io.h"
#include "log.h"
#include "subprocess.h"
#include "util.h"

#define READY_TIMEOUT_MS	10000
#define NETFILTER_TIMEOUT_S	30

/* One "--disk" value: PATH[,ro][,bps=N][,iops=N][,serial=S]. */
static int disk_option(const struct hvb_disk *d, char *out, size_t size, char *why,
		       size_t len)
{
	struct hv_disk_spec spec;
	int n = snprintf(out, size, "%s%s", d->path, d->read_only ? ",ro" : "");

	if (d->bps)
		n += snprintf(out + n, size - (size_t)n, ",bps=%" PRIu64, d->bps);
	if (d->iops)
		n += snprintf(out + n, size - (size_t)n, ",iops=%" PRIu64, d->iops);
	if (d->serial && d->serial[0])
		n += snprintf(out + n, size - (size_t)n, ",serial=%s", d->serial);
	if ((size_t)n >= size) {
		snprintf(why, len, "disk %s: option too long", d->path);
		return -EINVAL;
	}
	if (hv_disk_spec_parse(out, &spec, why, len))
		return -EINVAL;
	return 0;
}

/* The --net value: TAP,mac=M[,rx_bps=N][,tx_bps=N], checked by libhv. */
static int nic_option(const struct hvb_nic *nic, char *out, size_t size, char *why,
		      size_t len)
{
	struct hv_net_spec spec;
	int n = snprintf(out, size, "%s,mac=%s", nic->tap, nic->mac);

	if (nic->rx_bps)
		n += snprintf(out + n, size - (size_t)n, ",rx_bps=%" PRIu64, nic->rx_bps);
	if (nic->tx_bps)
		n += snprintf(out + n, size - (size_t)n, ",tx_bps=%" PRIu64, nic->tx_bps);
	if ((size_t)n >= size) {
		snprintf(why, len, "interface %s: option too long", nic->tap);
		return -EINVAL;
	}
	return hv_net_spec_parse(out, &spec, why, len) ? -EINVAL : 0;
}

/* hv-netfilter apply: the tap isolated, the addresses routed to it, the
 * inbound firewall ("--inbound deny" and the --allow rules), make run's
 * port forward. */
int lhv_nic_apply(const struct hvb_nic *nic, char *why, size_t len)
{
	const char *argv[8 + 2 * HVB_NIC_ADDRS_MAX + 2 + 2 * HVB_NIC_ALLOW_MAX + 2 + 1];
	char forward[16];
	char out[256], err[256];
	int n = 0, status;

	argv[n++] = HV_NETFILTER_PROGRAM;
	argv[n++] = "apply";
	argv[n++] = "--if";
	argv[n++] = nic->tap;
	argv[n++] = "--mac";
	argv[n++] = nic->mac;
	for (uint32_t i = 0; i < nic->naddrs; i++) {
		argv[n++] = strchr(nic->addrs[i], ':') ? "--ipv6" : "--ipv4";
		argv[n++] = nic->addrs[i];
	}
	if (nic->inbound_deny) {
		argv[n++] = "--inbound";
		argv[n++] = "deny";
	}
	for (uint32_t i = 0; i < nic->nallow && i < HVB_NIC_ALLOW_MAX; i++) {
		argv[n++] = "--allow";
		argv[n++] = nic->allow[i];
	}
	if (nic->fwd_host_port) {
		snprintf(forward, sizeof(forward), "%u:%u", nic->fwd_host_port, nic->fwd_port);
		argv[n++] = "--forward";
		argv[n++] = forward;
	}
	argv[n] = NULL;
	status = spawn_run(argv, NETFILTER_TIMEOUT_S, out, sizeof(out), err, sizeof(err));
	if (status != 0) {
		snprintf(why, len, "hv-netfilter apply --if %s: %s", nic->tap,
			 err[0] ? err : "failed");
		return -EIO;
	}
	return 0;
}

/*
 * hv-netd for the tap: DHCP hands out the primary IPv4 (the first IPv4 in
 * addrs), router advertisements carry the first IPv6 (a /64: SLAAC), both
 * with the pool's resolvers.  It goes to the background by itself and
 * exits when the tap goes; a failure is logged, the server runs on.
 */
static void nic_netd_start(const struct hvb_nic *nic)
{
	const char *argv[10 + 2 * HVB_NIC_DNS_MAX + 1];
	const char *v4 = NULL, *v6 = NULL;
	char out[256], err[256];
	int n = 0, status;

	for (uint32_t i = 0; i < nic->naddrs; i++) {
		if (strchr(nic->addrs[i], ':')) {
			if (!v6)
				v6 = nic->addrs[i];
		} else if (!v4) {
			v4 = nic->addrs[i];
		}
	}
	argv[n++] = HV_NETD_PROGRAM;
	argv[n++] = "--if";
	argv[n++] = nic->tap;
	argv[n++] = "--mac";
	argv[n++] = nic->mac;
	if (v4) {
		argv[n++] = "--ipv4";
		argv[n++] = v4;
	}
	if (v6) {
		argv[n++] = "--ipv6";
		argv[n++] = v6;
	}
	for (uint32_t i = 0; i < nic->ndns && i < HVB_NIC_DNS_MAX; i++) {
		argv[n++] = "--dns";
		argv[n++] = nic->dns[i];
	}
	argv[n] = NULL;
	status = spawn_run(argv, NETFILTER_TIMEOUT_S, out, sizeof(out), err, sizeof(err));
	if (status != 0)
		log_warn("libhv: hv-netd --if %s: %s (no DHCP or router advertisements"
			 " for it)", nic->tap, err[0] ? err : "failed");
}

void lhv_nic_remove(const char *server_id)
{
	char tap[HVB_TAP_NAME_MAX], out[256], err[256];
	const char *argv[] = { HV_NETFILTER_PROGRAM, "remove", "--if", tap, NULL };
	int status;

	hvb_tap_name(server_id, tap);
	status = spawn_run(argv, NETFILTER_TIMEOUT_S, out, sizeof(out), err, sizeof(err));
	/* 3: the tap is gone and had no rules: nothing to take away. */
	if (status != 0 && status != 3)
		log_warn("libhv: %s: hv-netfilter remove --if %s: %s", server_id, tap,
			 err[0] ? err : "failed");
}

int lhv_devices_start(uint32_t domid, const struct hvb_disk *disks, uint32_t ndisks,
		      const struct hvb_nic *nic, char *why, size_t len)
{
	char opts[HVB_DISKS_MAX][HV_IO_PATH_MAX + 96], log[256], domid_s[16], fd_s[16];
	char net_opt[HV_IO_IFNAME_MAX + 96];
	char *argv[6 + 2 * HVB_DISKS_MAX + 2 + 1];
	char buf[16];
	size_t have = 0;
	int pipefd[2], status, n = 0;
	int64_t deadline;
	pid_t child;

	if (ndisks > HVB_DISKS_MAX) {
		snprintf(why, len, "%u disks: at most %d", ndisks, HVB_DISKS_MAX);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < ndisks; i++)
		if (disk_option(&disks[i], opts[i], sizeof(opts[i]), why, len))
			return -EINVAL;
	if (nic && nic_option(nic, net_opt, sizeof(net_opt), why, len))
		return -EINVAL;
	if (mkdir(hv_io_run_dir(), 0700) < 0 && errno != EEXIST) {
		snprintf(why, len, "%s: %s", hv_io_run_dir(), strerror(errno));
		return -errno;
	}
	if (hv_io_path(domid, "log", log, sizeof(log))) {
		snprintf(why, len, "backend log path too long");
		return -ENAMETOOLONG;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return -errno;
	}

	/* Everything the child needs is made before fork(): after it, only
	 * async-signal-safe calls (provisiond has threads). */
	snprintf(domid_s, sizeof(domid_s), "%" PRIu32, domid);
	snprintf(fd_s, sizeof(fd_s), "%d", pipefd[1]);
	argv[n++] = (char *)HV_BACKEND_PATH;
	argv[n++] = "--domid";
	argv[n++] = domid_s;
	argv[n++] = "--ready-fd";
	argv[n++] = fd_s;
	for (uint32_t i = 0; i < ndisks; i++) {
		argv[n++] = "--disk";
		argv[n++] = opts[i];
	}
	if (nic) {
		argv[n++] = "--net";
		argv[n++] = net_opt;
	}
	argv[n] = NULL;

	child = fork();
	if (child < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -EAGAIN;
	}
	if (child == 0) {
		int fd;

		setsid();
		if (fork() != 0)
			_exit(0);
		/* The grandchild: hv-backend, with the ready pipe kept open. */
		fcntl(pipefd[1], F_SETFD, 0);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(HV_BACKEND_PATH, argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;

	/* "ready\n", or the pipe closes (it failed) without it. */
	deadline = mono_ms() + READY_TIMEOUT_MS;
	while (have < sizeof(buf) - 1) {
		struct pollfd p = { pipefd[0], POLLIN, 0 };
		int64_t left = deadline - mono_ms();
		ssize_t got;

		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			break;
		got = read(pipefd[0], buf + have, sizeof(buf) - 1 - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
		if (memchr(buf, '\n', have))
			break;
	}
	close(pipefd[0]);
	buf[have] = '\0';
	if (strcmp(buf, "ready\n") != 0) {
		snprintf(why, len, "the device backend of d%u did not start; see %s",
			 domid, log);
		return -EIO;
	}
	log_info("libhv: d%u: device backend started with %u disk(s)%s", domid, ndisks,
		 nic ? " and a network interface" : "");
	if (!nic)
		return 0;
	if (lhv_nic_apply(nic, why, len))
		return -EIO;
	nic_netd_start(nic);
	return 0;
}
