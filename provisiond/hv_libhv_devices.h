// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_libhv_devices.h - starting a domain's device backend (hv-backend)
 * for the real hypervisor backend (hv_libhv.c).
 */
#ifndef PROVISIOND_HV_LIBHV_DEVICES_H
#define PROVISIOND_HV_LIBHV_DEVICES_H

#include <stdint.h>

#include "hv_backend.h"

/* dom0's network filter (dom0-image/netfilter/, docs/networking.md). */
#define HV_NETFILTER_PROGRAM	"/usr/sbin/hv-netfilter"
/* dom0's DHCP and router advertisements per tap (dom0-image/netd/). */
#define HV_NETD_PROGRAM		"/usr/sbin/hv-netd"

/*
 * Starts hv-backend for domain domid (created, not yet booted) serving
 * disks in order and nic (NULL: none), and waits (at most 10 s) until it
 * says it is ready; then isolates the nic's tap and routes its addresses
 * to it (hv-netfilter apply), and starts the tap's hv-netd (a failure of
 * which is only logged: a guest with a seed does not need it).  0, or a
 * negative errno with why filled in.
 */
int lhv_devices_start(uint32_t domid, const struct hvb_disk *disks, uint32_t ndisks,
		      const struct hvb_nic *nic, char *why, size_t len);

/* hv-netfilter apply for nic's tap: its filter, routes and inbound
 * firewall, one nftables transaction.  0, or -EIO with why filled in. */
int lhv_nic_apply(const struct hvb_nic *nic, char *why, size_t len);

/* Takes a destroyed server's filter and routes away (hv-netfilter remove);
 * a tap that never had them is not an error. */
void lhv_nic_remove(const char *server_id);

/* hv_backend's io_counters and net_limit (hv_libhv_io.c). */
int lhv_io_counters(struct hv_backend *hv, uint32_t domid,
		    struct hvb_io_counters *out);
int lhv_net_limit(struct hv_backend *hv, uint32_t domid, uint64_t rx_bps,
		  uint64_t tx_bps);

#endif
