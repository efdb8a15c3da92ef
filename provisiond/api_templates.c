// SPDX-License-Identifier: GPL-2.0-only
/*
 * api_templates.c - /v1/templates: the OS images servers' root disks are
 * cloned from (docs/volumes.md).
 *
 * A template is a disk image file in dom0, on the volume pool's
 * filesystem (a reflink clone cannot cross filesystems).  On POST the
 * file is checked (a regular file), its size and SHA-256 recorded, and
 * the manifest the template build writes next to it (PATH with .img
 * replaced by .json: {"name", "os", "version", "kernel_version",
 * "size_bytes", "sha256", "cmdline"}) read if present: its version is
 * recorded and its sha256 and size_bytes must match the file.  Admins
 * write templates, customers read the available ones; a template in use
 * cannot be deleted.
 *
 * The digest is computed inside the request (the writer is held): a
 * template of a few GiB takes seconds, which admins' template uploads
 * can afford and nothing else waits long for (docs/volumes.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "api.h"
#include "db.h"

#define MANIFEST_MAX	(64 * 1024)

static const struct column template_columns[] = {
	{ "id", COL_TEXT, NULL },
	{ "name", COL_TEXT, NULL },
	{ "path", COL_TEXT, NULL },
	{ "os", COL_TEXT, NULL },
	{ "version", COL_TEXT, NULL },
	{ "cmdline", COL_TEXT, NULL },
	{ "min_disk_gib", COL_INT, NULL },
	{ "size_bytes", COL_INT, NULL },
	{ "sha256", COL_TEXT, NULL },
	{ "available", COL_BOOL, NULL },
	{ "created_at", COL_TIME, NULL },
	{ "updated_at", COL_TIME, NULL },
	COLUMNS_END
};

static int fetch_template(struct request *req, const char *id, json_t **out)
{
	const char *params[] = { id, req_scope(req) };

	return api_fetch(req->db, template_columns,
			 "FROM templates WHERE id = ?1 AND (?2 IS NULL OR available = 1)",
			 2, params, out);
}

/* SHA-256 of the file open on fd, as lower-case hex.  0 or -errno. */
static int file_sha256(int fd, char hex[SHA256_DIGEST_SIZE * 2 + 1])
{
	static const size_t chunk = 1 << 20;
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	uint8_t *buf = malloc(chunk);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	sha256_init(&ctx);
	while ((n = read(fd, buf, chunk)) > 0)
		sha256_update(&ctx, (size_t)n, buf);
	free(buf);
	if (n < 0)
		return -errno;
	sha256_digest(&ctx, sizeof(digest), digest);
	hex_encode(digest, sizeof(digest), hex);
	return 0;
}

/* The manifest's path: PATH with a final .img replaced by .json, else
 * PATH.json. */
static void manifest_path(const char *path, char *out, size_t size)
{
	size_t n = strlen(path);

	if (n > 4 && strcmp(path + n - 4, ".img") == 0)
		snprintf(out, size, "%.*s.json", (int)(n - 4), path);
	else
		snprintf(out, size, "%s.json", path);
}

