// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_netd.c - hv-netd's pure parts: the command line, the DHCPv4
 * answers (legitimate exchanges, and hostile or malformed requests that
 * must get no answer, with every length of truncation and random
 * corruption under the sanitizers), and router solicitations and
 * advertisements.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dhcp4.h"
#include "ra.h"

static char err[NETD_ERR_LEN];
static const uint8_t MAC[6] = { 0x02, 0x68, 0x76, 0x00, 0x01, 0x00 };
static const uint8_t OTHER_MAC[6] = { 0x02, 0x68, 0x76, 0x00, 0x02, 0x00 };
static const uint8_t GW_MAC[6] = { 0xfe, 0x11, 0x22, 0x33, 0x44, 0x55 };

static struct netd_config config(void)
{
	struct netd_config c;
	char *args[] = { "--if", "v0123456789abcd", "--mac", "02:68:76:00:01:00",
			 "--ipv4", "192.0.2.10", "--ipv6", "2001:db8:1:2::/64",
			 "--dns", "192.0.2.53", "--dns", "2001:db8::53", "--dns", "9.9.9.9",
			 "--lease", "3600" };
	ck_assert_int_eq(netd_parse_args(16, args, &c, err), 0);
	memcpy(c.gw_mac, GW_MAC, 6);
	return c;
}

START_TEST(args)
{
	struct netd_config c = config();
	ck_assert_str_eq(c.ifname, "v0123456789abcd");
	ck_assert_mem_eq(c.mac, MAC, 6);
	ck_assert(c.has_ipv4 && c.ipv4[0] == 192 && c.ipv4[3] == 10);
	ck_assert(c.has_ipv6 && c.has_prefix6);
	ck_assert_int_eq(c.ndns4, 2);
	ck_assert_int_eq(c.ndns6, 1);
	ck_assert_int_eq(c.lease_s, 3600);

	char *v6host[] = { "--if", "t", "--mac", "02:68:76:00:01:00", "--ipv6", "fd00::2" };
	ck_assert_int_eq(netd_parse_args(6, v6host, &c, err), 0);
	ck_assert(c.has_ipv6 && !c.has_prefix6 && !c.has_ipv4);
	ck_assert_int_eq(c.lease_s, NETD_LEASE_DEFAULT);

	const char *bad[][2] = {
		{ "--mac", "01:00:5e:00:00:01" }, { "--mac", "00:00:00:00:00:00" },
		{ "--mac", "02:68:76:00:01" }, { "--mac", "02:68:76:00:01:0g" },
		{ "--mac", "02:68:76:00:01:00:" }, { "--mac", "+2:68:76:00:01:00" },
		{ "--ipv4", "192.0.2.0/24" }, { "--ipv4", "0.0.0.0" }, { "--ipv4", "127.0.0.1" },
		{ "--ipv4", "169.254.0.1" }, { "--ipv4", "224.0.0.1" }, { "--ipv4", "1.2.3" },
		{ "--ipv6", "2001:db8::/48" }, { "--ipv6", "2001:db8::1/64" },
		{ "--ipv6", "fe80::1" }, { "--ipv6", "ff02::1" }, { "--ipv6", "::" },
		{ "--dns", "192.0.2.0/24" }, { "--dns", "dns.example" },
		{ "--lease", "0" }, { "--lease", "59" }, { "--lease", "-5" }, { "--lease", "1e9" },
		{ "--lease", "99999999999999999999" }, { "--if", "" },
		{ "--if", "a/b" }, { "--if", "abcdefghijklmnop" }, { "--what", "1" },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *a[] = { "--if", "t", "--mac", "02:68:76:00:01:00",
			      (char *)bad[i][0], (char *)bad[i][1] };
		ck_assert_msg(netd_parse_args(6, a, &c, err) == -1, "%s %s", bad[i][0], bad[i][1]);
	}
	char *twice[] = { "--if", "t", "--mac", "02:68:76:00:01:00", "--ipv4", "192.0.2.1",
			  "--ipv4", "192.0.2.2" };
	ck_assert_int_eq(netd_parse_args(8, twice, &c, err), -1);
	char *no_mac[] = { "--if", "t" };
	ck_assert_int_eq(netd_parse_args(2, no_mac, &c, err), -1);
	char *dangling[] = { "--if", "t", "--mac" };
	ck_assert_int_eq(netd_parse_args(3, dangling, &c, err), -1);
	char *five_dns[] = { "--if", "t", "--mac", "02:68:76:00:01:00", "--dns", "1.1.1.1",
			     "--dns", "1.1.1.2", "--dns", "1.1.1.3", "--dns", "1.1.1.4",
			     "--dns", "1.1.1.5" };
	ck_assert_int_eq(netd_parse_args(14, five_dns, &c, err), -1);
}
END_TEST

