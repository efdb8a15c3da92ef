// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipam.c: addresses and networks parsed and refused, canonical forms,
 * overlap, index <-> address for IPv4, IPv6 /64s and /128s, default
 * ranges, MACs; and against a migrated database, that allocation takes
 * the lowest free index, skips the gateway and quarantined indices, and
 * that SQLite itself refuses a second live allocation of an index.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "ipam.h"
#include "suites.h"

static ipam_addr addr4(const char *text)
{
	const char *why;
	ipam_addr a = 0;

	ck_assert_msg(ipam_parse_addr(text, 4, &a, &why) == 0, "%s", text);
	return a;
}

static ipam_addr addr6(const char *text)
{
	const char *why;
	ipam_addr a = 0;

	ck_assert_msg(ipam_parse_addr(text, 6, &a, &why) == 0, "%s", text);
	return a;
}

static void assert_text(int family, ipam_addr a, const char *want)
{
	char text[IPAM_TEXT_MAX];

	ipam_format(family, a, text);
	ck_assert_str_eq(text, want);
}

START_TEST(addresses_refused)
{
	static const struct { const char *text; int family; const char *why; } bad[] = {
		{ "0.0.0.0", 4, "is the unspecified address" },
		{ "127.0.0.1", 4, "is a loopback address" },
		{ "224.0.0.1", 4, "is a multicast address" },
		{ "239.255.255.255", 4, "is a multicast address" },
		{ "255.255.255.255", 4, "is the broadcast address" },
		{ "1.2.3", 4, "is not an IPv4 address" },
		{ "1.2.3.4 ", 4, "is not an IPv4 address" },
		{ "2001:db8::1", 4, "is not an IPv4 address" },
		{ "::", 6, "is the unspecified address" },
		{ "::1", 6, "is the loopback address" },
		{ "ff02::1", 6, "is a multicast address" },
		{ "::ffff:192.0.2.1", 6, "is an IPv4-mapped address" },
		{ "192.0.2.1", 6, "is not an IPv6 address" },
		{ "2001:db8:::1", 6, "is not an IPv6 address" },
		{ "", 6, "is not an IPv6 address" },
	};
	const char *why;
	ipam_addr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ipam_parse_addr(bad[i].text, bad[i].family, &a, &why) == -1,
			      "%s accepted", bad[i].text);
		ck_assert_str_eq(why, bad[i].why);
	}
	ck_assert_int_eq(ipam_parse_addr(NULL, 4, &a, &why), -1);
	ck_assert(addr4("192.0.2.1") == 0xc0000201u);
	assert_text(6, addr6("2001:0DB8:0:0::0:1"), "2001:db8::1");
	assert_text(4, addr4("10.0.0.255"), "10.0.0.255");
}
END_TEST

START_TEST(networks_canonical)
{
	static const struct { const char *text; int family; } bad[] = {
		{ "192.0.2.1/24", 4 },		/* host bits */
		{ "192.0.2.0", 4 },
		{ "192.0.2.0/", 4 },
		{ "192.0.2.0/0", 4 },
		{ "192.0.2.0/33", 4 },
		{ "192.0.2.0/2x", 4 },
		{ "192.0.2.0/-1", 4 },
		{ "192.0.2.0/0024", 4 },
		{ "0.0.0.0/8", 4 },
		{ "2001:db8::1/64", 6 },
		{ "2001:db8::/129", 6 },
		{ "ff00::/8", 6 },
		{ "::/0", 6 },
	};
	const char *why;
	ipam_addr net;
	int len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ipam_parse_cidr(bad[i].text, bad[i].family, &net, &len, &why)
			      == -1, "%s accepted", bad[i].text);
	ck_assert_int_eq(ipam_parse_cidr("192.0.2.1/24", 4, &net, &len, &why), -1);
	ck_assert_str_eq(why, "has host bits set (not the network's canonical form)");

	ck_assert_int_eq(ipam_parse_cidr("192.0.2.0/24", 4, &net, &len, &why), 0);
	ck_assert(net == addr4("192.0.2.0") && len == 24);
	ck_assert_int_eq(ipam_parse_cidr("192.0.2.7/32", 4, &net, &len, &why), 0);
	ck_assert_int_eq(ipam_parse_cidr("2001:0db8:0000::/48", 6, &net, &len, &why), 0);
	assert_text(6, net, "2001:db8::");
	ck_assert_int_eq(len, 48);
}
END_TEST

