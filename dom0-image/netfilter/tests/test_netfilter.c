// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of hv-netfilter's pure parts: the parsers (config.c) and the
 * rules built for a server (rules.c).  The rules are checked two ways: by
 * their shape, and by running frames through them with a small evaluator
 * written here from nftables' semantics (payload at an offset from the
 * link-layer, network or transport header; meta l4proto; first decisive
 * rule wins; jump/return), so a wrong offset or a rule in the wrong place
 * shows as a hostile frame accepted or a legitimate one dropped.
 */
#include <arpa/inet.h>
#include <check.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "rules.h"

static char err[NF_ERR_LEN];

START_TEST(mac_parsing)
{
	uint8_t mac[6];
	ck_assert_int_eq(nf_parse_mac("02:68:76:00:01:0A", mac, err), 0);
	ck_assert_int_eq(mac[0], 2);
	ck_assert_int_eq(mac[5], 10);
	const char *bad[] = { "02:68:76:00:01", "02:68:76:00:01:0g", "0268.7600.010a",
			      "01:00:5e:00:00:01", "00:00:00:00:00:00", "02:68:76:00:01:00:",
			      "" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		ck_assert_msg(nf_parse_mac(bad[i], mac, err) == -1, "%s", bad[i]);
		ck_assert(strlen(err) > 0);
	}
}
END_TEST

START_TEST(address_parsing)
{
	struct nf_prefix4 p4;
	struct nf_prefix6 p6;

	ck_assert_int_eq(nf_parse_host4("10.0.0.2/32", &p4, err), 0);
	ck_assert_int_eq(p4.addr[3], 2);
	ck_assert_int_eq(nf_parse_host4("10.0.0.2", &p4, err), 0);
	const char *bad4[] = { "10.0.0.0/24", "10.0.0.256", "10.0.0.2/33", "0.0.0.0",
			       "127.0.0.1", "169.254.0.1", "224.0.0.1", "10.0.0.2/", "x" };
	for (unsigned i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++)
		ck_assert_msg(nf_parse_host4(bad4[i], &p4, err) == -1, "%s", bad4[i]);
	ck_assert_int_eq(nf_parse_host6("fd00::2/128", &p6, err), 0);
	ck_assert_int_eq(p6.addr[15], 2);
	ck_assert_int_eq(nf_parse_host6("fd00:1:2:3::/64", &p6, err), 0);
	ck_assert_int_eq(p6.len, 64);
	const char *bad6[] = { "fd00::/63", "fd00::1/64", "::", "::1", "fe80::5", "ff02::1",
			       "fd00::2/129", "fd00:::2", "fe80::/64" };
	for (unsigned i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++)
		ck_assert_msg(nf_parse_host6(bad6[i], &p6, err) == -1, "%s", bad6[i]);
	ck_assert_int_eq(nf_parse_prefix4("10.1.0.0/16", &p4, err), 0);
	ck_assert_int_eq(nf_parse_prefix4("10.1.0.1/16", &p4, err), -1);
}
END_TEST