/* --- DHCPv4 ------------------------------------------------------------- */

struct packet {
	uint8_t b[1600];
	size_t len;
};

/* A client's request: BOOTP header, cookie, message type, extra options
 * (code, len, bytes ... as given), end. */
static void request(struct packet *p, const uint8_t *chaddr, int type,
		    const uint8_t *extra, size_t extra_len)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = 1;
	p->b[1] = 1;
	p->b[2] = 6;
	p->b[4] = 0xde; p->b[5] = 0xad; p->b[6] = 0xbe; p->b[7] = 0xef;
	p->b[10] = 0x80;		/* broadcast flag */
	memcpy(p->b + 28, chaddr, 6);
	p->b[236] = 99; p->b[237] = 130; p->b[238] = 83; p->b[239] = 99;
	p->len = 240;
	p->b[p->len++] = 53;
	p->b[p->len++] = 1;
	p->b[p->len++] = (uint8_t)type;
	if (extra_len)
		memcpy(p->b + p->len, extra, extra_len);
	p->len += extra_len;
	p->b[p->len++] = 255;
}

/* The value of option code in a reply, or NULL; *len its length. */
static const uint8_t *option(const uint8_t *r, size_t rlen, uint8_t code, size_t *len)
{
	for (size_t i = 240; i + 1 < rlen;) {
		if (r[i] == 0) {
			i++;
			continue;
		}
		if (r[i] == 255)
			return NULL;
		if (r[i] == code) {
			*len = r[i + 1];
			return r + i + 2;
		}
		i += 2 + r[i + 1];
	}
	return NULL;
}

static enum dhcp4_ignored answer(const struct netd_config *c, const struct packet *p,
				 uint8_t *out, size_t *out_len, int *type)
{
	return dhcp4_answer(c, p->b, p->len, out, out_len, type);
}

START_TEST(dhcp_discover_gets_the_servers_address)
{
	struct netd_config c = config();
	struct packet p;
	uint8_t out[DHCP4_REPLY_MAX];
	size_t n, len;
	int type;
	const uint8_t *v;

	request(&p, MAC, DHCP4_DISCOVER, NULL, 0);
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_ANSWERED);
	ck_assert_int_eq(type, DHCP4_OFFER);
	ck_assert_uint_ge(n, 300);
	ck_assert_int_eq(out[0], 2);				/* reply */
	ck_assert_mem_eq(out + 4, p.b + 4, 4);			/* xid */
	ck_assert_int_eq(out[10], 0x80);			/* flags kept */
	ck_assert_mem_eq(out + 28, MAC, 6);
	ck_assert_mem_eq(out + 16, c.ipv4, 4);			/* yiaddr */
	v = option(out, n, 53, &len);
	ck_assert(v && len == 1 && v[0] == DHCP4_OFFER);
	static const uint8_t gw[4] = { 169, 254, 0, 1 };
	v = option(out, n, 54, &len);
	ck_assert(v && len == 4 && !memcmp(v, gw, 4));
	v = option(out, n, 1, &len);
	static const uint8_t mask[4] = { 255, 255, 255, 255 };
	ck_assert(v && len == 4 && !memcmp(v, mask, 4));
	v = option(out, n, 3, &len);
	ck_assert(v && len == 4 && !memcmp(v, gw, 4));
	/* 169.254.0.1/32 on-link, then 0.0.0.0/0 via 169.254.0.1 */
	static const uint8_t routes[] = { 32, 169, 254, 0, 1, 0, 0, 0, 0,
					  0, 169, 254, 0, 1 };
	v = option(out, n, 121, &len);
	ck_assert(v && len == sizeof(routes) && !memcmp(v, routes, len));
	static const uint8_t dns[] = { 192, 0, 2, 53, 9, 9, 9, 9 };
	v = option(out, n, 6, &len);
	ck_assert(v && len == sizeof(dns) && !memcmp(v, dns, len));
	static const uint8_t lease[4] = { 0, 0, 0x0e, 0x10 };	/* 3600 */
	v = option(out, n, 51, &len);
	ck_assert(v && len == 4 && !memcmp(v, lease, 4));
}
END_TEST

