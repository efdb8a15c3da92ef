// SPDX-License-Identifier: GPL-2.0-only
/*
 * validate.h - checks a JSON request body, and query parameters, against
 * the contract.
 *
 * The tables are not written by hand: provisiond/gen_contract.py makes one
 * field_spec table per request body schema and per operation's query
 * parameters from api/openapi.yaml at build time (build/provisiond/gen/
 * contract.c): names, types, required or optional, nullable, ranges,
 * multiples, lengths, enums, formats (x-format).  Anything a table does
 * not name is an unknown field.  The first problem found is reported as
 * "field: what is wrong", which the API returns as a 400.
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
	FT_ARRAY,	/* min..max items, each as *items says */
};

#define FS_REQUIRED	0x1
#define FS_NULLABLE	0x2
#define FS_UNIQUE	0x4	/* FT_ARRAY: no item twice (uniqueItems) */

struct field_spec {
	const char *name;
	enum field_type type;
	unsigned flags;
	int64_t min, max;
	int64_t multiple_of;		/* FT_INT: 0, or the value's divisor */
	int64_t dflt;			/* FT_INT: the contract's default */
	const char *const *choices;	/* FT_ENUM, NULL-terminated */
	bool (*format)(const char *s);	/* FT_STRING: extra check */
	const char *format_desc;	/* e.g. "a hostname (RFC 1123)" */
	const struct field_spec *items;	/* FT_ARRAY: each item (not an array) */
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

/*
 * True if the query parameter value (text) satisfies f, read as its type
 * says (FT_INT: a decimal integer, FT_BOOL: true or false); otherwise
 * false with err filled in, like validate_object().
 */
bool validate_query_value(const struct field_spec *f, const char *value,
			  struct verr *err);

/* The spec of the field called name in spec, or NULL. */
const struct field_spec *field_spec_find(const struct field_spec *spec,
					 const char *name);

/* Formats for FT_STRING fields (x-format in the contract). */
bool valid_hostname(const char *s);	/* RFC 1123, at most 253 characters */
bool valid_abs_path(const char *s);	/* "/..." without "." or ".." parts */
bool valid_text(const char *s);		/* no control characters */

/* Query parameters: a decimal integer in [min, max]. */
bool parse_int_param(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
