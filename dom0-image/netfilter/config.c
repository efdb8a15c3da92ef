// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - parsing hv-netfilter's command-line words (see config.h).
 * Strict on purpose: a word is taken whole or refused with the reason, so
 * a typo in an address never becomes a rule for a different address.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nf_parse_ifname(const char *s, char out[IFNAMSIZ], char *err)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ) {
		snprintf(err, NF_ERR_LEN, "interface name '%s': must be 1..%d characters",
			 s, IFNAMSIZ - 1);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		/* What the kernel refuses (dev_valid_name), and '%' which
		 * only means something to name templates. */
		if (c <= ' ' || c == '/' || c == ':' || c == '%' || c >= 0x7f) {
			snprintf(err, NF_ERR_LEN, "interface name '%s': bad character", s);
			return -1;
		}
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		snprintf(err, NF_ERR_LEN, "interface name '%s' is not allowed", s);
		return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int nf_parse_mac(const char *s, uint8_t mac[6], char *err)
{
	/* Exactly xx:xx:xx:xx:xx:xx. */
	if (strlen(s) != 17)
		goto bad;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			goto bad;
		mac[i] = hi << 4 | lo;
	}
	if (mac[0] & 1) {
		snprintf(err, NF_ERR_LEN, "MAC '%s' is a multicast address", s);
		return -1;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		snprintf(err, NF_ERR_LEN, "MAC '%s' is all zeroes", s);
		return -1;
	}
	return 0;
bad:
	snprintf(err, NF_ERR_LEN, "MAC '%s': expected six hex pairs like 02:68:76:00:01:00", s);
	return -1;
}

/* Splits "A/L" into the address text and the length (max if absent). */
static int split_prefix(const char *s, char *addr, size_t addr_size,
			unsigned max, unsigned *len, char *err)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n == 0 || n >= addr_size) {
		snprintf(err, NF_ERR_LEN, "address '%s': bad length", s);
		return -1;
	}
	memcpy(addr, s, n);
	addr[n] = 0;
	*len = max;
	if (slash) {
		char *end;
		errno = 0;
		unsigned long l = strtoul(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end || errno || l > max) {
			snprintf(err, NF_ERR_LEN, "address '%s': prefix length must be 0..%u",
				 s, max);
			return -1;
		}
		*len = l;
	}
	return 0;
}