START_TEST(dhcp_request_ack_and_nak)
{
	struct netd_config c = config();
	struct packet p;
	uint8_t out[DHCP4_REPLY_MAX];
	size_t n, len;
	int type;

	/* SELECTING: our server id and our address: ACK. */
	const uint8_t selecting[] = { 54, 4, 169, 254, 0, 1, 50, 4, 192, 0, 2, 10 };
	request(&p, MAC, DHCP4_REQUEST, selecting, sizeof(selecting));
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_ANSWERED);
	ck_assert_int_eq(type, DHCP4_ACK);
	ck_assert_mem_eq(out + 16, c.ipv4, 4);
	ck_assert_ptr_nonnull(option(out, n, 51, &len));

	/* INIT-REBOOT asking for another address (a neighbour's): NAK. */
	const uint8_t other[] = { 50, 4, 192, 0, 2, 11 };
	request(&p, MAC, DHCP4_REQUEST, other, sizeof(other));
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_ANSWERED);
	ck_assert_int_eq(type, DHCP4_NAK);
	static const uint8_t zero4[4];
	ck_assert_mem_eq(out + 16, zero4, 4);			/* no yiaddr */
	ck_assert_ptr_null(option(out, n, 51, &len));
	ck_assert_ptr_null(option(out, n, 121, &len));

	/* RENEWING: ciaddr ours: ACK; ciaddr someone else's: NAK. */
	request(&p, MAC, DHCP4_REQUEST, NULL, 0);
	memcpy(p.b + 12, c.ipv4, 4);
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_ANSWERED);
	ck_assert_int_eq(type, DHCP4_ACK);
	p.b[15] = 99;
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_ANSWERED);
	ck_assert_int_eq(type, DHCP4_NAK);

	/* A request that chose another server is not ours to answer. */
	const uint8_t elsewhere[] = { 54, 4, 10, 0, 0, 1, 50, 4, 192, 0, 2, 10 };
	request(&p, MAC, DHCP4_REQUEST, elsewhere, sizeof(elsewhere));
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_NOT_OURS);
	ck_assert_uint_eq(n, 0);

	/* A request naming no address at all. */
	request(&p, MAC, DHCP4_REQUEST, NULL, 0);
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_MALFORMED);

	/* INFORM: configuration, no lease, no yiaddr. */
	request(&p, MAC, DHCP4_INFORM, NULL, 0);
	memcpy(p.b + 12, c.ipv4, 4);
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_ANSWERED);
	ck_assert_int_eq(type, DHCP4_ACK);
	ck_assert_mem_eq(out + 16, zero4, 4);
	ck_assert_ptr_null(option(out, n, 51, &len));
	ck_assert_ptr_nonnull(option(out, n, 121, &len));

	/* Release and decline: silence. */
	request(&p, MAC, DHCP4_RELEASE, NULL, 0);
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_NO_ANSWER);
	request(&p, MAC, DHCP4_DECLINE, other, sizeof(other));
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_NO_ANSWER);

	/* A server without IPv4 answers nothing. */
	c.has_ipv4 = false;
	request(&p, MAC, DHCP4_DISCOVER, NULL, 0);
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_NO_ADDRESS);
}
END_TEST

