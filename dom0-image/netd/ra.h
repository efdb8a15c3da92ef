/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ra.h - IPv6 router advertisements on one server's link (RFC 4861,
 * RFC 4862, RFC 8106), as pure functions over ICMPv6 messages (the
 * kernel's raw ICMPv6 socket adds the IPv6 header and the checksum).
 *
 * The advertisement names dom0's fe80::1 as the default router (its
 * source: hv-netd sends from fe80::1), the tap's MAC as its link-layer
 * address, the server's /64 as an on-link, autonomous prefix when it has
 * one (SLAAC: the guest forms its address in its own prefix; a server with
 * a /128 learns its address from its seed, and the advertisement then only
 * gives the router), and the pool's IPv6 resolvers (RDNSS).  No managed
 * flag: there is no DHCPv6 server.
 */
#ifndef HV_NETD_RA_H
#define HV_NETD_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define RA_MAX			256	/* an advertisement always fits */
#define RA_INTERVAL_S		300	/* unsolicited, every 5 minutes */
#define RA_MIN_GAP_S		3	/* RFC 4861 MIN_DELAY_BETWEEN_RAS */
#define RA_ROUTER_LIFETIME_S	1800	/* 3 x the largest interval */
#define RA_PREFIX_VALID_S	86400
#define RA_PREFIX_PREFERRED_S	14400
#define RA_RDNSS_LIFETIME_S	1200

/*
 * True if msg (len bytes of ICMPv6, received with this hop limit, from
 * src, unspecified or not) is a valid router solicitation (RFC 4861
 * 6.1.1) from the server: hop limit 255, type 133 code 0, options whole
 * and none of length 0, a source link-layer address option only from a
 * specified source and only with the server's MAC.
 */
bool ra_solicitation_valid(const struct netd_config *c, const uint8_t *msg, size_t len,
			   int hop_limit, bool src_unspecified);

/* The advertisement into out (RA_MAX bytes); its length. */
size_t ra_build(const struct netd_config *c, uint8_t *out);

#endif
