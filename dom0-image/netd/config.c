// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - hv-netd's command line (config.h).  Everything a server's
 * DHCP and RA answers say comes from here, that is from provisiond, never
 * from the guest.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[3 * i]) || !isxdigit((unsigned char)s[3 * i + 1]))
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	if (mac[0] & 1)				/* multicast */
		return -1;
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) ? 0 : -1;
}

/* "A" or "A/L" into addr and *len (no "/L": the full length). */
static int parse_addr(const char *s, int family, uint8_t *addr, unsigned *len)
{
	char buf[64], *slash, *end;
	unsigned max = family == AF_INET ? 32 : 128;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	*len = max;
	if (slash) {
		*slash++ = '\0';
		if (!isdigit((unsigned char)*slash))
			return -1;
		errno = 0;
		unsigned long l = strtoul(slash, &end, 10);
		if (*end || errno || l > max)
			return -1;
		*len = (unsigned)l;
	}
	return inet_pton(family, buf, addr) == 1 ? 0 : -1;
}

static bool bad_unicast4(const uint8_t a[4])
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224 || (a[0] == 169 && a[1] == 254);
}

static bool bad_unicast6(const uint8_t a[16])
{
	static const uint8_t zero[15];
	return (!memcmp(a, zero, 15) && a[15] <= 1) || a[0] == 0xff ||
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

int netd_parse_args(int argc, char **argv, struct netd_config *c, char *err)
{
	bool have_if = false, have_mac = false;
	uint8_t addr[16];
	unsigned len;

	memset(c, 0, sizeof(*c));
	c->lease_s = NETD_LEASE_DEFAULT;
	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i], *v;

		if (!strcmp(opt, "--foreground")) {
			c->foreground = true;
			continue;
		}
		if (i + 1 >= argc) {
			snprintf(err, NETD_ERR_LEN, "%s: missing value", opt);
			return -1;
		}
		v = argv[++i];
		if (!strcmp(opt, "--if")) {
			if (!*v || strlen(v) >= IFNAMSIZ || strchr(v, '/') || !strcmp(v, ".") ||
			    !strcmp(v, "..")) {
				snprintf(err, NETD_ERR_LEN, "interface name '%s' is not allowed", v);
				return -1;
			}
			strcpy(c->ifname, v);
			have_if = true;
		} else if (!strcmp(opt, "--mac")) {
			if (parse_mac(v, c->mac)) {
				snprintf(err, NETD_ERR_LEN, "'%s' is not a unicast MAC", v);
				return -1;
			}
			have_mac = true;
		} else if (!strcmp(opt, "--ipv4")) {
			if (c->has_ipv4 || parse_addr(v, AF_INET, addr, &len) || len != 32 ||
			    bad_unicast4(addr)) {
				snprintf(err, NETD_ERR_LEN, "--ipv4 '%s': one host address A[/32]", v);
				return -1;
			}
			memcpy(c->ipv4, addr, 4);
			c->has_ipv4 = true;
		} else if (!strcmp(opt, "--ipv6")) {
			if (c->has_ipv6 || parse_addr(v, AF_INET6, addr, &len) ||
			    (len != 128 && len != 64) || bad_unicast6(addr) ||
			    (len == 64 && memcmp(addr + 8, "\0\0\0\0\0\0\0\0", 8))) {
				snprintf(err, NETD_ERR_LEN, "--ipv6 '%s': one address B[/128] or "
					 "prefix P::/64", v);
				return -1;
			}
			c->has_ipv6 = true;
			if (len == 64) {
				c->has_prefix6 = true;
				memcpy(c->prefix6, addr, 16);
			}
		} else if (!strcmp(opt, "--dns")) {
			if (parse_addr(v, AF_INET, addr, &len) == 0 && len == 32 &&
			    !strchr(v, '/')) {
				if (c->ndns4 == NETD_DNS_MAX)
					goto too_many;
				memcpy(c->dns4[c->ndns4++], addr, 4);
			} else if (parse_addr(v, AF_INET6, addr, &len) == 0 && len == 128 &&
				   !strchr(v, '/')) {
				if (c->ndns6 == NETD_DNS_MAX)
					goto too_many;
				memcpy(c->dns6[c->ndns6++], addr, 16);
			} else {
				snprintf(err, NETD_ERR_LEN, "--dns '%s': an IPv4 or IPv6 address", v);
				return -1;
			}
		} else if (!strcmp(opt, "--lease")) {
			char *end;
			errno = 0;
			unsigned long s = strtoul(v, &end, 10);
			if (!isdigit((unsigned char)*v) || *end || errno || s < NETD_LEASE_MIN ||
			    s > NETD_LEASE_MAX) {
				snprintf(err, NETD_ERR_LEN, "--lease '%s': %d..%d seconds", v,
					 NETD_LEASE_MIN, NETD_LEASE_MAX);
				return -1;
			}
			c->lease_s = (uint32_t)s;
		} else {
			snprintf(err, NETD_ERR_LEN, "unknown option %s", opt);
			return -1;
		}
	}
	if (!have_if || !have_mac) {
		snprintf(err, NETD_ERR_LEN, "--if and --mac are required");
		return -1;
	}
	return 0;
too_many:
	snprintf(err, NETD_ERR_LEN, "more than %d --dns of a family", NETD_DNS_MAX);
	return -1;
}
