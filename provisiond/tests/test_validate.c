// SPDX-License-Identifier: GPL-2.0-only
/*
 * Request validation (validate.c) and the helpers it uses (util.c): every
 * kind of wrong body must be refused with a message that names the field.
 */
#include <string.h>
#include <check.h>

#include "suites.h"
#include "util.h"
#include "validate.h"

static const char *const colours[] = { "red", "green", NULL };

static const struct field_spec spec[] = {
	{ .name = "name", .type = FT_STRING, .flags = FS_REQUIRED, .min = 1, .max = 5,
	  .format = valid_text, .format_desc = "text" },
	{ .name = "count", .type = FT_INT, .min = 1, .max = 64 },
	{ .name = "note", .type = FT_STRING, .flags = FS_NULLABLE, .min = 0, .max = 10 },
	{ .name = "on", .type = FT_BOOL },
	{ .name = "colour", .type = FT_ENUM, .choices = colours },
	{ .name = "when", .type = FT_TIME, .flags = FS_NULLABLE },
	{ .name = "host", .type = FT_STRING, .min = 1, .max = 253,
	  .format = valid_hostname, .format_desc = "a hostname" },
	{ .name = "mib", .type = FT_INT, .min = 16, .max = 1024, .multiple_of = 2 },
	{ .name = "tags", .type = FT_ARRAY, .flags = FS_UNIQUE, .min = 1, .max = 3,
	  .items = &(const struct field_spec){ .name = "tags", .type = FT_STRING,
					       .min = 1, .max = 4 } },
	FIELD_END
};

/* Validates JSON text; returns the error message ("" when valid). */
static const char *check_json(const char *text)
{
	static struct verr err;
	json_t *obj = json_loads(text, 0, NULL);
	bool ok;

	ck_assert_msg(obj != NULL, "test JSON does not parse: %s", text);
	memset(&err, 0, sizeof(err));
	ok = validate_object(obj, spec, &err);
	json_decref(obj);
	return ok ? "" : err.message;
}

START_TEST(valid_bodies)
{
	ck_assert_str_eq(check_json("{\"name\": \"ab\"}"), "");
	ck_assert_str_eq(check_json("{\"name\": \"ab\", \"count\": 64, \"note\": null,"
				    " \"on\": false, \"colour\": \"green\","
				    " \"when\": \"2030-01-31T12:00:00Z\","
				    " \"host\": \"web-1.example.com\"}"), "");
	/* Length counts characters, not bytes: five of them. */
	ck_assert_str_eq(check_json("{\"name\": \"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}"), "");
}
END_TEST

START_TEST(unknown_and_missing)
{
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"colour\": \"red\", \"size\": 1}"),
			 "size: unknown field");
	ck_assert_str_eq(check_json("{}"), "name: is required");
	ck_assert_str_eq(check_json("{\"count\": 2}"), "name: is required");
}
END_TEST

START_TEST(wrong_types)
{
	ck_assert_str_eq(check_json("{\"name\": 5}"), "name: must be a string");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"count\": \"5\"}"),
			 "count: must be an integer");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"count\": 5.0}"),
			 "count: must be an integer");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"count\": true}"),
			 "count: must be an integer");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"on\": 1}"),
			 "on: must be true or false");
	ck_assert_str_eq(check_json("{\"name\": [\"a\"]}"), "name: must be a string");
	ck_assert_str_eq(check_json("{\"name\": null}"), "name: must not be null");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"count\": null}"),
			 "count: must not be null");
}
END_TEST

START_TEST(ranges_and_formats)
{
	ck_assert_str_eq(check_json("{\"name\": \"\"}"), "name: must be 1 to 5 characters long");
	ck_assert_str_eq(check_json("{\"name\": \"abcdef\"}"),
			 "name: must be 1 to 5 characters long");
	ck_assert_str_eq(check_json("{\"name\": \"a\\u0001\"}"), "name: must be text");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"count\": 0}"),
			 "count: must be from 1 to 64");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"count\": 65}"),
			 "count: must be from 1 to 64");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"count\": -9223372036854775807}"),
			 "count: must be from 1 to 64");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"colour\": \"blue\"}"),
			 "colour: must be one of: red, green");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"when\": \"tomorrow\"}"),
			 "when: must be an RFC 3339 date-time such as 2030-01-31T12:00:00Z");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"host\": \"-bad\"}"),
			 "host: must be a hostname");
}
END_TEST

