// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_ippools.c - /v1/ip-pools (admin): the hoster's IPv4 and IPv6
 * address pools; /v1/servers/{id}/ips: a server's extra IPv4 addresses;
 * and the addresses a server gets at create.
 *
 * A pool is checked whole before it is stored: a canonical network, a
 * gateway and a range inside it, resolvers that are unicast addresses, no
 * overlap with another pool of the family.  The pool row keeps the range
 * as indices (ipam.h) so that allocation is one SQL query; the texts are
 * kept as they were made canonical, for the answers.
 *
 * Every allocation and release happens in the request's write transaction
 * (router.c), with its audit entry: a refused request leaves nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "ipam.h"

/*
 * ?1: the quarantine's cut-off (released after it: quarantined).  size is
 * the range less the gateway (gateway_idx is stored only inside it).
 */
#define POOL_SIZE "(last_idx - first_idx + 1 - (gateway_idx IS NOT NULL))"
#define POOL_USED \
	"(SELECT count(*) FROM ip_allocations a WHERE a.pool_id = ip_pools.id" \
	" AND a.released_at IS NULL)"
#define POOL_QUARANTINED \
	"(SELECT count(DISTINCT a.idx) FROM ip_allocations a" \
	" WHERE a.pool_id = ip_pools.id AND a.released_at > CAST(?1 AS INTEGER)" \
	" AND NOT EXISTS (SELECT 1 FROM ip_allocations b WHERE b.pool_id = a.pool_id" \
	"   AND b.idx = a.idx AND b.released_at IS NULL))"

static const struct column pool_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "name", COL_TEXT, NULL },
	{ "family", COL_INT, NULL },
	{ "network", COL_TEXT, NULL },
	{ "gateway", COL_TEXT, NULL },
	{ "range_start", COL_TEXT, NULL },
	{ "range_end", COL_TEXT, NULL },
	{ "dns", COL_JSON, NULL },
	{ "assign_prefix_len", COL_INT, NULL },
	{ "size", COL_INT, POOL_SIZE },
	{ "used", COL_INT, POOL_USED },
	{ "quarantined", COL_INT, POOL_QUARANTINED },
	{ "free", COL_INT, POOL_SIZE " - " POOL_USED " - " POOL_QUARANTINED },
	{ "created_at", COL_TIME, NULL },
	{ "updated_at", COL_TIME, NULL },
	COLUMNS_END
};

/* The quarantine's cut-off as the ?1 of pool_columns. */
static void cutoff_text(char out[24])
{
	snprintf(out, 24, "%lld", (long long)(now_s() - api_settings.ip_quarantine));
}

static int fetch_pool(struct request *req, const char *id, json_t **out)
{
	char cutoff[24];
	const char *params[2] = { cutoff, id };

	cutoff_text(cutoff);
	return api_fetch(req->db, pool_columns, "FROM ip_pools WHERE id = ?2", 2,
			 params, out);
}

/* --- create --- */

/* A request field that is an address of the family inside the pool's
 * network; its index in *idx (if idx).  0, or the 400 answer. */
static int pool_address(struct request *req, const char *name, const struct ipam_pool *p,
			char text[IPAM_TEXT_MAX], int64_t *idx)
{
	const char *why;
	ipam_addr a;

	if (ipam_parse_addr(body_str(req, name), p->family, &a, &why))
		return req_field_error(req, name, "%s: %s", name, why);
	if (!ipam_contains(p->family, p->network, p->prefix_len, a))
		return req_field_error(req, name, "%s: is not inside the network", name);
	if (idx && (*idx = ipam_address_index(p, a)) < 0)
		return req_field_error(req, name, "%s: is beyond the pool's first %lld %s",
				       name, (long long)IPAM_INDEX_MAX + 1,
				       p->assign_len == 64 ? "/64s" : "addresses");
	ipam_format(p->family, a, text);
	return 0;
}

/* dns: each a unicast address of either family, made canonical.  The new
 * array in *out, or the 400 answer. */
