// SPDX-License-Identifier: GPL-2.0-only
/*
 * server_disks.c - a server's disks as its jobs see them (server_disks.h).
 *
 * The rows come first (the request reserved them, state pending); this
 * file makes the files and marks them ready, and on delete removes the
 * files before the rows: a crash in between leaves a row without a file
 * (the delete job runs again and finishes), never a file without a row
 * that nothing would remove (the reconciler removes those anyway).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <ctype.h>

#include "db.h"
#include "log.h"
#include "seed.h"
#include "server_disks.h"
#include "server_net.h"
#include "subprocess.h"
#include "util.h"

#define BOOTLOADER_OUT_MAX	4096

struct boot_settings boot_settings;

/* One volume of a server, as the job reads it. */
struct volume_row {
	char id[ID_MAX];
	char kind[8];
	char path[VOLUME_PATH_MAX];
	uint64_t size;
	char state[12];
	char template_path[VOLUME_PATH_MAX];
};

/* The server's volumes in guest order.  Returns how many (at most max),
 * or -1. */
static int load_volumes(const char *server_id, struct volume_row *v, int max)
{
	sqlite3 *r = db_read_get();
	sqlite3_stmt *st = db_prep(r, "SELECT v.id, v.kind, v.path, v.size_bytes, v.state,"
				      " t.path FROM volumes v LEFT JOIN templates t"
				      " ON t.id = v.template_id WHERE v.server_id = ?"
				      " ORDER BY CASE v.kind WHEN 'root' THEN 0"
				      " WHEN 'data' THEN 1 ELSE 2 END, v.seq",
				  "s", server_id);
	int n = 0, rc;

	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		const char *tpl = (const char *)sqlite3_column_text(st, 5);

		str_copy(v[n].id, (const char *)sqlite3_column_text(st, 0), sizeof(v[n].id));
		str_copy(v[n].kind, (const char *)sqlite3_column_text(st, 1),
			 sizeof(v[n].kind));
		str_copy(v[n].path, (const char *)sqlite3_column_text(st, 2),
			 sizeof(v[n].path));
		v[n].size = (uint64_t)sqlite3_column_int64(st, 3);
		str_copy(v[n].state, (const char *)sqlite3_column_text(st, 4),
			 sizeof(v[n].state));
		str_copy(v[n].template_path, tpl ? tpl : "", sizeof(v[n].template_path));
		n++;
	}
	if (!st)
		n = -1;
	sqlite3_finalize(st);
	db_read_put(r);
	return n;
}

static int run_sql(const char *sql, const char *id)
{
	sqlite3 *w = db_write_begin_background();

	if (!w)
		return -1;
	if (db_run(w, sql, "s", id) != SQLITE_OK) {
		db_write_rollback(w);
		return -1;
	}
	return db_write_commit(w) == SQLITE_OK ? 0 : -1;
}

/* Grows v's file to its row's size if it is smaller. */
static int grow_file(const char *server_id, const struct volume_row *v, char *why,
		     size_t len)
{
	struct stat st;

	if (stat(v->path, &st) < 0) {
		snprintf(why, len, "%s: %s", v->path, strerror(errno));
		return -1;
	}
	if ((uint64_t)st.st_size >= v->size)
		return 0;
	if (volume_grow(v->path, v->size, why, len))
		return -1;
	log_info("server %s: volume %s (%s) grown from %llu to %llu bytes", server_id,
		 v->id, v->kind, (unsigned long long)st.st_size,
		 (unsigned long long)v->size);
	return 0;
}

