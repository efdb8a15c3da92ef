// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_fake.h - the test double of the hypervisor (hv_fake.c), built only
 * into provisiond-testhv for the API tests; never into the product.
 */
#ifndef PROVISIOND_TESTHV_HV_FAKE_H
#define PROVISIOND_TESTHV_HV_FAKE_H

#include "hv_backend.h"

/* --hv=fake: domains kept in the JSON file state_path (see hv_fake.c). */
hv_backend_open_fn hv_fake_open;

#endif
