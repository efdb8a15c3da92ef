// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_backends.c - the hypervisor backends of the product binary: the real
 * one only.  The API tests' binary (provisiond-testhv) links its own list
 * instead of this file (tests/api/testhv/testhv_backends.c), with the test
 * double beside libhv; so --hv=fake is refused by the provisiond dom0 ships.
 */
#include <stddef.h>

#include "hv_backend.h"

const struct hv_backend_kind hv_backend_kinds[] = {
	{ "libhv", hv_libhv_open },
	{ NULL, NULL }
};