START_TEST(allow_and_args_parsing)
{
	struct nf_allow a;
	ck_assert_int_eq(nf_parse_allow("tcp:22,80", &a, err), 0);
	ck_assert_int_eq(a.proto, IPPROTO_TCP);
	ck_assert_int_eq(a.nports, 2);
	ck_assert_int_eq(a.ports[1].first, 80);
	ck_assert_int_eq(a.ports[1].last, 80);
	ck_assert_int_eq(nf_parse_allow("tcp:8000-8100,22", &a, err), 0);
	ck_assert_int_eq(a.ports[0].first, 8000);
	ck_assert_int_eq(a.ports[0].last, 8100);
	ck_assert_int_eq(nf_parse_allow("icmp", &a, err), 0);
	ck_assert_int_eq(a.proto, IPPROTO_ICMP);
	ck_assert_int_eq(a.nports, 0);
	ck_assert_int_eq(a.family, 0);
	ck_assert_int_eq(nf_parse_allow("icmp@198.51.100.0/24", &a, err), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_int_eq(nf_parse_allow("udp:53@192.0.2.0/24", &a, err), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_int_eq(a.src4.len, 24);
	ck_assert_int_eq(nf_parse_allow("tcp:443@2001:db8::/32", &a, err), 0);
	ck_assert_int_eq(a.family, AF_INET6);
	const char *bad[] = { "icmp:1", "tcp:", "tcp:0", "tcp:65536", "tcp:22,,80",
			      "tcp:22@10.0.0.1/8", "tcp22", "tcp:100-99", "tcp:1-",
			      "tcp:-5", "tcp:1-65536", "tcp:1--2", "tcp:5-6-7",
			      "icmp@", "tcp:22@", "icmp@10.0.0.1/8", "udp:0-10", "tcp:22 " };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(nf_parse_allow(bad[i], &a, err) == -1, "%s", bad[i]);

	struct nf_server srv;
	char *ok[] = { "--if", "tap0", "--mac", "02:68:76:00:01:00", "--ipv4",
		       "10.0.0.2", "--ipv4", "10.0.0.9/32", "--ipv6", "fd00::2" };
	ck_assert_int_eq(nf_parse_server_args(10, ok, &srv, err), 0);
	ck_assert_str_eq(srv.ifname, "tap0");
	ck_assert_int_eq(srv.nipv4, 2);
	ck_assert_int_eq(srv.nipv6, 1);
	char *no_mac[] = { "--if", "tap0" };
	ck_assert_int_eq(nf_parse_server_args(2, no_mac, &srv, err), -1);
	char *dangling[] = { "--if", "tap0", "--mac" };
	ck_assert_int_eq(nf_parse_server_args(3, dangling, &srv, err), -1);
	char *long_if[] = { "--if", "abcdefghijklmnop", "--mac", "02:68:76:00:01:00" };
	ck_assert_int_eq(nf_parse_server_args(4, long_if, &srv, err), -1);
	char *unknown[] = { "--if", "tap0", "--mac", "02:68:76:00:01:00", "--x", "1" };
	ck_assert_int_eq(nf_parse_server_args(6, unknown, &srv, err), -1);
	char *deny[] = { "--if", "tap0", "--mac", "02:68:76:00:01:00", "--inbound", "deny" };
	ck_assert_int_eq(nf_parse_server_args(6, deny, &srv, err), 0);
	ck_assert(srv.inbound_deny);
	ck_assert_int_eq(srv.nallow, 0);
	char *what[] = { "--if", "tap0", "--mac", "02:68:76:00:01:00", "--inbound", "maybe" };
	ck_assert_int_eq(nf_parse_server_args(6, what, &srv, err), -1);
	char *both[] = { "--if", "tap0", "--mac", "02:68:76:00:01:00", "--inbound", "allow",
			 "--allow", "tcp:22" };
	ck_assert_int_eq(nf_parse_server_args(8, both, &srv, err), -1);
	char *implied[] = { "--if", "tap0", "--mac", "02:68:76:00:01:00", "--allow", "tcp:22" };
	ck_assert_int_eq(nf_parse_server_args(6, implied, &srv, err), 0);
	ck_assert(srv.inbound_deny);
}
END_TEST

START_TEST(link_local_is_eui64)
{
	const uint8_t mac[6] = { 0x02, 0x68, 0x76, 0x00, 0x01, 0x00 };
	uint8_t ll[16], want[16];
	nf_link_local(mac, ll);
	inet_pton(AF_INET6, "fe80::68:76ff:fe00:100", want);
	ck_assert_mem_eq(ll, want, 16);
}
END_TEST

/* --- a tiny evaluator of the built rules -------------------------------- */

static const uint8_t MAC1[6] = { 0x02, 0x68, 0x76, 0x00, 0x01, 0x00 };
static const uint8_t MAC2[6] = { 0x02, 0x68, 0x76, 0x00, 0x02, 0x00 };
static const uint8_t GW_MAC[6] = { 0x02, 0, 0, 0, 0, 1 };

struct frame {
	uint8_t b[200];
	unsigned len;
	unsigned nh, th;	/* header offsets; th 0: none */
	int l4;			/* -1: none */
	/* What the forward hook also sees (allow-list tests). */
	char oif[IFNAMSIZ];
	uint8_t nfproto;
	uint32_t ct_state;	/* NF_CT_STATE_BIT(...) */
};

enum outcome { ACCEPTED, DROPPED };

static bool match_ok(const struct nf_match *m, const struct frame *f)
{
	uint8_t v[NF_VALUE_MAX] = { 0 };
	if (m->source == NF_PAYLOAD) {
		unsigned base = m->base == NFT_PAYLOAD_LL_HEADER ? 0 :
				m->base == NFT_PAYLOAD_NETWORK_HEADER ? f->nh : f->th;
		if (m->base == NFT_PAYLOAD_TRANSPORT_HEADER && !f->th)
			return false;	/* nftables: NFT_BREAK */
		if (base + m->key + m->len > f->len)
			return false;
		memcpy(v, f->b + base + m->key, m->len);
	} else if (m->source == NF_META && m->key == NFT_META_L4PROTO) {
		if (f->l4 < 0)
			return false;
		v[0] = f->l4;
	} else if (m->source == NF_META && m->key == NFT_META_OIFNAME) {
		strncpy((char *)v, f->oif, IFNAMSIZ);
	} else if (m->source == NF_META && m->key == NFT_META_NFPROTO) {
		v[0] = f->nfproto;
	} else if (m->source == NF_CT && m->key == NFT_CT_STATE) {
		memcpy(v, &f->ct_state, 4);
	} else {
		ck_abort_msg("the evaluator knows no meta/ct key %u", m->key);
	}
	if (m->masked)
		for (unsigned i = 0; i < m->len; i++)
			v[i] &= m->mask[i];
	int cmp = memcmp(v, m->value, m->len);
	switch (m->op) {
	case NF_OP_EQ: return cmp == 0;
	case NF_OP_NE: return cmp != 0;
	case NF_OP_GTE: return cmp >= 0;
	case NF_OP_LTE: return cmp <= 0;
	}
	return false;
}

/* Runs a chain; returns 1 accept, 0 drop, -1 fell off the end/return. */
static int run_chain(const struct nf_table *t, unsigned chain, const struct frame *f,
		     const char **why)
{
	for (unsigned i = 0; i < t->nrules; i++) {
		const struct nf_rule *r = &t->rules[i];
		if (r->chain != chain)
			continue;
		bool all = true;
		for (unsigned j = 0; j < r->nmatch && all; j++)
			all = match_ok(&r->match[j], f);
		if (!all)
			continue;
		*why = r->why;
		switch (r->verdict) {
		case NF_V_ACCEPT: return 1;
		case NF_V_DROP: return 0;
		case NF_V_RETURN: return -1;
		case NF_V_JUMP: {
			int v = run_chain(t, r->target_chain, f, why);
			if (v >= 0)
				return v;
			break;
		}
		default: ck_abort();
		}
	}
	return -1;
}

static enum outcome ingress(const struct nf_ruleset *set, const struct frame *f,
			    const char **why)
{
	const struct nf_table *t = &set->tables[0];
	ck_assert_str_eq(t->chains[0].name, "ingress");
	int v = run_chain(t, 0, f, why);
	if (v < 0)	/* the chain's policy */
		return t->chains[0].policy_drop ? DROPPED : ACCEPTED;
	return v ? ACCEPTED : DROPPED;
}

static void eth(struct frame *f, const uint8_t *src, uint16_t type)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->b, GW_MAC, 6);
	memcpy(f->b + 6, src, 6);
	f->b[12] = type >> 8;
	f->b[13] = type & 0xff;
	f->nh = 14;
	f->len = 14;
	f->l4 = -1;
}

