// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipam.c - address management: what an index in a pool means, and the
 * allocation of addresses to servers (see ipam.h, docs/addressing.md).
 *
 * What it promises: an address (an index of a pool) is never live for two
 * servers, and one released is not handed out again for the quarantine.
 * The first is SQLite's to keep, not this code's: a partial UNIQUE index
 * on (pool_id, idx) WHERE released_at IS NULL (migration 5) refuses a
 * second live row whatever happens here, and the allocation is part of the
 * caller's write transaction (the server's insert), so a kill -9 leaves
 * both or neither.  The free index is found by one SQL query, the lowest
 * index of the range that no live or quarantined row holds: the candidates
 * are the range's first index and the one after each held index.
 *
 * Every pool is a network and a number of bits per index: 32 - prefix for
 * IPv4 (an index is one address), 128 - prefix for IPv6 /128s, and
 * 64 - prefix for IPv6 /64s (an index is the /64's number).  Index spaces
 * are cut to IPAM_INDEX_MAX + 1 so that indices are SQLite INTEGERs.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ipam.h"
#include "log.h"
#include "util.h"

int ipam_width(int family)
{
	return family == 4 ? 32 : 128;
}

static ipam_addr from_bytes(const uint8_t *b, int n)
{
	ipam_addr a = 0;

	for (int i = 0; i < n; i++)
		a = (a << 8) | b[i];
	return a;
}

static void to_bytes(ipam_addr a, uint8_t *b, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		b[i] = (uint8_t)a;
		a >>= 8;
	}
}

/* The mask of a prefix length within the family's width. */
static ipam_addr prefix_mask(int family, int len)
{
	int width = ipam_width(family);
	ipam_addr all = width == 128 ? ~(ipam_addr)0 : (((ipam_addr)1 << 32) - 1);

	if (len <= 0)
		return 0;
	return (all << (width - len)) & all;
}

int ipam_parse_addr(const char *text, int family, ipam_addr *out, const char **why)
{
	uint8_t b[16];
	ipam_addr a;

	if (family == 4) {
		if (!text || inet_pton(AF_INET, text, b) != 1) {
			*why = "is not an IPv4 address";
			return -1;
		}
		a = from_bytes(b, 4);
		if (a == 0)
			*why = "is the unspecified address";
		else if ((a >> 24) == 127)
			*why = "is a loopback address";
		else if ((a >> 28) == 0xe)
			*why = "is a multicast address";
		else if (a == 0xffffffffu)
			*why = "is the broadcast address";
		else
			*why = NULL;
	} else {
		if (!text || inet_pton(AF_INET6, text, b) != 1) {
			*why = "is not an IPv6 address";
			return -1;
		}
		a = from_bytes(b, 16);
		if (a == 0)
			*why = "is the unspecified address";
		else if (a == 1)
			*why = "is the loopback address";
		else if (b[0] == 0xff)
			*why = "is a multicast address";
		else if ((a >> 32) == 0xffff)
			*why = "is an IPv4-mapped address";
		else
			*why = NULL;
	}
	if (*why)
		return -1;
	*out = a;
	return 0;
}

int ipam_parse_cidr(const char *text, int family, ipam_addr *net, int *len,
		    const char **why)
{
	char addr[IPAM_TEXT_MAX];
	const char *slash = text ? strchr(text, '/') : NULL;
	const char *p;
	size_t n;
	int value = 0;

	if (!slash) {
		*why = "is not address/prefix-length";
		return -1;
	}
	n = (size_t)(slash - text);
	if (n == 0 || n >= sizeof(addr) || !slash[1] || strlen(slash + 1) > 3) {
		*why = "is not address/prefix-length";
		return -1;
	}
	for (p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9') {
			*why = "has a prefix length that is not a number";
			return -1;
		}
		value = value * 10 + (*p - '0');
	}
	if (value < 1 || value > ipam_width(family)) {
		*why = family == 4 ? "has a prefix length outside 1..32"
				   : "has a prefix length outside 1..128";
		return -1;
	}
	memcpy(addr, text, n);
	addr[n] = '\0';
	if (ipam_parse_addr(addr, family, net, why))
		return -1;
	if (*net & ~prefix_mask(family, value)) {
		*why = "has host bits set (not the network's canonical form)";
		return -1;
	}
	*len = value;
	return 0;
}