static int pool_dns(struct request *req, json_t **out)
{
	json_t *list = json_object_get(req->json, "dns"), *v;
	size_t i;

	*out = json_array();
	json_array_foreach(list, i, v) {
		const char *text = json_string_value(v), *why;
		char canon[IPAM_TEXT_MAX];
		ipam_addr a;
		int family = strchr(text, ':') ? 6 : 4;

		if (ipam_parse_addr(text, family, &a, &why)) {
			json_decref(*out);
			return req_field_error(req, "dns", "dns[%zu]: %s", i, why);
		}
		ipam_format(family, a, canon);
		json_array_append_new(*out, json_string(canon));
	}
	return 0;
}

/* The pool of the family whose network overlaps, or 0 / -1. */
static int overlapping_pool(struct request *req, const struct ipam_pool *p,
			    char name[128])
{
	sqlite3_stmt *st = db_prep(req->db, "SELECT name, network FROM ip_pools"
					    " WHERE family = ?", "d", p->family);
	int rc, found = 0;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *why;
		ipam_addr net;
		int len;

		if (ipam_parse_cidr((const char *)sqlite3_column_text(st, 1), p->family,
				    &net, &len, &why))
			continue;	/* cannot be: stored canonical */
		if (ipam_overlap(p->family, p->network, p->prefix_len, net, len)) {
			snprintf(name, 128, "%s (%s)", sqlite3_column_text(st, 0),
				 sqlite3_column_text(st, 1));
			found = 1;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		found = -1;
	sqlite3_finalize(st);
	return found;
}

int ip_pools_create(struct request *req)
{
	json_t *assign = json_object_get(req->json, "assign_prefix_len"), *dns, *pool;
	struct ipam_pool p = { .family = (int)json_integer_value(
					  json_object_get(req->json, "family")) };
	char network[IPAM_TEXT_MAX + 8], net_text[IPAM_TEXT_MAX], gateway[IPAM_TEXT_MAX];
	char start[IPAM_TEXT_MAX], end[IPAM_TEXT_MAX], id[ID_MAX], other[128];
	char location[96], *dns_text;
	int64_t first, last, gw_idx;
	const char *why;
	sqlite3_stmt *st;
	bool taken, gw_in_range;
	int64_t now = now_s();
	int rc;

	if (p.family != 4 && p.family != 6)
		return req_field_error(req, "family", "family: must be 4 or 6");
	if (p.family == 4 && assign)
		return req_field_error(req, "assign_prefix_len",
				       "assign_prefix_len: IPv6 pools only (an IPv4 pool"
				       " hands out single addresses)");
	p.assign_len = p.family == 4 ? 32 : assign ? (int)json_integer_value(assign) : 128;
	if (p.assign_len != 32 && p.assign_len != 64 && p.assign_len != 128)
		return req_field_error(req, "assign_prefix_len",
				       "assign_prefix_len: must be 64 or 128");
	if (ipam_parse_cidr(body_str(req, "network"), p.family, &p.network, &p.prefix_len,
			    &why))
		return req_field_error(req, "network", "network: %s", why);
	if (p.prefix_len >= p.assign_len && !(p.family == 4 && p.prefix_len == 32))
		return req_field_error(req, "network",
				       "network: a /%d pool cannot hand out /%ds: its"
				       " prefix must be shorter", p.prefix_len, p.assign_len);
	ipam_format(p.family, p.network, net_text);
	snprintf(network, sizeof(network), "%s/%d", net_text, p.prefix_len);

	if ((rc = pool_address(req, "gateway", &p, gateway, NULL)))
		return rc;
	if (ipam_default_range(&p, &first, &last))
		return req_field_error(req, "network", "network: has no address to hand out");
	if (body_has(req, "range_start") &&
	    (rc = pool_address(req, "range_start", &p, start, &first)))
		return rc;
	if (body_has(req, "range_end") &&
	    (rc = pool_address(req, "range_end", &p, end, &last)))
		return rc;
	if (first > last)
		return req_field_error(req, "range_end", "range_end: is before range_start");
	/* An IPv4 network's own and broadcast addresses are nobody's. */
	if (p.family == 4 && p.prefix_len <= 30) {
		int64_t top = ipam_index_last(&p);

		if (first == 0 || last == top)
			return req_field_error(req, first == 0 ? "range_start" : "range_end",
					       "%s: is the network's %s address",
					       first == 0 ? "range_start" : "range_end",
					       first == 0 ? "own" : "broadcast");
	}
	/* The range as it is handed out: /64s show as their networks. */
	ipam_format(p.family, ipam_index_address(&p, first), start);
	ipam_format(p.family, ipam_index_address(&p, last), end);
	{
		ipam_addr gw;

		ipam_parse_addr(gateway, p.family, &gw, &why);
		gw_idx = ipam_address_index(&p, gw);
	}
	if (p.family == 4 && p.prefix_len <= 30 &&
	    (gw_idx == 0 || gw_idx == ipam_index_last(&p)))
		return req_field_error(req, "gateway", "gateway: is the network's %s address",
				       gw_idx == 0 ? "own" : "broadcast");
	gw_in_range = gw_idx >= first && gw_idx <= last;
	if (gw_in_range && first == last)
		return req_field_error(req, "gateway",
				       "gateway: is the range's only address");
	if ((rc = pool_dns(req, &dns)))
		return rc;
	dns_text = json_dumps(dns, JSON_COMPACT);
	json_decref(dns);
	if (!dns_text)
		return req_internal(req, "dns as JSON");

	st = db_prep(req->db, "SELECT 1 FROM ip_pools WHERE name = ?", "s",
		     body_str(req, "name"));
	taken = st && sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (taken)
		rc = req_error(req, 409, "conflict", "name: another pool has this name");
	else if ((rc = overlapping_pool(req, &p, other)) < 0)
		rc = req_internal(req, "read pools");
	else if (rc)
		rc = req_error(req, 409, "conflict",
			       "network: %s overlaps pool %s", network, other);
	else if (id_new("ipp", id))
		rc = req_internal(req, "random id");
	else if (db_run(req->db, "INSERT INTO ip_pools (id, name, family, network,"
				 " prefix_len, gateway, range_start, range_end, first_idx,"
				 " last_idx, gateway_idx, dns, assign_prefix_len,"
				 " created_at, updated_at)"
				 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, -1), ?, ?, ?, ?)",
			 "ssdsdsssiiisdii", id, body_str(req, "name"), p.family, network,
			 p.prefix_len, gateway, start, end, first, last,
			 gw_in_range ? gw_idx : -1, dns_text, p.assign_len, now,
			 now) != SQLITE_OK)
		rc = req_internal(req, "insert pool");
	free(dns_text);
	if (rc)
		return rc;
	audit_target(req, "ip_pool", id, NULL);
	if (fetch_pool(req, id, &pool) || !pool)
		return req_internal(req, "read back pool");
	snprintf(location, sizeof(location), "/v1/ip-pools/%s", id);
	str_copy(req->location, location, sizeof(req->location));
	return req_reply(req, 201, pool);
}

