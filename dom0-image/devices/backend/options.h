/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * options.h - hv-backend's command line:
 *
 *   hv-backend --domid N [--ready-fd FD] [--resume]
 *              [--disk PATH[,ro][,bps=N][,iops=N][,serial=S]]...
 *              [--net TAP[,mac=M][,rx_bps=N][,tx_bps=N]]...
 *
 * --disk once per disk, --net once per interface, at least one device and
 * at most HV_DOMAIN_DEVICES_MAX in all.  Device order (PCI 00:(i+1).0 is
 * device i): the disks first, in the order given, then the interfaces in
 * the order given, wherever the options stand on the line.  --ready-fd: a
 * pipe to write "ready\n" to (then closed) once the devices are added and
 * bound.  --resume: take over a running domain whose backend died: its
 * devices exist already (the same --disk and --net lists), and running
 * queues continue at the used index the guest sees (docs/virtio.md, "A
 * dead backend").
 */
#ifndef DOM0_DEVICES_OPTIONS_H
#define DOM0_DEVICES_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hvabi.h"
#include "io.h"

struct backend_options {
	uint32_t domid;
	int ready_fd;			/* -1: none */
	bool resume;			/* --resume */
	unsigned nr_disks;
	struct hv_disk_spec disks[HV_DOMAIN_DEVICES_MAX];
	unsigned nr_nets;
	struct hv_net_spec nets[HV_DOMAIN_DEVICES_MAX];
};

/* 0, or -EINVAL with a message on err. */
int backend_parse_options(int argc, char **argv, struct backend_options *o,
			  FILE *err);

#endif