static void ipv4(struct frame *f, const uint8_t *src_mac, const char *src,
		 uint8_t proto, uint16_t sport, uint16_t dport)
{
	eth(f, src_mac, 0x0800);
	uint8_t *ip = f->b + 14;
	ip[0] = 0x45;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, "169.254.0.1", ip + 16);
	f->th = 34;
	f->l4 = proto;
	f->b[34] = sport >> 8;
	f->b[35] = sport & 0xff;
	f->b[36] = dport >> 8;
	f->b[37] = dport & 0xff;
	f->len = 34 + 20;
}

static void ipv6(struct frame *f, const uint8_t *src_mac, const char *src,
		 uint8_t proto, const uint8_t *l4, unsigned l4len)
{
	eth(f, src_mac, 0x86dd);
	uint8_t *ip = f->b + 14;
	ip[0] = 0x60;
	ip[6] = proto;
	inet_pton(AF_INET6, src, ip + 8);
	inet_pton(AF_INET6, "fe80::1", ip + 24);
	f->th = 54;
	f->l4 = proto;
	memcpy(f->b + 54, l4, l4len);
	f->len = 54 + l4len;
}

static void arp(struct frame *f, const uint8_t *src_mac, const uint8_t *sha,
		const char *spa)
{
	static const uint8_t head[8] = { 0, 1, 8, 0, 6, 4, 0, 2 };
	eth(f, src_mac, 0x0806);
	memcpy(f->b + 14, head, 8);
	memcpy(f->b + 22, sha, 6);
	inet_pton(AF_INET, spa, f->b + 28);
	f->len = 14 + 28;
}