/* Host bits set below the prefix length make the prefix ambiguous. */
static bool host_bits_clear(const uint8_t *a, unsigned bytes, unsigned len)
{
	for (unsigned bit = len; bit < bytes * 8; bit++)
		if (a[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

int nf_parse_prefix4(const char *s, struct nf_prefix4 *out, char *err)
{
	char addr[INET_ADDRSTRLEN];

	if (split_prefix(s, addr, sizeof(addr), 32, &out->len, err))
		return -1;
	if (inet_pton(AF_INET, addr, out->addr) != 1) {
		snprintf(err, NF_ERR_LEN, "'%s' is not an IPv4 address", s);
		return -1;
	}
	if (!host_bits_clear(out->addr, 4, out->len)) {
		snprintf(err, NF_ERR_LEN, "'%s' has bits set after the prefix length", s);
		return -1;
	}
	return 0;
}

int nf_parse_prefix6(const char *s, struct nf_prefix6 *out, char *err)
{
	char addr[INET6_ADDRSTRLEN];

	if (split_prefix(s, addr, sizeof(addr), 128, &out->len, err))
		return -1;
	if (inet_pton(AF_INET6, addr, out->addr) != 1) {
		snprintf(err, NF_ERR_LEN, "'%s' is not an IPv6 address", s);
		return -1;
	}
	if (!host_bits_clear(out->addr, 16, out->len)) {
		snprintf(err, NF_ERR_LEN, "'%s' has bits set after the prefix length", s);
		return -1;
	}
	return 0;
}

int nf_parse_host4(const char *s, struct nf_prefix4 *out, char *err)
{
	if (nf_parse_prefix4(s, out, err))
		return -1;
	if (out->len != 32) {
		snprintf(err, NF_ERR_LEN, "'%s': a server's IPv4 address is a /32", s);
		return -1;
	}
	const uint8_t *a = out->addr;
	if (a[0] == 0 || a[0] == 127 || a[0] >= 224 ||
	    (a[0] == 169 && a[1] == 254)) {
		snprintf(err, NF_ERR_LEN,
			 "'%s' cannot be a server's address (unspecified, loopback, "
			 "multicast, reserved or link-local)", s);
		return -1;
	}
	return 0;
}

int nf_parse_host6(const char *s, struct nf_prefix6 *out, char *err)
{
	if (nf_parse_prefix6(s, out, err))
		return -1;
	if (out->len < NF_IPV6_PREFIX_MIN) {
		snprintf(err, NF_ERR_LEN, "'%s': a server's IPv6 address is a /128, or a "
			 "prefix of its own, /%d or longer", s, NF_IPV6_PREFIX_MIN);
		return -1;
	}
	static const uint8_t zero[15];
	const uint8_t *a = out->addr;
	if ((!memcmp(a, zero, 15) && a[15] <= 1) || a[0] == 0xff ||
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)) {
		snprintf(err, NF_ERR_LEN,
			 "'%s' cannot be a server's address (unspecified, loopback, "
			 "multicast or link-local)", s);
		return -1;
	}
	return 0;
}

/* "22" or "8000-8100", ports 1..65535, first <= last. */
static int parse_port_range(const char *tok, struct nf_port_range *out)
{
	unsigned long first, last;
	char *end;

	if (!isdigit((unsigned char)*tok))
		return -1;
	errno = 0;
	first = strtoul(tok, &end, 10);
	last = first;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -1;
		last = strtoul(end + 1, &end, 10);
	}
	if (*end || errno || first == 0 || last > 65535 || first > last)
		return -1;
	out->first = first;
	out->last = last;
	return 0;
}

int nf_parse_allow(const char *s, struct nf_allow *out, char *err)
{
	char buf[160];
	char *ports = NULL, *src, *tok, *save;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, NF_ERR_LEN, "allow rule too long");
		return -1;
	}
	strcpy(buf, s);
	src = strchr(buf, '@');
	if (src)
		*src++ = 0;
	if (!strcmp(buf, "icmp")) {
		out->proto = IPPROTO_ICMP;
	} else {
		ports = strchr(buf, ':');
		if (!ports)
			goto bad;
		*ports++ = 0;
		if (!strcmp(buf, "tcp"))
			out->proto = IPPROTO_TCP;
		else if (!strcmp(buf, "udp"))
			out->proto = IPPROTO_UDP;
		else
			goto bad;
	}
	if (src) {
		if (strchr(src, ':')) {
			out->family = AF_INET6;
			if (nf_parse_prefix6(src, &out->src6, err))
				return -1;
		} else {
			out->family = AF_INET;
			if (nf_parse_prefix4(src, &out->src4, err))
				return -1;
		}
	}
	if (!ports)
		return 0;
	/* strtok_r would skip empty items: "22,,80" is a typo, refuse it. */
	if (!*ports || *ports == ',' || ports[strlen(ports) - 1] == ',' ||
	    strstr(ports, ",,"))
		goto bad;
	for (tok = strtok_r(ports, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (out->nports == NF_ALLOW_PORTS_MAX) {
			snprintf(err, NF_ERR_LEN, "allow '%s': more than %d ports", s,
				 NF_ALLOW_PORTS_MAX);
			return -1;
		}
		if (parse_port_range(tok, &out->ports[out->nports++]))
			goto bad;
	}
	return 0;
bad:
	snprintf(err, NF_ERR_LEN,
		 "allow '%s': expected tcp|udp:PORT[-PORT][,...][@PREFIX] (ports "
		 "1..65535) or icmp[@PREFIX]", s);
	return -1;
}

void nf_link_local(const uint8_t mac[6], uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac[0] ^ 0x02;	/* the universal/local bit, inverted */
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}

