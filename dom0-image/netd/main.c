// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv-netd - answers DHCPv4 and IPv6 router solicitations on one server's
 * tap in dom0, and advertises the router there every few minutes, for
 * guests that configure their network themselves (a stock cloud image
 * without our seed, or an admin who switched to DHCP).  docs/networking.md.
 *
 *     hv-netd --if TAP --mac MAC [--ipv4 A/32] [--ipv6 B/128 | P::/64]
 *             [--dns ADDR]... [--lease SECONDS] [--foreground]
 *
 * provisiond runs it once a server's tap is made and isolated (after
 * hv-netfilter apply), with the server's MAC, primary addresses and its
 * pool's resolvers.  It opens its sockets, then goes to the background
 * (exit status 0: it is serving; 2: bad usage; 1: it could not set up) and
 * exits by itself when its tap goes away (the domain was destroyed).  An
 * older hv-netd of the same tap name is stopped first (its pid file
 * /run/hv-netd/TAP.pid), so a restarted server's new tap gets one daemon.
 *
 * Why a daemon of its own, with ordinary sockets bound to the tap: it
 * sees only what hv-netfilter's ingress filter let through (the guest's
 * own MAC and addresses, or a DHCP request from 0.0.0.0, or an RS), the
 * kernel has checked the IP, UDP and ICMPv6 headers and checksums, and
 * the answers leave through the tap's egress counter like all traffic to
 * the guest.  dom0's kernel holds 169.254.0.1 and fe80::1 on the tap, so
 * the answers' sources are the gateway's.  Answers to DHCP are broadcast
 * on the link: the guest is alone on it.  The alternative, answering in
 * hv-backend's virtio-net device, would put protocol code in the device
 * model and bypass the filter and the counters; dnsmasq wants a subnet on
 * the interface, which the routed /32 design does not have.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dhcp4.h"
#include "ra.h"

#define RUN_DIR			"/run/hv-netd"
#define TAP_CHECK_MS		2000	/* how soon it notices its tap is gone */
#define LOG_GAP_S		10	/* at most one "ignored" line per kind */

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *ifname_for_log = "?";

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hv-netd %s: ", ifname_for_log);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Ignored packets are logged at most once per LOG_GAP_S per kind, with
 * how many there were (a guest can send them as fast as it likes). */
struct quiet_log {
	int64_t last_ms;
	unsigned long suppressed;
};

static void log_ignored(struct quiet_log *q, const char *what)
{
	int64_t now = now_ms();

	if (q->last_ms && now - q->last_ms < LOG_GAP_S * 1000) {
		q->suppressed++;
		return;
	}
	if (q->suppressed)
		logf_("%s (and %lu more in the last %d s)", what, q->suppressed, LOG_GAP_S);
	else
		logf_("%s", what);
	q->last_ms = now;
	q->suppressed = 0;
}

static int bind_to_tap(int fd, const char *ifname)
{
	return setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1);
}

/* UDP 0.0.0.0:67 on the tap only; broadcast answers. */
static int open_dhcp(const struct netd_config *c)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(DHCP4_SERVER_PORT) };
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) ||
	    bind_to_tap(fd, c->ifname) || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		logf_("DHCP socket: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Raw ICMPv6 on the tap, router solicitations only, from fe80::1. */
static int open_ra(const struct netd_config *c, unsigned ifindex)
{
	static const uint8_t gw6[16] = NETD_GATEWAY6;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_scope_id = ifindex };
	struct ipv6_mreq all_routers = { .ipv6mr_interface = ifindex };
	struct icmp6_filter filter;
	int one = 1, hops = 255, zero = 0;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);

	memcpy(&a.sin6_addr, gw6, 16);
	inet_pton(AF_INET6, "ff02::2", &all_routers.ipv6mr_multiaddr);
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
	if (fd < 0 || bind_to_tap(fd, c->ifname) ||
	    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		logf_("ICMPv6 socket: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* dom0 forwards, so its kernel is normally in ff02::2 already. */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &all_routers, sizeof(all_routers)) &&
	    errno != EADDRINUSE)
		logf_("joining ff02::2: %s (solicitations to it may be missed)", strerror(errno));
	return fd;
}

