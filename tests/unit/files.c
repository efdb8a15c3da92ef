// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading files the build made (the dom0 kernel, the guest test kernels)
 * for the tests that also check the real thing.  Not a test suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <check.h>

#include "suites.h"

uint8_t *read_whole_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
	/* Exactly the file's size: ASan reports a read past its end. */
	buf = malloc(len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, len, f), (size_t)len);
	fclose(f);
	*size = len;
	return buf;
}
