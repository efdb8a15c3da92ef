// SPDX-License-Identifier: GPL-2.0-only
/*
 * volume_stores.c - the volume stores of the product binary: reflink only.
 * The API tests' binary links tests/api/testhv/testhv_volume_stores.c
 * instead, which adds the "copy" test double.
 */
#include <stddef.h>

#include "volume_store.h"

const struct volume_store *const volume_stores[] = {
	&volume_store_reflink,
	NULL
};
