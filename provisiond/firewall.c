// SPDX-License-Identifier: GPL-2.0-only
/*
 * firewall.c - parsing a server's inbound firewall rules and loading them
 * (firewall.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "firewall.h"
#include "log.h"
#include "util.h"

/* "22" or "8000-8100" into first..last; 0 or -1. */
static int parse_ports(const char *s, unsigned long *first, unsigned long *last)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*first = strtoul(s, &end, 10);
	*last = *first;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -1;
		*last = strtoul(end + 1, &end, 10);
	}
	if (*end || errno || *first < 1 || *last > 65535 || *first > *last)
		return -1;
	return 0;
}

/* "A[/L]" into its canonical text; host bits must be zero.  0 or -1. */
static int parse_source(const char *s, char *out, size_t size, const char **why)
{
	char addr[64], *slash, *end;
	unsigned char bytes[16];
	int family, max;
	long len;

	*why = "source must be an IPv4 or IPv6 prefix, e.g. 192.0.2.0/24";
	if (strlen(s) >= sizeof(addr))
		return -1;
	strcpy(addr, s);
	slash = strchr(addr, '/');
	if (slash)
		*slash++ = '\0';
	family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	max = family == AF_INET6 ? 128 : 32;
	if (inet_pton(family, addr, bytes) != 1)
		return -1;
	len = max;
	if (slash) {
		if (!isdigit((unsigned char)*slash))
			return -1;
		errno = 0;
		len = strtol(slash, &end, 10);
		if (*end || errno || len > max)
			return -1;
	}
	for (int bit = (int)len; bit < max; bit++)
		if (bytes[bit / 8] & (0x80 >> (bit % 8))) {
			*why = "source has bits set beyond its prefix length";
			return -1;
		}
	if (!inet_ntop(family, bytes, addr, sizeof(addr)))
		return -1;
	if (snprintf(out, size, "%s/%ld", addr, len) >= (int)size)
		return -1;
	return 0;
}

int firewall_rule_parse(const char *rule, char *out, const char **why)
{
	char buf[HVB_NIC_ALLOW_LEN * 2], source[64] = "", *at, *ports = NULL;
	unsigned long first = 0, last = 0;
	size_t n;

	*why = "a rule is tcp:PORT[-PORT][@SOURCE], udp:PORT[-PORT][@SOURCE] or "
	       "icmp[@SOURCE]";
	if (strlen(rule) >= sizeof(buf))
		return -1;
	strcpy(buf, rule);
	at = strchr(buf, '@');
	if (at) {
		*at++ = '\0';
		if (parse_source(at, source, sizeof(source), why))
			return -1;
	}
	if (strcmp(buf, "icmp") != 0) {
		ports = strchr(buf, ':');
		if (!ports)
			return -1;
		*ports++ = '\0';
		if (strcmp(buf, "tcp") != 0 && strcmp(buf, "udp") != 0)
			return -1;
		if (parse_ports(ports, &first, &last)) {
			*why = "ports are PORT or FIRST-LAST, 1..65535, FIRST <= LAST";
			return -1;
		}
	}
	n = (size_t)snprintf(out, HVB_NIC_ALLOW_LEN, "%s", buf);
	if (ports && first == last)
		n += (size_t)snprintf(out + n, HVB_NIC_ALLOW_LEN - n, ":%lu", first);
	else if (ports)
		n += (size_t)snprintf(out + n, HVB_NIC_ALLOW_LEN - n, ":%lu-%lu", first, last);
	if (source[0])
		n += (size_t)snprintf(out + n, HVB_NIC_ALLOW_LEN - n, "@%s", source);
	return n < HVB_NIC_ALLOW_LEN ? 0 : -1;
}

int firewall_load(sqlite3 *db, const char *server_id, struct hvb_nic *nic)
{
	sqlite3_stmt *st;
	json_t *rules = NULL;
	int rc;

	nic->inbound_deny = false;
	nic->nallow = 0;
	st = db_prep(db, "SELECT inbound_default, inbound FROM server_firewalls"
			 " WHERE server_id = ?", "s", server_id);
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		nic->inbound_deny = strcmp((const char *)sqlite3_column_text(st, 0),
					   "deny") == 0;
		rules = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	/* Stored rules were checked when they were stored; a row edited by
	 * hand into something else is skipped here, and hv-netfilter would
	 * refuse it anyway. */
	for (size_t i = 0; i < json_array_size(rules) && nic->nallow < HVB_NIC_ALLOW_MAX; i++) {
		const char *why, *text = json_string_value(json_array_get(rules, i));

		if (text && firewall_rule_parse(text, nic->allow[nic->nallow], &why) == 0)
			nic->nallow++;
		else
			log_warn("server %s: stored firewall rule %zu skipped: %s", server_id,
				 i, text ? why : "not a string");
	}
	json_decref(rules);
	return 0;
}
