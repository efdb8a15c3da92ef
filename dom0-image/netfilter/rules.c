// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules.c - builds a server's isolation rules and dom0's uplink NAT as
 * data (rules.h); nothing here talks to the kernel.
 *
 * The server's netdev table "hv_<tap>":
 *   chain ingress (hook ingress on the tap, policy drop): what the guest
 *     sends.  Order matters; the first rule that decides wins:
 *       1. source MAC not the server's                 -> drop
 *       2. ARP, Ethernet/IPv4, sender MAC and IP own   -> accept (per IPv4)
 *       3. IPv4 UDP from port 67 (a DHCP server)       -> drop
 *       4. IPv4 0.0.0.0:68 -> :67 (DHCP discover)      -> accept
 *       5. IPv4 from an own address                    -> accept (per IPv4)
 *       6. ICMPv6 router advertisement or redirect     -> drop
 *       7. IPv6 UDP from port 547 (a DHCPv6 server)    -> drop
 *       8. ICMPv6 neighbour advertisement              -> jump na_check,
 *          which returns for an own target address and drops otherwise
 *       9. IPv6 from an own address or the link-local  -> accept
 *      10. IPv6 from :: that is a neighbour solicitation, an MLD
 *          report (duplicate address detection) or a router
 *          solicitation                                -> accept
 *      11. anything else (other ethertypes, VLAN tags) -> drop
 *     Accepts count in "tx", drops in "tx_dropped".
 *   chain egress (hook egress on the tap): counts everything sent to the
 *     guest in "rx".
 * A server whose inbound traffic is denied but for its allow list also
 * gets an inet table of the same name whose forward chain lets through,
 * towards the tap, replies (conntrack established/related: ICMP errors
 * about the server's own connections among them), then what the list
 * allows: new connections to a port or port range (two compares, >= and
 * <=) and ICMP/ICMPv6 for "icmp", each from its source prefix if it has
 * one; and drops the rest into its own "rx_dropped" counter.  A server
 * with a port forward (make run) has, in that inet table, a nat chain on
 * prerouting that sends TCP to dom0's own port HOSTPORT on to the
 * server's first IPv4 address and PORT (the allow list then decides).
 *
 * Header offsets are fixed numbers from the protocols' wire formats
 * (Ethernet, ARP for Ethernet/IPv4, IPv4, IPv6, UDP, ICMPv6 and its
 * neighbour advertisement); nftables' transport header is found by the
 * kernel behind IPv6 extension headers, and a fragment that is not the
 * first never matches a transport-header rule (it carries no ports).
 */
#include "rules.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Wire-format offsets used below. */
#define ETH_SRC_OFF        6
#define ETH_TYPE_OFF       12
#define ARP_HTYPE_PTYPE_OFF 0	/* 2+2 bytes: 1 (Ethernet), 0x0800 */
#define ARP_HLEN_PLEN_OFF  4	/* 1+1 bytes: 6, 4 */
#define ARP_SHA_OFF        8
#define ARP_SPA_OFF        14
#define IPV4_SRC_OFF       12
#define IPV6_SRC_OFF       8
#define UDP_SPORT_OFF      0
#define UDP_DPORT_OFF      2	/* also TCP's destination port */
#define ICMPV6_TYPE_OFF    0
#define ND_TARGET_OFF      8	/* neighbour advertisement: target address */

#define ICMPV6_RS          133
#define ICMPV6_RA          134
#define ICMPV6_NA          136
#define ICMPV6_NS          135
#define ICMPV6_REDIRECT    137
#define ICMPV6_MLD2_REPORT 143
#define DHCP4_SERVER_PORT  67
#define DHCP4_CLIENT_PORT  68
#define DHCP6_SERVER_PORT  547

/* Chain priorities: before anything else on the same hook. */
#define PRIO_NETDEV   -300
#define PRIO_FORWARD  0
#define PRIO_SRCNAT   100
#define PRIO_DSTNAT   -100

struct builder {
	struct nf_table *t;
	bool full;		/* a rule or a match did not fit */
};

static struct nf_rule *rule(struct builder *b, unsigned chain, const char *why)
{
	if (b->t->nrules == NF_RULES_MAX) {
		b->full = true;
		return NULL;
	}
	struct nf_rule *r = &b->t->rules[b->t->nrules++];
	memset(r, 0, sizeof(*r));
	r->chain = chain;
	snprintf(r->why, sizeof(r->why), "%s", why);
	return r;
}

static struct nf_match *add_match(struct builder *b, struct nf_rule *r)
{
	if (!r || r->nmatch == NF_MATCHES_MAX) {
		b->full = true;
		return NULL;
	}
	struct nf_match *m = &r->match[r->nmatch++];
	memset(m, 0, sizeof(*m));
	return m;
}

static void payload(struct builder *b, struct nf_rule *r, uint32_t base,
		    uint32_t off, const void *value, uint32_t len, enum nf_op op)
{
	struct nf_match *m = add_match(b, r);
	if (!m)
		return;
	m->source = NF_PAYLOAD;
	m->base = base;
	m->key = off;
	m->len = len;
	m->op = op;
	memcpy(m->value, value, len);
}

static void payload_masked(struct builder *b, struct nf_rule *r, uint32_t base,
			   uint32_t off, const void *value, uint32_t len,
			   unsigned prefix_len)
{
	struct nf_match *m = add_match(b, r);
	if (!m)
		return;
	m->source = NF_PAYLOAD;
	m->base = base;
	m->key = off;
	m->len = len;
	m->op = NF_OP_EQ;
	m->masked = true;
	for (unsigned bit = 0; bit < prefix_len; bit++)
		m->mask[bit / 8] |= 0x80 >> (bit % 8);
	memcpy(m->value, value, len);
}

static void ether_type(struct builder *b, struct nf_rule *r, uint16_t type)
{
	uint16_t be = htons(type);
	payload(b, r, NFT_PAYLOAD_LL_HEADER, ETH_TYPE_OFF, &be, 2, NF_OP_EQ);
}

static void port(struct builder *b, struct nf_rule *r, uint32_t off, uint16_t p)
{
	uint16_t be = htons(p);
	payload(b, r, NFT_PAYLOAD_TRANSPORT_HEADER, off, &be, 2, NF_OP_EQ);
}

static void meta_u8(struct builder *b, struct nf_rule *r, uint32_t key, uint8_t v)
{
	struct nf_match *m = add_match(b, r);
	if (!m)
		return;
	m->source = NF_META;
	m->key = key;
	m->len = 1;
	m->value[0] = v;
}

static void l4proto(struct builder *b, struct nf_rule *r, uint8_t proto)
{
	meta_u8(b, r, NFT_META_L4PROTO, proto);
}

static void icmpv6_type(struct builder *b, struct nf_rule *r, uint8_t type)
{
	l4proto(b, r, IPPROTO_ICMPV6);
	payload(b, r, NFT_PAYLOAD_TRANSPORT_HEADER, ICMPV6_TYPE_OFF, &type, 1,
		NF_OP_EQ);
}

/* oifname: the kernel compares the whole IFNAMSIZ buffer, NUL padded. */
static void oifname(struct builder *b, struct nf_rule *r, const char *ifname)
{
	struct nf_match *m = add_match(b, r);
	if (!m)
		return;
	m->source = NF_META;
	m->key = NFT_META_OIFNAME;
	m->len = IFNAMSIZ;
	strncpy((char *)m->value, ifname, IFNAMSIZ);
}

static void verdict(struct nf_rule *r, enum nf_verdict v, const char *counter)
{
	if (!r)
		return;
	r->verdict = v;
	r->counter = counter;
}

static unsigned add_chain(struct nf_table *t, const char *name)
{
	struct nf_chain *c = &t->chains[t->nchains];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	return t->nchains++;
}

static unsigned add_base_chain(struct nf_table *t, const char *name,
			       const char *type, unsigned hook, int prio,
			       bool has_device, bool policy_drop)
{
	unsigned i = add_chain(t, name);
	struct nf_chain *c = &t->chains[i];
	c->base = true;
	c->type = type;
	c->hook = hook;
	c->priority = prio;
	c->has_device = has_device;
	c->policy_drop = policy_drop;
	return i;
}

/* The guest's IPv6 sources: its link-local, its addresses and prefixes. */
static unsigned own_ipv6(const struct nf_server *srv, struct nf_prefix6 *out)
{
	unsigned n = 0;
	nf_link_local(srv->mac, out[n].addr);
	out[n++].len = 128;
	for (unsigned i = 0; i < srv->nipv6; i++)
		out[n++] = srv->ipv6[i];
	return n;
}

/* An IPv6 address field (at off of base) within one of the server's. */
static void own6_match(struct builder *b, struct nf_rule *r, uint32_t base, uint32_t off,
		       const struct nf_prefix6 *p)
{
	if (p->len == 128)
		payload(b, r, base, off, p->addr, 16, NF_OP_EQ);
	else
		payload_masked(b, r, base, off, p->addr, 16, p->len);
}

static void build_netdev(struct builder *b, const struct nf_server *srv)
{
	struct nf_table *t = b->t;
	struct nf_prefix6 own6[NF_IPV6_MAX + 1];
	unsigned nown6 = own_ipv6(srv, own6);
	static const uint8_t zero[16];
	struct nf_rule *r;

	t->family = NFPROTO_NETDEV;
	nf_table_name(srv->ifname, t->name);
	snprintf(t->device, sizeof(t->device), "%s", srv->ifname);
	t->counters[t->ncounters++] = NF_CTR_TX;
	t->counters[t->ncounters++] = NF_CTR_TX_DROPPED;
	t->counters[t->ncounters++] = NF_CTR_RX;
	unsigned in = add_base_chain(t, "ingress", "filter", NF_NETDEV_INGRESS,
				     PRIO_NETDEV, true, true);
	unsigned out = add_base_chain(t, "egress", "filter", NF_NETDEV_EGRESS,
				      PRIO_NETDEV, true, false);
	unsigned na = add_chain(t, "na_check");

	r = rule(b, in, "source MAC is not the server's");
	payload(b, r, NFT_PAYLOAD_LL_HEADER, ETH_SRC_OFF, srv->mac, 6, NF_OP_NE);
	verdict(r, NF_V_DROP, NF_CTR_TX_DROPPED);

	for (unsigned i = 0; i < srv->nipv4; i++) {
		static const uint8_t htype_ptype[4] = { 0, 1, 0x08, 0x00 };
		static const uint8_t hlen_plen[2] = { 6, 4 };
		r = rule(b, in, "ARP from the server's MAC and IPv4");
		ether_type(b, r, ETH_P_ARP);
		payload(b, r, NFT_PAYLOAD_NETWORK_HEADER, ARP_HTYPE_PTYPE_OFF,
			htype_ptype, 4, NF_OP_EQ);
		payload(b, r, NFT_PAYLOAD_NETWORK_HEADER, ARP_HLEN_PLEN_OFF,
			hlen_plen, 2, NF_OP_EQ);
		payload(b, r, NFT_PAYLOAD_NETWORK_HEADER, ARP_SHA_OFF, srv->mac, 6,
			NF_OP_EQ);
		payload(b, r, NFT_PAYLOAD_NETWORK_HEADER, ARP_SPA_OFF,
			srv->ipv4[i].addr, 4, NF_OP_EQ);
		verdict(r, NF_V_ACCEPT, NF_CTR_TX);
	}

	r = rule(b, in, "DHCPv4 server reply");
	ether_type(b, r, ETH_P_IP);
	l4proto(b, r, IPPROTO_UDP);
	port(b, r, UDP_SPORT_OFF, DHCP4_SERVER_PORT);
	verdict(r, NF_V_DROP, NF_CTR_TX_DROPPED);

	r = rule(b, in, "DHCPv4 discover/request from 0.0.0.0");
	ether_type(b, r, ETH_P_IP);
	payload(b, r, NFT_PAYLOAD_NETWORK_HEADER, IPV4_SRC_OFF, zero, 4, NF_OP_EQ);
	l4proto(b, r, IPPROTO_UDP);
	port(b, r, UDP_SPORT_OFF, DHCP4_CLIENT_PORT);
	port(b, r, UDP_DPORT_OFF, DHCP4_SERVER_PORT);
	verdict(r, NF_V_ACCEPT, NF_CTR_TX);

	for (unsigned i = 0; i < srv->nipv4; i++) {
		r = rule(b, in, "IPv4 from the server's address");
		ether_type(b, r, ETH_P_IP);
		payload(b, r, NFT_PAYLOAD_NETWORK_HEADER, IPV4_SRC_OFF,
			srv->ipv4[i].addr, 4, NF_OP_EQ);
		verdict(r, NF_V_ACCEPT, NF_CTR_TX);
	}

	r = rule(b, in, "ICMPv6 router advertisement");
	ether_type(b, r, ETH_P_IPV6);
	icmpv6_type(b, r, ICMPV6_RA);
	verdict(r, NF_V_DROP, NF_CTR_TX_DROPPED);
	r = rule(b, in, "ICMPv6 redirect");
	ether_type(b, r, ETH_P_IPV6);
	icmpv6_type(b, r, ICMPV6_REDIRECT);
	verdict(r, NF_V_DROP, NF_CTR_TX_DROPPED);

	r = rule(b, in, "DHCPv6 server reply");
	ether_type(b, r, ETH_P_IPV6);
	l4proto(b, r, IPPROTO_UDP);
	port(b, r, UDP_SPORT_OFF, DHCP6_SERVER_PORT);
	verdict(r, NF_V_DROP, NF_CTR_TX_DROPPED);

	r = rule(b, in, "neighbour advertisement: check its target");
	ether_type(b, r, ETH_P_IPV6);
	icmpv6_type(b, r, ICMPV6_NA);
	verdict(r, NF_V_JUMP, NULL);
	if (r)
		r->target_chain = na;
	for (unsigned i = 0; i < nown6; i++) {
		r = rule(b, na, "advertises the server's own address");
		own6_match(b, r, NFT_PAYLOAD_TRANSPORT_HEADER, ND_TARGET_OFF, &own6[i]);
		verdict(r, NF_V_RETURN, NULL);
	}
	r = rule(b, na, "advertises someone else's address");
	verdict(r, NF_V_DROP, NF_CTR_TX_DROPPED);

	for (unsigned i = 0; i < nown6; i++) {
		r = rule(b, in, i == 0 ? "IPv6 from the server's link-local"
				       : "IPv6 from the server's address");
		ether_type(b, r, ETH_P_IPV6);
		own6_match(b, r, NFT_PAYLOAD_NETWORK_HEADER, IPV6_SRC_OFF, &own6[i]);
		verdict(r, NF_V_ACCEPT, NF_CTR_TX);
	}
	/* Before its addresses are usable a guest speaks from ::: duplicate
	 * address detection, and a router solicitation (hv-netd answers). */
	static const uint8_t dad_types[] = { ICMPV6_NS, ICMPV6_MLD2_REPORT, ICMPV6_RS };
	static const char *const dad_why[] = { "neighbour solicitation from :: (DAD)",
		"MLD report from :: (DAD)", "router solicitation from ::" };
	for (unsigned i = 0; i < sizeof(dad_types); i++) {
		r = rule(b, in, dad_why[i]);
		ether_type(b, r, ETH_P_IPV6);
		payload(b, r, NFT_PAYLOAD_NETWORK_HEADER, IPV6_SRC_OFF, zero, 16,
			NF_OP_EQ);
		icmpv6_type(b, r, dad_types[i]);
		verdict(r, NF_V_ACCEPT, NF_CTR_TX);
	}

	r = rule(b, in, "anything else");
	verdict(r, NF_V_DROP, NF_CTR_TX_DROPPED);

	r = rule(b, out, "sent to the server");
	verdict(r, NF_V_ACCEPT, NF_CTR_RX);
}

/* One allow rule: towards ifname, protocol proto, the destination
 * port(s) if ports is given, from the entry's prefix if it has one. */
static void allow_rule(struct builder *b, unsigned chain, const char *ifname,
		       const struct nf_allow *a, uint8_t proto,
		       const struct nf_port_range *ports)
{
	const char *why = proto == IPPROTO_TCP ? "allowed TCP port" :
			  proto == IPPROTO_UDP ? "allowed UDP port" :
			  proto == IPPROTO_ICMP ? "allowed ICMP" : "allowed ICMPv6";
	struct nf_rule *r = rule(b, chain, why);

	oifname(b, r, ifname);
	l4proto(b, r, proto);
	if (ports && ports->first == ports->last) {
		port(b, r, UDP_DPORT_OFF, ports->first);
	} else if (ports) {
		uint16_t first = htons(ports->first), last = htons(ports->last);
		payload(b, r, NFT_PAYLOAD_TRANSPORT_HEADER, UDP_DPORT_OFF, &first, 2,
			NF_OP_GTE);
		payload(b, r, NFT_PAYLOAD_TRANSPORT_HEADER, UDP_DPORT_OFF, &last, 2,
			NF_OP_LTE);
	}
	if (a->family == AF_INET) {
		meta_u8(b, r, NFT_META_NFPROTO, NFPROTO_IPV4);
		payload_masked(b, r, NFT_PAYLOAD_NETWORK_HEADER, IPV4_SRC_OFF,
			       a->src4.addr, 4, a->src4.len);
	} else if (a->family == AF_INET6) {
		meta_u8(b, r, NFT_META_NFPROTO, NFPROTO_IPV6);
		payload_masked(b, r, NFT_PAYLOAD_NETWORK_HEADER, IPV6_SRC_OFF,
			       a->src6.addr, 16, a->src6.len);
	}
	verdict(r, NF_V_ACCEPT, NULL);
}

static void build_allow(struct builder *b, const struct nf_server *srv);

/* TCP to one of dom0's own addresses at fwd_host_port goes to the
 * server's first IPv4 at fwd_port (the route lookup's "local" keeps
 * connections dom0 only forwards, e.g. a server's own, untouched). */
static void build_forward(struct builder *b, const struct nf_server *srv)
{
	unsigned pre = add_base_chain(b->t, "prerouting", "nat", NF_INET_PRE_ROUTING,
				      PRIO_DSTNAT, false, false);
	struct nf_rule *r = rule(b, pre, "port forward to the server");
	uint32_t local = RTN_LOCAL;
	struct nf_match *m;

	meta_u8(b, r, NFT_META_NFPROTO, NFPROTO_IPV4);
	l4proto(b, r, IPPROTO_TCP);
	port(b, r, UDP_DPORT_OFF, srv->fwd_host_port);
	m = add_match(b, r);
	if (m) {
		m->source = NF_FIB;
		m->key = NFT_FIB_RESULT_ADDRTYPE;
		m->len = 4;
		memcpy(m->value, &local, 4);
	}
	verdict(r, NF_V_DNAT, NULL);
	if (r) {
		memcpy(r->dnat_addr, srv->ipv4[0].addr, 4);
		r->dnat_port = srv->fwd_port;
	}
}

/* The server's inet table: what is let in (when inbound is denied but
 * for the allow list) and its port forward. */
static void build_inet(struct builder *b, const struct nf_server *srv)
{
	b->t->family = NFPROTO_INET;
	nf_table_name(srv->ifname, b->t->name);
	if (srv->fwd_host_port)
		build_forward(b, srv);
	if (srv->inbound_deny || srv->nallow)
		build_allow(b, srv);
}

static void build_allow(struct builder *b, const struct nf_server *srv)
{
	struct nf_table *t = b->t;
	struct nf_rule *r;

	t->counters[t->ncounters++] = NF_CTR_RX_DROPPED;
	unsigned fwd = add_base_chain(t, "forward", "filter", NF_INET_FORWARD,
				      PRIO_FORWARD, false, false);

	r = rule(b, fwd, "reply or related to the server's connection");
	oifname(b, r, srv->ifname);
	struct nf_match *m = add_match(b, r);
	if (m) {
		uint32_t bits = NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
				NF_CT_STATE_BIT(IP_CT_RELATED);
		m->source = NF_CT;
		m->key = NFT_CT_STATE;
		m->len = 4;
		m->masked = true;
		memcpy(m->mask, &bits, 4);
		m->op = NF_OP_NE;	/* (state & bits) != 0 */
	}
	verdict(r, NF_V_ACCEPT, NULL);

	for (unsigned i = 0; i < srv->nallow; i++) {
		const struct nf_allow *a = &srv->allow[i];
		if (a->proto == IPPROTO_ICMP) {
			if (a->family != AF_INET6)
				allow_rule(b, fwd, srv->ifname, a, IPPROTO_ICMP, NULL);
			if (a->family != AF_INET)
				allow_rule(b, fwd, srv->ifname, a, IPPROTO_ICMPV6, NULL);
			continue;
		}
		for (unsigned p = 0; p < a->nports; p++)
			allow_rule(b, fwd, srv->ifname, a, a->proto, &a->ports[p]);
	}

	r = rule(b, fwd, "inbound, not allowed");
	oifname(b, r, srv->ifname);
	verdict(r, NF_V_DROP, NF_CTR_RX_DROPPED);
}

int nf_build_server(const struct nf_server *srv, struct nf_ruleset *out, char *err)
{
	struct builder b = { 0 };

	memset(out, 0, sizeof(*out));
	b.t = &out->tables[out->ntables++];
	build_netdev(&b, srv);
	if (srv->inbound_deny || srv->nallow || srv->fwd_host_port) {
		b.t = &out->tables[out->ntables++];
		build_inet(&b, srv);
	}
	if (b.full) {
		snprintf(err, NF_ERR_LEN, "%s: too many addresses or allow rules", srv->ifname);
		return -1;
	}
	return 0;
}

void nf_build_uplink(const char *ifname, struct nf_ruleset *out)
{
	struct builder b = { 0 };

	memset(out, 0, sizeof(*out));
	b.t = &out->tables[out->ntables++];
	b.t->family = NFPROTO_INET;
	snprintf(b.t->name, sizeof(b.t->name), NF_UPLINK_TABLE);
	unsigned post = add_base_chain(b.t, "postrouting", "nat",
				       NF_INET_POST_ROUTING, PRIO_SRCNAT, false, false);
	struct nf_rule *r = rule(&b, post, "leaves by the uplink: masquerade");
	oifname(&b, r, ifname);
	verdict(r, NF_V_MASQUERADE, NULL);
}

static const char *verdict_name(enum nf_verdict v)
{
	switch (v) {
	case NF_V_ACCEPT: return "accept";
	case NF_V_DROP: return "drop";
	case NF_V_JUMP: return "jump";
	case NF_V_RETURN: return "return";
	case NF_V_MASQUERADE: return "masquerade";
	case NF_V_DNAT: return "dnat";
	}
	return "?";
}

void nf_rule_format(const struct nf_table *t, const struct nf_rule *r,
		    char *buf, size_t size)
{
	size_t n = snprintf(buf, size, "%s:", t->chains[r->chain].name);

	for (unsigned i = 0; i < r->nmatch && n < size; i++) {
		const struct nf_match *m = &r->match[i];
		static const char *bases[] = { "ll", "nh", "th", "ih" };
		if (m->source == NF_PAYLOAD)
			n += snprintf(buf + n, size - n, " %s@%u",
				      m->base < 4 ? bases[m->base] : "?", m->key);
		else
			n += snprintf(buf + n, size - n, " %s%u",
				      m->source == NF_META ? "meta" :
				      m->source == NF_CT ? "ct" : "fib", m->key);
		static const char *ops[] = { "==", "!=", ">=", "<=" };
		n += snprintf(buf + n, size - n, "%s", ops[m->op]);
		for (unsigned j = 0; j < m->len && n < size; j++)
			n += snprintf(buf + n, size - n, "%02x", m->value[j]);
		if (m->masked && n < size) {
			n += snprintf(buf + n, size - n, "/");
			for (unsigned j = 0; j < m->len && n < size; j++)
				n += snprintf(buf + n, size - n, "%02x", m->mask[j]);
		}
	}
	if (n < size)
		n += snprintf(buf + n, size - n, " -> %s%s%s", verdict_name(r->verdict),
			      r->verdict == NF_V_JUMP ? " " : "",
			      r->verdict == NF_V_JUMP ? t->chains[r->target_chain].name : "");
	if (n < size && r->counter)
		snprintf(buf + n, size - n, " [%s]", r->counter);
}
