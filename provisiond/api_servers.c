// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_servers.c - /v1/servers: customers' virtual servers, and the jobs
 * that change them.
 *
 * Creating a server and every power action answer 202 with the server and
 * a job.  The request only records intent (desired_state, suspended, a new
 * plan or image as job parameters) together with the job, in one
 * transaction; the job workers make the hypervisor match (job_exec.c).
 * A server has at most one queued or running job: a second request gets
 * 409 job_in_progress, which is safe to retry once the first job is done.
 *
 * Isolation: a customer's requests about another tenant's server answer
 * 404 exactly as for an id that does not exist, whatever the route.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "ipam.h"
#include "jobs.h"

/* The volumes a server made from a template gets: root, data (if its plan
 * has one), seed. */
#define SERVER_VOLUMES	"rds"

static const char *field(json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

/* Whether a plan or image (table) exists and, for a customer, is available.
 * Returns NULL if fine, else what to say about the field. */
static const char *check_catalogue(struct request *req, const char *table,
				   const char *id)
{
	char sql[128];
	sqlite3_stmt *st;
	int available = -1;

	snprintf(sql, sizeof(sql), "SELECT available FROM %s WHERE id = ?", table);
	st = db_prep(req->db, sql, "s", id);
	if (st && sqlite3_step(st) == SQLITE_ROW)
		available = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (available < 0 || (available == 0 && !req->who.admin))
		return strcmp(table, "plans") == 0 ? "plan_id: no such plan"
						   : "image_id: no such image";
	if (available == 0)
		return strcmp(table, "plans") == 0 ? "plan_id: the plan is not available"
						   : "image_id: the image is not available";
	return NULL;
}

static bool external_id_taken(struct request *req, const char *external_id,
			      const char *self)
{
	sqlite3_stmt *st = db_prep(req->db, "SELECT 1 FROM servers WHERE external_id = ?"
					    " AND deleted_at IS NULL AND id IS NOT ?",
				   "ss", external_id, self);
	bool taken = st && sqlite3_step(st) == SQLITE_ROW;

	sqlite3_finalize(st);
	return taken;
}

/* 202 {"server": ..., "job": ...} with Location: the job. */
static int accepted(struct request *req, const char *server_id, const char *job_id)
{
	json_t *server, *job;
	char location[96];

	if (fetch_server(req, server_id, &server) || !server)
		return req_internal(req, "read back server");
	if (fetch_job(req->db, job_id, NULL, &job) || !job) {
		json_decref(server);
		return req_internal(req, "read back job");
	}
	snprintf(location, sizeof(location), "/v1/jobs/%s", job_id);
	str_copy(req->location, location, sizeof(req->location));
	req->wake_jobs = true;
	return req_reply(req, 202, json_pack("{s:o, s:o}", "server", server, "job", job));
}

int servers_create(struct request *req)
{
	const char *tenant = body_str(req, "tenant_id");
	const char *plan = body_str(req, "plan_id");
	const char *image = body_str(req, "image_id");
	const char *template = body_str(req, "template_id");
	const char *external_id = body_str(req, "external_id");
	struct volume_plan vp;
	struct credentials cred = { 0 };
	json_t *start = json_object_get(req->json, "start");
	bool run = !start || json_is_true(start);
	char id[ID_MAX], job_id[ID_MAX], why[160];
	const char *problem;
	sqlite3_stmt *st;
	bool tenant_found;
	int64_t now = now_s();
	int rc;

	if (!req->who.admin) {
		if (tenant && strcmp(tenant, req->who.tenant_id) != 0)
			return req_field_error(req, "tenant_id", "tenant_id: no such tenant");
		tenant = req->who.tenant_id;
	} else if (!tenant) {
		return req_field_error(req, "tenant_id",
				       "tenant_id: is required with an admin token");
	}
	st = db_prep(req->db, "SELECT 1 FROM tenants WHERE id = ?", "s", tenant);
	tenant_found = st && sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!tenant_found)
		return req_field_error(req, "tenant_id", "tenant_id: no such tenant");
	if ((problem = check_catalogue(req, "plans", plan)))
		return req_field_error(req, "plan_id", "%s", problem);
	if (!plan_runnable(req->db, plan, why, sizeof(why)))
		return req_field_error(req, "plan_id", "plan_id: %s", why);
	if (image && template)
		return req_field_error(req, "template_id",
				       "template_id: give template_id or image_id, not both");
	if (!image && !template)
		return req_field_error(req, "template_id",
				       "template_id: template_id (or image_id) is required");
	if (image && (problem = check_catalogue(req, "images", image)))
		return req_field_error(req, "image_id", "%s", problem);
	/* Disks: checked and reserved in this transaction (api_volumes.c). */
	if (template && (rc = server_volumes_check(req, plan, template, SERVER_VOLUMES, &vp)))
		return rc;
	if (!template && (body_has(req, "root_password") || body_has(req, "ssh_keys")))
		return req_field_error(req, body_has(req, "root_password") ? "root_password"
				       : "ssh_keys", "%s: only for a server made from a "
				       "template (template_id)", body_has(req, "root_password")
				       ? "root_password" : "ssh_keys");
	/* The tenant's policy: in this transaction, before the insert. */
	if ((rc = policy_check_create(req, tenant, plan)))
		return rc;
	if (external_id && external_id_taken(req, external_id, NULL))
		return req_error(req, 409, "conflict",
				 "external_id: another server has this external_id");

	if (id_new("srv", id))
		return req_internal(req, "random id");
	/* Last: hashing is the slow part (yescrypt). */
	if (template && (rc = credentials_from_body(req, &cred))) {
		credentials_clear(&cred);
		return rc;
	}
	rc = db_run(req->db, "INSERT INTO servers (id, tenant_id, plan_id, image_id,"
			     " template_id, hostname, external_id, desired_state, actual_state,"
			     " root_password_hash, ssh_keys, seed_generation, created_at,"
			     " updated_at)"
			     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'provisioning', ?, ?, ?, ?, ?)",
		    "ssssssssssiii", id, tenant, plan, image, template,
		    body_str(req, "hostname"), external_id, run ? "running" : "stopped",
		    cred.has_password ? cred.hash : NULL, cred.keys,
		    (int64_t)(template ? 1 : 0), now, now);
	credentials_clear(&cred);
	if (rc != SQLITE_OK ||
	    (template && server_volumes_reserve(req, id, template, SERVER_VOLUMES, &vp)) ||
	    job_enqueue(req->db, id, tenant, JOB_CREATE, "{}", req->who.token_id,
			job_id) != SQLITE_OK)
		return req_internal(req, "insert server and job");
	audit_target(req, "server", id, tenant);
	/* Its MAC and addresses, in this transaction (ipam.h). */
	if ((rc = server_addresses_setup(req, id)))
		return rc;
	return accepted(req, id, job_id);
}

