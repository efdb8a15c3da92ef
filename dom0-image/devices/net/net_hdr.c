// SPDX-License-Identifier: GPL-2.0-only
/* The virtio-net header's checks (net_hdr.h). */
#include "net_hdr.h"

static int has(uint64_t features, unsigned bit)
{
	return (features >> bit) & 1;
}

const char *net_tx_hdr_problem(const struct virtio_net_hdr_v1 *h,
			       uint64_t frame_len, uint64_t features)
{
	int csum = h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;

	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return "flags other than NEEDS_CSUM";
	if (csum && !has(features, VIRTIO_NET_F_CSUM))
		return "NEEDS_CSUM without VIRTIO_NET_F_CSUM";
	/* The checksum's two bytes go at csum_start + csum_offset. */
	if (csum && (uint64_t)h->csum_start + h->csum_offset + 2 > frame_len)
		return "checksum position outside the frame";
	if (h->hdr_len > frame_len)
		return "hdr_len beyond the frame";
	switch (h->gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return 0;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!has(features, VIRTIO_NET_F_HOST_TSO4))
			return "GSO_TCPV4 without HOST_TSO4";
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!has(features, VIRTIO_NET_F_HOST_TSO6))
			return "GSO_TCPV6 without HOST_TSO6";
		break;
	default:
		return "gso_type not offered (UDP, ECN or unknown)";
	}
	if (!csum)
		return "GSO without NEEDS_CSUM";
	if (h->gso_size < NET_GSO_SIZE_MIN)
		return "gso_size too small";
	return 0;
}

const char *net_rx_hdr_problem(const struct virtio_net_hdr_v1 *h,
			       uint64_t features)
{
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !has(features, VIRTIO_NET_F_GUEST_CSUM))
		return "NEEDS_CSUM for a guest without GUEST_CSUM";
	switch (h->gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return 0;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return has(features, VIRTIO_NET_F_GUEST_TSO4) ? 0 :
		       "GSO_TCPV4 for a guest without GUEST_TSO4";
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return has(features, VIRTIO_NET_F_GUEST_TSO6) ? 0 :
		       "GSO_TCPV6 for a guest without GUEST_TSO6";
	default:
		return "a GSO type the guest was not offered";
	}
}

int net_rx_hdr_fix(struct virtio_net_hdr_v1 *h, uint64_t features)
{
	if ((h->flags & VIRTIO_NET_HDR_F_DATA_VALID) &&
	    !has(features, VIRTIO_NET_F_GUEST_CSUM)) {
		h->flags &= (uint8_t)~VIRTIO_NET_HDR_F_DATA_VALID;
		return 1;
	}
	return 0;
}