int server_disks_make(const char *server_id, char *why, size_t len)
{
	struct volume_row v[8];
	int n = load_volumes(server_id, v, 8);

	if (n < 0) {
		snprintf(why, len, "database read failed");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int rc;

		if (strcmp(v[i].state, "staged") == 0)	/* a reinstall's */
			continue;
		/* A ready disk the row says is bigger (a change of plan grew
		 * it) is grown; a seed is written whole, never grown. */
		if (strcmp(v[i].state, "ready") == 0 && access(v[i].path, F_OK) == 0) {
			if (strcmp(v[i].kind, "seed") != 0 && grow_file(server_id, &v[i],
									why, len))
				return -1;
			continue;
		}
		if (strcmp(v[i].state, "missing") == 0) {
			snprintf(why, len, "volume %s (%s): its file %s is gone", v[i].id,
				 v[i].kind, v[i].path);
			return -1;
		}
		if (strcmp(v[i].kind, "root") == 0) {
			if (!v[i].template_path[0]) {
				snprintf(why, len, "volume %s: its template no longer exists",
					 v[i].id);
				return -1;
			}
			rc = volume_make_root(v[i].template_path, v[i].path, v[i].size,
					      why, len);
		} else if (strcmp(v[i].kind, "data") == 0) {
			rc = volume_make_data(v[i].path, v[i].size, why, len);
		} else {
			sqlite3 *r = db_read_get();

			rc = server_seed_write(r, server_id, v[i].path, why, len);
			db_read_put(r);
		}
		if (rc)
			return -1;
		if (run_sql("UPDATE volumes SET state = 'ready' WHERE id = ?", v[i].id)) {
			snprintf(why, len, "database update failed");
			return -1;
		}
		log_info("server %s: volume %s (%s, %llu bytes) made: %s", server_id,
			 v[i].id, v[i].kind, (unsigned long long)v[i].size, v[i].path);
	}
	return 0;
}

int server_seed_write(sqlite3 *db, const char *server_id, const char *path,
		      char *why, size_t len)
{
	sqlite3_stmt *st = db_prep(db, "SELECT hostname, root_password_hash,"
				       " coalesce(ssh_keys, '[]'), seed_generation"
				       " FROM servers WHERE id = ?", "s", server_id);
	const char *keys[64], *resolvers[SERVER_NET_DNS_MAX];
	char instance[96], hostname[256];
	struct seed_input in = { 0 };
	struct seed_network seed_net;
	struct server_net net;
	json_t *key_list = NULL;
	char *hash = NULL;
	int rc = -1;

	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		snprintf(why, len, "server %s not found", server_id);
		goto out;
	}
	/* RFC 1123 names are case-insensitive; the guest's is lower case. */
	str_copy(hostname, (const char *)sqlite3_column_text(st, 0), sizeof(hostname));
	for (char *p = hostname; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		hash = strdup((const char *)sqlite3_column_text(st, 1));
	key_list = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
	snprintf(instance, sizeof(instance), "srv-%s-%lld", server_id,
		 (long long)sqlite3_column_int64(st, 3));
	in.instance_id = instance;
	in.hostname = hostname;
	in.password_hash = hash;
	in.ssh_keys = keys;
	for (size_t i = 0; i < json_array_size(key_list) && i < 64; i++)
		keys[in.nssh_keys++] = json_string_value(json_array_get(key_list, i));
	/* Its interface, routed through dom0 (server_net.h); none: DHCP. */
	if (server_net_load(db, server_id, &net) < 0) {
		snprintf(why, len, "server %s: reading its addresses failed", server_id);
		goto out;
	}
	if (net.has_nic) {
		for (int i = 0; i < net.ndns; i++)
			resolvers[i] = net.dns[i];
		seed_net = (struct seed_network){
			.mac = net.mac,
			.ipv4 = net.ipv4[0] ? net.ipv4 : NULL,
			.ipv6 = net.ipv6[0] ? net.ipv6 : NULL,
			.gateway4 = net.ipv4[0] ? SERVER_NET_GATEWAY4 : NULL,
			.gateway6 = net.ipv6[0] ? SERVER_NET_GATEWAY6 : NULL,
			.resolvers = resolvers,
			.nresolvers = (size_t)net.ndns,
		};
		in.net = &seed_net;
	}
	rc = seed_image_write(&in, path, why, len);
out:
	sqlite3_finalize(st);
	json_decref(key_list);
	if (hash)
		explicit_bzero(hash, strlen(hash));
	free(hash);
	return rc;
}

/* The one volume of kind for server_id that is not staged, into *out. */
static const struct volume_row *find_kind(const struct volume_row *v, int n,
					  const char *kind)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].kind, kind) == 0 && strcmp(v[i].state, "staged") != 0)
			return &v[i];
	return NULL;
}

/* Swaps root_id in for the server's old root, in one transaction, with the
 * server's new template, hostname and seed generation.  The old roots'
 * paths (to remove after) into old[]; how many. */