static void na(struct frame *f, const char *src, const char *target)
{
	uint8_t icmp[24] = { 136 };
	inet_pton(AF_INET6, target, icmp + 8);
	ipv6(f, MAC1, src, IPPROTO_ICMPV6, icmp, sizeof(icmp));
}

static struct nf_ruleset *server1(void)
{
	static struct nf_ruleset set;
	struct nf_server srv;
	char *args[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--ipv4",
			 "10.0.0.2", "--ipv6", "fd00::2" };
	ck_assert_int_eq(nf_parse_server_args(8, args, &srv, err), 0);
	ck_assert_int_eq(nf_build_server(&srv, &set, err), 0);
	return &set;
}

#define EXPECT(set, f, want) do { \
	const char *why = "(policy)"; \
	enum outcome got = ingress(set, f, &why); \
	ck_assert_msg(got == (want), "line %d: %s by rule '%s'", __LINE__, \
		      got == ACCEPTED ? "accepted" : "dropped", why); \
} while (0)

START_TEST(legitimate_frames_pass)
{
	struct nf_ruleset *set = server1();
	struct frame f;
	uint8_t echo[8] = { 128 };

	ipv4(&f, MAC1, "10.0.0.2", IPPROTO_TCP, 40000, 5000);
	EXPECT(set, &f, ACCEPTED);
	ipv4(&f, MAC1, "0.0.0.0", IPPROTO_UDP, 68, 67);
	EXPECT(set, &f, ACCEPTED);
	arp(&f, MAC1, MAC1, "10.0.0.2");
	EXPECT(set, &f, ACCEPTED);
	ipv6(&f, MAC1, "fd00::2", IPPROTO_ICMPV6, echo, sizeof(echo));
	EXPECT(set, &f, ACCEPTED);
	ipv6(&f, MAC1, "fe80::68:76ff:fe00:100", IPPROTO_ICMPV6, echo, sizeof(echo));
	EXPECT(set, &f, ACCEPTED);
	na(&f, "fd00::2", "fd00::2");
	EXPECT(set, &f, ACCEPTED);
	na(&f, "fe80::68:76ff:fe00:100", "fe80::68:76ff:fe00:100");
	EXPECT(set, &f, ACCEPTED);
	uint8_t ns[24] = { 135 };
	ipv6(&f, MAC1, "::", IPPROTO_ICMPV6, ns, sizeof(ns));
	EXPECT(set, &f, ACCEPTED);
	/* Router solicitations (hv-netd answers them), from :: too. */
	uint8_t rs[8] = { 133 };
	ipv6(&f, MAC1, "::", IPPROTO_ICMPV6, rs, sizeof(rs));
	EXPECT(set, &f, ACCEPTED);
	ipv6(&f, MAC1, "fe80::68:76ff:fe00:100", IPPROTO_ICMPV6, rs, sizeof(rs));
	EXPECT(set, &f, ACCEPTED);
	/* A DHCP request renewing from the server's address. */
	ipv4(&f, MAC1, "10.0.0.2", IPPROTO_UDP, 68, 67);
	EXPECT(set, &f, ACCEPTED);
}
END_TEST

