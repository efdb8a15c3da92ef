// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv-netfilter - isolates and routes the domUs' network interfaces in
 * dom0 (docs/networking.md).
 *
 *   hv-netfilter apply --if TAP --mac MAC [--ipv4 A/32]... [--ipv6 B/128]...
 *                      [--allow tcp|udp:PORT[-PORT][,...][@PREFIX]]...
 *                      [--allow icmp[@PREFIX]]... [--inbound allow|deny]
 *                      [--forward HOSTPORT:PORT]
 *   hv-netfilter remove --if TAP
 *   hv-netfilter counters --if TAP [--json]
 *   hv-netfilter list
 *   hv-netfilter show --if TAP --mac MAC ...   (the rules apply would install)
 *   hv-netfilter uplink --if IF [--masquerade]
 *
 * Exit status: 0 done; 1 the kernel refused or failed (the message says
 * why); 2 bad usage or input; 3 the interface does not exist, or (counters)
 * has no rules.
 */
#include <linux/netfilter.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "nft.h"
#include "route.h"
#include "rules.h"

#define EXIT_KERNEL   1
#define EXIT_USAGE    2
#define EXIT_NO_IF    3

static int usage(void)
{
	fprintf(stderr,
		"usage: hv-netfilter apply --if TAP --mac MAC [--ipv4 A/32]... [--ipv6 B/128|P/64]...\n"
		"                          [--allow tcp|udp:PORT[-PORT][,...][@PREFIX]]...\n"
		"                          [--allow icmp[@PREFIX]]... [--inbound allow|deny]\n"
		"                          [--forward HOSTPORT:PORT]\n"
		"       hv-netfilter remove --if TAP\n"
		"       hv-netfilter counters --if TAP [--json]\n"
		"       hv-netfilter list\n"
		"       hv-netfilter show --if TAP --mac MAC ...\n"
		"       hv-netfilter uplink --if IF [--masquerade]\n");
	return EXIT_USAGE;
}

static int fail(int code, const char *err)
{
	fprintf(stderr, "hv-netfilter: %s\n", err);
	return code;
}

static int cmd_apply(int argc, char **argv, bool install)
{
	struct nf_server srv;
	struct nf_ruleset set;
	char err[NF_ERR_LEN];

	if (nf_parse_server_args(argc, argv, &srv, err) ||
	    nf_build_server(&srv, &set, err))
		return fail(EXIT_USAGE, err);
	if (!install) {
		for (unsigned t = 0; t < set.ntables; t++) {
			char line[512];
			printf("table %s %s\n", set.tables[t].family == NFPROTO_NETDEV ?
			       "netdev" : "inet", set.tables[t].name);
			for (unsigned r = 0; r < set.tables[t].nrules; r++) {
				nf_rule_format(&set.tables[t], &set.tables[t].rules[r],
					       line, sizeof(line));
				printf("  %-50s # %s\n", line, set.tables[t].rules[r].why);
			}
		}
		return 0;
	}
	if (!if_nametoindex(srv.ifname)) {
		snprintf(err, sizeof(err), "interface %s does not exist", srv.ifname);
		return fail(EXIT_NO_IF, err);
	}
	/* Filter first: the routes make the server reachable. */
	if (nft_replace(&set, srv.ifname, true, err) || route_apply(&srv, err))
		return fail(EXIT_KERNEL, err);
	return 0;
}

static int one_if_arg(int argc, char **argv, char ifname[IFNAMSIZ], bool *json,
		      bool *masquerade)
{
	char err[NF_ERR_LEN];
	bool have = false;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--if") && i + 1 < argc) {
			if (nf_parse_ifname(argv[++i], ifname, err))
				return fail(EXIT_USAGE, err);
			have = true;
		} else if (json && !strcmp(argv[i], "--json")) {
			*json = true;
		} else if (masquerade && !strcmp(argv[i], "--masquerade")) {
			*masquerade = true;
		} else {
			return usage();
		}
	}
	return have ? 0 : usage();
}

static int cmd_remove(int argc, char **argv)
{
	char ifname[IFNAMSIZ], err[NF_ERR_LEN];
	int ret = one_if_arg(argc, argv, ifname, NULL, NULL);

	if (ret)
		return ret;
	if (nft_remove(ifname, err) || route_remove(ifname, err))
		return fail(EXIT_KERNEL, err);
	return 0;
}

/* A server's counters; bytes are whole Ethernet frames (nftables counts
 * from the network header at ingress: the header is added back). */
struct server_counts {
	struct nf_count tx, tx_dropped, rx, rx_dropped;
};