static int swap_root(const char *server_id, const char *root_id,
		     const char *template_id, const char *hostname,
		     char old[][VOLUME_PATH_MAX], int max)
{
	sqlite3 *w = db_write_begin_background();
	sqlite3_stmt *st;
	int n = 0;

	if (!w)
		return -1;
	st = db_prep(w, "SELECT path FROM volumes WHERE server_id = ? AND kind = 'root'"
			" AND id != ?", "ss", server_id, root_id);
	while (st && sqlite3_step(st) == SQLITE_ROW && n < max)
		str_copy(old[n++], (const char *)sqlite3_column_text(st, 0), VOLUME_PATH_MAX);
	sqlite3_finalize(st);
	if (!st ||
	    db_run(w, "DELETE FROM volumes WHERE server_id = ? AND kind = 'root' AND id != ?",
		   "ss", server_id, root_id) != SQLITE_OK ||
	    db_run(w, "UPDATE volumes SET state = 'ready' WHERE id = ?", "s",
		   root_id) != SQLITE_OK ||
	    db_run(w, "UPDATE servers SET template_id = ?, hostname = coalesce(?, hostname),"
		      " seed_generation = seed_generation + 1, updated_at = ? WHERE id = ?",
		   "ssis", template_id, hostname, now_s(), server_id) != SQLITE_OK) {
		db_write_rollback(w);
		return -1;
	}
	return db_write_commit(w) == SQLITE_OK ? n : -1;
}

int server_disks_reinstall(const char *server_id, const char *root_id,
			   const char *template_id, const char *hostname,
			   bool format_data, char *why, size_t len)
{
	struct volume_row v[8];
	char old[4][VOLUME_PATH_MAX];
	const struct volume_row *data, *seed, *root = NULL;
	int n = load_volumes(server_id, v, 8), nold;
	sqlite3 *r;

	if (n < 0) {
		snprintf(why, len, "database read failed");
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].id, root_id) == 0)
			root = &v[i];
	if (!root) {
		snprintf(why, len, "the new root volume %s no longer exists", root_id);
		return -1;
	}
	/* Roots staged by earlier reinstalls that failed: not needed. */
	for (int i = 0; i < n; i++) {
		if (&v[i] == root || strcmp(v[i].state, "staged") != 0)
			continue;
		if (volume_remove(v[i].path, why, len) ||
		    run_sql("DELETE FROM volumes WHERE id = ?", v[i].id)) {
			snprintf(why, len, "cannot remove staged volume %s", v[i].id);
			return -1;
		}
	}
	/* The new root, to a new file; the old one stays until the swap is
	 * committed (a failure here leaves the server as it was). */
	if (strcmp(root->state, "staged") == 0) {
		if (!root->template_path[0]) {
			snprintf(why, len, "the template no longer exists");
			return -1;
		}
		if (volume_make_root(root->template_path, root->path, root->size, why, len))
			return -1;
		nold = swap_root(server_id, root_id, template_id, hostname, old, 4);
		if (nold < 0) {
			snprintf(why, len, "database update failed");
			return -1;
		}
		/* Committed: the old roots' files go (the reconciler would
		 * remove them after a crash here: no row names them). */
		for (int i = 0; i < nold; i++)
			if (volume_remove(old[i], why, len))
				log_warn("server %s: %s", server_id, why);
		log_info("server %s: new root volume %s swapped in (template %s)", server_id,
			 root_id, template_id);
	}

	data = find_kind(v, n, "data");
	if (format_data && data && volume_make_data(data->path, data->size, why, len))
		return -1;
	seed = find_kind(v, n, "seed");
	if (!seed) {
		snprintf(why, len, "the server has no seed volume");
		return -1;
	}
	r = db_read_get();
	n = server_seed_write(r, server_id, seed->path, why, len);
	db_read_put(r);
	return n;
}

static void boot_dir(const char *server_id, char out[VOLUME_PATH_MAX])
{
	snprintf(out, VOLUME_PATH_MAX, "%s/boot-%s", volume_settings.pool, server_id);
}

