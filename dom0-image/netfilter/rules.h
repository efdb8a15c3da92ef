/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rules.h - the nftables rule sets hv-netfilter installs, as plain data.
 *
 * The rules for a server are built here into a list of tables, chains,
 * named counters and rules (each rule: matches ANDed together, then an
 * optional counter and a verdict) with no netlink involved, so the unit
 * tests can read exactly what would be installed; nft.c turns the list
 * into one nftables batch.  Each rule carries a short "why" that the
 * tests and `hv-netfilter show` print.
 *
 * Match semantics are nftables' own: a payload match loads LEN bytes at
 * OFFSET from the link-layer, network or transport header (nft_payload),
 * a meta or ct match loads a key; the value is masked (when mask is set)
 * and compared: equal, not equal, at least or at most.  Values are in the byte order the
 * kernel loads them: network order for payload, host order for meta/ct
 * integers.
 */
#ifndef HV_NETFILTER_RULES_H
#define HV_NETFILTER_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

#define NF_NAME_LEN        32
#define NF_MATCHES_MAX     6
#define NF_CHAINS_MAX      4
#define NF_COUNTERS_MAX    4
#define NF_RULES_MAX       128
#define NF_TABLES_MAX      2
#define NF_VALUE_MAX       16

/* The header in front of the network header that nftables' netdev
 * ingress counters leave out and egress counters include: an Ethernet
 * header without VLAN tag (any tagged frame is dropped at ingress). */
#define NF_ETH_HEADER_BYTES 14

/* Named counters of a server's tables (nft "counter" objects). */
#define NF_CTR_TX          "tx"		/* frames the guest sent, accepted */
#define NF_CTR_TX_DROPPED  "tx_dropped"	/* frames the guest sent, dropped */
#define NF_CTR_RX          "rx"		/* frames sent to the guest */
#define NF_CTR_RX_DROPPED  "rx_dropped"	/* refused by the allow list */

/* NF_FIB: the route lookup's address type of the destination (key
 * NFT_FIB_RESULT_ADDRTYPE, value a host-order u32 RTN_*). */
enum nf_source { NF_PAYLOAD, NF_META, NF_CT, NF_FIB };
/* GTE/LTE compare the loaded bytes as one big-endian number (nftables'
 * cmp does memcmp), which is right for payload fields in network order. */
enum nf_op { NF_OP_EQ, NF_OP_NE, NF_OP_GTE, NF_OP_LTE };

struct nf_match {
	enum nf_source source;
	uint32_t base;		/* NF_PAYLOAD: enum nft_payload_bases */
	uint32_t key;		/* NF_PAYLOAD: offset; else enum nft_meta_keys/nft_ct_keys */
	uint32_t len;		/* bytes, 1..NF_VALUE_MAX */
	bool masked;
	uint8_t mask[NF_VALUE_MAX];
	enum nf_op op;
	uint8_t value[NF_VALUE_MAX];
};

enum nf_verdict {
	NF_V_ACCEPT,
	NF_V_DROP,
	NF_V_JUMP,		/* to target_chain */
	NF_V_RETURN,
	NF_V_MASQUERADE,	/* the "masq" expression (nat chains) */
	NF_V_DNAT,		/* to dnat_addr:dnat_port (IPv4, nat chains) */
};

struct nf_rule {
	unsigned chain;		/* index in the table's chains */
	struct nf_match match[NF_MATCHES_MAX];
	unsigned nmatch;
	const char *counter;	/* named counter of the table, or NULL */
	enum nf_verdict verdict;
	unsigned target_chain;	/* NF_V_JUMP */
	uint8_t dnat_addr[4];	/* NF_V_DNAT, network order */
	uint16_t dnat_port;	/* NF_V_DNAT, host order */
	char why[64];
};

struct nf_chain {
	char name[NF_NAME_LEN];
	bool base;		/* hooked; the fields below are for base chains */
	const char *type;	/* "filter" or "nat" */
	unsigned hook;		/* NF_NETDEV_INGRESS, NF_INET_FORWARD... */
	int priority;
	bool has_device;	/* netdev chains: hooked on the table's ifname */
	bool policy_drop;
};

struct nf_table {
	int family;		/* NFPROTO_NETDEV, NFPROTO_INET */
	char name[NF_NAME_LEN];
	char device[IFNAMSIZ];	/* the interface netdev chains hook */
	struct nf_chain chains[NF_CHAINS_MAX];
	unsigned nchains;
	const char *counters[NF_COUNTERS_MAX];
	unsigned ncounters;
	struct nf_rule rules[NF_RULES_MAX];
	unsigned nrules;
};

struct nf_ruleset {
	struct nf_table tables[NF_TABLES_MAX];
	unsigned ntables;
};

/* A server's tables: the netdev table (ingress filter, egress count) and,
 * when inbound is denied (an allow list), an inet table that filters what is forwarded to
 * it.  Returns 0, or -1 with err when the rules would not fit. */
int nf_build_server(const struct nf_server *srv, struct nf_ruleset *out, char *err);

/* dom0's way out: an inet nat table masquerading what leaves by ifname. */
void nf_build_uplink(const char *ifname, struct nf_ruleset *out);
#define NF_UPLINK_TABLE "hv_uplink"

/* One line describing a rule, e.g. for tests and `hv-netfilter show`. */
void nf_rule_format(const struct nf_table *t, const struct nf_rule *r,
		    char *buf, size_t size);

#endif
