// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_images.c - /v1/images: what a server boots.  For now a kernel, an
 * optional initrd and a command line, as files in dom0 (disk templates come
 * with the disk issue).  provisiond does not open the files: the hypervisor
 * backend reads them when it creates a domain, and a missing file fails
 * that job.  Admins write images, customers read the available ones; an
 * image in use cannot be deleted.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "db.h"

static const struct column image_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "name", COL_TEXT, NULL },
	{ "kernel_path", COL_TEXT, NULL },
	{ "initrd_path", COL_TEXT, NULL },
	{ "cmdline", COL_TEXT, NULL },
	{ "available", COL_BOOL, NULL },
	{ "created_at", COL_TIME, NULL },
	{ "updated_at", COL_TIME, NULL },
	COLUMNS_END
};

static int fetch_image(struct request *req, const char *id, json_t **out)
{
	const char *params[] = { id, req_scope(req) };

	return api_fetch(req->db, image_columns,
			 "FROM images WHERE id = ?1 AND (?2 IS NULL OR available = 1)",
			 2, params, out);
}

static bool name_taken(struct request *req, const char *name, const char *self)
{
	sqlite3_stmt *st = db_prep(req->db, "SELECT 1 FROM images WHERE name = ?"
					    " AND id IS NOT ?", "ss", name, self);
	bool taken = st && sqlite3_step(st) == SQLITE_ROW;

	sqlite3_finalize(st);
	return taken;
}

int images_create(struct request *req)
{
	json_t *available = json_object_get(req->json, "available");
	const char *cmdline = body_str(req, "cmdline");
	char id[ID_MAX], location[96];
	int64_t now = now_s();
	json_t *image;

	if (name_taken(req, body_str(req, "name"), NULL))
		return req_error(req, 409, "conflict", "name: another image has this name");
	if (id_new("img", id))
		return req_internal(req, "random id");
	if (db_run(req->db, "INSERT INTO images (id, name, kernel_path, initrd_path,"
			    " cmdline, available, created_at, updated_at)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		   "sssjsdii", id, body_str(req, "name"), body_str(req, "kernel_path"),
		   json_object_get(req->json, "initrd_path"), cmdline ? cmdline : "",
		   available ? json_is_true(available) : 1, now, now) != SQLITE_OK)
		return req_internal(req, "insert image");
	audit_target(req, "image", id, NULL);

	if (fetch_image(req, id, &image) || !image)
		return req_internal(req, "read back image");
	snprintf(location, sizeof(location), "/v1/images/%s", id);
	str_copy(req->location, location, sizeof(req->location));
	return req_reply(req, 201, image);
}

int images_list(struct request *req)
{
	const char *params[] = { req_scope(req) };

	return api_list(req, image_columns,
			"FROM images WHERE (?1 IS NULL OR available = 1)", 1, params);
}

int images_get(struct request *req)
{
	json_t *image;

	if (fetch_image(req, req->id, &image))
		return req_internal(req, "fetch image");
	if (!image)
		return req_error(req, 404, "not_found", "image %s not found", req->id);
	return req_reply(req, 200, image);
}

int images_update(struct request *req)
{
	json_t *image;

	if (fetch_image(req, req->id, &image))
		return req_internal(req, "fetch image");
	if (!image)
		return req_error(req, 404, "not_found", "image %s not found", req->id);
	json_decref(image);
	audit_target(req, "image", req->id, NULL);
	if (body_has(req, "name") && name_taken(req, body_str(req, "name"), req->id))
		return req_error(req, 409, "conflict", "name: another image has this name");

	if ((body_has(req, "name") &&
	     db_run(req->db, "UPDATE images SET name = ? WHERE id = ?", "ss",
		    body_str(req, "name"), req->id) != SQLITE_OK) ||
	    (body_has(req, "available") &&
	     db_run(req->db, "UPDATE images SET available = ? WHERE id = ?", "js",
		    json_object_get(req->json, "available"), req->id) != SQLITE_OK) ||
	    db_run(req->db, "UPDATE images SET updated_at = ? WHERE id = ?", "is",
		   now_s(), req->id) != SQLITE_OK)
		return req_internal(req, "update image");

	if (fetch_image(req, req->id, &image) || !image)
		return req_internal(req, "read back image");
	return req_reply(req, 200, image);
}

int images_delete(struct request *req)
{
	json_t *image;
	sqlite3_stmt *st;
	bool used;

	if (fetch_image(req, req->id, &image))
		return req_internal(req, "fetch image");
	if (!image)
		return req_error(req, 404, "not_found", "image %s not found", req->id);
	json_decref(image);
	audit_target(req, "image", req->id, NULL);

	st = db_prep(req->db, "SELECT 1 FROM servers WHERE image_id = ?1 AND deleted_at IS NULL"
			      " UNION ALL SELECT 1 FROM jobs WHERE kind = 'reinstall'"
			      " AND state IN ('queued', 'running')"
			      " AND json_extract(params, '$.image_id') = ?1", "s", req->id);
	used = st && sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (used)
		return req_error(req, 409, "in_use",
				 "image %s is used by servers; set available to false to retire it",
				 req->id);
	if (db_run(req->db, "DELETE FROM images WHERE id = ?", "s", req->id) != SQLITE_OK)
		return req_internal(req, "delete image");
	return req_reply(req, 204, NULL);
}