void nf_table_name(const char *ifname, char out[IFNAMSIZ + 8])
{
	snprintf(out, IFNAMSIZ + 8, NF_TABLE_PREFIX "%s", ifname);
}

bool nf_table_ifname(const char *table, char out[IFNAMSIZ])
{
	size_t p = strlen(NF_TABLE_PREFIX);

	if (strncmp(table, NF_TABLE_PREFIX, p) || strlen(table + p) == 0 ||
	    strlen(table + p) >= IFNAMSIZ)
		return false;
	strcpy(out, table + p);
	return true;
}

int nf_parse_server_args(int argc, char **argv, struct nf_server *srv, char *err)
{
	bool have_if = false, have_mac = false, said_allow = false;

	memset(srv, 0, sizeof(*srv));
	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i];
		if (i + 1 >= argc) {
			snprintf(err, NF_ERR_LEN, "%s: missing value", opt);
			return -1;
		}
		const char *v = argv[++i];
		if (!strcmp(opt, "--if")) {
			if (nf_parse_ifname(v, srv->ifname, err))
				return -1;
			have_if = true;
		} else if (!strcmp(opt, "--mac")) {
			if (nf_parse_mac(v, srv->mac, err))
				return -1;
			have_mac = true;
		} else if (!strcmp(opt, "--ipv4")) {
			if (srv->nipv4 == NF_IPV4_MAX) {
				snprintf(err, NF_ERR_LEN, "more than %d --ipv4", NF_IPV4_MAX);
				return -1;
			}
			if (nf_parse_host4(v, &srv->ipv4[srv->nipv4++], err))
				return -1;
		} else if (!strcmp(opt, "--ipv6")) {
			if (srv->nipv6 == NF_IPV6_MAX) {
				snprintf(err, NF_ERR_LEN, "more than %d --ipv6", NF_IPV6_MAX);
				return -1;
			}
			if (nf_parse_host6(v, &srv->ipv6[srv->nipv6++], err))
				return -1;
		} else if (!strcmp(opt, "--allow")) {
			if (srv->nallow == NF_ALLOW_MAX) {
				snprintf(err, NF_ERR_LEN, "more than %d --allow", NF_ALLOW_MAX);
				return -1;
			}
			if (nf_parse_allow(v, &srv->allow[srv->nallow++], err))
				return -1;
			srv->inbound_deny = true;
		} else if (!strcmp(opt, "--forward")) {
			unsigned long host, to;
			char *end;
			errno = 0;
			host = strtoul(v, &end, 10);
			if (!isdigit((unsigned char)*v) || *end != ':' ||
			    !isdigit((unsigned char)end[1]))
				goto bad_forward;
			to = strtoul(end + 1, &end, 10);
			if (*end || errno || !host || host > 65535 || !to || to > 65535 ||
			    srv->fwd_host_port)
				goto bad_forward;
			srv->fwd_host_port = (uint16_t)host;
			srv->fwd_port = (uint16_t)to;
		} else if (!strcmp(opt, "--inbound")) {
			if (!strcmp(v, "deny")) {
				srv->inbound_deny = true;
			} else if (!strcmp(v, "allow")) {
				said_allow = true;
			} else {
				snprintf(err, NF_ERR_LEN, "--inbound '%s': allow or deny", v);
				return -1;
			}
		} else {
			snprintf(err, NF_ERR_LEN, "unknown option %s", opt);
			return -1;
		}
	}
	if (!have_if || !have_mac) {
		snprintf(err, NF_ERR_LEN, "--if and --mac are required");
		return -1;
	}
	if (said_allow && srv->nallow) {
		snprintf(err, NF_ERR_LEN, "--inbound allow lets everything in: no --allow");
		return -1;
	}
	if (srv->fwd_host_port && !srv->nipv4) {
		snprintf(err, NF_ERR_LEN, "--forward needs an --ipv4 to forward to");
		return -1;
	}
	return 0;
bad_forward:
	snprintf(err, NF_ERR_LEN, "--forward: one HOSTPORT:PORT, ports 1..65535");
	return -1;
}