int ip_pools_list(struct request *req)
{
	char cutoff[24];
	const char *params[1] = { cutoff };

	cutoff_text(cutoff);
	return api_list(req, pool_columns, "FROM ip_pools WHERE ?1 IS NOT NULL", 1, params);
}

int ip_pools_get(struct request *req)
{
	json_t *pool;

	if (fetch_pool(req, req->id, &pool))
		return req_internal(req, "fetch pool");
	if (!pool)
		return req_error(req, 404, "not_found", "ip pool %s not found", req->id);
	return req_reply(req, 200, pool);
}

int ip_pools_delete(struct request *req)
{
	json_t *pool;
	json_int_t used;

	if (fetch_pool(req, req->id, &pool))
		return req_internal(req, "fetch pool");
	if (!pool)
		return req_error(req, 404, "not_found", "ip pool %s not found", req->id);
	used = json_integer_value(json_object_get(pool, "used"));
	json_decref(pool);
	audit_target(req, "ip_pool", req->id, NULL);
	if (used > 0)
		return req_error(req, 409, "in_use",
				 "ip pool %s has %lld addresses allocated to servers",
				 req->id, (long long)used);
	/* Its released allocations go with it (ON DELETE CASCADE). */
	if (db_run(req->db, "DELETE FROM ip_pools WHERE id = ?", "s", req->id) != SQLITE_OK)
		return req_internal(req, "delete pool");
	return req_reply(req, 204, NULL);
}

/* --- a server's addresses --- */

