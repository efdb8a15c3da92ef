/* SPDX-License-Identifier: GPL-2.0-only */
/* dom0's calls about customer domains' virtio devices (common/devctl.c). */
#ifndef HV_DEVCTL_H
#define HV_DEVCTL_H

#include <public/hvabi.h>
#include <lib/types.h>

/*
 * Each takes the caller's checked buffer (struct hv_device_add, struct
 * hv_device_ctl) and its size, as hypercall()'s with_buffer() passes them;
 * returns for RAX.
 */
int64_t devctl_device_add(void *buf, uint64_t size);
int64_t devctl_device_ctl(void *buf, uint64_t size);

#endif