int servers_list(struct request *req)
{
	const char *params[] = {
		req_scope(req), req_query(req, "tenant_id"), req_query(req, "external_id"),
	};

	return api_list(req, server_columns,
			"FROM servers WHERE deleted_at IS NULL"
			" AND (?1 IS NULL OR tenant_id = ?1)"
			" AND (?2 IS NULL OR tenant_id = ?2)"
			" AND (?3 IS NULL OR external_id = ?3)", 3, params);
}

int servers_get(struct request *req)
{
	json_t *server;

	if (fetch_server(req, req->id, &server))
		return req_internal(req, "fetch server");
	if (!server)
		return req_error(req, 404, "not_found", "server %s not found", req->id);
	return req_reply(req, 200, server);
}

int servers_update(struct request *req)
{
	const char *external_id = body_str(req, "external_id");
	json_t *server;
	bool suspended;

	if (fetch_server(req, req->id, &server))
		return req_internal(req, "fetch server");
	if (!server)
		return req_error(req, 404, "not_found", "server %s not found", req->id);
	audit_target(req, "server", req->id, field(server, "tenant_id"));
	suspended = json_is_true(json_object_get(server, "suspended"));
	json_decref(server);

	/* Every customer action on a suspended server is refused, this one
	 * too (the contract's Suspension). */
	if (suspended && !req->who.admin)
		return req_error(req, 403, "server_suspended",
				 "server %s is suspended", req->id);
	/* external_id is the billing system's: admins only. */
	if (body_has(req, "external_id") && !req->who.admin)
		return req_error(req, 403, "forbidden",
				 "external_id: can only be changed with an admin token");
	if (external_id && external_id_taken(req, external_id, req->id))
		return req_error(req, 409, "conflict",
				 "external_id: another server has this external_id");

	if ((body_has(req, "hostname") &&
	     db_run(req->db, "UPDATE servers SET hostname = ? WHERE id = ?", "ss",
		    body_str(req, "hostname"), req->id) != SQLITE_OK) ||
	    (body_has(req, "external_id") &&
	     db_run(req->db, "UPDATE servers SET external_id = ? WHERE id = ?", "js",
		    json_object_get(req->json, "external_id"), req->id) != SQLITE_OK) ||
	    db_run(req->db, "UPDATE servers SET updated_at = ? WHERE id = ?", "is",
		   now_s(), req->id) != SQLITE_OK)
		return req_internal(req, "update server");

	if (fetch_server(req, req->id, &server) || !server)
		return req_internal(req, "read back server");
	return req_reply(req, 200, server);
}

