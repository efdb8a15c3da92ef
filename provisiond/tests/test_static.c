// SPDX-License-Identifier: GPL-2.0-only
/*
 * static.c's path resolver: which request paths may name a file under
 * web_root, and which are the panel's page routes.  Everything that could
 * climb out of web_root, or name a hidden file, must be STATIC_NONE.
 */
#include <string.h>

#include "static.h"
#include "suites.h"

static enum static_target resolve(const char *path, char *rel)
{
	return static_resolve(path, rel);
}

START_TEST(files_and_pages)
{
	char rel[STATIC_REL_MAX];

	ck_assert_int_eq(resolve("/", rel), STATIC_FILE);
	ck_assert_str_eq(rel, "index.html");
	ck_assert_int_eq(resolve("/assets/app-3f2a.js", rel), STATIC_FILE);
	ck_assert_str_eq(rel, "assets/app-3f2a.js");
	ck_assert_int_eq(resolve("/favicon.ico", rel), STATIC_FILE);
	ck_assert_int_eq(resolve("/servers", rel), STATIC_PAGE);
	ck_assert_str_eq(rel, "servers");
	ck_assert_int_eq(resolve("/servers/srv_0123456789abcdef", rel), STATIC_PAGE);
	ck_assert_int_eq(resolve("/servers/", rel), STATIC_PAGE);
	ck_assert_str_eq(rel, "servers");
	/* A dot in a directory does not make the last segment a file. */
	ck_assert_int_eq(resolve("/v2.0/servers", rel), STATIC_PAGE);
	ck_assert_int_eq(resolve("/a@b+c~d_e-f.txt", rel), STATIC_FILE);
}
END_TEST

START_TEST(the_api_is_not_the_panels)
{
	char rel[STATIC_REL_MAX];

	ck_assert_int_eq(resolve("/v1", rel), STATIC_NONE);
	ck_assert_int_eq(resolve("/v1/", rel), STATIC_NONE);
	ck_assert_int_eq(resolve("/v1/servers", rel), STATIC_NONE);
	ck_assert_int_eq(resolve("/v10", rel), STATIC_PAGE);
}
END_TEST

START_TEST(nothing_outside_or_hidden)
{
	static const char *const bad[] = {
		"", "index.html", "/..", "/../etc/passwd", "/assets/../../x",
		"/assets/..", "/./index.html", "/.env", "/assets/.git/config",
		"//etc/passwd", "/assets//x.js", "/a\\..\\b", "/a b", "/a%2e",
		"/a\x01" "b", "/a\x7f", "/caf\xc3\xa9", "/a:b", "/a?b", "/a*b",
		"/a\"b", "/a<b>", "/a|b", "/%2e%2e/x", NULL,
	};
	char rel[STATIC_REL_MAX];

	for (int i = 0; bad[i]; i++) {
		ck_assert_msg(resolve(bad[i], rel) == STATIC_NONE, "%s", bad[i]);
		ck_assert_str_eq(rel, "");
	}
	ck_assert_int_eq(static_resolve(NULL, rel), STATIC_NONE);
}
END_TEST

START_TEST(long_paths_are_refused)
{
	char path[STATIC_REL_MAX + 8], rel[STATIC_REL_MAX];

	path[0] = '/';
	memset(path + 1, 'a', sizeof(path) - 2);
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(resolve(path, rel), STATIC_NONE);
	path[STATIC_REL_MAX - 1] = '\0';	/* 510 characters after '/' */
	ck_assert_int_eq(resolve(path, rel), STATIC_PAGE);
}
END_TEST

START_TEST(content_types)
{
	ck_assert_str_eq(static_content_type("index.html"), "text/html; charset=utf-8");
	ck_assert_str_eq(static_content_type("a/b.JS"), "text/javascript; charset=utf-8");
	ck_assert_str_eq(static_content_type("x.mjs"), "text/javascript; charset=utf-8");
	ck_assert_str_eq(static_content_type("x.css"), "text/css; charset=utf-8");
	ck_assert_str_eq(static_content_type("x.svg"), "image/svg+xml");
	ck_assert_str_eq(static_content_type("x.png"), "image/png");
	ck_assert_str_eq(static_content_type("x.ico"), "image/x-icon");
	ck_assert_str_eq(static_content_type("x.json"), "application/json");
	ck_assert_str_eq(static_content_type("x.js.map"), "application/json");
	ck_assert_str_eq(static_content_type("x.woff2"), "font/woff2");
	ck_assert_str_eq(static_content_type("x.exe"), "application/octet-stream");
	ck_assert_str_eq(static_content_type("noext"), "application/octet-stream");
	ck_assert_str_eq(static_content_type("dir.js/file"), "application/octet-stream");
}
END_TEST

Suite *static_suite(void)
{
	Suite *s = suite_create("static");
	TCase *tc = tcase_create("resolve");

	tcase_add_test(tc, files_and_pages);
	tcase_add_test(tc, the_api_is_not_the_panels);
	tcase_add_test(tc, nothing_outside_or_hidden);
	tcase_add_test(tc, long_paths_are_refused);
	tcase_add_test(tc, content_types);
	suite_add_tcase(s, tc);
	return s;
}
