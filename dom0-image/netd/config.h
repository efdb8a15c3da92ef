/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - what hv-netd is told about one server's interface, and its
 * command-line parser (pure: the unit tests drive it).
 */
#ifndef HV_NETD_CONFIG_H
#define HV_NETD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#define NETD_DNS_MAX		4	/* resolvers per family */
#define NETD_ERR_LEN		160
#define NETD_LEASE_DEFAULT	86400	/* s */
#define NETD_LEASE_MIN		60
#define NETD_LEASE_MAX		(7 * 86400)

/* dom0's end of every server's link (hv-netfilter puts them on the tap). */
#define NETD_GATEWAY4		{ 169, 254, 0, 1 }
#define NETD_GATEWAY6		{ 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }

struct netd_config {
	char ifname[IFNAMSIZ];
	uint8_t mac[6];			/* the server's */
	bool has_ipv4;			/* the address DHCP hands out */
	uint8_t ipv4[4];
	bool has_ipv6;			/* the server has IPv6: RAs are sent */
	bool has_prefix6;		/* ... and a /64 of its own: SLAAC */
	uint8_t prefix6[16];
	uint8_t dns4[NETD_DNS_MAX][4];
	unsigned ndns4;
	uint8_t dns6[NETD_DNS_MAX][16];
	unsigned ndns6;
	uint32_t lease_s;
	bool foreground;
	/* Filled at run time: the tap's own MAC (dom0's end of the link). */
	uint8_t gw_mac[6];
};

/*
 * --if TAP --mac MAC [--ipv4 A[/32]] [--ipv6 B/128 | P::/64]
 * [--dns ADDR]... [--lease S] [--foreground]; argv without the program
 * name.  0, or -1 with a one-line reason in err.
 */
int netd_parse_args(int argc, char **argv, struct netd_config *c, char *err);

#endif
