// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_volumes.c - the disks a server made from a template gets, as the
 * requests see them: the checks (template, plan sizes, the pool) and the
 * reservation of their volume rows.
 *
 * The reservation runs in the request's writer transaction: the capacity
 * check and the rows are one, so parallel creates cannot overshoot the
 * pool, and a refused create makes nothing (no rows; files are made only
 * by the job, from the rows).  Names of volume files are made from the
 * volumes' ids, never from anything a caller sent.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "volume.h"

/* What a server of plan_id on template_id needs.  0, or the error answer. */
static int disk_sizes(struct request *req, const char *plan_id, const char *template_id,
		      uint64_t *root, uint64_t *data)
{
	sqlite3_stmt *st;
	int64_t root_gib = 0, data_gib = 0, min_gib = 0, tpl_size = 0;
	int available = -1;

	st = db_prep(req->db, "SELECT available, min_disk_gib, size_bytes FROM templates"
			      " WHERE id = ?", "s", template_id);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		available = sqlite3_column_int(st, 0);
		min_gib = sqlite3_column_int64(st, 1);
		tpl_size = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (available < 0 || (available == 0 && !req->who.admin))
		return req_field_error(req, "template_id", "template_id: no such template");
	if (available == 0)
		return req_field_error(req, "template_id",
				       "template_id: the template is not available");

	st = db_prep(req->db, "SELECT root_disk_gib, data_disk_gib FROM plans WHERE id = ?",
		     "s", plan_id);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		root_gib = sqlite3_column_int64(st, 0);
		data_gib = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (root_gib == 0)
		return req_field_error(req, "plan_id", "plan_id: the plan has no root disk "
				       "(root_disk_gib 0): it cannot take a template");
	if (root_gib < min_gib)
		return req_field_error(req, "template_id", "template_id: needs a root disk of "
				       "at least %lld GiB; the plan's is %lld GiB",
				       (long long)min_gib, (long long)root_gib);
	*root = (uint64_t)root_gib * GIB;
	if (*root < (uint64_t)tpl_size)
		*root = (uint64_t)tpl_size;
	*data = (uint64_t)data_gib * GIB;
	return 0;
}

static int insert_volume_as(struct request *req, const char *server_id,
			    const char *kind, uint64_t size, const char *template_id,
			    const char *state, char id[ID_MAX])
{
	char path[VOLUME_PATH_MAX];

	if (id_new("vol", id))
		return -1;
	volume_path(id, path);
	return db_run(req->db, "INSERT INTO volumes (id, server_id, kind, path, size_bytes,"
			       " template_id, state, created_at)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		      "ssssissi", id, server_id, kind, path, (int64_t)size, template_id,
		      state, now_s()) == SQLITE_OK ? 0 : -1;
}

static int insert_volume(struct request *req, const char *server_id, const char *kind,
			 uint64_t size, const char *template_id, char id[ID_MAX])
{
	return insert_volume_as(req, server_id, kind, size, template_id, "pending", id);
}

int server_volumes_stage_root(struct request *req, const char *server_id,
			      const char *template_id, const struct volume_plan *vp,
			      char id[ID_MAX])
{
	return insert_volume_as(req, server_id, "root", vp->root_bytes, template_id,
				"staged", id);
}

int server_volumes_check(struct request *req, const char *plan_id,
			 const char *template_id, const char *kinds,
			 struct volume_plan *vp)
{
	uint64_t pool_size, pool_free, provisioned, total = 0, data_total = 0;
	unsigned count = 0;
	char why[512];
	int rc;

	memset(vp, 0, sizeof(*vp));
	if ((rc = disk_sizes(req, plan_id, template_id, &vp->root_bytes, &vp->data_bytes)))
		return rc;
	vp->seed_bytes = VOLUME_SEED_BYTES;
	if (volume_pool_check() < 0)
		return req_error(req, 503, "storage_unavailable", "%s",
				 volume_settings.pool_problem);
	if (volume_pool_space(&pool_size, &pool_free, why, sizeof(why)) < 0)
		return req_error(req, 503, "storage_unavailable", "%s", why);

	if (strchr(kinds, 'r')) {
		total += vp->root_bytes;
		count++;
	}
	if (strchr(kinds, 'd') && vp->data_bytes) {
		total += vp->data_bytes;
		data_total = vp->data_bytes;
		count++;
	}
	if (strchr(kinds, 's')) {
		total += vp->seed_bytes;
		count++;
	}
	provisioned = (uint64_t)db_int(req->db, "SELECT coalesce(sum(size_bytes), 0)"
					     " FROM volumes", 0);
	if (!volume_capacity_ok(pool_size, pool_free, volume_settings.overcommit,
				provisioned, total, count, data_total, why, sizeof(why)))
		return req_error(req, 507, "insufficient_storage", "%s", why);
	return 0;
}

int server_volumes_reserve(struct request *req, const char *server_id,
			   const char *template_id, const char *kinds,
			   const struct volume_plan *vp)
{
	char id[ID_MAX];

	if ((strchr(kinds, 'r') &&
	     insert_volume(req, server_id, "root", vp->root_bytes, template_id, id)) ||
	    (strchr(kinds, 'd') && vp->data_bytes &&
	     insert_volume(req, server_id, "data", vp->data_bytes, NULL, id)) ||
	    (strchr(kinds, 's') &&
	     insert_volume(req, server_id, "seed", vp->seed_bytes, NULL, id)))
		return -1;
	return 0;
}