START_TEST(not_an_object)
{
	struct verr err;
	json_t *arr = json_array();

	ck_assert(!validate_object(arr, spec, &err));
	ck_assert_str_eq(err.message, "the request body must be a JSON object");
	json_decref(arr);
	/* No body at all is {}: required fields are still reported. */
	ck_assert(!validate_object(NULL, spec, &err));
	ck_assert_str_eq(err.message, "name: is required");
}
END_TEST

START_TEST(unknown_field_name_is_sanitised)
{
	json_t *obj = json_pack("{s:s, s:i}", "name", "a", "bad\nname", 1);
	struct verr err;

	ck_assert(!validate_object(obj, spec, &err));
	ck_assert_str_eq(err.message, "bad?name: unknown field");
	json_decref(obj);
}
END_TEST

START_TEST(hostnames)
{
	char label63[64], label64[65], long_name[300];

	ck_assert(valid_hostname("a"));
	ck_assert(valid_hostname("web-1.example.com"));
	ck_assert(valid_hostname("WEB1"));
	ck_assert(valid_hostname("1.2.3"));
	ck_assert(!valid_hostname(""));
	ck_assert(!valid_hostname("-a"));
	ck_assert(!valid_hostname("a-"));
	ck_assert(!valid_hostname("a..b"));
	ck_assert(!valid_hostname(".a"));
	ck_assert(!valid_hostname("a."));
	ck_assert(!valid_hostname("a_b"));
	ck_assert(!valid_hostname("a b"));
	ck_assert(!valid_hostname("'; DROP TABLE servers; --"));

	memset(label63, 'a', 63);
	label63[63] = '\0';
	memset(label64, 'a', 64);
	label64[64] = '\0';
	ck_assert(valid_hostname(label63));
	ck_assert(!valid_hostname(label64));
	/* 4 x 63 + 3 dots = 255 > 253 */
	snprintf(long_name, sizeof(long_name), "%s.%s.%s.%s", label63, label63,
		 label63, label63);
	ck_assert(!valid_hostname(long_name));
}
END_TEST

START_TEST(paths)
{
	ck_assert(valid_abs_path("/boot/vmlinuz"));
	ck_assert(valid_abs_path("/a"));
	ck_assert(valid_abs_path("/images/.hidden"));
	ck_assert(!valid_abs_path("boot/vmlinuz"));
	ck_assert(!valid_abs_path("/"));
	ck_assert(!valid_abs_path("/boot/"));
	ck_assert(!valid_abs_path("/boot//vmlinuz"));
	ck_assert(!valid_abs_path("/boot/../etc/shadow"));
	ck_assert(!valid_abs_path("/boot/./x"));
	ck_assert(!valid_abs_path("/boot/x\n"));
}
END_TEST

START_TEST(int_params)
{
	int64_t v;

	ck_assert(parse_int_param("0", 0, 10, &v) && v == 0);
	ck_assert(parse_int_param("10", 0, 10, &v) && v == 10);
	ck_assert(!parse_int_param("11", 0, 10, &v));
	ck_assert(!parse_int_param("-1", 0, 10, &v));
	ck_assert(!parse_int_param("", 0, 10, &v));
	ck_assert(!parse_int_param("1x", 0, 10, &v));
	ck_assert(!parse_int_param("+1", 0, 10, &v));
	ck_assert(!parse_int_param(" 1", 0, 10, &v));
	ck_assert(!parse_int_param("99999999999999999999", 0, INT64_MAX, &v));
}
END_TEST

START_TEST(timestamps)
{
	char out[TIME_STR_LEN];
	int64_t t;

	ck_assert(time_parse("1970-01-01T00:00:00Z", &t) && t == 0);
	ck_assert(time_parse("2030-01-31T12:00:00Z", &t) && t == 1896091200);
	ck_assert(time_parse("2030-01-31T12:00:00.123456Z", &t) && t == 1896091200);
	ck_assert(time_parse("2030-01-31T14:00:00+02:00", &t) && t == 1896091200);
	ck_assert(time_parse("2030-01-31T07:30:00-04:30", &t) && t == 1896091200);
	ck_assert(time_parse("2024-02-29T00:00:00Z", &t));
	ck_assert(!time_parse("2023-02-29T00:00:00Z", &t));
	ck_assert(!time_parse("2030-01-31 12:00:00Z", &t));
	ck_assert(!time_parse("2030-01-31T12:00:00", &t));
	ck_assert(!time_parse("2030-13-01T00:00:00Z", &t));
	ck_assert(!time_parse("2030-01-31T24:00:00Z", &t));
	ck_assert(!time_parse("2030-01-31T12:00:00Zjunk", &t));
	ck_assert(!time_parse("1969-12-31T23:59:59Z", &t));
	time_format(1896091200, out);
	ck_assert_str_eq(out, "2030-01-31T12:00:00Z");
}
END_TEST

