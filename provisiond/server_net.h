// SPDX-License-Identifier: GPL-2.0-only
/*
 * server_net.h - a server's network interface as the guest and dom0 see
 * it, from its row and its live address allocations (ipam.c): what the
 * seed's network-config tells the guest, and what the device backend and
 * hv-netfilter set up in dom0 (docs/networking.md).
 *
 * The appliance routes (docs/networking.md): a server's addresses are
 * /32s and /128s (or a /64 for an IPv6 prefix assignment) on its own
 * point-to-point link, and its gateway is dom0's end of that link,
 * SERVER_NET_GATEWAY4 / SERVER_NET_GATEWAY6, the same on every tap.
 */
#ifndef PROVISIOND_SERVER_NET_H
#define PROVISIOND_SERVER_NET_H

#include <sqlite3.h>
#include <stdbool.h>

#include "hv_backend.h"

#define SERVER_NET_GATEWAY4	"169.254.0.1"
#define SERVER_NET_GATEWAY6	"fe80::1"
#define SERVER_NET_DNS_MAX	HVB_NIC_DNS_MAX

/* Megabits per second to bytes per second. */
#define BYTES_PER_S_PER_MBPS	125000ULL

struct server_net {
	bool has_nic;			/* false: no address, no interface */
	char mac[18];
	char ipv4[48];			/* the guest's primary: "A/32", or "" */
	char ipv6[64];			/* "B/128" or "P::1/64", or "" */
	char dns[SERVER_NET_DNS_MAX][48];
	int ndns;
	struct hvb_nic nic;		/* tap, MAC, the filter's addresses */
};

/*
 * Loads the server's interface as db sees it; the plan's net_mbps becomes
 * the tap's rate limit both ways.  A server gets an interface when it
 * holds at least one live address.  0, or -1 (database error).
 */
int server_net_load(sqlite3 *db, const char *server_id, struct server_net *out);

#endif
