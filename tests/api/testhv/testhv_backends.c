// SPDX-License-Identifier: GPL-2.0-only
/*
 * testhv_backends.c - the hypervisor backends of provisiond-testhv, the
 * binary the API tests run: the product's libhv and the test double
 * (hv_fake.c), which the product binary never contains (it links
 * provisiond/hv_backends.c instead of this file).
 */
#include <stddef.h>

#include "hv_backend.h"
#include "hv_fake.h"

const struct hv_backend_kind hv_backend_kinds[] = {
	{ "libhv", hv_libhv_open },
	{ "fake", hv_fake_open },
	{ NULL, NULL }
};
