// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tokens (auth.c) and idempotency keys (idempotency.c): the token digest
 * against the NIST SHA-256 vectors, the token format, what is stored, the order of
 * the checks, and authentication against a real database.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "auth.h"
#include "db.h"
#include "idempotency.h"
#include "suites.h"

/*
 * The stored digest is SHA-256 of the token string, exactly as before
 * nettle computed it: tokens made by earlier versions keep working.
 */
START_TEST(token_hash_is_sha256)
{
	static const struct {
		const char *token, *hex;
	} vectors[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		/* A token in the format, as python3's hashlib digests it. */
		{ "pvd_0123456789abcdef_0123456789abcdef0123456789abcdef"
		  "0123456789abcdef0123456789abcdef",
		  "07bb8b8f42c2a12c4605dd3264b68126414e04ad05252cd7f79e075cd1825be6" },
	};
	unsigned char d[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		token_hash(vectors[i].token, d);
		hex_encode(d, sizeof(d), hex);
		ck_assert_str_eq(hex, vectors[i].hex);
	}
}
END_TEST

START_TEST(token_format)
{
	char token[TOKEN_MAX], other[TOKEN_MAX], id[ID_MAX];
	unsigned char hash[SHA256_DIGEST_SIZE], check[SHA256_DIGEST_SIZE];

	ck_assert_int_eq(token_generate("tok_0123456789abcdef", token, hash), 0);
	ck_assert_int_eq(strlen(token), TOKEN_LEN);
	ck_assert(strncmp(token, "pvd_0123456789abcdef_", 21) == 0);
	/* The stored hash is SHA-256 of the token, not the token. */
	token_hash(token, check);
	ck_assert(memcmp(hash, check, SHA256_DIGEST_SIZE) == 0);
	ck_assert(token_parse(token, id));
	ck_assert_str_eq(id, "tok_0123456789abcdef");
	/* Fresh randomness every time. */
	ck_assert_int_eq(token_generate("tok_0123456789abcdef", other, hash), 0);
	ck_assert_str_ne(token, other);
}
END_TEST

START_TEST(token_parse_rejects)
{
	char id[ID_MAX], t[TOKEN_MAX + 8];

	ck_assert(!token_parse("", id));
	ck_assert(!token_parse("pvd_", id));
	strcpy(t, "pvd_0123456789abcdef_");
	memset(t + 21, 'a', 64);
	t[85] = '\0';
	ck_assert(token_parse(t, id));
	t[30] = 'G';	/* not hex */
	ck_assert(!token_parse(t, id));
	t[30] = 'a';
	t[20] = '.';	/* separator */
	ck_assert(!token_parse(t, id));
	t[20] = '_';
	strcat(t, "a");	/* too long */
	ck_assert(!token_parse(t, id));
	t[84] = '\0';	/* too short */
	ck_assert(!token_parse(t, id));
	ck_assert(!token_parse("' OR 1=1 --", id));
}
END_TEST

START_TEST(constant_time_compare)
{
	unsigned char a[32], b[32];

	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	ck_assert(digest_equal(a, b, 32));
	b[0] ^= 1;
	ck_assert(!digest_equal(a, b, 32));
	b[0] ^= 1;
	b[31] ^= 0x80;
	ck_assert(!digest_equal(a, b, 32));
}
END_TEST