START_TEST(dhcp_hostile_requests_get_nothing)
{
	struct netd_config c = config();
	struct packet p;
	uint8_t out[DHCP4_REPLY_MAX];
	size_t n;
	int type;

	/* Another client's hardware address (a guest asking for its neighbour). */
	request(&p, OTHER_MAC, DHCP4_DISCOVER, NULL, 0);
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_NOT_OURS);
	/* Relayed (giaddr), or hops counted. */
	request(&p, MAC, DHCP4_DISCOVER, NULL, 0);
	p.b[24] = 10;
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_NOT_OURS);
	request(&p, MAC, DHCP4_DISCOVER, NULL, 0);
	p.b[3] = 1;
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_NOT_OURS);

	struct { int off; uint8_t v; } header[] = {
		{ 0, 2 },		/* a reply sent by the guest */
		{ 1, 6 },		/* not Ethernet */
		{ 2, 16 },		/* hardware address length */
		{ 236, 0 },		/* no magic cookie */
	};
	for (unsigned i = 0; i < sizeof(header) / sizeof(header[0]); i++) {
		request(&p, MAC, DHCP4_DISCOVER, NULL, 0);
		p.b[header[i].off] = header[i].v;
		ck_assert_msg(answer(&c, &p, out, &n, &type) == DHCP4_MALFORMED, "%u", i);
	}

	const struct { const char *what; uint8_t opts[16]; size_t len; } bad[] = {
		{ "message type twice", { 53, 1, 1 }, 3 },
		{ "message type of length 2", { 53, 2, 1, 1 }, 4 },
		{ "requested address of length 3", { 50, 3, 1, 2, 3 }, 5 },
		{ "requested address twice", { 50, 4, 1, 2, 3, 4, 50, 4, 1, 2, 3, 4 }, 12 },
		{ "server id of length 5", { 54, 5, 1, 2, 3, 4, 5 }, 7 },
		{ "an option running past the end", { 12, 200, 'a' }, 3 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request(&p, MAC, DHCP4_DISCOVER, bad[i].opts, bad[i].len);
		if (i == sizeof(bad) / sizeof(bad[0]) - 1)
			p.len--;	/* no end option: the length byte is last */
		ck_assert_msg(answer(&c, &p, out, &n, &type) == DHCP4_MALFORMED, "%s",
			      bad[i].what);
		ck_assert_uint_eq(n, 0);
	}

	/* A server's message types, and unknown ones. */
	const int types[] = { 0, DHCP4_OFFER, DHCP4_ACK, DHCP4_NAK, 9, 200, 255 };
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		request(&p, MAC, types[i], NULL, 0);
		ck_assert_msg(answer(&c, &p, out, &n, &type) != DHCP4_ANSWERED, "type %d",
			      types[i]);
	}

	/* No message type; no end option; only padding. */
	request(&p, MAC, DHCP4_DISCOVER, NULL, 0);
	p.b[240] = 0; p.b[241] = 0; p.b[242] = 0;
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_MALFORMED);
	request(&p, MAC, DHCP4_DISCOVER, NULL, 0);
	p.len--;
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_MALFORMED);
	memset(p.b + 240, 0, 1000);
	p.len = 1240;
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_MALFORMED);
	/* Longer than any Ethernet frame. */
	request(&p, MAC, DHCP4_DISCOVER, NULL, 0);
	p.len = 1501;
	ck_assert_int_eq(answer(&c, &p, out, &n, &type), DHCP4_MALFORMED);
}
END_TEST

/* Every truncation of valid requests, and random corruption: never an
 * answer for another MAC or another address, never a read out of bounds
 * (the sanitizers would stop the test). */
START_TEST(dhcp_truncated_and_corrupted)
{
	struct netd_config c = config();
	struct packet p, q;
	uint8_t out[DHCP4_REPLY_MAX];
	size_t n;
	int type;
	const uint8_t selecting[] = { 54, 4, 169, 254, 0, 1, 50, 4, 192, 0, 2, 10,
				      55, 4, 1, 3, 6, 121, 61, 7, 1, 2, 104, 118, 0, 1, 0 };

	request(&p, MAC, DHCP4_REQUEST, selecting, sizeof(selecting));
	for (size_t len = 0; len < p.len; len++) {
		/* A copy of exactly len bytes, so ASan sees any read past it. */
		uint8_t *cut = malloc(len ? len : 1);
		memcpy(cut, p.b, len);
		enum dhcp4_ignored r = dhcp4_answer(&c, cut, len, out, &n, &type);
		ck_assert_msg(r != DHCP4_ANSWERED, "answered a request cut at %zu", len);
		free(cut);
	}

	srand(14);
	for (int round = 0; round < 200000; round++) {
		q = p;
		int flips = 1 + rand() % 8;
		for (int f = 0; f < flips; f++)
			q.b[rand() % q.len] = (uint8_t)rand();
		if (rand() % 4 == 0)
			q.len = 236 + (size_t)(rand() % (int)(q.len - 236 + 1));
		uint8_t *buf = malloc(q.len);
		memcpy(buf, q.b, q.len);
		enum dhcp4_ignored r = dhcp4_answer(&c, buf, q.len, out, &n, &type);
		free(buf);
		if (r != DHCP4_ANSWERED) {
			ck_assert_uint_eq(n, 0);
			continue;
		}
		/* Whatever got through is for the server and names its address. */
		ck_assert_mem_eq(out + 28, MAC, 6);
		ck_assert(type == DHCP4_OFFER || type == DHCP4_ACK || type == DHCP4_NAK);
		if (type != DHCP4_NAK && out[16])
			ck_assert_mem_eq(out + 16, c.ipv4, 4);
		ck_assert_uint_le(n, DHCP4_REPLY_MAX);
	}
}
END_TEST

/* --- router solicitations and advertisements --------------------------- */

