// SPDX-License-Identifier: GPL-2.0-only
/*
 * api.h - what the REST API's handlers (one file per resource: api_*.c)
 * share: rows to JSON, fetching one object, paginated lists.  Their
 * prototypes and the request specs come from api/openapi.yaml
 * (contract.h, generated).
 */
#ifndef PROVISIOND_API_H
#define PROVISIOND_API_H

#include "http.h"
#include "validate.h"

/* Settings the handlers need, filled in by main() before serving. */
struct api_settings {
	int long_poll_max;		/* s, largest ?wait= */
	const char *hv_backend;		/* "fake", ... */
	int64_t started_at;		/* epoch s */
	int schema_version;
	/* The policy of tenants without their own (config's default_*). */
	int default_max_servers, default_max_vcpus, default_max_memory_mib,
	    default_max_disk_gib, default_max_ips;
	int default_plan_changes;	/* enum plan_changes */
	int ip_quarantine;		/* s a released address stays unused */
	/* HTTPS: the served certificate's SHA-256, "AB:CD:..."; "" if plain. */
	char tls_fingerprint[100];
	/* Where an uploaded certificate goes (served from the next start). */
	const char *tls_cert_path, *tls_key_path;
	/* The backend, for the one synchronous dom0 call (api_firewall.c). */
	struct hv_backend *hv;
};

extern struct api_settings api_settings;

/* --- rows to JSON --- */

enum col_type {
	COL_TEXT,
	COL_INT,
	COL_BOOL,
	COL_TIME,	/* epoch seconds -> RFC 3339 string */
	COL_JSON,	/* JSON text -> embedded JSON */
};

/* One output field: its JSON name, type, and SQL (the name if NULL).
 * SQL NULL always becomes JSON null. */
struct column {
	const char *name;
	enum col_type type;
	const char *expr;
};

#define COLUMNS_END	{ .name = NULL }

/*
 * The SQL of a column that holds a token id (created_by, an audit actor):
 * "admin" in place of an admin token's id when a customer reads it, since
 * admin tokens are invisible to customers.  The query's ?1 must be the
 * caller's scope (req_scope(): NULL for an admin).
 */
#define TOKEN_ID_SEEN_BY_SCOPE(col) \
	"CASE WHEN ?1 IS NOT NULL AND " col " IN (SELECT id FROM tokens" \
	" WHERE scope = 'admin') THEN 'admin' ELSE " col " END"

/* "expr AS name, ..." into buf. */
void columns_sql(const struct column *cols, char *buf, size_t size);

/* A growing text buffer (list pages, exports); after a failed allocation
 * it only records it.  tb_json_string writes s as a JSON string. */
struct textbuf {
	char *data;
	size_t len, cap;
	bool failed;
};

void tb_add(struct textbuf *b, const char *s, size_t n);
void tb_puts(struct textbuf *b, const char *s);
void tb_json_string(struct textbuf *b, const char *s);

/* The current row of st (columns in cols order) as a JSON object. */
json_t *row_to_json(sqlite3_stmt *st, const struct column *cols);

/*
 * "SELECT <cols> <from_where>" with text parameters ?1..?n (NULL binds SQL
 * NULL).  *out is the first row or NULL if there is none.  0, or -1 on a
 * database error.
 */
int api_fetch(sqlite3 *db, const struct column *cols, const char *from_where,
	      int nparams, const char *const params[], json_t **out);

/*
 * A paginated list: "SELECT <cols>, seq <from_where> AND seq > cursor
 * ORDER BY seq LIMIT n", from_where using ?1..?nparams.  Reads ?limit
 * (the contract's Limit: its range and default) and ?cursor (opaque,
 * from next_cursor) and answers 200 {"items": [...], "next_cursor": "..."
 * | null}.
 */
int api_list(struct request *req, const struct column *cols,
	     const char *from_where, int nparams, const char *const params[]);

/* The JSON body's string field (NULL if absent or null). */
const char *body_str(struct request *req, const char *name);
bool body_has(struct request *req, const char *name);

/* Records the object a write is about, for the audit log. */
void audit_target(struct request *req, const char *type, const char *id,
		  const char *tenant_id);

/* Column lists shared between resources. */
extern const struct column server_columns[];
extern const struct column job_columns[];

/* Fetches a server / job as the caller may see it (NULL: 404). */
int fetch_server(struct request *req, const char *id, json_t **out);
int fetch_job(sqlite3 *db, const char *id, const char *scope, json_t **out);

/*
 * Whether the hypervisor can run plan_id's size (hvabi.h's limits).  New
 * plans always can (the contract's limits); one written before they were
 * enforced may not, and no server may be created on it or moved to it.
 * false with why filled in ("the plan's 64 vCPUs are not 1 to 8 ...").
 */
bool plan_runnable(sqlite3 *db, const char *plan_id, char *why, size_t len);

/* api_policy.c: a tenant's policy's checks on customers' orders.  0 if
 * the caller may create a server of plan_id for tenant, else the error
 * answer's status (403 plan_not_allowed, quota_exceeded). */
int policy_check_create(struct request *req, const char *tenant,
			const char *plan_id);
/* The same for `adding` more IP addresses of the tenant's (max_ips,
 * counted over all its servers' addresses; 403 quota_exceeded). */
int policy_check_ips(struct request *req, const char *tenant, int adding);
/* The same for a change from old_plan to new_plan (403
 * plan_change_not_allowed, plan_not_allowed, quota_exceeded). */
int policy_check_change_plan(struct request *req, const char *tenant,
			     const char *old_plan, const char *new_plan);

/* api_volumes.c: the disks of a server made from a template. */
struct volume_plan {
	uint64_t root_bytes, data_bytes, seed_bytes;	/* data 0: none */
};

/*
 * Checks that a server of plan_id can be made from template_id (400
 * naming the field), that the pool can hold volumes (503
 * storage_unavailable) and that the volumes of kinds ("r" root, "d"
 * data, "s" seed, any of them) fit it (507 insufficient_storage).  0 with
 * vp filled in, or the error answer's status.
 */
int server_volumes_check(struct request *req, const char *plan_id,
			 const char *template_id, const char *kinds,
			 struct volume_plan *vp);
/* Inserts those volumes' rows (state pending) for server_id.  0 or -1. */
int server_volumes_reserve(struct request *req, const char *server_id,
			   const char *template_id, const char *kinds,
			   const struct volume_plan *vp);
/* A reinstall's new root volume (state staged; id filled in).  0 or -1. */
int server_volumes_stage_root(struct request *req, const char *server_id,
			      const char *template_id, const struct volume_plan *vp,
			      char id[ID_MAX]);
/*
 * A change to plan_id: server_id's root and data volume rows get the
 * plan's sizes and a data volume row is added when the plan brings one
 * (the job grows and makes the files).  400 naming plan_id for a smaller
 * disk, 507 when the growth does not fit the pool; 0 (also for a server
 * without volumes), or the error answer's status.
 */
int server_volumes_resize(struct request *req, const char *server_id,
			  const char *plan_id);

/* api_credentials.c: root_password and ssh_keys of a request. */
struct credentials {
	bool has_password;
	char hash[256];		/* yescrypt, if has_password */
	char *keys;		/* JSON array text, or NULL for none */
};

/* Checks and hashes them (400 naming the field).  0 or the error status;
 * credentials_clear() after, either way. */
int credentials_from_body(struct request *req, struct credentials *c);
void credentials_clear(struct credentials *c);

/* The handlers (x-handler) and the request specs are declared by the
 * contract's generated header. */
#include "contract.h"

#endif
