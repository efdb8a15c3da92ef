/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * route.h - the routing side of a server's tap, over rtnetlink (libmnl):
 * the tap up with dom0's gateway addresses on it, and a host route to each
 * of the server's addresses through it.
 */
#ifndef HV_NETFILTER_ROUTE_H
#define HV_NETFILTER_ROUTE_H

#include "config.h"

/* dom0's address on every tap: the servers' gateway.  IPv4 from the
 * link-local range (never routed, never a server's), IPv6 link-local. */
#define NF_GATEWAY4 "169.254.0.1"
#define NF_GATEWAY6 "fe80::1"

/* Routes hv-netfilter adds carry this rtnetlink protocol number, so that
 * it removes only its own (`ip route` shows "proto 241"). */
#define NF_RTPROT 241

/* Sets the tap up, puts the gateway addresses on it and replaces the
 * server's host routes through it by srv's; 0 or -1 with err. */
int route_apply(const struct nf_server *srv, char *err);
/* Removes the routes route_apply added for ifname (gateway addresses
 * stay until the tap goes); 0 or -1 with err. */
int route_remove(const char *ifname, char *err);
/* Writes "1" to a /proc/sys file; 0 or -1 with err. */
int sysctl_on(const char *path, const char *value, char *err);

#endif
