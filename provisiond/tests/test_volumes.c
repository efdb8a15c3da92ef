// SPDX-License-Identifier: GPL-2.0-only
/*
 * The volume bookkeeping (volume.c, migrations.c's volumes table): the
 * capacity rule, which pool files are volumes' (the reconciler removes
 * those without a row), that a path is never shared, and that making a
 * root volume (here with the reflink store on a filesystem that may not
 * reflink: the error must say so) leaves no file behind on failure, and
 * that growing a volume (change-plan) never shrinks it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <check.h>

#include "db.h"
#include "suites.h"
#include "volume.h"

#define MIB	(1024ULL * 1024)

START_TEST(capacity_rule)
{
	char why[256];

	/* 100 GiB pool, no overcommit: 60 + 40 fit, 60 + 41 do not. */
	ck_assert(volume_capacity_ok(100 * GIB, 50 * GIB, 1.0, 60 * GIB, 40 * GIB, 1, 0,
				     why, sizeof(why)));
	ck_assert(!volume_capacity_ok(100 * GIB, 50 * GIB, 1.0, 60 * GIB, 41 * GIB, 1, 0,
				      why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "cannot hold 41.0 GiB more"));
	/* Overcommit 2.0: 150 + 50 fit a 100 GiB pool. */
	ck_assert(volume_capacity_ok(100 * GIB, 50 * GIB, 2.0, 150 * GIB, 50 * GIB, 1, 0,
				     why, sizeof(why)));
	/* Free space must hold the new volumes' metadata at once. */
	ck_assert(!volume_capacity_ok(100 * GIB, 5 * MIB, 1.0, 0, GIB, 2, 0, why,
				      sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "MiB free"));
	/* A data volume's ext4 metadata counts too (1/64 of it). */
	ck_assert(!volume_capacity_ok(1000 * GIB, 100 * MIB, 1.0, 0, 64 * GIB, 1, 64 * GIB,
				      why, sizeof(why)));
	ck_assert(volume_capacity_ok(1000 * GIB, 2 * GIB, 1.0, 0, 64 * GIB, 1, 64 * GIB,
				     why, sizeof(why)));
}
END_TEST

START_TEST(volume_file_names)
{
	ck_assert(volume_file_name("vol_0123456789abcdef.img"));
	ck_assert(volume_file_name("vol_0123456789abcdef.img.tmp"));
	ck_assert(!volume_file_name("vol_0123456789ABCDEF.img"));
	ck_assert(!volume_file_name("vol_0123456789abcde.img"));
	ck_assert(!volume_file_name("vol_0123456789abcdef.img.bak"));
	ck_assert(!volume_file_name("boot-srv_0123456789abcdef"));
	ck_assert(!volume_file_name("template.img"));
	ck_assert(!volume_file_name(".reflink-check-12"));
}
END_TEST