START_TEST(hostile_frames_are_dropped)
{
	struct nf_ruleset *set = server1();
	struct frame f;
	uint8_t echo[8] = { 128 }, ra[16] = { 134 }, redirect[40] = { 137 };
	uint8_t dhcp6[8] = { 0x02, 0x23, 0x02, 0x22 };

	ipv4(&f, MAC2, "10.0.0.2", IPPROTO_TCP, 1, 2);		/* spoofed MAC */
	EXPECT(set, &f, DROPPED);
	ipv4(&f, MAC1, "10.0.0.3", IPPROTO_TCP, 1, 2);		/* spoofed IPv4 */
	EXPECT(set, &f, DROPPED);
	ipv4(&f, MAC1, "10.0.0.2", IPPROTO_UDP, 67, 68);	/* DHCP offer */
	EXPECT(set, &f, DROPPED);
	ipv4(&f, MAC1, "0.0.0.0", IPPROTO_TCP, 68, 67);		/* 0.0.0.0, not DHCP */
	EXPECT(set, &f, DROPPED);
	arp(&f, MAC1, MAC1, "10.0.0.3");			/* gratuitous ARP */
	EXPECT(set, &f, DROPPED);
	arp(&f, MAC1, MAC2, "10.0.0.2");			/* ARP, other MAC */
	EXPECT(set, &f, DROPPED);
	ipv6(&f, MAC1, "fd00::3", IPPROTO_ICMPV6, echo, sizeof(echo));
	EXPECT(set, &f, DROPPED);
	ipv6(&f, MAC1, "fe80::68:76ff:fe00:200", IPPROTO_ICMPV6, echo, sizeof(echo));
	EXPECT(set, &f, DROPPED);
	na(&f, "fd00::2", "fd00::3");				/* NA for domU 2 */
	EXPECT(set, &f, DROPPED);
	ipv6(&f, MAC1, "fe80::68:76ff:fe00:100", IPPROTO_ICMPV6, ra, sizeof(ra));
	EXPECT(set, &f, DROPPED);
	ipv6(&f, MAC1, "fe80::68:76ff:fe00:100", IPPROTO_ICMPV6, redirect,
	     sizeof(redirect));
	EXPECT(set, &f, DROPPED);
	ipv6(&f, MAC1, "fe80::68:76ff:fe00:100", IPPROTO_UDP, dhcp6, sizeof(dhcp6));
	EXPECT(set, &f, DROPPED);
	ipv6(&f, MAC1, "::", IPPROTO_ICMPV6, echo, sizeof(echo));	/* :: not DAD */
	EXPECT(set, &f, DROPPED);
	eth(&f, MAC1, 0x88b5);					/* unknown type */
	f.len = 60;
	EXPECT(set, &f, DROPPED);
	ipv4(&f, MAC1, "10.0.0.2", IPPROTO_TCP, 1, 2);		/* VLAN tag */
	f.b[12] = 0x81;
	f.b[13] = 0x00;
	EXPECT(set, &f, DROPPED);
}
END_TEST

START_TEST(ruleset_shape)
{
	struct nf_ruleset *set = server1();
	const struct nf_table *t = &set->tables[0];

	ck_assert_int_eq(set->ntables, 1);	/* no allow list: no inet table */
	ck_assert_int_eq(t->family, NFPROTO_NETDEV);
	ck_assert_str_eq(t->name, "hv_tap1");
	ck_assert_str_eq(t->device, "tap1");
	ck_assert(t->chains[0].base && t->chains[0].has_device && t->chains[0].policy_drop);
	ck_assert_int_eq(t->chains[0].hook, NF_NETDEV_INGRESS);
	ck_assert_int_eq(t->chains[1].hook, NF_NETDEV_EGRESS);
	/* The first ingress rule is the MAC check; every verdict in the
	 * ingress chain is counted (accept in tx, drop in tx_dropped). */
	ck_assert_str_eq(t->rules[0].why, "source MAC is not the server's");
	for (unsigned i = 0; i < t->nrules; i++) {
		const struct nf_rule *r = &t->rules[i];
		if (r->verdict == NF_V_ACCEPT && r->chain == 0)
			ck_assert_str_eq(r->counter, NF_CTR_TX);
		if (r->verdict == NF_V_DROP)
			ck_assert_str_eq(r->counter, NF_CTR_TX_DROPPED);
	}
	const struct nf_rule *last = &t->rules[t->nrules - 1];
	ck_assert_int_eq(last->chain, 1);
	ck_assert_str_eq(last->counter, NF_CTR_RX);

	/* Same input, same rules: applying twice installs the same set. */
	struct nf_ruleset again;
	memcpy(&again, set, sizeof(again));
	ck_assert_mem_eq(server1(), &again, sizeof(again));
}
END_TEST

