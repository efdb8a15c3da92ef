// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_firewall.c - GET/PUT /v1/servers/{id}/firewall: a server's inbound
 * firewall (firewall.h for the rules, docs/networking.md for what dom0
 * does with them).
 *
 * A PUT replaces the whole rule set.  It is stored and, when the server
 * has a domain (its tap exists), applied at once through the backend's
 * nic_apply (hv-netfilter apply: one nftables transaction), so the answer
 * says the rules are in force.  This is the one handler that calls the
 * backend instead of queueing a job: the call is dom0's hv-netfilter, not
 * the hypervisor, it is short (tens of ms; bounded by hv-netfilter's
 * timeout), and a job would only make the caller poll for it.  If the
 * apply fails, nothing is stored (503, retryable) and the old rules stay
 * in force: hv-netfilter's transaction is all or nothing.  A server with
 * a job in progress answers 409 job_in_progress, so that a start cannot
 * read the old rules while the new ones are being stored.  Every start
 * (create) applies the stored rules with the rest of the interface
 * (server_net.c), which is how they come back after a reboot of the
 * appliance.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "contract.h"
#include "db.h"
#include "firewall.h"
#include "jobs.h"
#include "log.h"
#include "server_net.h"
#include "util.h"

static const struct column firewall_columns[] = {
	{ "server_id", COL_TEXT, "s.id" },
	{ "default", COL_TEXT, "coalesce(f.inbound_default, 'allow')" },
	{ "inbound", COL_JSON, "coalesce(f.inbound, '[]')" },
	{ "updated_at", COL_TIME, "f.updated_at" },
	COLUMNS_END
};

/* The server's firewall as GET shows it (never stored: allow, no rules). */
static json_t *firewall_json(sqlite3 *db, const char *server_id)
{
	const char *params[] = { server_id };
	json_t *out = NULL;

	if (api_fetch(db, firewall_columns, "FROM servers s LEFT JOIN server_firewalls f"
		      " ON f.server_id = s.id WHERE s.id = ?1", 1, params, &out))
		return NULL;
	return out;
}

/* The server as the caller may see it; 0, or the error answer's status. */
static int visible_server(struct request *req, char tenant[ID_MAX], bool *suspended,
			  bool *deleting)
{
	json_t *server;

	if (fetch_server(req, req->id, &server))
		return req_internal(req, "fetch server");
	if (!server)
		return req_error(req, 404, "not_found", "server %s not found", req->id);
	str_copy(tenant, json_string_value(json_object_get(server, "tenant_id")), ID_MAX);
	*suspended = json_is_true(json_object_get(server, "suspended"));
	*deleting = strcmp(json_string_value(json_object_get(server, "desired_state")),
			   "deleted") == 0;
	json_decref(server);
	return 0;
}

int server_firewall_get(struct request *req)
{
	char tenant[ID_MAX];
	bool suspended, deleting;
	json_t *out;
	int rc;

	if ((rc = visible_server(req, tenant, &suspended, &deleting)))
		return rc;
	out = firewall_json(req->db, req->id);
	if (!out)
		return req_internal(req, "read firewall");
	return req_reply(req, 200, out);
}

/* The body's rules, each checked and made canonical, as a JSON array
 * (NULL: the answer, 400 naming the rule, is set). */
static json_t *checked_rules(struct request *req, const char *dflt)
{
	json_t *in = json_object_get(req->json, "inbound"), *out = json_array(), *v;
	char canon[HVB_NIC_ALLOW_LEN], field[32];
	const char *why;
	size_t i;

	json_array_foreach(in, i, v) {
		snprintf(field, sizeof(field), "inbound[%zu]", i);
		if (firewall_rule_parse(json_string_value(v), canon, &why)) {
			req_field_error(req, field, "%s: %s", json_string_value(v), why);
			json_decref(out);
			return NULL;
		}
		for (size_t j = 0; j < json_array_size(out); j++)
			if (strcmp(json_string_value(json_array_get(out, j)), canon) == 0) {
				req_field_error(req, field, "%s is the same rule as an earlier one",
						json_string_value(v));
				json_decref(out);
				return NULL;
			}
		json_array_append_new(out, json_string(canon));
	}
	if (strcmp(dflt, "allow") == 0 && json_array_size(out)) {
		req_field_error(req, "inbound", "with default \"allow\" everything is let in:"
				" rules need default \"deny\"");
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The server's domain, if it has one (its tap exists): *domid, true. */
static int server_domain(sqlite3 *db, const char *server_id, uint32_t *domid, bool *has)
{
	sqlite3_stmt *st = db_prep(db, "SELECT domain_id FROM servers WHERE id = ?", "s",
				   server_id);
	int rc;

	*has = false;
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*domid = (uint32_t)sqlite3_column_int64(st, 0);
		*has = true;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int server_firewall_update(struct request *req)
{
	const char *dflt = body_str(req, "default");
	char tenant[ID_MAX], active[ID_MAX], why[256] = "";
	bool suspended, deleting, has_domain;
	struct server_net net;
	json_t *rules, *out;
	char *rules_text;
	uint32_t domid = 0;
	int rc;

	if ((rc = visible_server(req, tenant, &suspended, &deleting)))
		return rc;
	audit_target(req, "server", req->id, tenant);
	if (suspended && !req->who.admin)
		return req_error(req, 403, "server_suspended", "server %s is suspended",
				 req->id);
	if (deleting)
		return req_error(req, 409, "invalid_state", "server %s is being deleted",
				 req->id);
	if (job_active_for(req->db, req->id, active))
		return req_error(req, 409, "job_in_progress",
				 "server %s has job %s in progress; retry when it has finished",
				 req->id, active);
	if (!(rules = checked_rules(req, dflt)))
		return req->status;
	rules_text = json_dumps(rules, JSON_COMPACT);
	json_decref(rules);
	rc = rules_text ? db_run(req->db, "INSERT OR REPLACE INTO server_firewalls"
				 " (server_id, inbound_default, inbound, updated_at)"
				 " VALUES (?, ?, ?, ?)", "sssi", req->id, dflt, rules_text,
				 now_s()) : SQLITE_NOMEM;
	free(rules_text);
	if (rc != SQLITE_OK)
		return req_internal(req, "store firewall");

	/* In force at once if the server's interface exists. */
	if (server_domain(req->db, req->id, &domid, &has_domain) ||
	    server_net_load(req->db, req->id, &net))
		return req_internal(req, "load server network");
	if (has_domain && net.has_nic) {
		struct hv_backend *hv = api_settings.hv;

		rc = hv && hv->nic_apply ? hv->nic_apply(hv, domid, &net.nic, why, sizeof(why))
					 : -ENOSYS;
		if (rc == -ENOSYS && !why[0])
			snprintf(why, sizeof(why), "the backend cannot change an interface");
		if (rc) {
			log_warn("server %s: firewall not applied: %s", req->id, why);
			return req_error(req, 503, "unavailable",
					 "the firewall could not be applied (%s); the previous"
					 " rules stay in force", why);
		}
	}
	out = firewall_json(req->db, req->id);
	if (!out)
		return req_internal(req, "read back firewall");
	return req_reply(req, 200, out);
}
