// SPDX-License-Identifier: GPL-2.0-only
/*
 * dhcp4.c - one link's DHCPv4 answers (dhcp4.h; RFC 2131, RFC 2132,
 * RFC 3442).
 *
 * A request is read in two steps: the fixed BOOTP header (236 bytes, then
 * the magic cookie), whose fields are checked against what a client on
 * this link must send, and the options, walked with every length checked
 * against the end of the packet.  Only three options matter: 53 (message
 * type), 50 (requested address) and 54 (server identifier); the others are
 * skipped (the answer always carries the same set).  The sname and file
 * fields are never read as options (option 52 is ignored).
 */
#include "dhcp4.h"

#include <string.h>

#define BOOTP_HEADER		236
#define BOOTP_COOKIE_OFF	236
#define BOOTP_OPTIONS_OFF	240
#define BOOTP_MIN_REPLY		300	/* BOOTP's size, which old clients want */
#define REQUEST_MAX		1500	/* one Ethernet frame's payload at most */

/* Header offsets. */
#define OP		0
#define HTYPE		1
#define HLEN		2
#define HOPS		3
#define XID		4
#define FLAGS		10
#define CIADDR		DHCP4_CIADDR_OFF
#define YIADDR		16
#define GIADDR		24
#define CHADDR		28

#define OP_REQUEST	1
#define OP_REPLY	2
#define HTYPE_ETHER	1

enum {
	OPT_PAD = 0, OPT_SUBNET_MASK = 1, OPT_ROUTER = 3, OPT_DNS = 6,
	OPT_REQUESTED_IP = 50, OPT_LEASE_TIME = 51, OPT_MSG_TYPE = 53,
	OPT_SERVER_ID = 54, OPT_MESSAGE = 56, OPT_T1 = 58, OPT_T2 = 59,
	OPT_CLASSLESS_ROUTES = 121, OPT_END = 255,
};

static const uint8_t cookie[4] = { 99, 130, 83, 99 };
static const uint8_t gateway[4] = NETD_GATEWAY4;

struct request {
	int type;			/* 0: none seen */
	const uint8_t *requested;	/* option 50, or NULL */
	const uint8_t *server_id;	/* option 54, or NULL */
};

/* Walks the options; -1 if they run past the end or repeat what matters. */
static int read_options(const uint8_t *p, size_t len, struct request *r)
{
	size_t i = BOOTP_OPTIONS_OFF;

	memset(r, 0, sizeof(*r));
	while (i < len) {
		uint8_t code = p[i];
		size_t olen;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (i + 2 > len)
			return -1;
		olen = p[i + 1];
		if (i + 2 + olen > len)
			return -1;
		const uint8_t *v = p + i + 2;
		switch (code) {
		case OPT_MSG_TYPE:
			if (olen != 1 || r->type)
				return -1;
			r->type = v[0];
			break;
		case OPT_REQUESTED_IP:
			if (olen != 4 || r->requested)
				return -1;
			r->requested = v;
			break;
		case OPT_SERVER_ID:
			if (olen != 4 || r->server_id)
				return -1;
			r->server_id = v;
			break;
		default:
			break;
		}
		i += 2 + olen;
	}
	return -1;			/* no end option */
}

struct writer {
	uint8_t *p;
	size_t n;
};

static void put_opt(struct writer *w, uint8_t code, const void *v, uint8_t len)
{
	w->p[w->n++] = code;
	w->p[w->n++] = len;
	memcpy(w->p + w->n, v, len);
	w->n += len;
}

static void put_u32(struct writer *w, uint8_t code, uint32_t v)
{
	uint8_t be[4] = { v >> 24, v >> 16, v >> 8, v };
	put_opt(w, code, be, 4);
}