/* Removes the files in dir (the bootloader writes no subdirectories),
 * then dir. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..")))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

int server_disks_remove(const char *server_id, char *why, size_t len)
{
	struct volume_row v[8];
	char dir[VOLUME_PATH_MAX];
	int n = load_volumes(server_id, v, 8);

	if (n < 0) {
		snprintf(why, len, "database read failed");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (volume_remove(v[i].path, why, len))
			return -1;
		if (run_sql("DELETE FROM volumes WHERE id = ?", v[i].id)) {
			snprintf(why, len, "database update failed");
			return -1;
		}
	}
	boot_dir(server_id, dir);
	remove_dir(dir);
	return 0;
}

int server_disks_load(const char *server_id, struct server_disks *out, char *why,
		      size_t len)
{
	struct volume_row v[HVB_DISKS_MAX + 1];	/* and a staged root */
	int n = load_volumes(server_id, v, HVB_DISKS_MAX + 1);
	int64_t iops = 0, mbps = 0;
	sqlite3 *r;
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	out->root = -1;
	if (n < 0) {
		snprintf(why, len, "database read failed");
		return -1;
	}
	r = db_read_get();
	st = db_prep(r, "SELECT coalesce(p.disk_iops, 0), coalesce(p.disk_mbps, 0)"
			" FROM servers s JOIN plans p ON p.id = s.plan_id WHERE s.id = ?",
		     "s", server_id);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		iops = sqlite3_column_int64(st, 0);
		mbps = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	db_read_put(r);

	for (int i = 0, d = 0; i < n; i++) {
		if (strcmp(v[i].state, "staged") == 0)
			continue;	/* a reinstall's root, not yet swapped in */
		if (strcmp(v[i].state, "ready") != 0) {
			snprintf(why, len, "volume %s (%s) is %s", v[i].id, v[i].kind,
				 v[i].state);
			return -1;
		}
		if (d == HVB_DISKS_MAX) {
			snprintf(why, len, "more than %d volumes", HVB_DISKS_MAX);
			return -1;
		}
		str_copy(out->path[d], v[i].path, sizeof(out->path[d]));
		out->disk[d].path = out->path[d];
		out->disk[d].serial = "";
		/* The seed is read once at boot: no quota, read-only. */
		if (strcmp(v[i].kind, "seed") == 0) {
			out->disk[d].read_only = true;
		} else {
			out->disk[d].iops = (uint64_t)iops;
			out->disk[d].bps = (uint64_t)mbps * 1000 * 1000 / 8;
		}
		if (strcmp(v[i].kind, "root") == 0)
			out->root = d;
		out->count = (unsigned)++d;
	}
	return 0;
}

int server_boot_files(const char *server_id, const char *root_path,
		      char kernel[VOLUME_PATH_MAX], char initrd[VOLUME_PATH_MAX],
		      char *why, size_t len)
{
	char dir[VOLUME_PATH_MAX], out[BOOTLOADER_OUT_MAX], err[512];
	const char *argv[] = { boot_settings.bootloader, root_path, dir, NULL };
	const char *k, *i;
	json_t *res;
	int rc;

	/* Afresh each boot: hv-bootloader never replaces files a previous
	 * run left (and the kernel may have changed since). */
	boot_dir(server_id, dir);
	remove_dir(dir);
	if (mkdir(dir, 0700) < 0) {
		snprintf(why, len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	rc = spawn_run(argv, 120, out, sizeof(out), err, sizeof(err));
	if (rc < 0) {
		snprintf(why, len, "%s", err);
		return -1;
	}
	if (rc != 0) {
		snprintf(why, len, "%s", err);
		return 1;
	}
	res = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
	k = json_string_value(json_object_get(res, "kernel"));
	i = json_string_value(json_object_get(res, "initrd"));
	/* Only files it wrote where it was told to. */
	if (!k || strncmp(k, dir, strlen(dir)) != 0 || k[strlen(dir)] != '/' ||
	    (i && (strncmp(i, dir, strlen(dir)) != 0 || i[strlen(dir)] != '/')) ||
	    !str_copy(kernel, k, VOLUME_PATH_MAX) ||
	    !str_copy(initrd, i ? i : "", VOLUME_PATH_MAX)) {
		snprintf(why, len, "%s printed no kernel in %s: %.200s",
			 boot_settings.bootloader, dir, out);
		json_decref(res);
		return -1;
	}
	log_info("server %s: %s found kernel %s (%s)", server_id, boot_settings.bootloader,
		 kernel, json_string_value(json_object_get(res, "kernel_version")) ?: "?");
	json_decref(res);
	return 0;
}