int templates_create(struct request *req)
{
	const char *path = body_str(req, "path");
	const char *cmdline = body_str(req, "cmdline");
	const char *os = body_str(req, "os");
	json_t *min_disk = json_object_get(req->json, "min_disk_gib");
	int64_t min_gib;
	json_t *available = json_object_get(req->json, "available");
	json_t *manifest = NULL, *template;
	char id[ID_MAX], location[96], mpath[1100], sha[SHA256_DIGEST_SIZE * 2 + 1];
	const char *version = NULL, *want_sha;
	struct stat st;
	int64_t now = now_s();
	int fd, rc;

	audit_target(req, "template", NULL, NULL);
	{
		sqlite3_stmt *q = db_prep(req->db, "SELECT 1 FROM templates WHERE name = ?",
					  "s", body_str(req, "name"));
		bool taken = q && sqlite3_step(q) == SQLITE_ROW;

		sqlite3_finalize(q);
		if (taken)
			return req_error(req, 409, "conflict",
					 "name: another template has this name");
	}

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return req_field_error(req, "path", "path: cannot open %s: %s", path,
				       strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return req_field_error(req, "path", "path: %s is not a regular file", path);
	}

	manifest_path(path, mpath, sizeof(mpath));
	if (access(mpath, F_OK) == 0) {
		json_error_t jerr;
		json_t *size;

		manifest = json_load_file(mpath, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(manifest)) {
			close(fd);
			json_decref(manifest);
			return req_field_error(req, "path", "path: the manifest %s is not a "
					       "JSON object: %s", mpath, jerr.text);
		}
		version = json_string_value(json_object_get(manifest, "version"));
		size = json_object_get(manifest, "size_bytes");
		if (size && json_integer_value(size) != (json_int_t)st.st_size) {
			close(fd);
			json_decref(manifest);
			return req_field_error(req, "path", "path: the manifest %s says "
					       "size_bytes %lld, the file has %lld", mpath,
					       (long long)json_integer_value(size),
					       (long long)st.st_size);
		}
		if (!cmdline)
			cmdline = json_string_value(json_object_get(manifest, "cmdline"));
		if (!os)
			os = json_string_value(json_object_get(manifest, "os"));
	}
	if (!os || !os[0] || strlen(os) > 100 || has_control_chars(os)) {
		close(fd);
		json_decref(manifest);
		return req_field_error(req, "os", "os: is required (no manifest gives it as "
				       "text of 1 to 100 bytes)");
	}
	/* By default the root disk must hold the whole image. */
	min_gib = min_disk ? (int64_t)json_integer_value(min_disk)
			   : (int64_t)(((uint64_t)st.st_size + (1ULL << 30) - 1) >> 30);
	if (min_gib < 1)
		min_gib = 1;

	rc = file_sha256(fd, sha);
	close(fd);
	if (rc) {
		json_decref(manifest);
		return req_field_error(req, "path", "path: cannot read %s: %s", path,
				       strerror(-rc));
	}
	want_sha = json_string_value(json_object_get(manifest, "sha256"));
	if (want_sha && strcasecmp(want_sha, sha) != 0) {
		rc = req_field_error(req, "path", "path: the file's SHA-256 is %s; its "
				     "manifest %s says %.64s", sha, mpath, want_sha);
		json_decref(manifest);
		return rc;
	}
	if (cmdline && (has_control_chars(cmdline) || strlen(cmdline) > 2048)) {
		json_decref(manifest);
		return req_field_error(req, "cmdline", "cmdline: the manifest's is not "
				       "text of at most 2048 bytes");
	}

	if (id_new("tpl", id)) {
		json_decref(manifest);
		return req_internal(req, "random id");
	}
	rc = db_run(req->db, "INSERT INTO templates (id, name, path, os, version, cmdline,"
			    " min_disk_gib, size_bytes, sha256, available, created_at,"
			    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "ssssssiisdii", id, body_str(req, "name"), path, os,
		    version, cmdline ? cmdline : "", min_gib,
		    (int64_t)st.st_size, sha, available ? json_is_true(available) : 1,
		    now, now);
	json_decref(manifest);
	if (rc != SQLITE_OK)
		return req_internal(req, "insert template");
	audit_target(req, "template", id, NULL);

	if (fetch_template(req, id, &template) || !template)
		return req_internal(req, "read back template");
	snprintf(location, sizeof(location), "/v1/templates/%s", id);
	str_copy(req->location, location, sizeof(req->location));
	return req_reply(req, 201, template);
}

int templates_list(struct request *req)
{
	const char *params[] = { req_scope(req) };

	return api_list(req, template_columns,
			"FROM templates WHERE (?1 IS NULL OR available = 1)", 1, params);
}

int templates_get(struct request *req)
{
	json_t *template;

	if (fetch_template(req, req->id, &template))
		return req_internal(req, "fetch template");
	if (!template)
		return req_error(req, 404, "not_found", "template %s not found", req->id);
	return req_reply(req, 200, template);
}

int templates_delete(struct request *req)
{
	json_t *template;
	sqlite3_stmt *st;
	bool used;

	if (fetch_template(req, req->id, &template))
		return req_internal(req, "fetch template");
	if (!template)
		return req_error(req, 404, "not_found", "template %s not found", req->id);
	json_decref(template);
	audit_target(req, "template", req->id, NULL);

	st = db_prep(req->db, "SELECT 1 FROM servers WHERE template_id = ?1"
			      " AND deleted_at IS NULL"
			      " UNION ALL SELECT 1 FROM jobs WHERE kind = 'reinstall'"
			      " AND state IN ('queued', 'running')"
			      " AND json_extract(params, '$.template_id') = ?1", "s", req->id);
	used = st && sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (used)
		return req_error(req, 409, "in_use", "template %s is used by servers",
				 req->id);
	if (db_run(req->db, "DELETE FROM templates WHERE id = ?", "s", req->id) != SQLITE_OK)
		return req_internal(req, "delete template");
	return req_reply(req, 204, NULL);
}