START_TEST(allow_list_table)
{
	struct nf_server srv;
	struct nf_ruleset set;
	char *args[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--ipv4",
			 "10.0.0.2", "--allow", "tcp:22,80", "--allow", "udp:53@192.0.2.0/24" };
	ck_assert_int_eq(nf_parse_server_args(10, args, &srv, err), 0);
	ck_assert_int_eq(nf_build_server(&srv, &set, err), 0);
	ck_assert_int_eq(set.ntables, 2);
	const struct nf_table *t = &set.tables[1];
	ck_assert_int_eq(t->family, NFPROTO_INET);
	ck_assert_int_eq(t->chains[0].hook, NF_INET_FORWARD);
	/* established/related, 3 ports, final drop */
	ck_assert_int_eq(t->nrules, 5);
	ck_assert_str_eq(t->rules[4].counter, NF_CTR_RX_DROPPED);
	ck_assert_int_eq(t->rules[4].verdict, NF_V_DROP);
	const struct nf_rule *dns = &t->rules[3];
	ck_assert_int_eq(dns->nmatch, 5);
	ck_assert(dns->match[4].masked);
	ck_assert_int_eq(dns->match[4].mask[2], 0xff);
	ck_assert_int_eq(dns->match[4].mask[3], 0);
	/* every rule is limited to the server's tap */
	for (unsigned i = 0; i < t->nrules; i++) {
		ck_assert_int_eq(t->rules[i].match[0].key, NFT_META_OIFNAME);
		ck_assert_str_eq((const char *)t->rules[i].match[0].value, "tap1");
	}
}
END_TEST

/* A packet dom0 forwards towards oif: the allow table's verdict (a
 * packet the chain does not decide is accepted: the hook's policy). */
static enum outcome forward(const struct nf_ruleset *set, const char *oif,
			    const char *src, uint8_t proto, uint16_t dport, bool reply)
{
	struct frame f;
	const char *why = "policy";

	if (strchr(src, ':')) {
		uint8_t l4[8] = { 0, 0, dport >> 8, dport & 0xff };
		if (proto == IPPROTO_ICMPV6)
			l4[0] = 128;	/* echo request */
		ipv6(&f, MAC2, src, proto, l4, sizeof(l4));
		f.nfproto = NFPROTO_IPV6;
	} else {
		ipv4(&f, MAC2, src, proto, 40000, dport);
		f.nfproto = NFPROTO_IPV4;
	}
	strcpy(f.oif, oif);
	f.ct_state = reply ? NF_CT_STATE_BIT(IP_CT_ESTABLISHED) : NF_CT_STATE_BIT(IP_CT_NEW);
	ck_assert_int_eq(set->ntables, 2);
	int v = run_chain(&set->tables[1], 0, &f, &why);
	return v == 0 ? DROPPED : ACCEPTED;
}

