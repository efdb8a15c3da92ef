/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net_hdr.h - the virtio-net header (struct virtio_net_hdr_v1, virtio 1.2
 * 5.1.6) checked against the features the driver negotiated, both ways.
 *
 * Transmit (guest to tap): the guest's header is copied out of guest
 * memory once (net.c) and judged here; only a header that passes goes to
 * the tap, and it is our copy that goes, so a guest that changes it after
 * the check changes nothing.  Receive (tap to guest): the tap's header is
 * judged against what the guest accepted, so that a packet the tap queued
 * under an earlier driver's offloads (a reset renegotiates them) never
 * reaches a driver that cannot take it.
 */
#ifndef DOM0_DEVICES_NET_HDR_H
#define DOM0_DEVICES_NET_HDR_H

#include <stdint.h>
#include <linux/virtio_net.h>

/* The smallest gso_size a transmit header may ask for: a 64 KiB frame then
 * becomes at most about a thousand segments in dom0's kernel.  (TCP's own
 * minimum MSS, 48 or 88 bytes depending on the kernel, is below it, but no
 * guest with an MTU of 576 or more sends such segments.) */
#define NET_GSO_SIZE_MIN	64u

/*
 * NULL if the transmit header h, in front of a frame of frame_len bytes,
 * is one the driver may send with features (the negotiated ones); else
 * what is wrong, for the log.  Rules: flags only NEEDS_CSUM, and only with
 * VIRTIO_NET_F_CSUM; csum_start + csum_offset + 2 inside the frame;
 * gso_type NONE, or TCPV4/TCPV6 with HOST_TSO4/HOST_TSO6, NEEDS_CSUM set,
 * gso_size at least NET_GSO_SIZE_MIN; hdr_len at most the frame.
 */
const char *net_tx_hdr_problem(const struct virtio_net_hdr_v1 *h,
			       uint64_t frame_len, uint64_t features);

/*
 * For a received header (the tap's): NULL if the guest may get it as is
 * or after net_rx_hdr_fix(), else why not (a GSO type or NEEDS_CSUM the
 * guest did not accept).
 */
const char *net_rx_hdr_problem(const struct virtio_net_hdr_v1 *h,
			       uint64_t features);

/* Clears DATA_VALID when the guest has no GUEST_CSUM (the spec wants
 * flags 0 then).  Returns whether h changed. */
int net_rx_hdr_fix(struct virtio_net_hdr_v1 *h, uint64_t features);

#endif