static size_t build(const struct netd_config *c, const uint8_t *req, int type,
		    bool lease, uint8_t *out)
{
	static const uint8_t mask32[4] = { 255, 255, 255, 255 };
	/* 169.254.0.1/32 on-link (router 0.0.0.0), default via 169.254.0.1. */
	const uint8_t routes[] = { 32, gateway[0], gateway[1], gateway[2], gateway[3],
				   0, 0, 0, 0,
				   0, gateway[0], gateway[1], gateway[2], gateway[3] };
	struct writer w = { out, 0 };
	uint8_t t = (uint8_t)type;

	memset(out, 0, DHCP4_REPLY_MAX);
	out[OP] = OP_REPLY;
	out[HTYPE] = HTYPE_ETHER;
	out[HLEN] = 6;
	memcpy(out + XID, req + XID, 4);
	memcpy(out + FLAGS, req + FLAGS, 2);
	memcpy(out + CHADDR, req + CHADDR, 16);
	if (type != DHCP4_NAK) {
		memcpy(out + CIADDR, req + CIADDR, 4);
		if (lease)
			memcpy(out + YIADDR, c->ipv4, 4);
	}
	memcpy(out + BOOTP_COOKIE_OFF, cookie, 4);
	w.n = BOOTP_OPTIONS_OFF;
	put_opt(&w, OPT_MSG_TYPE, &t, 1);
	put_opt(&w, OPT_SERVER_ID, gateway, 4);
	if (type == DHCP4_NAK) {
		static const char why[] = "not your address";
		put_opt(&w, OPT_MESSAGE, why, sizeof(why) - 1);
	} else {
		if (lease) {
			put_u32(&w, OPT_LEASE_TIME, c->lease_s);
			put_u32(&w, OPT_T1, c->lease_s / 2);
			put_u32(&w, OPT_T2, c->lease_s / 8 * 7);
		}
		put_opt(&w, OPT_SUBNET_MASK, mask32, 4);
		put_opt(&w, OPT_CLASSLESS_ROUTES, routes, sizeof(routes));
		put_opt(&w, OPT_ROUTER, gateway, 4);
		if (c->ndns4)
			put_opt(&w, OPT_DNS, c->dns4, (uint8_t)(4 * c->ndns4));
	}
	w.p[w.n++] = OPT_END;
	return w.n < BOOTP_MIN_REPLY ? BOOTP_MIN_REPLY : w.n;
}

enum dhcp4_ignored dhcp4_answer(const struct netd_config *c, const uint8_t *req,
				size_t len, uint8_t *out, size_t *out_len, int *type)
{
	static const uint8_t zero4[4];
	struct request r;
	const uint8_t *asked;

	*out_len = 0;
	*type = 0;
	if (len < BOOTP_OPTIONS_OFF || len > REQUEST_MAX ||
	    req[OP] != OP_REQUEST || req[HTYPE] != HTYPE_ETHER || req[HLEN] != 6 ||
	    memcmp(req + BOOTP_COOKIE_OFF, cookie, 4) || read_options(req, len, &r) ||
	    r.type < DHCP4_DISCOVER || r.type > DHCP4_INFORM)
		return DHCP4_MALFORMED;
	/* Only the server itself, directly on its link (no relay agents). */
	if (memcmp(req + CHADDR, c->mac, 6) || req[HOPS] || memcmp(req + GIADDR, zero4, 4))
		return DHCP4_NOT_OURS;
	if (!c->has_ipv4)
		return DHCP4_NO_ADDRESS;

	switch (r.type) {
	case DHCP4_DISCOVER:
		*type = DHCP4_OFFER;
		break;
	case DHCP4_REQUEST:
		/* SELECTING names its server; INIT-REBOOT asks for an address;
		 * RENEWING/REBINDING has it in ciaddr (RFC 2131 4.3.2). */
		if (r.server_id && memcmp(r.server_id, gateway, 4))
			return DHCP4_NOT_OURS;
		asked = r.requested ? r.requested :
			memcmp(req + CIADDR, zero4, 4) ? req + CIADDR : NULL;
		if (!asked)
			return DHCP4_MALFORMED;
		*type = memcmp(asked, c->ipv4, 4) ? DHCP4_NAK : DHCP4_ACK;
		break;
	case DHCP4_INFORM:
		/* Configuration without a lease, for a client with its address. */
		*type = DHCP4_ACK;
		*out_len = build(c, req, *type, false, out);
		return DHCP4_ANSWERED;
	case DHCP4_DECLINE:
	case DHCP4_RELEASE:
		return DHCP4_NO_ANSWER;
	default:
		return DHCP4_MALFORMED;	/* a server's message type */
	}
	*out_len = build(c, req, *type, true, out);
	return DHCP4_ANSWERED;
}