static int tap_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = fd < 0 ? -1 : ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (rc == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
	return rc;
}

static void serve_dhcp(const struct netd_config *c, int fd, struct quiet_log *q)
{
	uint8_t req[2048], reply[DHCP4_REPLY_MAX];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(DHCP4_CLIENT_PORT),
				  .sin_addr.s_addr = htonl(INADDR_BROADCAST) };
	size_t reply_len;
	ssize_t got;
	int type;

	while ((got = recv(fd, req, sizeof(req), MSG_TRUNC)) >= 0) {
		static const char *const why[] = {
			[DHCP4_MALFORMED] = "ignored a malformed DHCP packet",
			[DHCP4_NOT_OURS] = "ignored a DHCP request for another client or server",
			[DHCP4_NO_ADDRESS] = "ignored a DHCP request: the server has no IPv4",
			[DHCP4_NO_ANSWER] = "DHCP release or decline",
		};
		enum dhcp4_ignored r = (size_t)got > sizeof(req) ? DHCP4_MALFORMED :
			dhcp4_answer(c, req, (size_t)got, reply, &reply_len, &type);

		if (r != DHCP4_ANSWERED) {
			log_ignored(&q[r], why[r]);
			continue;
		}
		/* A client that has its address (renewing, INFORM) listens on it,
		 * maybe only there (RFC 2131 4.1): unicast, but only ever to the
		 * server's own address; everything else is broadcast on the link. */
		to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
		if (type != DHCP4_NAK && !memcmp(reply + DHCP4_CIADDR_OFF, c->ipv4, 4))
			memcpy(&to.sin_addr, c->ipv4, 4);
		if (sendto(fd, reply, reply_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			logf_("DHCP answer: %s", strerror(errno));
		else if (type == DHCP4_NAK)
			log_ignored(&q[0], "DHCP: refused a request for another address (NAK)");
	}
}

static void send_ra(const struct netd_config *c, int fd, unsigned ifindex)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = ifindex };
	uint8_t ra[RA_MAX];
	size_t len = ra_build(c, ra);

	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	if (sendto(fd, ra, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0 && errno != ENETDOWN)
		logf_("router advertisement: %s", strerror(errno));
}

/* Reads solicitations; true if a valid one asks for an advertisement. */
static bool read_solicitations(const struct netd_config *c, int fd, struct quiet_log *q)
{
	bool asked = false;

	for (;;) {
		uint8_t msg[1280], control[128];
		struct sockaddr_in6 from;
		struct iovec iov = { msg, sizeof(msg) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = control, .msg_controllen = sizeof(control) };
		int hop_limit = -1;
		ssize_t got = recvmsg(fd, &mh, 0);

		if (got < 0)
			return asked;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT &&
			    cm->cmsg_len == CMSG_LEN(sizeof(int)))
				memcpy(&hop_limit, CMSG_DATA(cm), sizeof(int));
		if ((mh.msg_flags & MSG_TRUNC) ||
		    !ra_solicitation_valid(c, msg, (size_t)got, hop_limit,
					   IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr))) {
			log_ignored(q, "ignored an invalid router solicitation");
			continue;
		}
		asked = true;
	}
}

static void pid_path(const char *ifname, char *out, size_t size)
{
	snprintf(out, size, RUN_DIR "/%s.pid", ifname);
}

/* Stops an older hv-netd of this tap name (its pid file), if it runs. */
static void stop_older(const char *ifname)
{
	char path[64], comm_path[64], comm[32] = "";
	long pid = 0;
	FILE *f;

	pid_path(ifname, path, sizeof(path));
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	snprintf(comm_path, sizeof(comm_path), "/proc/%ld/comm", pid);
	f = pid > 1 && pid != getpid() ? fopen(comm_path, "r") : NULL;
	if (!f)
		return;
	if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "hv-netd\n")) {
		kill((pid_t)pid, SIGTERM);
		for (int i = 0; i < 50 && kill((pid_t)pid, 0) == 0; i++)
			usleep(20000);
	}
	fclose(f);
}

