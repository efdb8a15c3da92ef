// SPDX-License-Identifier: GPL-2.0-only
/*
 * validate.c - request body validation (see validate.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "validate.h"

static bool fail(struct verr *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct verr *err, const char *field, const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	str_copy(err->field, field, sizeof(err->field));
	snprintf(err->message, sizeof(err->message), "%s: %s", field, what);
	return false;
}

const struct field_spec *field_spec_find(const struct field_spec *spec,
					 const char *name)
{
	for (; spec && spec->name; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

static bool check_int(const struct field_spec *f, int64_t n, struct verr *err)
{
	if (n < f->min || n > f->max)
		return fail(err, f->name, "must be from %lld to %lld",
			    (long long)f->min, (long long)f->max);
	if (f->multiple_of && n % f->multiple_of != 0)
		return fail(err, f->name, "must be a multiple of %lld",
			    (long long)f->multiple_of);
	return true;
}

static bool check_string(const struct field_spec *f, const char *s,
			 struct verr *err)
{
	size_t len = utf8_length(s);

	if ((int64_t)len < f->min || (int64_t)len > f->max) {
		if (f->min == f->max)
			return fail(err, f->name, "must be %lld characters long",
				    (long long)f->min);
		return fail(err, f->name, "must be %lld to %lld characters long",
			    (long long)f->min, (long long)f->max);
	}
	if (f->format && !f->format(s))
		return fail(err, f->name, "must be %s", f->format_desc);
	return true;
}

static bool check_enum(const struct field_spec *f, const char *s,
		       struct verr *err)
{
	char list[160] = "";

	for (const char *const *c = f->choices; s && *c; c++)
		if (strcmp(*c, s) == 0)
			return true;
	for (const char *const *c = f->choices; *c; c++) {
		strncat(list, c == f->choices ? "" : ", ",
			sizeof(list) - strlen(list) - 1);
		strncat(list, *c, sizeof(list) - strlen(list) - 1);
	}
	return fail(err, f->name, "must be one of: %s", list);
}

static bool check_value(const struct field_spec *f, const json_t *v,
			struct verr *err);

/* Each item as f->items says, named "field[i]" in messages. */
static bool check_array(const struct field_spec *f, const json_t *v,
			struct verr *err)
{
	size_t n = json_array_size(v);

	if ((int64_t)n < f->min || (int64_t)n > f->max)
		return fail(err, f->name, "must have %lld to %lld items",
			    (long long)f->min, (long long)f->max);
	for (size_t i = 0; i < n; i++) {
		struct field_spec item = *f->items;
		char name[64];

		snprintf(name, sizeof(name), "%s[%zu]", f->name, i);
		item.name = name;
		if (!check_value(&item, json_array_get(v, i), err))
			return false;
		for (size_t j = 0; (f->flags & FS_UNIQUE) && j < i; j++)
			if (json_equal(json_array_get(v, i), json_array_get(v, j)))
				return fail(err, name, "is already in the list");
	}
	return true;
}

static bool check_value(const struct field_spec *f, const json_t *v,
			struct verr *err)
{
	int64_t t;

	if (json_is_null(v)) {
		if (f->flags & FS_NULLABLE)
			return true;
		return fail(err, f->name, "must not be null");
	}

	switch (f->type) {
	case FT_STRING:
		if (!json_is_string(v))
			return fail(err, f->name, "must be a string");
		return check_string(f, json_string_value(v), err);

	case FT_INT:
		if (!json_is_integer(v))
			return fail(err, f->name, "must be an integer");
		return check_int(f, json_integer_value(v), err);

	case FT_BOOL:
		if (!json_is_boolean(v))
			return fail(err, f->name, "must be true or false");
		return true;

	case FT_ENUM:
		return check_enum(f, json_string_value(v), err);

	case FT_TIME:
		if (!json_is_string(v) || !time_parse(json_string_value(v), &t))
			return fail(err, f->name,
				    "must be an RFC 3339 date-time such as 2030-01-31T12:00:00Z");
		return true;

	case FT_ARRAY:
		if (!json_is_array(v))
			return fail(err, f->name, "must be an array");
		return check_array(f, v, err);
	}
	return fail(err, f->name, "has an unknown type");
}

bool validate_object(const json_t *obj, const struct field_spec *spec,
		     struct verr *err)
{
	const char *key;
	json_t *value;

	if (obj && !json_is_object(obj)) {
		str_copy(err->field, "", sizeof(err->field));
		str_copy(err->message, "the request body must be a JSON object",
			 sizeof(err->message));
		return false;
	}

	/* Unknown fields first: a typo must not pass as "optional, absent". */
	if (obj) {
		json_object_foreach((json_t *)obj, key, value) {
			if (!field_spec_find(spec, key)) {
				char name[64];

				/* The name comes from the client: keep it printable. */
				snprintf(name, sizeof(name), "%s", key);
				for (char *p = name; *p; p++)
					if ((unsigned char)*p < 0x20 || *p == 0x7f)
						*p = '?';
				return fail(err, name, "unknown field");
			}
		}
	}

	for (const struct field_spec *f = spec; f->name; f++) {
		value = obj ? json_object_get(obj, f->name) : NULL;
		if (!value) {
			if (f->flags & FS_REQUIRED)
				return fail(err, f->name, "is required");
			continue;
		}
		if (!check_value(f, value, err))
			return false;
	}
	return true;
}

bool validate_query_value(const struct field_spec *f, const char *value,
			  struct verr *err)
{
	int64_t n;

	switch (f->type) {
	case FT_STRING:
		return check_string(f, value, err);
	case FT_INT:
		if (!parse_int_param(value, f->min, f->max, &n))
			return fail(err, f->name, "must be an integer from %lld to %lld",
				    (long long)f->min, (long long)f->max);
		return check_int(f, n, err);
	case FT_BOOL:
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
			return fail(err, f->name, "must be true or false");
		return true;
	case FT_ENUM:
		return check_enum(f, value, err);
	case FT_TIME:
		if (!time_parse(value, &n))
			return fail(err, f->name,
				    "must be an RFC 3339 date-time such as 2030-01-31T12:00:00Z");
		return true;
	case FT_ARRAY:
		break;	/* the generator allows no array in a query */
	}
	return fail(err, f->name, "has an unknown type");
}

bool valid_hostname(const char *s)
{
	size_t total = strlen(s), label = 0;

	if (total == 0 || total > 253)
		return false;
	for (const char *p = s; ; p++) {
		char c = *p;

		if (c == '.' || c == '\0') {
			/* Labels: 1..63 characters, no hyphen at either end. */
			if (label == 0 || label > 63 || p[-1] == '-' ||
			    p[-(long)label] == '-')
				return false;
			if (c == '\0')
				return true;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
		label++;
	}
}

bool valid_abs_path(const char *s)
{
	if (s[0] != '/' || has_control_chars(s))
		return false;
	/* Each component: not empty, not "." and not "..". */
	for (const char *p = s; *p; ) {
		const char *start = ++p;
		size_t n;

		while (*p && *p != '/')
			p++;
		n = (size_t)(p - start);
		if (n == 0 || (n == 1 && start[0] == '.') ||
		    (n == 2 && start[0] == '.' && start[1] == '.'))
			return false;
	}
	return true;
}

bool valid_text(const char *s)
{
	return !has_control_chars(s);
}

bool parse_int_param(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!s || *s == '\0' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}
