// SPDX-License-Identifier: GPL-2.0-only
/*
 * firewall.h - a server's inbound firewall (GET/PUT
 * /v1/servers/{id}/firewall, api_firewall.c): the rule syntax, and the
 * rules as stored (server_firewalls, migration 9) and as hv-netfilter is
 * given them (server_net.c).
 *
 * A rule lets new inbound connections through to the server:
 *
 *     tcp:PORT[-PORT][@SOURCE]     udp:PORT[-PORT][@SOURCE]
 *     icmp[@SOURCE]                (ICMP and ICMPv6: ping)
 *
 * PORT 1..65535, a range first <= last; SOURCE an IPv4 or IPv6 prefix
 * ("192.0.2.0/24", "2001:db8::/32"; an address alone is a /32 or /128)
 * without host bits.  The stored and shown form is canonical (prefixes as
 * inet_ntop writes them, "22-22" as "22"), which is also hv-netfilter's
 * --allow syntax, so the same text goes to dom0; hv-netfilter checks it
 * again.  With the default "deny", what no rule allows is dropped, except
 * replies to the server's own connections; with "allow" (the default of
 * a server that never had a firewall) everything comes in, and no rule
 * may be given.
 */
#ifndef PROVISIOND_FIREWALL_H
#define PROVISIOND_FIREWALL_H

#include <sqlite3.h>
#include <stdbool.h>

#include "hv_backend.h"

#define FIREWALL_RULES_MAX	HVB_NIC_ALLOW_MAX

/*
 * One rule into its canonical text (out: HVB_NIC_ALLOW_LEN bytes).  0, or
 * -1 with *why a static sentence saying what is wrong.
 */
int firewall_rule_parse(const char *rule, char *out, const char **why);

/*
 * The server's stored firewall into nic->inbound_deny and nic->allow[]
 * (none stored: allow, no rules).  0, or -1 on a database error.
 */
int firewall_load(sqlite3 *db, const char *server_id, struct hvb_nic *nic);

#endif