START_TEST(verify_order)
{
	char token[TOKEN_MAX], wrong[TOKEN_MAX];
	unsigned char hash[SHA256_DIGEST_SIZE], other[SHA256_DIGEST_SIZE];
	int64_t now = 1000000;

	token_generate("tok_0123456789abcdef", token, hash);
	token_generate("tok_0123456789abcdef", wrong, other);
	ck_assert_int_eq(token_verify(token, hash, 0, 0, now), AUTH_OK);
	ck_assert_int_eq(token_verify(token, hash, now + 1, 0, now), AUTH_OK);
	ck_assert_int_eq(token_verify(token, hash, now, 0, now), AUTH_EXPIRED);
	ck_assert_int_eq(token_verify(token, hash, now - 1, 0, now), AUTH_EXPIRED);
	ck_assert_int_eq(token_verify(token, hash, 0, now - 5, now), AUTH_REVOKED);
	ck_assert_int_eq(token_verify(token, hash, now - 1, now - 5, now), AUTH_REVOKED);
	/* Without the secret, nothing about revocation or expiry leaks. */
	ck_assert_int_eq(token_verify(wrong, hash, 0, 0, now), AUTH_INVALID);
	ck_assert_int_eq(token_verify(wrong, hash, now - 1, now - 5, now), AUTH_INVALID);
}
END_TEST