START_TEST(overlap_and_contains)
{
	ck_assert(ipam_overlap(4, addr4("192.0.2.0"), 24, addr4("192.0.2.128"), 25));
	ck_assert(ipam_overlap(4, addr4("192.0.2.128"), 25, addr4("192.0.0.0"), 16));
	ck_assert(ipam_overlap(4, addr4("192.0.2.0"), 24, addr4("192.0.2.0"), 24));
	ck_assert(!ipam_overlap(4, addr4("192.0.2.0"), 24, addr4("192.0.3.0"), 24));
	ck_assert(!ipam_overlap(4, addr4("192.0.2.0"), 25, addr4("192.0.2.128"), 25));
	ck_assert(ipam_overlap(6, addr6("2001:db8::"), 32, addr6("2001:db8:ffff::"), 48));
	ck_assert(!ipam_overlap(6, addr6("2001:db8::"), 48, addr6("2001:db8:1::"), 48));
	ck_assert(ipam_contains(4, addr4("192.0.2.0"), 24, addr4("192.0.2.255")));
	ck_assert(!ipam_contains(4, addr4("192.0.2.0"), 24, addr4("192.0.3.0")));
	ck_assert(ipam_contains(6, addr6("2001:db8::"), 64, addr6("2001:db8::ffff:1")));
	ck_assert(!ipam_contains(6, addr6("2001:db8::"), 64, addr6("2001:db8:0:1::")));
}
END_TEST

START_TEST(index_address_v4)
{
	struct ipam_pool p = { .family = 4, .network = addr4("192.0.2.0"),
			       .prefix_len = 24, .assign_len = 32 };
	int64_t first, last;

	ck_assert_int_eq(ipam_index_last(&p), 255);
	assert_text(4, ipam_index_address(&p, 0), "192.0.2.0");
	assert_text(4, ipam_index_address(&p, 37), "192.0.2.37");
	ck_assert_int_eq(ipam_address_index(&p, addr4("192.0.2.200")), 200);
	ck_assert_int_eq(ipam_address_index(&p, addr4("192.0.3.1")), -1);
	ck_assert_int_eq(ipam_default_range(&p, &first, &last), 0);
	ck_assert(first == 1 && last == 254);

	/* /31 and /32: every address (RFC 3021). */
	p.prefix_len = 31;
	ck_assert_int_eq(ipam_default_range(&p, &first, &last), 0);
	ck_assert(first == 0 && last == 1);
	p.prefix_len = 32;
	ck_assert_int_eq(ipam_default_range(&p, &first, &last), 0);
	ck_assert(first == 0 && last == 0);
	/* A /30: two hosts. */
	p.prefix_len = 30;
	ck_assert_int_eq(ipam_default_range(&p, &first, &last), 0);
	ck_assert(first == 1 && last == 2);
}
END_TEST

