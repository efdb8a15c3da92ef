/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - what hv-netfilter is told about one server's network
 * interface, and the parsers that turn command-line words into it.
 *
 * Everything here is pure (no system calls): the unit tests drive it
 * directly.  A parser returns 0, or -1 with a one-line reason in err
 * (what was wrong and with which word), which the CLI prints as is.
 */
#ifndef HV_NETFILTER_CONFIG_H
#define HV_NETFILTER_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NF_IPV4_MAX   16	/* addresses per server and family */
#define NF_IPV6_MAX   16
#define NF_ALLOW_MAX  16	/* inbound allow-list entries */
#define NF_ALLOW_PORTS_MAX 16	/* ports in one entry */
#define NF_ERR_LEN    160
/* The shortest IPv6 prefix a server may be given (a /64 for SLAAC). */
#define NF_IPV6_PREFIX_MIN 64

struct nf_prefix4 {
	uint8_t addr[4];
	unsigned len;		/* prefix length, 0..32 */
};

struct nf_prefix6 {
	uint8_t addr[16];
	unsigned len;		/* 0..128 */
};

/* Destination ports first..last (first == last: one port). */
struct nf_port_range {
	uint16_t first, last;
};

/* One inbound allow-list entry, "tcp:22,8000-8100", "udp:53@192.0.2.0/24"
 * or "icmp[@PREFIX]": new connections to these ports (ICMP and ICMPv6
 * messages for "icmp"), from the prefix if one is given. */
struct nf_allow {
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP (both
				 * ICMP and ICMPv6) */
	struct nf_port_range ports[NF_ALLOW_PORTS_MAX];
	unsigned nports;	/* 0 for icmp */
	int family;		/* 0 (any source), AF_INET or AF_INET6 */
	struct nf_prefix4 src4;
	struct nf_prefix6 src6;
};

struct nf_server {
	char ifname[IFNAMSIZ];
	uint8_t mac[6];
	struct nf_prefix4 ipv4[NF_IPV4_MAX];	/* host addresses: len 32 */
	unsigned nipv4;
	struct nf_prefix6 ipv6[NF_IPV6_MAX];	/* len 128, or a prefix of the
						 * server's, len 64..127 */
	unsigned nipv6;
	struct nf_allow allow[NF_ALLOW_MAX];
	unsigned nallow;
	/* Inbound packets not allowed are dropped: set by --allow or by
	 * "--inbound deny" (which with no --allow lets only replies in).
	 * false: every inbound packet is let through. */
	bool inbound_deny;
	/* A port forward (make run, docs/networking.md): TCP connections to
	 * dom0's own fwd_host_port go to ipv4[0]:fwd_port.  0: none. */
	uint16_t fwd_host_port, fwd_port;
};

int nf_parse_ifname(const char *s, char out[IFNAMSIZ], char *err);
int nf_parse_mac(const char *s, uint8_t mac[6], char *err);
/* "A/32" or "A" (a host address); other lengths are refused.  IPv6 also
 * takes a prefix routed to the server, NF_IPV6_PREFIX_MIN or longer. */
int nf_parse_host4(const char *s, struct nf_prefix4 *out, char *err);
int nf_parse_host6(const char *s, struct nf_prefix6 *out, char *err);
/* Any prefix length ("A/L"; no "/L" means a host). */
int nf_parse_prefix4(const char *s, struct nf_prefix4 *out, char *err);
int nf_parse_prefix6(const char *s, struct nf_prefix6 *out, char *err);
int nf_parse_allow(const char *s, struct nf_allow *out, char *err);

/* apply's options: --if TAP --mac MAC [--ipv4 A]... [--ipv6 B]...
 * [--allow SPEC]... [--inbound allow|deny] [--forward HOSTPORT:PORT];
 * argv without the command word.  "--inbound allow" with an --allow is refused (contradictory). */
int nf_parse_server_args(int argc, char **argv, struct nf_server *srv, char *err);

/* The link-local address the kernel gives an interface with this MAC
 * (fe80::/64 + modified EUI-64: RFC 4291 appendix A). */
void nf_link_local(const uint8_t mac[6], uint8_t out[16]);

/* Table names: "hv_" + interface name; the inverse returns false for
 * tables that are not ours. */
#define NF_TABLE_PREFIX "hv_"
void nf_table_name(const char *ifname, char out[IFNAMSIZ + 8]);
bool nf_table_ifname(const char *table, char out[IFNAMSIZ]);

#endif
