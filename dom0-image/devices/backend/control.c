// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv-backend's control channel (control.h).
 *
 * Protocol: the client connects, sends one request line ending in '\n',
 * reads the answer up to its last line, and the backend closes the
 * connection.  The answer is zero or more data lines, then "ok" or
 * "error ENAME" (an errno name).  Requests:
 *
 *   ping
 *       -> ok                                   (the backend is alive)
 *   stats
 *       -> one line per disk, then ok:
 *          disk=I ro=0|1 bps=N iops=N read_bytes=N write_bytes=N read_ops=N
 *          write_ops=N flush_ops=N discard_ops=N throttled_ns=N errors=N
 *          path=PATH
 *          (path last, to the end of the line; new keys may be added before
 *          it, so readers skip keys they do not know)
 *          and one line per network interface, after the disks:
 *          net=I mac=XX:XX:XX:XX:XX:XX rx_bps=N tx_bps=N rx_bytes=N
 *          tx_bytes=N rx_packets=N tx_packets=N throttled_ns=N errors=N
 *          ifname=NAME
 *          (I is the device index, as DISK is; ifname last)
 *   limit DISK [bps=N] [iops=N]
 *   limit DEV [rx_bps=N] [tx_bps=N]       (DEV a network interface)
 *       -> ok, the limits changed at once (fresh full buckets; a key left
 *          out keeps its value; 0 = unlimited); error ENODEV for no such
 *          device, error EINVAL for anything malformed (a disk's key for an
 *          interface, or the reverse).
 *
 * Robustness: the socket is root only (0600 in a 0700 directory); a line
 * longer than CONTROL_LINE_MAX is refused by closing, and beyond
 * CONTROL_CLIENTS_MAX clients at once the oldest is dropped; answers are
 * small (one line per disk) and sent without blocking, a client that does
 * not read them loses them.
 * The main loop is never blocked by a client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "blk.h"
#include "control.h"
#include "log.h"
#include "net.h"