START_TEST(index_address_v6)
{
	struct ipam_pool p64 = { .family = 6, .network = addr6("2001:db8:100::"),
				 .prefix_len = 48, .assign_len = 64 };
	struct ipam_pool p128 = { .family = 6, .network = addr6("2001:db8::"),
				  .prefix_len = 64, .assign_len = 128 };
	struct ipam_pool huge = { .family = 6, .network = addr6("2001:db8::"),
				  .prefix_len = 32, .assign_len = 128 };
	int64_t first, last;

	/* /64s out of a /48: indexed by their number. */
	ck_assert_int_eq(ipam_index_last(&p64), 65535);
	assert_text(6, ipam_index_address(&p64, 0), "2001:db8:100::");
	assert_text(6, ipam_index_address(&p64, 5), "2001:db8:100:5::");
	assert_text(6, ipam_index_address(&p64, 65535), "2001:db8:100:ffff::");
	ck_assert_int_eq(ipam_address_index(&p64, addr6("2001:db8:100:5::1234")), 5);
	ck_assert_int_eq(ipam_address_index(&p64, addr6("2001:db8:101::")), -1);
	ck_assert_int_eq(ipam_default_range(&p64, &first, &last), 0);
	ck_assert(first == 0 && last == 65535);

	/* Single addresses out of a /64: the space is cut to 2^62. */
	ck_assert_int_eq(ipam_index_last(&p128), IPAM_INDEX_MAX);
	assert_text(6, ipam_index_address(&p128, 1), "2001:db8::1");
	assert_text(6, ipam_index_address(&p128, 0x10000), "2001:db8::1:0");
	ck_assert_int_eq(ipam_address_index(&p128, addr6("2001:db8::abcd")), 0xabcd);
	ck_assert_int_eq(ipam_address_index(&p128, addr6("2001:db8::ffff:ffff:ffff:ffff")), -1);
	ck_assert_int_eq(ipam_default_range(&p128, &first, &last), 0);
	ck_assert(first == 1 && last == IPAM_INDEX_MAX);
	assert_text(6, ipam_index_address(&p128, IPAM_INDEX_MAX),
		    "2001:db8::3fff:ffff:ffff:ffff");
	ck_assert_int_eq(ipam_index_last(&huge), IPAM_INDEX_MAX);
}
END_TEST

START_TEST(mac_format)
{
	static const uint8_t r[5] = { 0x00, 0xab, 0x10, 0xff, 0x07 };
	char mac[18];

	ipam_mac_format(r, mac);
	ck_assert_str_eq(mac, "02:00:ab:10:ff:07");
}
END_TEST

/* --- against the schema --- */

static char path[64];

