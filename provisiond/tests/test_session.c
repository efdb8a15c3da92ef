// SPDX-License-Identifier: GPL-2.0-only
/*
 * Web panel sessions (session.c) against a real database: what is stored
 * (the cookie's digest, never the cookie), idle and absolute expiry, the
 * CSRF comparison, the cookie's attributes.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "db.h"
#include "session.h"
#include "suites.h"

static sqlite3 *session_db(char path[64])
{
	char err[256];
	sqlite3 *db;
	int fd;

	strcpy(path, "/tmp/provisiond-test-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(db_connect(path, false, &db, err, sizeof(err)), 0);
	ck_assert_msg(db_migrate(db, db_migrations, db_migrations_count, err,
				 sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(db_run(db,
		"INSERT INTO tokens (id, name, scope, tenant_id, hash, created_by, created_at)"
		" VALUES ('tok_a', 'a', 'admin', NULL, zeroblob(32), 'cli', 0)", ""),
		SQLITE_OK);
	return db;
}

static void drop(sqlite3 *db, const char *path)
{
	char side[80];

	sqlite3_close(db);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

START_TEST(create_find_expire)
{
	char path[64], cookie[SESSION_SECRET_HEX + 1], hex[2 * SHA256_DIGEST_SIZE + 1];
	unsigned char digest[SHA256_DIGEST_SIZE];
	struct session s, found;
	sqlite3 *db = session_db(path);
	sqlite3_stmt *st;

	session_settings.idle_s = 100;
	session_settings.lifetime_s = 1000;
	ck_assert_int_eq(session_create(db, "tok_a", 5000, &s, cookie), SQLITE_OK);
	ck_assert_uint_eq(strlen(cookie), SESSION_SECRET_HEX);
	ck_assert_uint_eq(strlen(s.csrf), SESSION_SECRET_HEX);
	ck_assert_str_ne(cookie, s.csrf);
	ck_assert_int_eq(s.expires_at, 6000);

	/* Stored: the digest of the cookie, not the cookie. */
	token_hash(cookie, digest);
	hex_encode(digest, sizeof(digest), hex);
	st = db_prep(db, "SELECT hex(hash) = upper(?), instr(quote(hash), upper(?))"
		     " FROM sessions WHERE id = ?", "sss", hex, cookie, s.id);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
	ck_assert_int_eq(sqlite3_column_int(st, 1), 0);
	sqlite3_finalize(st);

	/* Found while idle less than idle_s; its idle end is reported. */
	ck_assert_int_eq(session_find(db, cookie, 5099, &found), 1);
	ck_assert_str_eq(found.id, s.id);
	ck_assert_str_eq(found.token_id, "tok_a");
	ck_assert_str_eq(found.csrf, s.csrf);
	ck_assert_int_eq(session_expiry(&found, 5050), 5150);
	ck_assert_int_eq(session_find(db, cookie, 5100, &found), 0);
	/* A request keeps it alive, until the absolute end. */
	ck_assert_int_eq(db_run(db, "UPDATE sessions SET last_seen_at = 5950", ""), SQLITE_OK);
	ck_assert_int_eq(session_find(db, cookie, 5999, &found), 1);
	ck_assert_int_eq(session_expiry(&found, 5999), 6000);
	ck_assert_int_eq(session_find(db, cookie, 6000, &found), 0);

	/* Malformed or unknown cookies find nothing. */
	ck_assert_int_eq(session_find(db, "", 5001, &found), 0);
	ck_assert_int_eq(session_find(db, s.csrf, 5001, &found), 0);
	cookie[0] = cookie[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(session_find(db, cookie, 5001, &found), 0);
	cookie[5] = 'G';
	ck_assert_int_eq(session_find(db, cookie, 5001, &found), 0);

	/* Making a session clears the expired ones; deleting one ends it. */
	ck_assert_int_eq(session_create(db, "tok_a", 7000, &found, cookie), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM sessions", -1), 1);
	ck_assert_int_eq(session_find(db, cookie, 7001, &s), 1);
	ck_assert_int_eq(session_delete(db, s.id), SQLITE_OK);
	ck_assert_int_eq(session_find(db, cookie, 7001, &s), 0);

	/* Deleting the token deletes its sessions. */
	ck_assert_int_eq(session_create(db, "tok_a", 8000, &found, cookie), SQLITE_OK);
	ck_assert_int_eq(db_run(db, "DELETE FROM tokens WHERE id = 'tok_a'", ""), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM sessions", -1), 0);
	drop(db, path);
}
END_TEST

START_TEST(csrf_and_cookie)
{
	struct session s = { .csrf = "0123456789abcdef0123456789abcdef"
				     "0123456789abcdef0123456789abcdef" };
	char other[SESSION_SECRET_HEX + 1], out[200];

	ck_assert(session_csrf_ok(&s, s.csrf));
	ck_assert(!session_csrf_ok(&s, NULL));
	ck_assert(!session_csrf_ok(&s, ""));
	strcpy(other, s.csrf);
	other[63] = '0';
	ck_assert(!session_csrf_ok(&s, other));
	other[63] = '\0';			/* a prefix */
	ck_assert(!session_csrf_ok(&s, other));

	session_settings.lifetime_s = 600;
	session_settings.secure_cookie = false;
	session_cookie("abc", out, sizeof(out));
	ck_assert_str_eq(out, "hv_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=600");
	session_settings.secure_cookie = true;
	session_cookie(NULL, out, sizeof(out));
	ck_assert_str_eq(out, "hv_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure");
}
END_TEST

Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("session");

	tcase_add_test(tc, create_find_expire);
	tcase_add_test(tc, csrf_and_cookie);
	suite_add_tcase(s, tc);
	return s;
}