/* A new database with the first `migrations` migrations applied. */
static sqlite3 *temp_db_at(char path[64], size_t migrations)
{
	char err[256];
	sqlite3 *db;
	int fd;

	strcpy(path, "/tmp/provisiond-test-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(db_connect(path, false, &db, err, sizeof(err)), 0);
	ck_assert_msg(db_migrate(db, db_migrations, migrations, err,
				 sizeof(err)) == 0, "%s", err);
	return db;
}

static sqlite3 *temp_db(char path[64])
{
	return temp_db_at(path, db_migrations_count);
}

static void drop_db(sqlite3 *db, const char *path)
{
	char side[80];

	sqlite3_close(db);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

START_TEST(auth_against_database)
{
	char path[64], id[ID_MAX], secret[TOKEN_MAX], header[TOKEN_MAX + 16];
	struct principal who;
	int64_t last_used, now = now_s();
	sqlite3 *db = temp_db(path);
	sqlite3_stmt *st;

	ck_assert_int_eq(db_run(db, "INSERT INTO tenants (id, name, created_at, updated_at)"
				    " VALUES ('ten_0000000000000001', 'A', 0, 0)", ""),
			 SQLITE_OK);
	ck_assert_int_eq(token_insert(db, "panel", false, "ten_0000000000000001", 0,
				      "cli", id, secret), SQLITE_OK);

	/* Only the digest is stored. */
	st = db_prep(db, "SELECT hash FROM tokens WHERE id = ?", "s", id);
	ck_assert(sqlite3_step(st) == SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_bytes(st, 0), SHA256_DIGEST_SIZE);
	ck_assert(memmem(sqlite3_column_blob(st, 0), SHA256_DIGEST_SIZE, secret, 8) == NULL);
	sqlite3_finalize(st);

	snprintf(header, sizeof(header), "Bearer %s", secret);
	ck_assert_int_eq(auth_check(db, header, now, &who, &last_used), AUTH_OK);
	ck_assert(!who.admin);
	ck_assert_str_eq(who.tenant_id, "ten_0000000000000001");
	ck_assert_str_eq(who.token_id, id);
	snprintf(header, sizeof(header), "bearer   %s", secret);
	ck_assert_int_eq(auth_check(db, header, now, &who, &last_used), AUTH_OK);

	ck_assert_int_eq(auth_check(db, NULL, now, &who, &last_used), AUTH_MISSING);
	ck_assert_int_eq(auth_check(db, "Basic abc", now, &who, &last_used), AUTH_MALFORMED);
	ck_assert_int_eq(auth_check(db, "Bearer nope", now, &who, &last_used), AUTH_MALFORMED);
	/* Right format, unknown id. */
	snprintf(header, sizeof(header), "Bearer %s", secret);
	header[7 + 4] = header[7 + 4] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(auth_check(db, header, now, &who, &last_used), AUTH_INVALID);
	/* Known id, wrong secret. */
	snprintf(header, sizeof(header), "Bearer %s", secret);
	header[7 + 30] = header[7 + 30] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(auth_check(db, header, now, &who, &last_used), AUTH_INVALID);

	snprintf(header, sizeof(header), "Bearer %s", secret);
	ck_assert_int_eq(db_run(db, "UPDATE tokens SET expires_at = ? WHERE id = ?", "is",
				now, id), SQLITE_OK);
	ck_assert_int_eq(auth_check(db, header, now, &who, &last_used), AUTH_EXPIRED);
	ck_assert_int_eq(db_run(db, "UPDATE tokens SET revoked_at = ? WHERE id = ?", "is",
				now, id), SQLITE_OK);
	ck_assert_int_eq(auth_check(db, header, now, &who, &last_used), AUTH_REVOKED);

	/* Admin tokens have no tenant; customer tokens must have one. */
	ck_assert_int_eq(token_insert(db, "root", true, NULL, 0, "cli", id, secret),
			 SQLITE_OK);
	snprintf(header, sizeof(header), "Bearer %s", secret);
	ck_assert_int_eq(auth_check(db, header, now, &who, &last_used), AUTH_OK);
	ck_assert(who.admin);
	ck_assert_str_eq(who.tenant_id, "");
	ck_assert_int_ne(token_insert(db, "bad", false, NULL, 0, "cli", id, secret),
			 SQLITE_OK);
	drop_db(db, path);
}
END_TEST

START_TEST(idempotency_keys)
{
	unsigned char a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];
	char path[64], *body = NULL, *location = NULL, key300[301];
	sqlite3 *db = temp_db(path);
	int status = 0;

	ck_assert(idem_key_valid("retry-1"));
	ck_assert(!idem_key_valid(""));
	ck_assert(!idem_key_valid("has space"));
	ck_assert(!idem_key_valid("tab\t"));
	memset(key300, 'k', 300);
	key300[300] = '\0';
	ck_assert(!idem_key_valid(key300));
	key300[255] = '\0';
	ck_assert(idem_key_valid(key300));

	idem_fingerprint("POST", "/v1/servers", "{}", 2, a);
	idem_fingerprint("POST", "/v1/servers", "{ }", 3, b);
	ck_assert(memcmp(a, b, SHA256_DIGEST_SIZE) != 0);
	idem_fingerprint("POST", "/v1/servers", "{}", 2, b);
	ck_assert(memcmp(a, b, SHA256_DIGEST_SIZE) == 0);

	ck_assert_int_eq(idem_lookup(db, "admin", "k1", a, &status, &body, &location),
			 IDEM_NEW);
	ck_assert_int_eq(idem_store(db, "admin", "k1", a, 202, "{\"x\":1}", "/v1/jobs/j"),
			 SQLITE_OK);
	ck_assert_int_eq(idem_lookup(db, "admin", "k1", a, &status, &body, &location),
			 IDEM_REPLAY);
	ck_assert_int_eq(status, 202);
	ck_assert_str_eq(body, "{\"x\":1}");
	ck_assert_str_eq(location, "/v1/jobs/j");
	free(body);
	free(location);
	/* Same key, another request: refused.  Another principal: new. */
	idem_fingerprint("POST", "/v1/tenants", "{}", 2, b);
	ck_assert_int_eq(idem_lookup(db, "admin", "k1", b, &status, &body, &location),
			 IDEM_MISMATCH);
	ck_assert_int_eq(idem_lookup(db, "ten_x", "k1", a, &status, &body, &location),
			 IDEM_NEW);
	/* Expired keys are not replayed. */
	ck_assert_int_eq(db_run(db, "UPDATE idempotency_keys SET created_at = ?", "i",
				now_s() - IDEM_RETENTION_S - 1), SQLITE_OK);
	ck_assert_int_eq(idem_lookup(db, "admin", "k1", a, &status, &body, &location),
			 IDEM_NEW);
	drop_db(db, path);
}
END_TEST

/* token_chain_limits() of id gives expires and revoked. */
static void ck_chain(sqlite3 *db, const char *id, int64_t expires, int64_t revoked)
{
	int64_t e = -1, r = -1;

	ck_assert_int_eq(token_chain_limits(db, id, &e, &r), 0);
	ck_assert_int_eq(e, expires);
	ck_assert_int_eq(r, revoked);
}

/*
 * Migration 2 links the tokens that customer tokens made before it to
 * their parent, and from then on a token lives only while its chain does.
 */
START_TEST(derived_tokens_after_migration)
{
	char path[64], err[256];
	sqlite3 *db = temp_db_at(path, 1);

	ck_assert_int_eq(db_migrations[0].version, 1);
	ck_assert_int_eq(db_run(db,
		"INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('ten_1', 'T', 0, 0);"
		"", ""), SQLITE_OK);
	/* An admin token, a customer token it made, one that one made (with
	 * no expiry although its parent has one), one the CLI made. */
	ck_assert_int_eq(db_run(db,
		"INSERT INTO tokens (id, name, scope, tenant_id, hash, created_by, created_at,"
		" expires_at) VALUES"
		" ('tok_a', 'a', 'admin', NULL, zeroblob(32), 'cli', 0, NULL),"
		" ('tok_c1', 'c1', 'customer', 'ten_1', zeroblob(32), 'tok_a', 0, 5000),"
		" ('tok_c2', 'c2', 'customer', 'ten_1', zeroblob(32), 'tok_c1', 0, NULL),"
		" ('tok_c3', 'c3', 'customer', 'ten_1', zeroblob(32), 'cli', 0, NULL)", ""),
		SQLITE_OK);
	/* A revoked customer token and the one it made before. */
	ck_assert_int_eq(db_run(db,
		"INSERT INTO tokens (id, name, scope, tenant_id, hash, created_by, created_at,"
		" revoked_at) VALUES"
		" ('tok_r1', 'r1', 'customer', 'ten_1', zeroblob(32), 'cli', 0, 3),"
		" ('tok_r2', 'r2', 'customer', 'ten_1', zeroblob(32), 'tok_r1', 0, NULL)", ""),
		SQLITE_OK);
	ck_assert_msg(db_migrate(db, db_migrations, db_migrations_count, err,
				 sizeof(err)) == 0, "%s", err);

	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM tokens WHERE parent_id IS NOT NULL", -1), 2);
	ck_assert_int_eq(db_int(db, "SELECT revoked_at FROM tokens WHERE id = 'tok_r2'", -1), 3);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM tokens WHERE id = 'tok_c2'"
				    " AND parent_id = 'tok_c1'", -1), 1);
	/* It shows its parent's expiry; the others keep theirs. */
	ck_assert_int_eq(db_int(db, "SELECT expires_at FROM tokens WHERE id = 'tok_c2'", -1), 5000);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM tokens WHERE expires_at IS NULL", -1), 4);
	/* c2 expires with c1, and is revoked with it. */
	ck_chain(db, "tok_c2", 5000, 0);
	ck_assert_int_eq(db_run(db, "UPDATE tokens SET revoked_at = 7 WHERE id = 'tok_c1'", ""),
			 SQLITE_OK);
	ck_chain(db, "tok_c2", 5000, 7);
	/* The others depend on nothing. */
	ck_chain(db, "tok_c3", 0, 0);
	/* A cycle (never made by the API) ends the walk all the same. */
	ck_assert_int_eq(db_run(db, "UPDATE tokens SET parent_id = 'tok_c2' WHERE id = 'tok_c1'", ""),
			 SQLITE_OK);
	ck_chain(db, "tok_c2", 5000, 7);
	drop_db(db, path);
}
END_TEST

Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("auth");

	tcase_add_test(tc, token_hash_is_sha256);
	tcase_add_test(tc, token_format);
	tcase_add_test(tc, token_parse_rejects);
	tcase_add_test(tc, constant_time_compare);
	tcase_add_test(tc, verify_order);
	tcase_add_test(tc, auth_against_database);
	tcase_add_test(tc, idempotency_keys);
	tcase_add_test(tc, derived_tokens_after_migration);
	suite_add_tcase(s, tc);
	return s;
}