static sqlite3 *migrated(void)
{
	char err[256];
	sqlite3 *db;
	int fd;

	strcpy(path, "/tmp/provisiond-ipam-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(db_connect(path, false, &db, err, sizeof(err)), 0);
	ck_assert_int_eq(db_migrate(db, db_migrations, db_migrations_count, err,
				    sizeof(err)), 0);
	ck_assert_int_eq(db_run(db, "INSERT INTO tenants (id, name, created_at, updated_at)"
				    " VALUES ('ten_1', 't', 0, 0)", ""), SQLITE_OK);
	for (int i = 1; i <= 6; i++) {
		char sql[256];

		snprintf(sql, sizeof(sql), "INSERT INTO servers (id, tenant_id, hostname,"
			 " desired_state, actual_state, created_at, updated_at)"
			 " VALUES ('srv_%d', 'ten_1', 'h', 'running', 'running', 0, 0)", i);
		ck_assert_int_eq(db_run(db, sql, ""), SQLITE_OK);
	}
	/* 192.0.2.0/29: indices 2..5 (.1 the gateway at index 1, kept out by
	 * gateway_idx though inside the range 1..5). */
	ck_assert_int_eq(db_run(db, "INSERT INTO ip_pools (id, name, family, network,"
				    " prefix_len, gateway, range_start, range_end, first_idx,"
				    " last_idx, gateway_idx, assign_prefix_len, created_at,"
				    " updated_at) VALUES ('ipp_1', 'p', 4, '192.0.2.0/29', 29,"
				    " '192.0.2.1', '192.0.2.1', '192.0.2.5', 1, 5, 1, 32, 0, 0)",
				""), SQLITE_OK);
	return db;
}

static void drop(sqlite3 *db)
{
	char side[80];

	sqlite3_close(db);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

START_TEST(allocation_lowest_free_and_quarantine)
{
	sqlite3 *db = migrated();
	char address[IPAM_TEXT_MAX];
	int family = 0;

	ck_assert_int_eq(ipam_allocate(db, "srv_1", 6, true, 60, address), IPAM_NO_POOL);
	ck_assert_int_eq(ipam_allocate(db, "srv_1", 4, true, 60, address), IPAM_OK);
	ck_assert_str_eq(address, "192.0.2.2");
	ck_assert_int_eq(ipam_allocate(db, "srv_2", 4, true, 60, address), IPAM_OK);
	ck_assert_str_eq(address, "192.0.2.3");
	ck_assert_int_eq(ipam_allocate(db, "srv_3", 4, true, 60, address), IPAM_OK);
	ck_assert_str_eq(address, "192.0.2.4");

	/* A released index in quarantine is skipped; the gap after it found. */
	ck_assert_int_eq(db_run(db, "UPDATE servers SET deleted_at = strftime('%s', 'now')"
				    " WHERE id = 'srv_2'", ""), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM ip_allocations"
				    " WHERE released_at IS NOT NULL", -1), 1);
	ck_assert_int_eq(ipam_allocate(db, "srv_4", 4, true, 60, address), IPAM_OK);
	ck_assert_str_eq(address, "192.0.2.5");
	ck_assert_int_eq(ipam_allocate(db, "srv_5", 4, true, 60, address), IPAM_EXHAUSTED);
	/* With no quarantine it is free again: the lowest. */
	ck_assert_int_eq(ipam_allocate(db, "srv_5", 4, true, 0, address), IPAM_OK);
	ck_assert_str_eq(address, "192.0.2.3");

	/* A new server's whole setup: a MAC, and all or nothing. */
	ck_assert_int_eq(ipam_server_setup(db, "srv_6", 60, &family), IPAM_EXHAUSTED);
	ck_assert_int_eq(family, 4);
	ck_assert(db_int(db, "SELECT mac LIKE '02:%' FROM servers WHERE id = 'srv_6'", 0));
	drop(db);
}
END_TEST

START_TEST(sqlite_refuses_double_allocation)
{
	sqlite3 *db = migrated();
	char address[IPAM_TEXT_MAX];

	ck_assert_int_eq(ipam_allocate(db, "srv_1", 4, true, 60, address), IPAM_OK);
	/* Whatever the code did, a second live row of the index is refused... */
	ck_assert_int_eq(db_run(db, "INSERT INTO ip_allocations (pool_id, idx, address,"
				    " family, server_id, allocated_at)"
				    " VALUES ('ipp_1', 2, '192.0.2.2', 4, 'srv_2', 0)", ""),
			 SQLITE_CONSTRAINT);
	/* ... as is a second primary of a family, a live row without server,
	 * and deleting a pool in use. */
	ck_assert_int_eq(db_run(db, "INSERT INTO ip_allocations (pool_id, idx, address,"
				    " family, server_id, is_primary, allocated_at)"
				    " VALUES ('ipp_1', 3, '192.0.2.3', 4, 'srv_1', 1, 0)", ""),
			 SQLITE_CONSTRAINT);
	ck_assert_int_eq(db_run(db, "INSERT INTO ip_allocations (pool_id, idx, address,"
				    " family, allocated_at)"
				    " VALUES ('ipp_1', 4, '192.0.2.4', 4, 0)", ""),
			 SQLITE_CONSTRAINT);
	ck_assert_int_ne(db_run(db, "DELETE FROM ip_pools WHERE id = 'ipp_1'", ""), SQLITE_OK);
	/* Deleting the server row releases, and the released row stays. */
	ck_assert_int_eq(db_run(db, "DELETE FROM servers WHERE id = 'srv_1'", ""), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM ip_allocations WHERE server_id IS NULL"
				    " AND released_at IS NOT NULL", -1), 1);
	ck_assert_int_eq(db_run(db, "DELETE FROM ip_pools WHERE id = 'ipp_1'", ""), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM ip_allocations", -1), 0);
	drop(db);
}
END_TEST

Suite *ipam_suite(void)
{
	Suite *s = suite_create("ipam");
	TCase *tc = tcase_create("ipam");

	tcase_add_test(tc, addresses_refused);
	tcase_add_test(tc, networks_canonical);
	tcase_add_test(tc, overlap_and_contains);
	tcase_add_test(tc, index_address_v4);
	tcase_add_test(tc, index_address_v6);
	tcase_add_test(tc, mac_format);
	tcase_add_test(tc, allocation_lowest_free_and_quarantine);
	tcase_add_test(tc, sqlite_refuses_double_allocation);
	suite_add_tcase(s, tc);
	return s;
}