#define ANSWER_MAX	(HV_DOMAIN_DEVICES_MAX * (HV_IO_PATH_MAX + 400) + 64)

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static size_t stats_line(const struct vdev *d, char *out, size_t len)
{
	struct blk_stats s;
	uint64_t bps, iops;
	bool ro;
	const char *path;
	int n;

	blk_get_stats(d, &s);
	blk_get_limits(d, &bps, &iops, &ro, &path);
	n = snprintf(out, len,
		     "disk=%u ro=%d bps=%" PRIu64 " iops=%" PRIu64
		     " read_bytes=%" PRIu64 " write_bytes=%" PRIu64
		     " read_ops=%" PRIu64 " write_ops=%" PRIu64
		     " flush_ops=%" PRIu64 " discard_ops=%" PRIu64
		     " throttled_ns=%" PRIu64 " errors=%" PRIu64 " path=%s\n",
		     d->index, ro, bps, iops, s.read_bytes, s.write_bytes,
		     s.read_ops, s.write_ops, s.flush_ops, s.discard_ops,
		     s.throttled_ns, s.errors, path);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

static size_t net_stats_line(const struct vdev *d, char *out, size_t len)
{
	struct net_stats s;
	uint64_t rx_bps, tx_bps;
	const uint8_t *m;
	const char *ifname;
	int n;

	net_get_stats(d, &s);
	net_get_info(d, &rx_bps, &tx_bps, &m, &ifname);
	n = snprintf(out, len,
		     "net=%u mac=%02x:%02x:%02x:%02x:%02x:%02x rx_bps=%" PRIu64
		     " tx_bps=%" PRIu64 " rx_bytes=%" PRIu64 " tx_bytes=%" PRIu64
		     " rx_packets=%" PRIu64 " tx_packets=%" PRIu64
		     " throttled_ns=%" PRIu64 " errors=%" PRIu64 " ifname=%s\n",
		     d->index, m[0], m[1], m[2], m[3], m[4], m[5], rx_bps, tx_bps,
		     s.rx_bytes, s.tx_bytes, s.rx_packets, s.tx_packets,
		     s.throttled_ns, s.errors, ifname);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

static const char *do_net_limit(struct vdev *d, char *save)
{
	uint64_t rx_bps, tx_bps, v;
	const uint8_t *mac;
	const char *ifname;
	char *tok;

	net_get_info(d, &rx_bps, &tx_bps, &mac, &ifname);
	while ((tok = strtok_r(NULL, " ", &save))) {
		if (!strncmp(tok, "rx_bps=", 7) && !parse_u64(tok + 7, &v))
			rx_bps = v;
		else if (!strncmp(tok, "tx_bps=", 7) && !parse_u64(tok + 7, &v))
			tx_bps = v;
		else
			return "error EINVAL\n";
	}
	net_set_limits(d, rx_bps, tx_bps);
	log_msg("domain %u net %u (%s): limits rx_bps=%" PRIu64 " tx_bps=%" PRIu64,
		d->env->domid, d->index, ifname, rx_bps, tx_bps);
	return "ok\n";
}

static const char *do_limit(struct control *c, char *args)
{
	char *save = NULL, *tok = strtok_r(args, " ", &save);
	uint64_t disk, v, bps, iops;
	bool ro;
	const char *path;
	struct vdev *d;

	if (!tok || parse_u64(tok, &disk))
		return "error EINVAL\n";
	if (disk < c->nr_devs && vdev_is_net(&c->devs[disk]))
		return do_net_limit(&c->devs[disk], save);
	if (disk >= c->nr_devs || !vdev_is_blk(&c->devs[disk]))
		return "error ENODEV\n";
	d = &c->devs[disk];
	blk_get_limits(d, &bps, &iops, &ro, &path);
	while ((tok = strtok_r(NULL, " ", &save))) {
		if (!strncmp(tok, "bps=", 4) && !parse_u64(tok + 4, &v))
			bps = v;
		else if (!strncmp(tok, "iops=", 5) && !parse_u64(tok + 5, &v))
			iops = v;
		else
			return "error EINVAL\n";
	}
	blk_set_limits(d, bps, iops);
	log_msg("domain %u disk %" PRIu64 ": limits bps=%" PRIu64 " iops=%" PRIu64,
		d->env->domid, disk, bps, iops);
	return "ok\n";
}

void control_answer(struct control *c, const char *line, char *out,
		    size_t out_len)
{
	char buf[CONTROL_LINE_MAX];
	size_t used = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	out[0] = '\0';
	if (!strcmp(buf, "ping")) {
		snprintf(out, out_len, "ok\n");
	} else if (!strcmp(buf, "stats")) {
		for (unsigned i = 0; i < c->nr_devs; i++)
			if (vdev_is_blk(&c->devs[i]))
				used += stats_line(&c->devs[i], out + used, out_len - used);
		for (unsigned i = 0; i < c->nr_devs; i++)
			if (vdev_is_net(&c->devs[i]))
				used += net_stats_line(&c->devs[i], out + used,
						       out_len - used);
		snprintf(out + used, out_len - used, "ok\n");
	} else if (!strncmp(buf, "limit ", 6)) {
		snprintf(out, out_len, "%s", do_limit(c, buf + 6));
	} else {
		snprintf(out, out_len, "error EINVAL\n");
	}
}

static void drop_client(struct control_client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->len = 0;
}

static void serve_client(struct control *c, struct control_client *cl)
{
	ssize_t n = recv(cl->fd, cl->line + cl->len,
			 sizeof(cl->line) - cl->len, MSG_DONTWAIT);
	char *nl;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop_client(cl);
		return;
	}
	cl->len += (unsigned)n;
	nl = memchr(cl->line, '\n', cl->len);
	if (!nl) {
		if (cl->len == sizeof(cl->line))
			drop_client(cl);	/* too long: not our protocol */
		return;
	}
	*nl = '\0';
	char *answer = malloc(ANSWER_MAX);

	if (answer) {
		control_answer(c, cl->line, answer, ANSWER_MAX);
		if (send(cl->fd, answer, strlen(answer),
			 MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			log_msg("control: answer not sent: %s", strerror(errno));
		free(answer);
	}
	drop_client(cl);
}

int control_open(struct control *c, uint32_t domid, struct vdev *devs,
		 unsigned nr_devs)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	memset(c, 0, sizeof(*c));
	c->listen_fd = -1;
	c->devs = devs;
	c->nr_devs = nr_devs;
	for (unsigned i = 0; i < CONTROL_CLIENTS_MAX; i++)
		c->clients[i].fd = -1;
	if (mkdir(hv_io_run_dir(), 0700) < 0 && errno != EEXIST)
		return -errno;
	if (hv_io_path(domid, "sock", c->path, sizeof(c->path)))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket file nobody answers on is a dead backend's: replace it. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return -EADDRINUSE;
	}
	unlink(c->path);
	umask(077);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(c->path, 0600) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	c->listen_fd = fd;
	return 0;
}

unsigned control_poll_fds(struct control *c, struct pollfd *fds)
{
	unsigned n = 0;

	fds[n++] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
	for (unsigned i = 0; i < CONTROL_CLIENTS_MAX; i++)
		fds[n++] = (struct pollfd){ .fd = c->clients[i].fd, .events = POLLIN };
	return n;
}

void control_poll_ready(struct control *c, const struct pollfd *fds,
			unsigned n)
{
	for (unsigned i = 1; i < n && i <= CONTROL_CLIENTS_MAX; i++)
		if (c->clients[i - 1].fd >= 0 && fds[i].revents)
			serve_client(c, &c->clients[i - 1]);
	if (n && (fds[0].revents & POLLIN)) {
		int fd = accept4(c->listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);
		unsigned i;

		if (fd < 0)
			return;
		for (i = 0; i < CONTROL_CLIENTS_MAX && c->clients[i].fd >= 0; i++)
			;
		if (i == CONTROL_CLIENTS_MAX) {
			/* All busy: a client that connects and never asks
			 * must not lock the others out; the oldest goes. */
			i = 0;
			for (unsigned k = 1; k < CONTROL_CLIENTS_MAX; k++)
				if (c->clients[k].since < c->clients[i].since)
					i = k;
			drop_client(&c->clients[i]);
		}
		c->clients[i].fd = fd;
		c->clients[i].len = 0;
		c->clients[i].since = ++c->accepted;
	}
}

void control_close(struct control *c)
{
	for (unsigned i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (c->clients[i].fd >= 0)
			drop_client(&c->clients[i]);
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		unlink(c->path);
		c->listen_fd = -1;
	}
}
