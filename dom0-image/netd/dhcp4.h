/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dhcp4.h - the DHCPv4 server of one server's link, as a pure function:
 * a request's UDP payload in, the answer's UDP payload out (or none).
 *
 * What it promises: it answers only a request from the server's own MAC
 * (chaddr) and only ever hands out the server's own address (the one in
 * the config); anything malformed, relayed, oversized or not a request
 * gets no answer, and nothing a guest sends is read outside its length.
 * The answer is the server's /32 with no subnet (mask 255.255.255.255),
 * the gateway 169.254.0.1 on-link, told both as option 121 (RFC 3442:
 * "169.254.0.1/32 on-link, 0.0.0.0/0 via 169.254.0.1"; a client that
 * knows 121 ignores option 3) and as the router option 3 for clients that
 * do not, the pool's IPv4 resolvers and the lease time.
 */
#ifndef HV_NETD_DHCP4_H
#define HV_NETD_DHCP4_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define DHCP4_SERVER_PORT	67
#define DHCP4_CLIENT_PORT	68
#define DHCP4_REPLY_MAX		576	/* the answer always fits */
#define DHCP4_CIADDR_OFF	12	/* the client's address, when it has one */

/* Message types (option 53). */
enum {
	DHCP4_DISCOVER = 1, DHCP4_OFFER, DHCP4_REQUEST, DHCP4_DECLINE, DHCP4_ACK,
	DHCP4_NAK, DHCP4_RELEASE, DHCP4_INFORM,
};

/* Why a request got no answer, for hv-netd's (rate-limited) log. */
enum dhcp4_ignored {
	DHCP4_ANSWERED = 0,
	DHCP4_MALFORMED,	/* too short, bad header, options overrun ... */
	DHCP4_NOT_OURS,		/* another chaddr, a relay, another server chosen */
	DHCP4_NO_ADDRESS,	/* the server has no IPv4 address */
	DHCP4_NO_ANSWER,	/* a release or decline: nothing to say */
};

/*
 * Answers the request req (len bytes of UDP payload).  Fills out
 * (DHCP4_REPLY_MAX bytes) and *out_len and returns DHCP4_ANSWERED, or
 * returns why not.  *type is the answer's message type (OFFER, ACK, NAK).
 */
enum dhcp4_ignored dhcp4_answer(const struct netd_config *c, const uint8_t *req,
				size_t len, uint8_t *out, size_t *out_len, int *type);

#endif
