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

/* The plan's disk sizes in GiB (0 and 0 for no such plan). */
static void plan_disk_gib(sqlite3 *db, const char *plan_id, int64_t *root_gib,
			  int64_t *data_gib)
{
	sqlite3_stmt *st = db_prep(db, "SELECT root_disk_gib, data_disk_gib FROM plans"
				       " WHERE id = ?", "s", plan_id);

	*root_gib = *data_gib = 0;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		*root_gib = sqlite3_column_int64(st, 0);
		*data_gib = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
}

/* A root disk is the plan's size, or the template's if that is larger. */
static uint64_t root_disk_bytes(int64_t root_gib, int64_t tpl_size)
{
	uint64_t bytes = (uint64_t)root_gib * GIB;

	return bytes < (uint64_t)tpl_size ? (uint64_t)tpl_size : bytes;
}

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

	plan_disk_gib(req->db, plan_id, &root_gib, &data_gib);
	if (root_gib == 0)
		return req_field_error(req, "plan_id", "plan_id: the plan has no root disk "
				       "(root_disk_gib 0): it cannot take a template");
	if (root_gib < min_gib)
		return req_field_error(req, "template_id", "template_id: needs a root disk of "
				       "at least %lld GiB; the plan's is %lld GiB",
				       (long long)min_gib, (long long)root_gib);
	*root = root_disk_bytes(root_gib, tpl_size);
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

/* One disk of a server that a change of plan may grow. */
struct grown_volume {
	char id[ID_MAX];
	uint64_t size;
	bool staged;		/* a reinstall's root, not yet swapped in */
};

/*
 * A change of plan's disks: the server's root and data volumes grow to
 * the new plan's sizes, a data volume is added when the new plan has one
 * and the server has not.  The rows get their new sizes here, in the
 * request's transaction, so the pool's capacity is reserved with the job
 * (parallel requests cannot overshoot it); the job grows the files to the
 * rows (server_disks_make).  Never smaller: shrinking a disk would destroy
 * what the customer wrote at its end.
 */
int server_volumes_resize(struct request *req, const char *server_id,
			  const char *plan_id)
{
	struct grown_volume root[4], data = { .size = 0 };
	uint64_t new_root, new_data, grow = 0, pool_size, pool_free, provisioned;
	int64_t root_gib = 0, data_gib = 0, min_gib = 0, tpl_size = 0;
	unsigned nroot = 0, new_count = 0;
	char template_id[ID_MAX] = "", why[512];
	bool has_data = false;
	sqlite3_stmt *st;

	st = db_prep(req->db, "SELECT s.template_id, coalesce(t.min_disk_gib, 0),"
			      " coalesce(t.size_bytes, 0) FROM servers s"
			      " LEFT JOIN templates t ON t.id = s.template_id WHERE s.id = ?",
		     "s", server_id);
	if (st && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		str_copy(template_id, (const char *)sqlite3_column_text(st, 0),
			 sizeof(template_id));
		min_gib = sqlite3_column_int64(st, 1);
		tpl_size = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (!template_id[0])
		return 0;	/* a kernel-image server has no volumes */

	plan_disk_gib(req->db, plan_id, &root_gib, &data_gib);
	if (root_gib == 0)
		return req_field_error(req, "plan_id", "plan_id: the plan has no root disk "
				       "(root_disk_gib 0); the server was made from a template");
	if (root_gib < min_gib)
		return req_field_error(req, "plan_id", "plan_id: the server's template needs a "
				       "root disk of at least %lld GiB; the plan's root_disk_gib "
				       "is %lld", (long long)min_gib, (long long)root_gib);
	new_root = root_disk_bytes(root_gib, tpl_size);
	new_data = (uint64_t)data_gib * GIB;

	st = db_prep(req->db, "SELECT id, kind, size_bytes, state FROM volumes"
			      " WHERE server_id = ? AND kind IN ('root', 'data')",
		     "s", server_id);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		struct grown_volume *v = strcmp(kind, "root") == 0 ?
			(nroot < 4 ? &root[nroot++] : NULL) : &data;

		if (!v)
			continue;
		str_copy(v->id, (const char *)sqlite3_column_text(st, 0), sizeof(v->id));
		v->size = (uint64_t)sqlite3_column_int64(st, 2);
		v->staged = strcmp((const char *)sqlite3_column_text(st, 3), "staged") == 0;
		if (v == &data)
			has_data = true;
	}
	if (!st)
		return req_internal(req, "read the server's volumes");
	sqlite3_finalize(st);

	/* The refusals first: nothing is changed by a refused request. */
	for (unsigned i = 0; i < nroot; i++)
		if (!root[i].staged && new_root < root[i].size)
			return req_field_error(req, "plan_id", "plan_id: the plan's root disk "
					       "(root_disk_gib %lld) is smaller than the server's "
					       "(%.1f GiB): disks are never shrunk, that would "
					       "destroy data", (long long)root_gib,
					       (double)root[i].size / GIB);
	if (has_data && new_data < data.size)
		return req_field_error(req, "plan_id", "plan_id: the plan's data disk "
				       "(data_disk_gib %lld) is smaller than the server's "
				       "(%.1f GiB): disks are never shrunk or removed, that would "
				       "destroy data", (long long)data_gib, (double)data.size / GIB);

	for (unsigned i = 0; i < nroot; i++)
		if (new_root > root[i].size)
			grow += new_root - root[i].size;
	if (has_data)
		grow += new_data - data.size;
	else if (new_data) {
		grow += new_data;
		new_count = 1;
	}
	if (grow == 0)
		return 0;

	if (volume_pool_check() < 0)
		return req_error(req, 503, "storage_unavailable", "%s",
				 volume_settings.pool_problem);
	if (volume_pool_space(&pool_size, &pool_free, why, sizeof(why)) < 0)
		return req_error(req, 503, "storage_unavailable", "%s", why);
	provisioned = (uint64_t)db_int(req->db, "SELECT coalesce(sum(size_bytes), 0)"
					     " FROM volumes", 0);
	if (!volume_capacity_ok(pool_size, pool_free, volume_settings.overcommit,
				provisioned, grow, new_count, has_data ? 0 : new_data,
				why, sizeof(why)))
		return req_error(req, 507, "insufficient_storage", "%s", why);

	for (unsigned i = 0; i < nroot; i++)
		if (new_root > root[i].size &&
		    db_run(req->db, "UPDATE volumes SET size_bytes = ? WHERE id = ?", "is",
			   (int64_t)new_root, root[i].id) != SQLITE_OK)
			return req_internal(req, "grow the root volume");
	if (has_data && new_data > data.size &&
	    db_run(req->db, "UPDATE volumes SET size_bytes = ? WHERE id = ?", "is",
		   (int64_t)new_data, data.id) != SQLITE_OK)
		return req_internal(req, "grow the data volume");
	if (!has_data && new_data &&
	    insert_volume(req, server_id, "data", new_data, NULL, data.id))
		return req_internal(req, "add the data volume");
	return 0;
}
