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

static const struct field_spec *find_spec(const struct field_spec *spec,
					  const char *name)
{
	for (; spec->name; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

static bool check_value(const struct field_spec *f, const json_t *v,
			struct verr *err)
{
	const char *s;
	int64_t n, t;
	size_t len;

	if (json_is_null(v)) {
		if (f->flags & FS_NULLABLE)
			return true;
		return fail(err, f->name, "must not be null");
	}

	switch (f->type) {
	case FT_STRING:
		if (!json_is_string(v))
			return fail(err, f->name, "must be a string");
		s = json_string_value(v);
		len = utf8_length(s);
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

	case FT_INT:
		if (!json_is_integer(v))
			return fail(err, f->name, "must be an integer");
		n = json_integer_value(v);
		if (n < f->min || n > f->max)
			return fail(err, f->name, "must be from %lld to %lld",
				    (long long)f->min, (long long)f->max);
		return true;

	case FT_BOOL:
		if (!json_is_boolean(v))
			return fail(err, f->name, "must be true or false");
		return true;

	case FT_ENUM:
		if (json_is_string(v)) {
			s = json_string_value(v);
			for (const char *const *c = f->choices; *c; c++)
				if (strcmp(*c, s) == 0)
					return true;
		}
		{
			char list[160] = "";

			for (const char *const *c = f->choices; *c; c++) {
				strncat(list, c == f->choices ? "" : ", ",
					sizeof(list) - strlen(list) - 1);
				strncat(list, *c, sizeof(list) - strlen(list) - 1);
			}
			return fail(err, f->name, "must be one of: %s", list);
		}

	case FT_STRING_LIST: {
		struct field_spec item = *f;
		size_t i;
		json_t *each;

		if (!json_is_array(v))
			return fail(err, f->name, "must be an array of strings");
		if (json_array_size(v) > STRING_LIST_MAX)
			return fail(err, f->name, "must have at most %d items",
				    STRING_LIST_MAX);
		item.type = FT_STRING;
		item.flags = 0;
		json_array_foreach(v, i, each)
			if (!check_value(&item, each, err))
				return false;
		return true;
	}

	case FT_TIME:
		if (!json_is_string(v) || !time_parse(json_string_value(v), &t))
			return fail(err, f->name,
				    "must be an RFC 3339 date-time such as 2030-01-31T12:00:00Z");
		return true;
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
			if (!find_spec(spec, key)) {
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