START_TEST(allow_list_decides)
{
	struct nf_server srv;
	static struct nf_ruleset set;
	char *args[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--ipv4", "10.0.0.2",
			 "--allow", "tcp:22,8000-8100",
			 "--allow", "udp:53@192.0.2.0/24",
			 "--allow", "icmp@2001:db8::/32" };
	ck_assert_int_eq(nf_parse_server_args(12, args, &srv, err), 0);
	ck_assert_int_eq(nf_build_server(&srv, &set, err), 0);

	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 22, false), ACCEPTED);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 8000, false), ACCEPTED);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 8050, false), ACCEPTED);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 8100, false), ACCEPTED);
	ck_assert_int_eq(forward(&set, "tap1", "2001:db8:1::9", IPPROTO_TCP, 22, false), ACCEPTED);
	/* just outside the range, the wrong protocol, a port not listed */
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 7999, false), DROPPED);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 8101, false), DROPPED);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_UDP, 22, false), DROPPED);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 23, false), DROPPED);
	/* the source prefix counts */
	ck_assert_int_eq(forward(&set, "tap1", "192.0.2.77", IPPROTO_UDP, 53, false), ACCEPTED);
	ck_assert_int_eq(forward(&set, "tap1", "192.0.3.77", IPPROTO_UDP, 53, false), DROPPED);
	/* ICMP only as allowed: ICMPv6 from 2001:db8::/32, no ICMPv4 */
	ck_assert_int_eq(forward(&set, "tap1", "2001:db8::5", IPPROTO_ICMPV6, 0, false), ACCEPTED);
	ck_assert_int_eq(forward(&set, "tap1", "2001:db9::5", IPPROTO_ICMPV6, 0, false), DROPPED);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_ICMP, 0, false), DROPPED);
	/* replies to the server's own connections always come in */
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 40000, true), ACCEPTED);
	/* another tap's traffic is not this table's business */
	ck_assert_int_eq(forward(&set, "tap2", "203.0.113.9", IPPROTO_TCP, 23, false), ACCEPTED);

	/* "--inbound deny" alone: only replies */
	char *deny[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--inbound", "deny" };
	ck_assert_int_eq(nf_parse_server_args(6, deny, &srv, err), 0);
	ck_assert_int_eq(nf_build_server(&srv, &set, err), 0);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 22, false), DROPPED);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_ICMP, 0, false), DROPPED);
	ck_assert_int_eq(forward(&set, "tap1", "203.0.113.9", IPPROTO_TCP, 40000, true), ACCEPTED);
}
END_TEST

/* A server given a /64 (SLAAC) may use any address in it, and no other. */
START_TEST(ipv6_prefix_of_the_server)
{
	static struct nf_ruleset set;
	struct nf_server srv;
	struct frame f;
	uint8_t echo[8] = { 128 };
	char *args[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--ipv6",
			 "2001:db8:1:2::/64" };

	ck_assert_int_eq(nf_parse_server_args(6, args, &srv, err), 0);
	ck_assert_int_eq(nf_build_server(&srv, &set, err), 0);
	ipv6(&f, MAC1, "2001:db8:1:2:68:76ff:fe00:100", IPPROTO_ICMPV6, echo, sizeof(echo));
	EXPECT(&set, &f, ACCEPTED);
	ipv6(&f, MAC1, "2001:db8:1:2::1", IPPROTO_ICMPV6, echo, sizeof(echo));
	EXPECT(&set, &f, ACCEPTED);
	na(&f, "2001:db8:1:2::1", "2001:db8:1:2::1");
	EXPECT(&set, &f, ACCEPTED);
	ipv6(&f, MAC1, "2001:db8:1:3::1", IPPROTO_ICMPV6, echo, sizeof(echo));
	EXPECT(&set, &f, DROPPED);
	na(&f, "2001:db8:1:2::1", "2001:db8:1:3::1");		/* not its target */
	EXPECT(&set, &f, DROPPED);
	ipv6(&f, MAC2, "2001:db8:1:2::1", IPPROTO_ICMPV6, echo, sizeof(echo));
	EXPECT(&set, &f, DROPPED);
}
END_TEST

