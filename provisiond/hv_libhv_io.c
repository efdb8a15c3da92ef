// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_libhv_io.c - the real backend's device counters and network limits
 * (hv_backend.h's io_counters and net_limit), through the control socket
 * of the domain's hv-backend (libhv io.h).
 *
 * A domain without a backend (-ENOENT: no devices, so none was started)
 * has counted nothing: all 0.  A backend that died (-ECONNREFUSED) is an
 * error, not zeros: the usage monitor then keeps its last reading rather
 * than taking the counters for reset.
 */
#include <errno.h>
#include <string.h>

#include "hv_libhv_devices.h"
#include "io.h"

int lhv_io_counters(struct hv_backend *hv, uint32_t domid,
		    struct hvb_io_counters *out)
{
	struct hv_io_disk_stats disks[HV_IO_DISKS_MAX];
	struct hv_io_net_stats nics[HV_IO_DISKS_MAX];
	uint32_t ndisks = 0, nnics = 0;
	int err;

	(void)hv;
	memset(out, 0, sizeof(*out));
	err = hv_io_stats(domid, disks, HV_IO_DISKS_MAX, &ndisks);
	if (err == -ENOENT)
		return 0;
	if (!err)
		err = hv_io_net_stats(domid, nics, HV_IO_DISKS_MAX, &nnics);
	if (err)
		return err;
	for (uint32_t i = 0; i < ndisks; i++) {
		out->disk_read_bytes += disks[i].read_bytes;
		out->disk_write_bytes += disks[i].write_bytes;
		out->disk_read_ops += disks[i].read_ops;
		out->disk_write_ops += disks[i].write_ops;
		out->disk_throttled_ns += disks[i].throttled_ns;
	}
	for (uint32_t i = 0; i < nnics; i++) {
		out->net_rx_bytes += nics[i].rx_bytes;
		out->net_tx_bytes += nics[i].tx_bytes;
		out->net_rx_packets += nics[i].rx_packets;
		out->net_tx_packets += nics[i].tx_packets;
		out->net_throttled_ns += nics[i].throttled_ns;
	}
	return 0;
}

int lhv_net_limit(struct hv_backend *hv, uint32_t domid, uint64_t rx_bps,
		  uint64_t tx_bps)
{
	struct hv_io_net_stats nics[HV_IO_DISKS_MAX];
	uint32_t nnics = 0;
	int err;

	(void)hv;
	if (rx_bps > INT64_MAX || tx_bps > INT64_MAX)
		return -EINVAL;
	err = hv_io_net_stats(domid, nics, HV_IO_DISKS_MAX, &nnics);
	if (err == -ENOENT || (!err && nnics == 0))
		return -ENODEV;
	for (uint32_t i = 0; !err && i < nnics; i++)
		err = hv_io_net_limit(domid, nics[i].dev, (int64_t)rx_bps,
				      (int64_t)tx_bps);
	return err;
}
