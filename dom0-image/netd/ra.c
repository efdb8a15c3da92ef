// SPDX-License-Identifier: GPL-2.0-only
/*
 * ra.c - router solicitations checked, router advertisements built (ra.h).
 */
#include "ra.h"

#include <string.h>

#define ICMPV6_RS		133
#define ICMPV6_RA		134
#define RS_HEADER		8	/* type, code, checksum, reserved */
#define RA_HEADER		16
#define OPT_SLLA		1	/* source link-layer address */
#define OPT_PREFIX_INFO		3
#define OPT_RDNSS		25
#define PREFIX_ON_LINK		0x80
#define PREFIX_AUTONOMOUS	0x40
#define HOP_LIMIT_ADVERTISED	64

bool ra_solicitation_valid(const struct netd_config *c, const uint8_t *msg, size_t len,
			   int hop_limit, bool src_unspecified)
{
	size_t i = RS_HEADER;

	if (hop_limit != 255 || len < RS_HEADER || msg[0] != ICMPV6_RS || msg[1] != 0)
		return false;
	while (i < len) {
		size_t olen;

		if (i + 2 > len)
			return false;
		olen = (size_t)msg[i + 1] * 8;
		if (olen == 0 || i + olen > len)
			return false;
		if (msg[i] == OPT_SLLA) {
			if (src_unspecified || olen != 8 || memcmp(msg + i + 2, c->mac, 6))
				return false;
		}
		i += olen;
	}
	return true;
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

size_t ra_build(const struct netd_config *c, uint8_t *out)
{
	size_t n = RA_HEADER;

	memset(out, 0, RA_MAX);
	out[0] = ICMPV6_RA;
	out[4] = HOP_LIMIT_ADVERTISED;
	out[5] = 0;				/* no managed, no other-config flag */
	put_be16(out + 6, RA_ROUTER_LIFETIME_S);
	/* reachable time and retransmission timer: 0, unspecified */

	out[n] = OPT_SLLA;
	out[n + 1] = 1;
	memcpy(out + n + 2, c->gw_mac, 6);
	n += 8;

	if (c->has_prefix6) {
		out[n] = OPT_PREFIX_INFO;
		out[n + 1] = 4;
		out[n + 2] = 64;
		out[n + 3] = PREFIX_ON_LINK | PREFIX_AUTONOMOUS;
		put_be32(out + n + 4, RA_PREFIX_VALID_S);
		put_be32(out + n + 8, RA_PREFIX_PREFERRED_S);
		memcpy(out + n + 16, c->prefix6, 16);
		n += 32;
	}
	if (c->ndns6) {
		out[n] = OPT_RDNSS;
		out[n + 1] = (uint8_t)(1 + 2 * c->ndns6);
		put_be32(out + n + 4, RA_RDNSS_LIFETIME_S);
		memcpy(out + n + 8, c->dns6, 16 * c->ndns6);
		n += 8 + 16 * c->ndns6;
	}
	return n;
}