/*
 * The common path of every job on an existing server: look it up as the
 * caller may see it, check the rules (job_state.c) and the one-job-at-a-
 * time lock, record the intent, queue the job.
 */
static int server_job(struct request *req, enum job_kind kind, bool admin_only,
		      const char *new_plan, json_t *params)
{
	char job_id[ID_MAX], active[ID_MAX], *params_text;
	struct server_view view;
	struct refusal why;
	json_t *server;
	const char *intent = NULL;
	int rc;

	if (fetch_server(req, req->id, &server)) {
		json_decref(params);
		return req_internal(req, "fetch server");
	}
	if (!server) {
		json_decref(params);
		return req_error(req, 404, "not_found", "server %s not found", req->id);
	}
	audit_target(req, "server", req->id, field(server, "tenant_id"));

	view.desired_state = field(server, "desired_state");
	view.actual_state = field(server, "actual_state");
	view.suspended = json_is_true(json_object_get(server, "suspended"));
	view.plan_id = field(server, "plan_id");
	if (admin_only && !req->who.admin)
		rc = req_error(req, 403, "forbidden", "this request needs an admin token");
	else if (job_refused(kind, &view, req->who.admin, new_plan, &why))
		rc = req_error(req, why.status, why.code, "%s", why.message);
	else if (kind == JOB_CHANGE_PLAN &&
		 (rc = policy_check_change_plan(req, field(server, "tenant_id"),
						view.plan_id, new_plan)))
		;	/* refused: the answer is set */
	else if (job_active_for(req->db, req->id, active))
		rc = req_error(req, 409, "job_in_progress",
			       "server %s has job %s in progress; retry when it has finished",
			       req->id, active);
	else if (kind == JOB_CHANGE_PLAN)
		rc = server_volumes_resize(req, req->id, new_plan);
	else
		rc = 0;
	json_decref(server);
	if (rc) {
		json_decref(params);
		return rc;
	}

	switch (kind) {
	case JOB_START:
		intent = "UPDATE servers SET desired_state = 'running' WHERE id = ?";
		break;
	case JOB_STOP:
		intent = "UPDATE servers SET desired_state = 'stopped' WHERE id = ?";
		break;
	case JOB_SUSPEND:
		intent = "UPDATE servers SET suspended = 1 WHERE id = ?";
		break;
	case JOB_UNSUSPEND:
		intent = "UPDATE servers SET suspended = 0 WHERE id = ?";
		break;
	case JOB_DELETE:
		intent = "UPDATE servers SET desired_state = 'deleted' WHERE id = ?";
		break;
	default:
		break;
	}
	if (!params)
		params = json_object();
	params_text = json_dumps(params, JSON_COMPACT);
	json_decref(params);
	rc = (intent && db_run(req->db, intent, "s", req->id) != SQLITE_OK) ||
	     db_run(req->db, "UPDATE servers SET updated_at = ? WHERE id = ?", "is",
		    now_s(), req->id) != SQLITE_OK ||
	     !params_text ||
	     job_enqueue(req->db, req->id, req->audit_tenant, kind, params_text,
			 req->who.token_id, job_id) != SQLITE_OK;
	free(params_text);
	if (rc)
		return req_internal(req, "queue job");
	return accepted(req, req->id, job_id);
}

int servers_delete(struct request *req)
{
	return server_job(req, JOB_DELETE, false, NULL, NULL);
}

int servers_start(struct request *req)
{
	return server_job(req, JOB_START, false, NULL, NULL);
}

int servers_stop(struct request *req)
{
	json_t *force = json_object_get(req->json, "force");

	return server_job(req, JOB_STOP, false, NULL,
			  json_pack("{s:b}", "force", json_is_true(force)));
}

int servers_reboot(struct request *req)
{
	return server_job(req, JOB_REBOOT, false, NULL, NULL);
}

int servers_suspend(struct request *req)
{
	return server_job(req, JOB_SUSPEND, true, NULL, NULL);
}

int servers_unsuspend(struct request *req)
{
	return server_job(req, JOB_UNSUSPEND, true, NULL, NULL);
}