START_TEST(ids)
{
	char a[ID_MAX], b[ID_MAX];

	ck_assert_int_eq(id_new("srv", a), 0);
	ck_assert_int_eq(id_new("srv", b), 0);
	ck_assert_int_eq(strlen(a), 20);
	ck_assert_str_ne(a, b);
	ck_assert(id_valid("srv", a));
	ck_assert(!id_valid("ten", a));
	ck_assert(!id_valid("srv", "srv_0123"));
	ck_assert(!id_valid("srv", "srv_0123456789abcdeF"));
	ck_assert(!id_valid("srv", "srv_0123456789abcdef0"));
	ck_assert(id_valid("srv", "srv_0123456789abcdef"));
}
END_TEST

START_TEST(multiples)
{
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"mib\": 16}"), "");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"mib\": 1024}"), "");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"mib\": 17}"),
			 "mib: must be a multiple of 2");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"mib\": 14}"),
			 "mib: must be from 16 to 1024");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"mib\": 1026}"),
			 "mib: must be from 16 to 1024");
}
END_TEST

START_TEST(arrays)
{
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"tags\": [\"x\", \"yy\"]}"), "");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"tags\": \"x\"}"),
			 "tags: must be an array");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"tags\": []}"),
			 "tags: must have 1 to 3 items");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"tags\": [\"a\", \"b\", \"c\", \"d\"]}"),
			 "tags: must have 1 to 3 items");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"tags\": [\"a\", 2]}"),
			 "tags[1]: must be a string");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"tags\": [\"a\", \"toolong\"]}"),
			 "tags[1]: must be 1 to 4 characters long");
	ck_assert_str_eq(check_json("{\"name\": \"a\", \"tags\": [\"a\", \"b\", \"a\"]}"),
			 "tags[2]: is already in the list");
}
END_TEST

/* A query parameter's text against a spec row; "" when valid. */
static const char *check_query(const char *name, const char *value)
{
	static struct verr err;
	const struct field_spec *f = field_spec_find(spec, name);

	ck_assert_ptr_nonnull(f);
	memset(&err, 0, sizeof(err));
	return validate_query_value(f, value, &err) ? "" : err.message;
}

START_TEST(query_values)
{
	static const char *const bad[] = { "0", "65", "-1", "ten", "1.5", "+5", "" };

	ck_assert_ptr_null(field_spec_find(spec, "size"));
	ck_assert_ptr_null(field_spec_find(NULL, "size"));
	ck_assert_str_eq(check_query("count", "1"), "");
	ck_assert_str_eq(check_query("count", "64"), "");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_str_eq(check_query("count", bad[i]),
				 "count: must be an integer from 1 to 64");
	ck_assert_str_eq(check_query("mib", "18"), "");
	ck_assert_str_eq(check_query("mib", "17"), "mib: must be a multiple of 2");
	ck_assert_str_eq(check_query("colour", "red"), "");
	ck_assert_str_eq(check_query("colour", "blue"), "colour: must be one of: red, green");
	ck_assert_str_eq(check_query("on", "true"), "");
	ck_assert_str_eq(check_query("on", "yes"), "on: must be true or false");
	ck_assert_str_eq(check_query("name", "abcde"), "");
	ck_assert_str_eq(check_query("name", "abcdef"), "name: must be 1 to 5 characters long");
	ck_assert_str_eq(check_query("when", "2030-01-31T12:00:00Z"), "");
	ck_assert_str_eq(check_query("when", "soon"),
			 "when: must be an RFC 3339 date-time such as 2030-01-31T12:00:00Z");
}
END_TEST

Suite *validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("validate");

	tcase_add_test(tc, valid_bodies);
	tcase_add_test(tc, unknown_and_missing);
	tcase_add_test(tc, wrong_types);
	tcase_add_test(tc, ranges_and_formats);
	tcase_add_test(tc, not_an_object);
	tcase_add_test(tc, unknown_field_name_is_sanitised);
	tcase_add_test(tc, hostnames);
	tcase_add_test(tc, paths);
	tcase_add_test(tc, int_params);
	tcase_add_test(tc, timestamps);
	tcase_add_test(tc, ids);
	tcase_add_test(tc, multiples);
	tcase_add_test(tc, query_values);
	tcase_add_test(tc, arrays);
	suite_add_tcase(s, tc);
	return s;
}