START_TEST(port_forward)
{
	struct nf_server srv;
	static struct nf_ruleset set;
	char *args[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--ipv4", "10.0.0.2",
			 "--forward", "22003:22" };
	ck_assert_int_eq(nf_parse_server_args(8, args, &srv, err), 0);
	ck_assert_int_eq(srv.fwd_host_port, 22003);
	ck_assert_int_eq(srv.fwd_port, 22);
	ck_assert_int_eq(nf_build_server(&srv, &set, err), 0);
	/* An inet table with the nat chain only: inbound stays open. */
	ck_assert_int_eq(set.ntables, 2);
	const struct nf_table *t = &set.tables[1];
	ck_assert_int_eq(t->nchains, 1);
	ck_assert_str_eq(t->chains[0].type, "nat");
	ck_assert_int_eq(t->chains[0].hook, NF_INET_PRE_ROUTING);
	ck_assert_int_eq(t->chains[0].priority, -100);
	ck_assert_int_eq(t->nrules, 1);
	const struct nf_rule *r = &t->rules[0];
	ck_assert_int_eq(r->verdict, NF_V_DNAT);
	ck_assert_int_eq(r->dnat_port, 22);
	ck_assert_int_eq(r->dnat_addr[0], 10);
	ck_assert_int_eq(r->dnat_addr[3], 2);
	/* IPv4, TCP, destination port 22003, to one of dom0's own addresses */
	ck_assert_int_eq(r->nmatch, 4);
	ck_assert_int_eq(r->match[2].value[0] << 8 | r->match[2].value[1], 22003);
	ck_assert_int_eq(r->match[3].source, NF_FIB);
	ck_assert_int_eq(r->match[3].key, NFT_FIB_RESULT_ADDRTYPE);

	/* With an allow list, the same table holds both chains. */
	char *both[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--ipv4", "10.0.0.2",
			 "--forward", "22003:22", "--allow", "tcp:22" };
	ck_assert_int_eq(nf_parse_server_args(10, both, &srv, err), 0);
	ck_assert_int_eq(nf_build_server(&srv, &set, err), 0);
	ck_assert_int_eq(set.ntables, 2);
	ck_assert_int_eq(set.tables[1].nchains, 2);

	const char *bad[] = { "22003", "22003:", ":22", "0:22", "22003:0", "65536:22",
			      "22003:22:1", "x:22", "22003:22x" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *a[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--ipv4", "10.0.0.2",
			      "--forward", (char *)bad[i] };
		ck_assert_msg(nf_parse_server_args(8, a, &srv, err) == -1, "%s", bad[i]);
	}
	char *no_v4[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--forward", "22003:22" };
	ck_assert_int_eq(nf_parse_server_args(6, no_v4, &srv, err), -1);
	char *twice[] = { "--if", "tap1", "--mac", "02:68:76:00:01:00", "--ipv4", "10.0.0.2",
			  "--forward", "22003:22", "--forward", "22004:22" };
	ck_assert_int_eq(nf_parse_server_args(10, twice, &srv, err), -1);
}
END_TEST

START_TEST(too_many_addresses_refused)
{
	struct nf_server srv;
	struct nf_ruleset set;
	memset(&srv, 0, sizeof(srv));
	strcpy(srv.ifname, "tap1");
	memcpy(srv.mac, MAC1, 6);
	srv.nallow = NF_ALLOW_MAX;
	for (unsigned i = 0; i < NF_ALLOW_MAX; i++) {
		srv.allow[i].proto = IPPROTO_TCP;
		srv.allow[i].nports = NF_ALLOW_PORTS_MAX;
		for (unsigned p = 0; p < NF_ALLOW_PORTS_MAX; p++)
			srv.allow[i].ports[p].first = srv.allow[i].ports[p].last = p + 1;
	}
	ck_assert_int_eq(nf_build_server(&srv, &set, err), -1);
	ck_assert(strstr(err, "too many") != NULL);
}
END_TEST

START_TEST(uplink_masquerade)
{
	struct nf_ruleset set;
	nf_build_uplink("eth0", &set);
	ck_assert_int_eq(set.ntables, 1);
	ck_assert_str_eq(set.tables[0].name, NF_UPLINK_TABLE);
	ck_assert_str_eq(set.tables[0].chains[0].type, "nat");
	ck_assert_int_eq(set.tables[0].rules[0].verdict, NF_V_MASQUERADE);
	ck_assert_str_eq((const char *)set.tables[0].rules[0].match[0].value, "eth0");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("netfilter");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, mac_parsing);
	tcase_add_test(tc, address_parsing);
	tcase_add_test(tc, allow_and_args_parsing);
	tcase_add_test(tc, link_local_is_eui64);
	tcase_add_test(tc, legitimate_frames_pass);
	tcase_add_test(tc, hostile_frames_are_dropped);
	tcase_add_test(tc, ruleset_shape);
	tcase_add_test(tc, allow_list_table);
	tcase_add_test(tc, allow_list_decides);
	tcase_add_test(tc, ipv6_prefix_of_the_server);
	tcase_add_test(tc, port_forward);
	tcase_add_test(tc, too_many_addresses_refused);
	tcase_add_test(tc, uplink_masquerade);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