int servers_change_plan(struct request *req)
{
	const char *plan = body_str(req, "plan_id");
	const char *problem = check_catalogue(req, "plans", plan);
	char why[160];

	if (problem)
		return req_field_error(req, "plan_id", "%s", problem);
	if (!plan_runnable(req->db, plan, why, sizeof(why)))
		return req_field_error(req, "plan_id", "plan_id: %s", why);
	return server_job(req, JOB_CHANGE_PLAN, false, plan,
			  json_pack("{s:s}", "plan_id", plan));
}

/*
 * Reinstall of a server made from a template: the new root volume is
 * reserved now (staged, capacity checked: 507), the new credentials go
 * into the server's row (the seed is written by the job), the job swaps
 * the root in once it is made.
 */
static int reinstall_from_template(struct request *req, json_t *server)
{
	const char *template = body_str(req, "template_id");
	const char *hostname = body_str(req, "hostname");
	const char *plan = field(server, "plan_id");
	json_t *format = json_object_get(req->json, "format_data");
	char active[ID_MAX], root_id[ID_MAX];
	struct credentials cred;
	struct volume_plan vp;
	json_t *params;
	int rc;

	if (body_has(req, "image_id"))
		return req_field_error(req, "image_id", "image_id: the server was made from "
				       "a template: reinstall it with template_id");
	if (!template)
		template = field(server, "template_id");
	/* Refusals that need no work first (the rest of server_job's rules
	 * run again there). */
	if (json_is_true(json_object_get(server, "suspended")) && !req->who.admin)
		return req_error(req, 403, "server_suspended", "server %s is suspended",
				 req->id);
	if (job_active_for(req->db, req->id, active))
		return req_error(req, 409, "job_in_progress",
				 "server %s has job %s in progress; retry when it has finished",
				 req->id, active);
	if (!plan)
		return req_error(req, 409, "invalid_state", "server %s has no plan", req->id);
	if ((rc = server_volumes_check(req, plan, template, "r", &vp)))
		return rc;
	if ((rc = credentials_from_body(req, &cred))) {
		credentials_clear(&cred);
		return rc;
	}
	/* Given credentials replace the old ones; absent ones stay. */
	rc = (cred.has_password &&
	      db_run(req->db, "UPDATE servers SET root_password_hash = ? WHERE id = ?",
		     "ss", cred.hash, req->id) != SQLITE_OK) ||
	     (body_has(req, "ssh_keys") &&
	      db_run(req->db, "UPDATE servers SET ssh_keys = ? WHERE id = ?", "ss",
		     cred.keys, req->id) != SQLITE_OK) ||
	     server_volumes_stage_root(req, req->id, template, &vp, root_id);
	credentials_clear(&cred);
	if (rc)
		return req_internal(req, "record the reinstall");
	params = json_pack("{s:s, s:s, s:b}", "template_id", template,
			   "root_volume_id", root_id, "format_data", json_is_true(format));
	if (hostname)
		json_object_set_new(params, "hostname", json_string(hostname));
	return server_job(req, JOB_REINSTALL, false, NULL, params);
}

int servers_reinstall(struct request *req)
{
	const char *image = body_str(req, "image_id");
	const char *hostname = body_str(req, "hostname");
	const char *problem;
	json_t *server, *params;
	int rc;

	if (fetch_server(req, req->id, &server))
		return req_internal(req, "fetch server");
	if (!server)
		return req_error(req, 404, "not_found", "server %s not found", req->id);
	if (field(server, "template_id")) {
		rc = reinstall_from_template(req, server);
		json_decref(server);
		return rc;
	}
	if (body_has(req, "template_id") || body_has(req, "root_password") ||
	    body_has(req, "ssh_keys") || body_has(req, "format_data")) {
		const char *f = body_has(req, "template_id") ? "template_id" :
				body_has(req, "root_password") ? "root_password" :
				body_has(req, "ssh_keys") ? "ssh_keys" : "format_data";

		json_decref(server);
		return req_field_error(req, f, "%s: only for a server made from a template", f);
	}

	/* Without image_id, the server's current image is installed again. */
	if (!image) {
		params = json_pack("{s:s?}", "image_id", field(server, "image_id"));
	} else {
		if ((problem = check_catalogue(req, "images", image))) {
			json_decref(server);
			return req_field_error(req, "image_id", "%s", problem);
		}
		params = json_pack("{s:s}", "image_id", image);
	}
	json_decref(server);
	if (hostname)
		json_object_set_new(params, "hostname", json_string(hostname));
	return server_job(req, JOB_REINSTALL, false, NULL, params);
}
