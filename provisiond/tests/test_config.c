// SPDX-License-Identifier: GPL-2.0-only
/*
 * Settings (config.c): defaults, the config file, flags over the file, and
 * clear errors for anything wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "config.h"
#include "log.h"
#include "suites.h"

static char file[64];

static const char *write_file(const char *text)
{
	FILE *f;
	int fd;

	strcpy(file, "/tmp/provisiond-conf-XXXXXX");
	fd = mkstemp(file);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return file;
}

START_TEST(defaults)
{
	struct config c;
	char err[256];
	char *argv[] = { "provisiond", NULL };

	ck_assert_int_eq(config_load(&c, 1, argv, err, sizeof(err)), CONFIG_RUN);
	ck_assert_str_eq(c.listen, "127.0.0.1");
	ck_assert_int_eq(c.port, 8080);
	/* Never a test double unless asked for. */
	ck_assert_str_eq(c.hv, "libhv");
	ck_assert_int_eq(c.max_body, 65536);
	ck_assert_int_eq(c.log_level, LOG_INFO);
	ck_assert_int_eq(c.orphans, ORPHANS_REPORT);
	ck_assert_str_eq(c.hv_fake_state, "/var/lib/provisiond/provisiond.db.hv-fake.json");
}
END_TEST

START_TEST(file_then_flags)
{
	struct config c;
	char err[256], cfgarg[80];
	const char *path = write_file("# provisiond\n"
				      "port = 9000\n"
				      "  listen=::1   # comment\n"
				      "max_body = 2k\n"
				      "log_level = debug\n"
				      "orphans = destroy\n"
				      "\n"
				      "db = /tmp/x.db\n");
	char *argv[] = { "provisiond", cfgarg, "--port", "9100", "--max-body=1m",
			 "--hv=fake", NULL };

	snprintf(cfgarg, sizeof(cfgarg), "--config=%s", path);
	ck_assert_int_eq(config_load(&c, 6, argv, err, sizeof(err)), CONFIG_RUN);
	ck_assert_int_eq(c.port, 9100);			/* flag wins */
	ck_assert_str_eq(c.listen, "::1");		/* from the file */
	ck_assert_int_eq(c.max_body, 1024 * 1024);
	ck_assert_int_eq(c.log_level, LOG_DEBUG);
	ck_assert_int_eq(c.orphans, ORPHANS_DESTROY);
	ck_assert_str_eq(c.hv, "fake");
	ck_assert_str_eq(c.hv_fake_state, "/tmp/x.db.hv-fake.json");
	unlink(path);
}
END_TEST

START_TEST(errors)
{
	struct config c;
	char err[256], cfgarg[80];
	const char *path;

	{
		char *argv[] = { "provisiond", "--port", "70000", NULL };

		ck_assert_int_eq(config_load(&c, 3, argv, err, sizeof(err)), CONFIG_ERROR);
		ck_assert_msg(strstr(err, "port") != NULL, "%s", err);
	}
	{
		char *argv[] = { "provisiond", "--colour=blue", NULL };

		ck_assert_int_eq(config_load(&c, 2, argv, err, sizeof(err)), CONFIG_ERROR);
		ck_assert_msg(strstr(err, "unknown setting 'colour'") != NULL, "%s", err);
	}
	{
		char *argv[] = { "provisiond", "--port", NULL };

		ck_assert_int_eq(config_load(&c, 2, argv, err, sizeof(err)), CONFIG_ERROR);
		ck_assert_msg(strstr(err, "needs a value") != NULL, "%s", err);
	}
	{
		char *argv[] = { "provisiond", "stray", NULL };

		ck_assert_int_eq(config_load(&c, 2, argv, err, sizeof(err)), CONFIG_ERROR);
	}
	{
		char *argv[] = { "provisiond", "--log-level=loud", NULL };

		ck_assert_int_eq(config_load(&c, 2, argv, err, sizeof(err)), CONFIG_ERROR);
	}
	path = write_file("port = 1\nthis is not a setting\n");
	snprintf(cfgarg, sizeof(cfgarg), "--config=%s", path);
	{
		char *argv[] = { "provisiond", cfgarg, NULL };

		ck_assert_int_eq(config_load(&c, 2, argv, err, sizeof(err)), CONFIG_ERROR);
		ck_assert_msg(strstr(err, ":2: expected 'key = value'") != NULL, "%s", err);
	}
	unlink(path);
	{
		char *argv[] = { "provisiond", "--config=/nonexistent/provisiond.conf", NULL };

		ck_assert_int_eq(config_load(&c, 2, argv, err, sizeof(err)), CONFIG_ERROR);
	}
	{
		char *argv[] = { "provisiond", "--port=1", "--help", NULL };

		ck_assert_int_eq(config_load(&c, 3, argv, err, sizeof(err)), CONFIG_HELP);
	}
}
END_TEST

/* The policy defaults and TLS: safe out of the box, and every choice. */
START_TEST(policy_and_tls)
{
	struct config c;
	char err[256];

	{
		char *argv[] = { "provisiond", "--db", "/srv/pvd/p.db", NULL };

		ck_assert_int_eq(config_load(&c, 3, argv, err, sizeof(err)), CONFIG_RUN);
		ck_assert_int_eq(c.default_max_servers, 2);
		ck_assert_int_eq(c.default_plan_changes, PLAN_CHANGES_NONE);
		ck_assert(c.tls);
		ck_assert_str_eq(c.tls_cert, "/srv/pvd/tls-cert.pem");
		ck_assert_str_eq(c.tls_key, "/srv/pvd/tls-key.pem");
	}
	{
		char *argv[] = { "provisiond", "--default-plan-changes=upgrade",
				 "--default-max-vcpus=-1", "--tls=off", NULL };

		ck_assert_int_eq(config_load(&c, 4, argv, err, sizeof(err)), CONFIG_RUN);
		ck_assert_int_eq(c.default_plan_changes, PLAN_CHANGES_UPGRADE);
		ck_assert_int_eq(c.default_max_vcpus, QUOTA_UNLIMITED);
		ck_assert(!c.tls);
	}
	{
		char *argv[] = { "provisiond", "--default-plan-changes=always", NULL };

		ck_assert_int_eq(config_load(&c, 2, argv, err, sizeof(err)), CONFIG_ERROR);
		ck_assert_msg(strstr(err, "is not none, upgrade or any") != NULL, "%s", err);
	}
	{
		char *argv[] = { "provisiond", "--tls=maybe", NULL };

		ck_assert_int_eq(config_load(&c, 2, argv, err, sizeof(err)), CONFIG_ERROR);
		ck_assert_msg(strstr(err, "is not on or off") != NULL, "%s", err);
	}
	{
		char *argv[] = { "provisiond", "--default-max-servers=-2", NULL };

		ck_assert_int_eq(config_load(&c, 2, argv, err, sizeof(err)), CONFIG_ERROR);
	}
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, file_then_flags);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, policy_and_tls);
	suite_add_tcase(s, tc);
	return s;
}
