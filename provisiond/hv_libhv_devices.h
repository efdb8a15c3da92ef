// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_libhv_devices.h - starting a domain's device backend (hv-backend)
 * for the real hypervisor backend (hv_libhv.c).
 */
#ifndef PROVISIOND_HV_LIBHV_DEVICES_H
#define PROVISIOND_HV_LIBHV_DEVICES_H

#include <stdint.h>

#include "hv_backend.h"

/* The program, where dom0's image puts it (hvctl runs the same one:
 * HVCTL_BACKEND_PATH in dom0-image/hvctl/hvctl.h). */
#define HV_BACKEND_PROGRAM	"/usr/sbin/hv-backend"

/*
 * Starts hv-backend for domain domid (created, not yet booted) serving
 * disks in order, and waits (at most 10 s) until it says it is ready.
 * 0, or a negative errno with why filled in.
 */
int lhv_devices_start(uint32_t domid, const struct hvb_disk *disks, uint32_t ndisks,
		      char *why, size_t len);

#endif
