// SPDX-License-Identifier: GPL-2.0-only
/*
 * validate.h - checks a JSON request body against the contract.
 *
 * Each request body in api/openapi.yaml has a table of field_spec here (in
 * the handler file of its resource), written to say the same thing: names,
 * types, required or optional, nullable, ranges, formats.  Anything the
 * table does not name is an unknown field.  The first problem found is
 * reported as "field: what is wrong", which the API returns as a 400.
 */
#ifndef PROVISIOND_VALIDATE_H
#define PROVISIOND_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

enum field_type {
	FT_STRING,	/* length range in code points: min..max */
	FT_INT,		/* value range: min..max */
	FT_BOOL,
	FT_ENUM,	/* one of choices[] */
	FT_TIME,	/* RFC 3339 date-time string */
	FT_STRING_LIST,	/* an array of at most STRING_LIST_MAX strings,
			 * each checked as FT_STRING (min..max, format) */
};

#define STRING_LIST_MAX	256

#define FS_REQUIRED	0x1
#define FS_NULLABLE	0x2

struct field_spec {
	const char *name;
	enum field_type type;
	unsigned flags;
	int64_t min, max;
	const char *const *choices;	/* FT_ENUM, NULL-terminated */
	bool (*format)(const char *s);	/* FT_STRING: extra check */
	const char *format_desc;	/* e.g. "a hostname (RFC 1123)" */
};

/* Terminates a spec table. */
#define FIELD_END	{ .name = NULL }

struct verr {
	char field[64];
	char message[256];	/* "field: what is wrong" */
};

/*
 * True if obj is a JSON object that satisfies spec; otherwise false with
 * err filled in.  A NULL obj (no body) counts as {}.
 */
bool validate_object(const json_t *obj, const struct field_spec *spec,
		     struct verr *err);

/* Formats for FT_STRING fields. */
bool valid_hostname(const char *s);	/* RFC 1123, at most 253 characters */
bool valid_abs_path(const char *s);	/* "/..." without "." or ".." parts */
bool valid_text(const char *s);		/* no control characters */

/* Query parameters: a decimal integer in [min, max]. */
bool parse_int_param(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