START_TEST(solicitations)
{
	struct netd_config c = config();
	uint8_t rs[64] = { 133, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t with_slla[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1 };

	memcpy(with_slla + 10, MAC, 6);
	ck_assert(ra_solicitation_valid(&c, rs, 8, 255, false));
	ck_assert(ra_solicitation_valid(&c, rs, 8, 255, true));
	ck_assert(ra_solicitation_valid(&c, with_slla, 16, 255, false));
	/* Routed in from elsewhere (hop limit), not an RS, a code. */
	ck_assert(!ra_solicitation_valid(&c, rs, 8, 254, false));
	ck_assert(!ra_solicitation_valid(&c, rs, 8, -1, false));
	rs[0] = 134;
	ck_assert(!ra_solicitation_valid(&c, rs, 8, 255, false));
	rs[0] = 133;
	rs[1] = 1;
	ck_assert(!ra_solicitation_valid(&c, rs, 8, 255, false));
	rs[1] = 0;
	/* Too short; an SLLA from :: (RFC 4861 6.1.1); someone else's MAC. */
	ck_assert(!ra_solicitation_valid(&c, rs, 7, 255, false));
	ck_assert(!ra_solicitation_valid(&c, with_slla, 16, 255, true));
	with_slla[15] ^= 1;
	ck_assert(!ra_solicitation_valid(&c, with_slla, 16, 255, false));
	with_slla[15] ^= 1;
	/* Options of length 0, running past the end, cut in the middle. */
	uint8_t zero_len[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 7, 0 };
	ck_assert(!ra_solicitation_valid(&c, zero_len, 16, 255, false));
	uint8_t overrun[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 7, 2 };
	ck_assert(!ra_solicitation_valid(&c, overrun, 16, 255, false));
	ck_assert(!ra_solicitation_valid(&c, with_slla, 9, 255, false));
	ck_assert(!ra_solicitation_valid(&c, with_slla, 12, 255, false));
	/* Random bytes, exactly as long as claimed, under the sanitizers. */
	srand(6);
	for (int round = 0; round < 100000; round++) {
		size_t len = (size_t)(rand() % 40);
		uint8_t *m = malloc(len ? len : 1);
		for (size_t i = 0; i < len; i++)
			m[i] = (uint8_t)rand();
		if (len)
			m[0] = 133;
		if (len > 1)
			m[1] = 0;
		ra_solicitation_valid(&c, m, len, 255, rand() % 2);
		free(m);
	}
}
END_TEST

START_TEST(advertisement)
{
	struct netd_config c = config();
	uint8_t ra[RA_MAX];
	size_t n = ra_build(&c, ra);

	ck_assert_int_eq(ra[0], 134);
	ck_assert_int_eq(ra[1], 0);
	ck_assert_int_eq(ra[4], 64);
	ck_assert_int_eq(ra[5], 0);				/* not managed */
	ck_assert_int_eq(ra[6] << 8 | ra[7], RA_ROUTER_LIFETIME_S);
	/* SLLA: dom0's tap MAC */
	ck_assert_int_eq(ra[16], 1);
	ck_assert_int_eq(ra[17], 1);
	ck_assert_mem_eq(ra + 18, GW_MAC, 6);
	/* Prefix information: the server's /64, on-link and autonomous */
	ck_assert_int_eq(ra[24], 3);
	ck_assert_int_eq(ra[25], 4);
	ck_assert_int_eq(ra[26], 64);
	ck_assert_int_eq(ra[27], 0xc0);
	uint8_t prefix[16];
	inet_pton(AF_INET6, "2001:db8:1:2::", prefix);
	ck_assert_mem_eq(ra + 40, prefix, 16);
	/* RDNSS with the one IPv6 resolver */
	ck_assert_int_eq(ra[56], 25);
	ck_assert_int_eq(ra[57], 3);
	uint8_t dns[16];
	inet_pton(AF_INET6, "2001:db8::53", dns);
	ck_assert_mem_eq(ra + 64, dns, 16);
	ck_assert_uint_eq(n, 80);

	/* A /128 server: the router only (no prefix); no resolvers: no RDNSS. */
	c.has_prefix6 = false;
	c.ndns6 = 0;
	n = ra_build(&c, ra);
	ck_assert_uint_eq(n, 24);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("netd");
	TCase *tc = tcase_create("all");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, args);
	tcase_add_test(tc, dhcp_discover_gets_the_servers_address);
	tcase_add_test(tc, dhcp_request_ack_and_nak);
	tcase_add_test(tc, dhcp_hostile_requests_get_nothing);
	tcase_add_test(tc, dhcp_truncated_and_corrupted);
	tcase_add_test(tc, solicitations);
	tcase_add_test(tc, advertisement);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