START_TEST(paths_are_never_shared)
{
	char path[64], err[256];
	sqlite3 *db;
	int fd;

	strcpy(path, "/tmp/provisiond-vol-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(db_connect(path, false, &db, err, sizeof(err)), 0);
	ck_assert_int_eq(db_migrate(db, db_migrations, db_migrations_count, err,
				    sizeof(err)), 0);
	ck_assert_int_eq(sqlite3_exec(db,
		"INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('ten_1', 't', 0, 0);"
		"INSERT INTO servers (id, tenant_id, hostname, desired_state, actual_state,"
		" created_at, updated_at) VALUES ('srv_1', 'ten_1', 'h', 'running',"
		" 'provisioning', 0, 0);"
		"INSERT INTO volumes (id, server_id, kind, path, size_bytes, state, created_at)"
		" VALUES ('vol_1', 'srv_1', 'root', '/p/vol_1.img', 1, 'pending', 0);",
		NULL, NULL, NULL), SQLITE_OK);
	/* The same path again, a bad kind, a bad state, a zero size. */
	ck_assert_int_ne(sqlite3_exec(db, "INSERT INTO volumes (id, server_id, kind, path,"
		" size_bytes, state, created_at) VALUES ('vol_2', 'srv_1', 'data',"
		" '/p/vol_1.img', 1, 'pending', 0)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "INSERT INTO volumes (id, server_id, kind, path,"
		" size_bytes, state, created_at) VALUES ('vol_3', 'srv_1', 'swap',"
		" '/p/vol_3.img', 1, 'pending', 0)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "INSERT INTO volumes (id, server_id, kind, path,"
		" size_bytes, state, created_at) VALUES ('vol_4', 'srv_1', 'data',"
		" '/p/vol_4.img', 1, 'lost', 0)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "INSERT INTO volumes (id, server_id, kind, path,"
		" size_bytes, state, created_at) VALUES ('vol_5', 'srv_1', 'data',"
		" '/p/vol_5.img', 0, 'pending', 0)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM volumes", -1), 1);
	/* Plans get disk sizes, 0 by default. */
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO plans (id, name, vcpus, memory_mib,"
		" cpu_weight, cpu_cap_pct, created_at, updated_at) VALUES ('pln_1', 'p', 1, 128,"
		" 256, 0, 0, 0)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT root_disk_gib + data_disk_gib FROM plans", -1), 0);
	sqlite3_close(db);
	unlink(path);
}
END_TEST

/* A failed clone leaves neither the volume nor its .tmp. */
START_TEST(failed_root_clone_leaves_nothing)
{
	char dir[] = "/tmp/provisiond-pool-XXXXXX", tpl[128], vol[VOLUME_PATH_MAX],
	     tmp[VOLUME_PATH_MAX + 8], why[512];
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	volume_settings.pool = dir;
	volume_settings.store = &volume_store_reflink;
	snprintf(tpl, sizeof(tpl), "%s/missing-template.img", dir);
	volume_path("vol_0123456789abcdef", vol);
	snprintf(tmp, sizeof(tmp), "%s.tmp", vol);
	ck_assert_int_eq(volume_make_root(tpl, vol, GIB, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "missing-template.img"));
	ck_assert_int_eq(access(vol, F_OK), -1);
	ck_assert_int_eq(access(tmp, F_OK), -1);

	/* A real template: cloned where the filesystem can reflink, else a
	 * clear error and nothing left. */
	snprintf(tpl, sizeof(tpl), "%s/t.img", dir);
	fd = open(tpl, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "ROOT", 4), 4);
	close(fd);
	if (volume_make_root(tpl, vol, GIB, why, sizeof(why)) == 0) {
		struct stat st;

		ck_assert_int_eq(stat(vol, &st), 0);
		ck_assert_int_eq((long long)st.st_size, (long long)GIB);
		ck_assert_int_eq(volume_remove(vol, why, sizeof(why)), 0);
	} else {
		ck_assert_ptr_nonnull(strstr(why, "share extents"));
		ck_assert_int_eq(access(tmp, F_OK), -1);
	}
	ck_assert_int_eq(access(vol, F_OK), -1);
	/* Removing what is gone is fine. */
	ck_assert_int_eq(volume_remove(vol, why, sizeof(why)), 0);
	unlink(tpl);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A change of plan grows a volume file: up, never down, contents kept,
 * sparse; a file that is not there is an error naming it. */
START_TEST(grow_only_grows)
{
	char dir[] = "/tmp/provisiond-grow-XXXXXX", vol[256], why[512], buf[8];
	struct stat st;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(vol, sizeof(vol), "%s/vol.img", dir);
	fd = open(vol, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)(4 * MIB)), 0);
	ck_assert_int_eq(pwrite(fd, "TAIL", 4, (off_t)(4 * MIB - 4)), 4);
	close(fd);

	ck_assert_int_eq(volume_grow(vol, GIB, why, sizeof(why)), 0);
	ck_assert_int_eq(stat(vol, &st), 0);
	ck_assert_int_eq((long long)st.st_size, (long long)GIB);
	ck_assert_int_lt((long long)st.st_blocks * 512, (long long)(4 * MIB));
	fd = open(vol, O_RDONLY);
	ck_assert_int_eq(pread(fd, buf, 4, (off_t)(4 * MIB - 4)), 4);
	ck_assert_int_eq(memcmp(buf, "TAIL", 4), 0);
	ck_assert_int_eq(pread(fd, buf, 4, (off_t)(GIB - 4)), 4);
	ck_assert_int_eq(memcmp(buf, "\0\0\0\0", 4), 0);
	close(fd);

	/* Smaller or the same: left as it is. */
	ck_assert_int_eq(volume_grow(vol, 4 * MIB, why, sizeof(why)), 0);
	ck_assert_int_eq(volume_grow(vol, GIB, why, sizeof(why)), 0);
	ck_assert_int_eq(stat(vol, &st), 0);
	ck_assert_int_eq((long long)st.st_size, (long long)GIB);

	unlink(vol);
	ck_assert_int_eq(volume_grow(vol, GIB, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "vol.img"));
	ck_assert_int_eq(access(vol, F_OK), -1);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *volumes_suite(void)
{
	Suite *s = suite_create("volumes");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, capacity_rule);
	tcase_add_test(tc, volume_file_names);
	tcase_add_test(tc, paths_are_never_shared);
	tcase_add_test(tc, failed_root_clone_leaves_nothing);
	tcase_add_test(tc, grow_only_grows);
	suite_add_tcase(s, tc);
	return s;
}
