/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net.h - virtio-net (virtio 1.2, 5.1) on a dom0 tap interface, under two
 * token buckets (receive and transmit bandwidth).  The device's promises
 * are written at the top of net.c.
 */
#ifndef DOM0_DEVICES_NET_H
#define DOM0_DEVICES_NET_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "vdev.h"

/* Counters of one interface, monotonic for the domain's life.  rx is
 * towards the guest, tx from it; bytes are Ethernet frames without the
 * virtio-net header. */
struct net_stats {
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_packets, tx_packets;
	uint64_t throttled_ns;		/* rx and tx waits, including one
					 * still going on */
	uint64_t errors;		/* malformed chains, tap errors */
};

#define NET_QUEUE_SIZE	256
#define NET_RX_QUEUE	0
#define NET_TX_QUEUE	1
/* The header in front of every packet, both ways: struct
 * virtio_net_hdr_v1, 12 bytes whenever VERSION_1 is negotiated. */
#define NET_HDR_LEN	12u
/* A transmit chain's longest packet: a 64 KiB TSO segment with its
 * Ethernet and VLAN headers (18 bytes), and the virtio header; longer is
 * a malformed ring. */
#define NET_TX_MAX	(65536u + 18u + NET_HDR_LEN)

/*
 * Makes d the domain's device `index` of type net, on the tap interface
 * fd (open, TUNSETIFF done, header size set; net owns it from here), with
 * the interface's name, MAC and limits from spec (mac already chosen).
 * Returns 0, or -errno with a sentence in why.
 */
int net_create_on_fd(struct vdev *d, struct backend_env *env, unsigned index,
		     int fd, const struct hv_net_spec *spec, const uint8_t mac[6],
		     char *why, size_t why_len);

/* Opens /dev/net/tun, creates or attaches spec->ifname as a tap with the
 * virtio header, and calls net_create_on_fd.  nic is the interface's
 * number among the domain's interfaces (for the default MAC). */
int net_create(struct vdev *d, struct backend_env *env, unsigned index,
	       unsigned nic, const struct hv_net_spec *spec,
	       char *why, size_t why_len);

/* New limits (0 = unlimited), with fresh full buckets. */
void net_set_limits(struct vdev *d, uint64_t rx_bps, uint64_t tx_bps);

void net_get_stats(const struct vdev *d, struct net_stats *out);
void net_get_info(const struct vdev *d, uint64_t *rx_bps, uint64_t *tx_bps,
		  const uint8_t **mac, const char **ifname);

/* Whether d is a net device (for the control channel). */
bool vdev_is_net(const struct vdev *d);

#endif