void ipam_format(int family, ipam_addr a, char out[IPAM_TEXT_MAX])
{
	uint8_t b[16];

	if (family == 4) {
		to_bytes(a, b, 4);
		inet_ntop(AF_INET, b, out, IPAM_TEXT_MAX);
	} else {
		to_bytes(a, b, 16);
		inet_ntop(AF_INET6, b, out, IPAM_TEXT_MAX);
	}
}

bool ipam_contains(int family, ipam_addr net, int len, ipam_addr a)
{
	return (a & prefix_mask(family, len)) == net;
}

bool ipam_overlap(int family, ipam_addr net1, int len1, ipam_addr net2, int len2)
{
	int shorter = len1 < len2 ? len1 : len2;
	ipam_addr mask = prefix_mask(family, shorter);

	return (net1 & mask) == (net2 & mask);
}

/* Bits of the index within an address: below them the assignment's own. */
static int index_shift(const struct ipam_pool *p)
{
	return ipam_width(p->family) - p->assign_len;
}

int64_t ipam_index_last(const struct ipam_pool *p)
{
	int bits = p->assign_len - p->prefix_len;

	if (bits >= 62)
		return IPAM_INDEX_MAX;
	return (int64_t)((UINT64_C(1) << bits) - 1);
}

ipam_addr ipam_index_address(const struct ipam_pool *p, int64_t idx)
{
	return p->network + ((ipam_addr)(uint64_t)idx << index_shift(p));
}

int64_t ipam_address_index(const struct ipam_pool *p, ipam_addr a)
{
	ipam_addr offset;

	if (!ipam_contains(p->family, p->network, p->prefix_len, a))
		return -1;
	offset = (a - p->network) >> index_shift(p);
	if (offset > (ipam_addr)ipam_index_last(p))
		return -1;
	return (int64_t)offset;
}

int ipam_default_range(const struct ipam_pool *p, int64_t *first, int64_t *last)
{
	int64_t top = ipam_index_last(p);

	*first = 0;
	*last = top;
	if (p->family == 4 && p->prefix_len <= 30) {
		*first = 1;		/* the network's address */
		*last = top - 1;	/* the broadcast address */
	} else if (p->family == 6 && p->assign_len == 128) {
		*first = 1;		/* the subnet-router anycast address */
	}
	return *first <= *last ? 0 : -1;
}

void ipam_mac_format(const uint8_t random[5], char out[18])
{
	snprintf(out, 18, "02:%02x:%02x:%02x:%02x:%02x", random[0], random[1],
		 random[2], random[3], random[4]);
}

/* --- database --- */

/*
 * The lowest free index of a pool: ?1 pool, ?2..?3 its range, ?4 the
 * quarantine's cut-off (released after it: still held), ?5 the gateway's
 * index or NULL.
 */
static const char free_index_sql[] =
	"SELECT c FROM ("
	"  SELECT ?2 AS c"
	"  UNION SELECT idx + 1 FROM ip_allocations WHERE pool_id = ?1"
	"    AND (released_at IS NULL OR released_at > ?4)"
	"  UNION SELECT ?5 + 1 WHERE ?5 IS NOT NULL"
	") WHERE c BETWEEN ?2 AND ?3 AND c IS NOT ?5"
	"  AND NOT EXISTS (SELECT 1 FROM ip_allocations a WHERE a.pool_id = ?1"
	"    AND a.idx = c AND (a.released_at IS NULL OR a.released_at > ?4))"
	" ORDER BY c LIMIT 1";

