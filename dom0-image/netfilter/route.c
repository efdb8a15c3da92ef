// SPDX-License-Identifier: GPL-2.0-only
/*
 * route.c - a server's tap as a routed point-to-point link (route.h).
 *
 * dom0 holds the same gateway addresses on every tap (169.254.0.1/32 and
 * fe80::1/64) and a /32 or /128 route to each server address through its
 * tap, so it answers ARP/NDP for the gateway on every tap and forwards
 * between taps and to the uplink; no two servers share a link.  Adding
 * uses NLM_F_REPLACE, so applying twice is the same as once.  Route
 * changes are not security relevant (the filter is), so they are done
 * one message at a time: delete ours on the tap, add the wanted ones.
 */
#include "route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct rt_session {
	struct mnl_socket *nl;
	uint32_t portid, seq;
};

static int rt_open(struct rt_session *s, char *err)
{
	s->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!s->nl || mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, NF_ERR_LEN, "rtnetlink socket: %s", strerror(errno));
		if (s->nl)
			mnl_socket_close(s->nl);
		return -1;
	}
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = time(NULL);
	return 0;
}

/* Sends one request and runs cb on the answers until the ack/done. */
static int rt_talk(struct rt_session *s, struct nlmsghdr *h, mnl_cb_t cb,
		   void *arg, const char *what, char *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret;

	h->nlmsg_seq = ++s->seq;
	if (mnl_socket_sendto(s->nl, h, h->nlmsg_len) < 0) {
		snprintf(err, NF_ERR_LEN, "%s: %s", what, strerror(errno));
		return -1;
	}
	do {
		ssize_t n = mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
		if (n < 0) {
			ret = -1;
			break;
		}
		ret = mnl_cb_run(buf, n, s->seq, s->portid, cb, arg);
	} while (ret > 0);
	if (ret < 0) {
		snprintf(err, NF_ERR_LEN, "%s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

static int if_index(const char *ifname, char *err)
{
	unsigned idx = if_nametoindex(ifname);
	if (!idx)
		snprintf(err, NF_ERR_LEN, "interface %s does not exist", ifname);
	return idx;
}

static int link_up(struct rt_session *s, int idx, char *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = idx;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return rt_talk(s, h, NULL, NULL, "setting the tap up", err);
}

static int addr_add(struct rt_session *s, int idx, int family, const char *text,
		    unsigned plen, char *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint8_t addr[16];
	inet_pton(family, text, addr);
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_NEWADDR;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = family == AF_INET6 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	/* No duplicate address detection: the gateway is usable at once,
	 * and only the server is on this link. */
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	ifa->ifa_index = idx;
	unsigned len = family == AF_INET ? 4 : 16;
	mnl_attr_put(h, IFA_LOCAL, len, addr);
	mnl_attr_put(h, IFA_ADDRESS, len, addr);
	return rt_talk(s, h, NULL, NULL, "adding the gateway address", err);
}

static int route_msg(struct rt_session *s, uint16_t type, uint16_t flags, int idx,
		     int family, const void *dst, unsigned plen, char *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = NF_RTPROT;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(h, RTA_DST, family == AF_INET ? 4 : 16, dst);
	mnl_attr_put_u32(h, RTA_OIF, idx);
	return rt_talk(s, h, NULL, NULL,
		       type == RTM_NEWROUTE ? "adding a route" : "deleting a route", err);
}

/* Our routes on one interface, collected from a dump. */
struct our_routes {
	int idx;
	unsigned n;
	struct { int family; unsigned plen; uint8_t dst[16]; } r[2 * (NF_IPV4_MAX + NF_IPV6_MAX)];
};

static int collect_route(const struct nlmsghdr *h, void *arg)
{
	struct our_routes *o = arg;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;
	int oif = 0;
	const void *dst = NULL;

	if (rtm->rtm_protocol != NF_RTPROT || rtm->rtm_table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*rtm)) {
		if (mnl_attr_get_type(a) == RTA_OIF)
			oif = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == RTA_DST)
			dst = mnl_attr_get_payload(a);
	}
	if (oif != o->idx || !dst || o->n == sizeof(o->r) / sizeof(o->r[0]))
		return MNL_CB_OK;
	o->r[o->n].family = rtm->rtm_family;
	o->r[o->n].plen = rtm->rtm_dst_len;
	memcpy(o->r[o->n].dst, dst, rtm->rtm_family == AF_INET ? 4 : 16);
	o->n++;
	return MNL_CB_OK;
}

static int flush_ours(struct rt_session *s, int idx, char *err)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct our_routes o = { .idx = idx };
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (unsigned f = 0; f < 2; f++) {
		struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
		h->nlmsg_type = RTM_GETROUTE;
		h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
		rtm->rtm_family = families[f];
		if (rt_talk(s, h, collect_route, &o, "listing routes", err))
			return -1;
	}
	for (unsigned i = 0; i < o.n; i++)
		if (route_msg(s, RTM_DELROUTE, 0, idx, o.r[i].family, o.r[i].dst,
			      o.r[i].plen, err))
			return -1;
	return 0;
}

int route_apply(const struct nf_server *srv, char *err)
{
	struct rt_session s;
	int idx = if_index(srv->ifname, err);
	int ret = -1;

	if (!idx || rt_open(&s, err))
		return -1;
	if (link_up(&s, idx, err) ||
	    addr_add(&s, idx, AF_INET, NF_GATEWAY4, 32, err) ||
	    addr_add(&s, idx, AF_INET6, NF_GATEWAY6, 64, err) ||
	    flush_ours(&s, idx, err))
		goto out;
	for (unsigned i = 0; i < srv->nipv4; i++)
		if (route_msg(&s, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, idx,
			      AF_INET, srv->ipv4[i].addr, 32, err))
			goto out;
	for (unsigned i = 0; i < srv->nipv6; i++)
		if (route_msg(&s, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, idx,
			      AF_INET6, srv->ipv6[i].addr, srv->ipv6[i].len, err))
			goto out;
	ret = 0;
out:
	mnl_socket_close(s.nl);
	return ret;
}

int route_remove(const char *ifname, char *err)
{
	struct rt_session s;
	int idx = if_nametoindex(ifname);

	if (!idx)
		return 0;	/* the tap is gone, and its routes with it */
	if (rt_open(&s, err))
		return -1;
	int ret = flush_ours(&s, idx, err);
	mnl_socket_close(s.nl);
	return ret;
}

int sysctl_on(const char *path, const char *value, char *err)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t)strlen(value)) {
		snprintf(err, NF_ERR_LEN, "writing %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