int server_addresses_setup(struct request *req, const char *server_id)
{
	int family = 0;

	switch (ipam_server_setup(req->db, server_id, api_settings.ip_quarantine,
				  &family)) {
	case IPAM_OK:
	case IPAM_NO_POOL:
		return 0;
	case IPAM_EXHAUSTED:
		return req_error(req, 409, "ip_pool_exhausted",
				 "every IPv%d pool is full: no address for a new server",
				 family);
	default:
		return req_internal(req, "allocate the server's addresses");
	}
}

/* The server as the caller may see it, for the ips routes: 0 with its
 * tenant in tenant, or the error answer (404, 403 suspended, 409). */
static int ips_server(struct request *req, char tenant[ID_MAX])
{
	json_t *server;
	bool suspended, deleting;

	if (fetch_server(req, req->id, &server))
		return req_internal(req, "fetch server");
	if (!server)
		return req_error(req, 404, "not_found", "server %s not found", req->id);
	str_copy(tenant, json_string_value(json_object_get(server, "tenant_id")), ID_MAX);
	suspended = json_is_true(json_object_get(server, "suspended"));
	deleting = strcmp(json_string_value(json_object_get(server, "desired_state")),
			  "deleted") == 0;
	json_decref(server);
	audit_target(req, "server", req->id, tenant);
	if (suspended && !req->who.admin)
		return req_error(req, 403, "server_suspended", "server %s is suspended",
				 req->id);
	if (deleting)
		return req_error(req, 409, "invalid_state", "server %s is being deleted",
				 req->id);
	return 0;
}

int server_ips_add(struct request *req)
{
	char tenant[ID_MAX], address[IPAM_TEXT_MAX], location[160];
	json_t *server, *out = NULL, *v;
	size_t i;
	int rc;

	if ((rc = ips_server(req, tenant)))
		return rc;
	if ((rc = policy_check_ips(req, tenant, 1)))
		return rc;
	switch (ipam_allocate(req->db, req->id, 4, false, api_settings.ip_quarantine,
			      address)) {
	case IPAM_OK:
		break;
	case IPAM_NO_POOL:
		return req_error(req, 409, "conflict", "there is no IPv4 pool");
	case IPAM_EXHAUSTED:
		return req_error(req, 409, "ip_pool_exhausted", "every IPv4 pool is full");
	default:
		return req_internal(req, "allocate an address");
	}
	/* The answer is the address as GET /v1/servers/{id} shows it. */
	if (fetch_server(req, req->id, &server) || !server)
		return req_internal(req, "read back server");
	json_array_foreach(json_object_get(server, "addresses"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "address")), address) == 0)
			out = json_incref(v);
	json_decref(server);
	if (!out)
		return req_internal(req, "read back address");
	snprintf(location, sizeof(location), "/v1/servers/%s/ips/%s", req->id, address);
	str_copy(req->location, location, sizeof(req->location));
	return req_reply(req, 201, out);
}

int server_ips_delete(struct request *req)
{
	char tenant[ID_MAX], canon[IPAM_TEXT_MAX];
	const char *why;
	sqlite3_stmt *st;
	ipam_addr a;
	int family = strchr(req->address, ':') ? 6 : 4, rc, primary = -1;
	int64_t seq = 0;

	if ((rc = ips_server(req, tenant)))
		return rc;
	if (ipam_parse_addr(req->address, family, &a, &why))
		return req_error(req, 404, "not_found", "server %s has no address %s",
				 req->id, req->address);
	ipam_format(family, a, canon);
	st = db_prep(req->db, "SELECT seq, is_primary FROM ip_allocations WHERE server_id = ?"
			      " AND address = ? AND released_at IS NULL", "ss", req->id, canon);
	if (!st)
		return req_internal(req, "find address");
	if (sqlite3_step(st) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		primary = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (primary < 0)
		return req_error(req, 404, "not_found", "server %s has no address %s",
				 req->id, canon);
	if (primary)
		return req_error(req, 409, "conflict",
				 "%s is the server's primary address: it goes with the server",
				 canon);
	if (db_run(req->db, "UPDATE ip_allocations SET released_at = ? WHERE seq = ?", "ii",
		   now_s(), seq) != SQLITE_OK)
		return req_internal(req, "release address");
	return req_reply(req, 204, NULL);
}
