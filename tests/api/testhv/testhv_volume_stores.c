// SPDX-License-Identifier: GPL-2.0-only
/*
 * testhv_volume_stores.c - the volume stores of provisiond-testhv: the
 * product's reflink and the "copy" test double (volume_copy.c), which the
 * product binary never contains (it links provisiond/volume_stores.c).
 */
#include <stddef.h>

#include "volume_store.h"

extern const struct volume_store volume_store_copy;

const struct volume_store *const volume_stores[] = {
	&volume_store_reflink,
	&volume_store_copy,
	NULL
};
