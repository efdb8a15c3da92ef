// SPDX-License-Identifier: GPL-2.0-only
/*
 * server_net.c - a server's network interface from its row, its live
 * address allocations and its inbound firewall (server_net.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "dev_forward.h"
#include "firewall.h"
#include "server_net.h"
#include "util.h"

static void add_filter(struct hvb_nic *nic, const char *address, int bits)
{
	if (nic->naddrs < HVB_NIC_ADDRS_MAX)
		snprintf(nic->addrs[nic->naddrs++], sizeof(nic->addrs[0]), "%s/%d",
			 address, bits);
}

static void add_dns(struct server_net *n, const char *dns_json)
{
	json_t *list = json_loads(dns_json ? dns_json : "[]", 0, NULL);

	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *a = json_string_value(json_array_get(list, i));
		bool seen = false;

		for (int j = 0; a && j < n->ndns; j++)
			seen |= strcmp(n->dns[j], a) == 0;
		if (a && !seen && n->ndns < SERVER_NET_DNS_MAX)
			str_copy(n->dns[n->ndns++], a, sizeof(n->dns[0]));
	}
	json_decref(list);
}

int server_net_load(sqlite3 *db, const char *server_id, struct server_net *n)
{
	sqlite3_stmt *st;
	uint64_t mbps = 0;
	int rc;

	memset(n, 0, sizeof(*n));
	st = db_prep(db, "SELECT coalesce(s.mac, ''), coalesce(p.net_mbps, 0)"
			 " FROM servers s LEFT JOIN plans p ON p.id = s.plan_id"
			 " WHERE s.id = ?", "s", server_id);
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		str_copy(n->mac, (const char *)sqlite3_column_text(st, 0), sizeof(n->mac));
		mbps = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;

	st = db_prep(db, "SELECT a.address, a.family, a.is_primary, p.assign_prefix_len,"
			 " p.dns FROM ip_allocations a JOIN ip_pools p ON p.id = a.pool_id"
			 " WHERE a.server_id = ? AND a.released_at IS NULL"
			 " ORDER BY a.is_primary DESC, a.family, a.seq", "s", server_id);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *addr = (const char *)sqlite3_column_text(st, 0);
		int family = sqlite3_column_int(st, 1);
		bool primary = sqlite3_column_int(st, 2) != 0;
		int assign = sqlite3_column_int(st, 3);

		if (family == 4) {
			add_filter(&n->nic, addr, 32);
			if (primary && !n->ipv4[0])
				snprintf(n->ipv4, sizeof(n->ipv4), "%s/32", addr);
		} else if (assign == 64) {
			/* A /64 shows as its network ("P::"): the guest takes P::1. */
			add_filter(&n->nic, addr, 64);
			if (primary && !n->ipv6[0])
				snprintf(n->ipv6, sizeof(n->ipv6), "%s1/64", addr);
		} else {
			add_filter(&n->nic, addr, 128);
			if (primary && !n->ipv6[0])
				snprintf(n->ipv6, sizeof(n->ipv6), "%s/128", addr);
		}
		if (primary)
			add_dns(n, (const char *)sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;

	n->has_nic = n->nic.naddrs > 0 && n->mac[0];
	if (n->has_nic) {
		hvb_tap_name(server_id, n->nic.tap);
		str_copy(n->nic.mac, n->mac, sizeof(n->nic.mac));
		n->nic.rx_bps = n->nic.tx_bps = mbps * BYTES_PER_S_PER_MBPS;
		for (int i = 0; i < n->ndns; i++)
			str_copy(n->nic.dns[i], n->dns[i], sizeof(n->nic.dns[0]));
		n->nic.ndns = (uint32_t)n->ndns;
		if (firewall_load(db, server_id, &n->nic) ||
		    dev_forward_load(db, server_id, &n->nic))
			return -1;
	}
	return 0;
}
