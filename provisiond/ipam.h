// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipam.h - address management: IP pools, the addresses (or IPv6 /64s)
 * servers get from them, and servers' MAC addresses.
 *
 * The pure part (parsing, canonical forms, overlap, index <-> address)
 * has no database and is unit-tested on its own; the database part
 * allocates and releases inside the caller's write transaction.
 * docs/addressing.md has the rules and why.
 */
#ifndef PROVISIOND_IPAM_H
#define PROVISIOND_IPAM_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

/* An address of either family as a 128-bit number (IPv4 in the low 32). */
typedef unsigned __int128 ipam_addr;

/* Text of an address or "address/len": enough for IPv6 and a prefix. */
#define IPAM_TEXT_MAX	64

/* The largest index within a pool: indices are SQLite INTEGERs, and a
 * pool's index space is cut to 2^62 entries (more than anyone allocates). */
#define IPAM_INDEX_MAX	((int64_t)((UINT64_C(1) << 62) - 1))

/* The shape of a pool: what an index means. */
struct ipam_pool {
	int family;		/* 4 or 6 */
	ipam_addr network;	/* host bits zero */
	int prefix_len;
	int assign_len;		/* what one index is: 32 (v4), 64 or 128 (v6) */
};

/*
 * A server's live addresses as the API shows them (a JSON array, primary
 * ones first), as SQL on a row of servers: server_columns' "addresses".
 */
#define IPAM_SERVER_ADDRESSES_SQL \
	"(SELECT json_group_array(json_object('address', address, 'family', family," \
	" 'prefix_len', prefix_len, 'gateway', gateway, 'dns', json(dns)," \
	" 'primary', json(CASE WHEN is_primary THEN 'true' ELSE 'false' END)))" \
	" FROM (SELECT a.address, a.family, a.is_primary, p.gateway, p.dns," \
	"   CASE WHEN p.assign_prefix_len = 64 THEN 64 ELSE p.prefix_len END AS prefix_len" \
	"   FROM ip_allocations a JOIN ip_pools p ON p.id = a.pool_id" \
	"   WHERE a.server_id = servers.id AND a.released_at IS NULL" \
	"   ORDER BY a.is_primary DESC, a.family, a.seq))"

/* --- pure --- */

/* Bits of an address of the family: 32 or 128. */
int ipam_width(int family);

/*
 * One unicast address of the family (inet_pton), not unspecified,
 * loopback, multicast, limited broadcast, or (IPv6) IPv4-mapped.
 * 0, or -1 with *why ("is not an IPv4 address", ...).
 */
int ipam_parse_addr(const char *text, int family, ipam_addr *out, const char **why);

/*
 * "address/len" of the family with its host bits zero (else -1 with
 * *why "has host bits set"), the address as ipam_parse_addr() takes it
 * (except that an all-zero network is refused as unspecified too).
 */
int ipam_parse_cidr(const char *text, int family, ipam_addr *net, int *len,
		    const char **why);

/* The canonical text of an address (inet_ntop). */
void ipam_format(int family, ipam_addr a, char out[IPAM_TEXT_MAX]);

/* Whether a is in net/len. */
bool ipam_contains(int family, ipam_addr net, int len, ipam_addr a);

/* Whether two networks of one family share an address. */
bool ipam_overlap(int family, ipam_addr net1, int len1, ipam_addr net2, int len2);

/* Indices the pool has: 0 .. ipam_index_last(). */
int64_t ipam_index_last(const struct ipam_pool *p);

/* The address (or /64's network) of index idx (0 .. ipam_index_last()). */
ipam_addr ipam_index_address(const struct ipam_pool *p, int64_t idx);

/* The index of the address (or of the /64 holding it); -1 if it is not
 * in the pool's network or beyond its index space. */
int64_t ipam_address_index(const struct ipam_pool *p, ipam_addr a);

/*
 * The indices a pool hands out when no range is given: an IPv4 network
 * less its network and broadcast addresses (a /31 or /32: all of it);
 * an IPv6 /128 pool less its first address (the subnet-router anycast);
 * an IPv6 /64 pool all its /64s.  -1 if that leaves nothing.
 */
int ipam_default_range(const struct ipam_pool *p, int64_t *first, int64_t *last);

/* A locally administered unicast MAC: 02 and five bytes of `random`,
 * "02:xx:xx:xx:xx:xx". */
void ipam_mac_format(const uint8_t random[5], char out[18]);

/* --- database (inside the caller's write transaction) --- */

enum ipam_result {
	IPAM_OK = 0,
	IPAM_NO_POOL = 1,	/* no pool of the family: nothing to do */
	IPAM_EXHAUSTED = 2,	/* pools of the family exist, all full */
	IPAM_ERROR = -1,
};

/*
 * Allocates the lowest free index of the first pool of the family (in
 * order of creation) with one: free means no live allocation and none
 * released less than quarantine_s ago, and not the gateway.  Records it
 * for server_id; the address in address (may be NULL).
 */
enum ipam_result ipam_allocate(sqlite3 *db, const char *server_id, int family,
			       bool primary, int quarantine_s,
			       char address[IPAM_TEXT_MAX]);

/*
 * What a new server gets: a MAC (unique, retried on the rare collision)
 * and a primary address of each family that has pools.  IPAM_EXHAUSTED
 * names the family in *family_out.
 */
enum ipam_result ipam_server_setup(sqlite3 *db, const char *server_id,
				   int quarantine_s, int *family_out);

/* --- the API's side (api_ippools.c) --- */

struct request;

/*
 * At a server's create, in its transaction: ipam_server_setup(); 0, or
 * the error answer's status (409 ip_pool_exhausted, 500).
 */
int server_addresses_setup(struct request *req, const char *server_id);

#endif