static void write_pid(const char *ifname)
{
	char path[64];
	FILE *f;

	pid_path(ifname, path, sizeof(path));
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
}

/* Into the background: a session of its own, its log in RUN_DIR. */
static int daemonize(const char *ifname)
{
	char log[64];
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	setsid();
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	snprintf(log, sizeof(log), RUN_DIR "/%s.log", ifname);
	/* Nothing of the caller's stays open (it may wait for EOF). */
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct netd_config c;
	struct quiet_log dhcp_log[DHCP4_NO_ANSWER + 1] = { 0 }, rs_log = { 0 };
	char err[NETD_ERR_LEN];
	unsigned ifindex;
	int dhcp_fd = -1, ra_fd = -1;
	int64_t next_ra = 0, last_ra = -RA_MIN_GAP_S * 1000;

	if (netd_parse_args(argc - 1, argv + 1, &c, err)) {
		fprintf(stderr, "hv-netd: %s\nusage: hv-netd --if TAP --mac MAC [--ipv4 A/32] "
			"[--ipv6 B/128|P::/64] [--dns ADDR]... [--lease S] [--foreground]\n", err);
		return 2;
	}
	ifname_for_log = c.ifname;
	ifindex = if_nametoindex(c.ifname);
	if (!ifindex || tap_mac(c.ifname, c.gw_mac)) {
		fprintf(stderr, "hv-netd: %s: %s\n", c.ifname, strerror(errno));
		return 1;
	}
	mkdir(RUN_DIR, 0755);
	if (!c.foreground)
		stop_older(c.ifname);
	if (c.has_ipv4 && (dhcp_fd = open_dhcp(&c)) < 0)
		return 1;
	if (c.has_ipv6 && (ra_fd = open_ra(&c, ifindex)) < 0)
		return 1;
	if (!c.foreground) {
		if (daemonize(c.ifname))
			return 1;
		write_pid(c.ifname);
	}
	srand((unsigned)getpid() ^ (unsigned)now_ms());
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	logf_("serving: DHCP %s, router advertisements %s", c.has_ipv4 ? "on" : "off",
	      c.has_ipv6 ? "on" : "off");

	for (int64_t next_check = now_ms() + TAP_CHECK_MS; !stopping;) {
		struct pollfd p[2] = { { dhcp_fd, POLLIN, 0 }, { ra_fd, POLLIN, 0 } };
		int64_t now = now_ms(), wait = next_check - now;

		if (ra_fd >= 0 && now >= next_ra) {
			send_ra(&c, ra_fd, ifindex);
			last_ra = now;
			/* 5 minutes, give or take 10%, so taps do not beat in step. */
			next_ra = now + RA_INTERVAL_S * 900 + rand() % (RA_INTERVAL_S * 200);
		}
		if (ra_fd >= 0 && next_ra - now < wait)
			wait = next_ra - now;
		if (poll(p, 2, (int)(wait > 0 ? wait : 0)) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++)
			if (p[i].revents & POLLERR) {
				/* A pending socket error (an ICMP error): take it, go on. */
				int e = 0;
				socklen_t l = sizeof(e);
				getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &e, &l);
			}
		if (p[0].revents & POLLIN)
			serve_dhcp(&c, dhcp_fd, dhcp_log);
		if ((p[1].revents & POLLIN) && read_solicitations(&c, ra_fd, &rs_log))
			/* Answer now, or as soon as the gap since the last allows. */
			next_ra = last_ra + RA_MIN_GAP_S * 1000 < now_ms() ? now_ms() :
				  last_ra + RA_MIN_GAP_S * 1000;
		/* Its tap gone, or a new tap of the same name: its work is done. */
		if (now_ms() >= next_check) {
			if (if_nametoindex(c.ifname) != ifindex) {
				logf_("the tap is gone: exiting");
				break;
			}
			next_check = now_ms() + TAP_CHECK_MS;
		}
	}
	return 0;
}