/* One pool's lowest free index: 1 found, 0 full, -1 error. */
static int free_index(sqlite3 *db, const char *pool_id, int64_t first, int64_t last,
		      int64_t cutoff, sqlite3_stmt *pool_row, int gw_col, int64_t *idx)
{
	sqlite3_stmt *st = db_cached(db, free_index_sql, "siii", pool_id, first, last,
				     cutoff);
	int rc;

	if (!st)
		return -1;
	if (sqlite3_column_type(pool_row, gw_col) == SQLITE_NULL)
		sqlite3_bind_null(st, 5);
	else
		sqlite3_bind_int64(st, 5, sqlite3_column_int64(pool_row, gw_col));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*idx = sqlite3_column_int64(st, 0);
	db_release(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	log_error("ipam: free index of pool %s: %s", pool_id, sqlite3_errmsg(db));
	return -1;
}

enum ipam_result ipam_allocate(sqlite3 *db, const char *server_id, int family,
			       bool primary, int quarantine_s,
			       char address[IPAM_TEXT_MAX])
{
	sqlite3_stmt *pools = db_prep(db, "SELECT id, network, prefix_len, assign_prefix_len,"
					  " first_idx, last_idx, gateway_idx"
					  " FROM ip_pools WHERE family = ? ORDER BY seq",
				      "d", family);
	enum ipam_result result = IPAM_NO_POOL;
	int64_t now = now_s();
	int rc;

	if (!pools)
		return IPAM_ERROR;
	while ((rc = sqlite3_step(pools)) == SQLITE_ROW) {
		const char *pool_id = (const char *)sqlite3_column_text(pools, 0);
		const char *why;
		struct ipam_pool p = { .family = family };
		char text[IPAM_TEXT_MAX];
		int64_t idx;
		int found;

		result = IPAM_EXHAUSTED;
		if (ipam_parse_cidr((const char *)sqlite3_column_text(pools, 1), family,
				    &p.network, &p.prefix_len, &why)) {
			log_error("ipam: pool %s: its network %s", pool_id, why);
			result = IPAM_ERROR;
			break;
		}
		p.assign_len = sqlite3_column_int(pools, 3);
		found = free_index(db, pool_id, sqlite3_column_int64(pools, 4),
				   sqlite3_column_int64(pools, 5), now - quarantine_s,
				   pools, 6, &idx);
		if (found < 0) {
			result = IPAM_ERROR;
			break;
		}
		if (!found)
			continue;
		ipam_format(family, ipam_index_address(&p, idx), text);
		if (db_run(db, "INSERT INTO ip_allocations (pool_id, idx, address, family,"
			       " server_id, is_primary, allocated_at)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?)", "sisdsdi", pool_id, idx,
			   text, family, server_id, primary ? 1 : 0, now) != SQLITE_OK) {
			result = IPAM_ERROR;
			break;
		}
		if (address)
			str_copy(address, text, IPAM_TEXT_MAX);
		result = IPAM_OK;
		break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		result = IPAM_ERROR;
	sqlite3_finalize(pools);
	return result;
}

/* A MAC no other server has; the UNIQUE index is the backstop.  0, -1. */
static int assign_mac(sqlite3 *db, const char *server_id)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		uint8_t random[5];
		char mac[18];
		sqlite3_stmt *st;
		bool taken;

		if (random_bytes(random, sizeof(random)))
			return -1;
		ipam_mac_format(random, mac);
		st = db_prep(db, "SELECT 1 FROM servers WHERE mac = ?", "s", mac);
		if (!st)
			return -1;
		taken = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (taken)
			continue;
		return db_run(db, "UPDATE servers SET mac = ? WHERE id = ?", "ss", mac,
			      server_id) == SQLITE_OK ? 0 : -1;
	}
	log_error("ipam: no free MAC address after 16 tries");
	return -1;
}

enum ipam_result ipam_server_setup(sqlite3 *db, const char *server_id,
				   int quarantine_s, int *family_out)
{
	static const int families[] = { 4, 6 };

	if (assign_mac(db, server_id))
		return IPAM_ERROR;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		enum ipam_result r = ipam_allocate(db, server_id, families[i], true,
						   quarantine_s, NULL);

		*family_out = families[i];
		if (r == IPAM_EXHAUSTED || r == IPAM_ERROR)
			return r;
	}
	return IPAM_OK;
}