static int read_counts(const char *ifname, struct server_counts *c, char *err)
{
	char table[NF_NAME_LEN];
	int ret;

	memset(c, 0, sizeof(*c));
	nf_table_name(ifname, table);
	if ((ret = nft_counter(NFPROTO_NETDEV, table, NF_CTR_TX, &c->tx, err)) ||
	    (ret = nft_counter(NFPROTO_NETDEV, table, NF_CTR_TX_DROPPED, &c->tx_dropped, err)) ||
	    (ret = nft_counter(NFPROTO_NETDEV, table, NF_CTR_RX, &c->rx, err)))
		return ret;
	if (nft_counter(NFPROTO_INET, table, NF_CTR_RX_DROPPED, &c->rx_dropped, err) < 0)
		return -1;
	c->tx.bytes += NF_ETH_HEADER_BYTES * c->tx.packets;
	c->tx_dropped.bytes += NF_ETH_HEADER_BYTES * c->tx_dropped.packets;
	return 0;
}

static void print_counts(const char *ifname, const struct server_counts *c, bool json)
{
	const char *fmt = json ?
		"{\"if\": \"%s\", \"tx_bytes\": %llu, \"tx_packets\": %llu, "
		"\"tx_dropped_bytes\": %llu, \"tx_dropped_packets\": %llu, "
		"\"rx_bytes\": %llu, \"rx_packets\": %llu, "
		"\"rx_dropped_bytes\": %llu, \"rx_dropped_packets\": %llu}\n" :
		"%-15s tx %llu bytes %llu packets, tx dropped %llu bytes %llu packets, "
		"rx %llu bytes %llu packets, rx dropped %llu bytes %llu packets\n";
	printf(fmt, ifname,
	       (unsigned long long)c->tx.bytes, (unsigned long long)c->tx.packets,
	       (unsigned long long)c->tx_dropped.bytes,
	       (unsigned long long)c->tx_dropped.packets,
	       (unsigned long long)c->rx.bytes, (unsigned long long)c->rx.packets,
	       (unsigned long long)c->rx_dropped.bytes,
	       (unsigned long long)c->rx_dropped.packets);
}

static int cmd_counters(int argc, char **argv)
{
	char ifname[IFNAMSIZ], err[NF_ERR_LEN];
	struct server_counts c;
	bool json = false;
	int ret = one_if_arg(argc, argv, ifname, &json, NULL);

	if (ret)
		return ret;
	ret = read_counts(ifname, &c, err);
	if (ret > 0) {
		snprintf(err, sizeof(err), "%s has no hv-netfilter rules", ifname);
		return fail(EXIT_NO_IF, err);
	}
	if (ret < 0)
		return fail(EXIT_KERNEL, err);
	print_counts(ifname, &c, json);
	return 0;
}

static void list_one(const char *ifname, void *arg)
{
	struct server_counts c;
	char err[NF_ERR_LEN];

	(void)arg;
	if (read_counts(ifname, &c, err) == 0)
		print_counts(ifname, &c, false);
}

static int cmd_list(int argc)
{
	char err[NF_ERR_LEN];

	if (argc)
		return usage();
	if (nft_list(list_one, NULL, err))
		return fail(EXIT_KERNEL, err);
	return 0;
}

/* Forwarding on, and NAT for what leaves by the uplink. */
static int cmd_uplink(int argc, char **argv)
{
	char ifname[IFNAMSIZ], err[NF_ERR_LEN], path[96];
	bool masquerade = false;
	int ret = one_if_arg(argc, argv, ifname, NULL, &masquerade);

	if (ret)
		return ret;
	if (!if_nametoindex(ifname)) {
		snprintf(err, sizeof(err), "interface %s does not exist", ifname);
		return fail(EXIT_NO_IF, err);
	}
	/* With forwarding on, Linux stops taking router advertisements
	 * unless accept_ra is 2: the uplink keeps its IPv6 default route. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_ra", ifname);
	if (sysctl_on(path, "2", err) ||
	    sysctl_on("/proc/sys/net/ipv4/ip_forward", "1", err) ||
	    sysctl_on("/proc/sys/net/ipv6/conf/all/forwarding", "1", err))
		return fail(EXIT_KERNEL, err);
	if (masquerade) {
		struct nf_ruleset set;
		nf_build_uplink(ifname, &set);
		if (nft_replace(&set, NULL, false, err))
			return fail(EXIT_KERNEL, err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(cmd, "apply"))
		return cmd_apply(argc, argv, true);
	if (!strcmp(cmd, "show"))
		return cmd_apply(argc, argv, false);
	if (!strcmp(cmd, "remove"))
		return cmd_remove(argc, argv);
	if (!strcmp(cmd, "counters"))
		return cmd_counters(argc, argv);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc);
	if (!strcmp(cmd, "uplink"))
		return cmd_uplink(argc, argv);
	return usage();
}
