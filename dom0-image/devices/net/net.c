// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-net (net.h): two queues, receive (0) and transmit (1), on a tap.
 *
 * What it promises:
 *  - The 12-byte header is the tap's too (IFF_VNET_HDR, a header of 12
 *    bytes), so packets are copied once, by the kernel, straight between
 *    the tap and guest memory (readv/writev on the chains).  Offloads
 *    (checksum, TSO4/6) are the tap's: it gets the ones the driver
 *    accepted for its receive side (TUNSETOFFLOAD at start), and does
 *    what a transmit header asks.
 *  - A transmit header goes to the tap only as our copy, checked against
 *    the negotiated features (net_hdr.h): a guest cannot change it after
 *    the check, and a bad one gets the packet dropped (counted, logged,
 *    the chain returned).  A received header the driver cannot take is
 *    dropped the same way.
 *  - With MRG_RXBUF a packet spreads over as many held receive buffers
 *    as it needs (num_buffers says how many); the device holds enough
 *    buffers for the largest packet before it reads, if the guest gave
 *    them.
 *  - Never drop a packet the guest gave us: a transmit chain that has no
 *    tokens yet is held (popped, not returned, nothing after it popped)
 *    until d->wake_ns, when the tokens are due; a tap that says EAGAIN
 *    keeps it until the tap is writable.
 *  - Receive: a packet is read only into buffers the guest gave us.  With
 *    no buffer we stop polling the tap until the guest notifies the
 *    receive queue, and packets wait in the tap's queue (the kernel drops
 *    when that is full, as a NIC does).  The receive quota is charged
 *    after the read, when the packet's size is known: a packet without
 *    tokens stays in the guest's buffer, unannounced, until they are due,
 *    and no other packet is read meanwhile.
 *  - A malformed chain (a receive buffer the device may not write, or
 *    smaller than the header; a transmit chain with device-writable
 *    buffers, or shorter than the header) is returned with 0 bytes
 *    written and counted in errors (logged, rate-limited).  A malformed
 *    ring breaks the device until the driver resets it (vdev_queue_failed).
 *  - Reset: held chains and a read-but-unannounced packet are forgotten;
 *    tap I/O is synchronous, so nothing is ever in flight.
 *
 * Quotas are bandwidth only, frame bytes (without the header), one bucket
 * per direction sized by rate_bucket_set().  The time a packet waits for
 * tokens is throttled_ns (both directions added).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "log.h"
#include "net.h"
#include "net_hdr.h"
#include "rate_bucket.h"

/* Packets read from the tap per call, so the loop serves others too; the
 * tap stays readable and poll() brings us back. */
#define RX_BATCH	64
/* Receive buffers held at once: with MRG_RXBUF a 64 KiB packet in the
 * driver's smallest buffers (Linux's are at least 1.5 KiB: 44). */
#define RX_CHAINS_MAX	48
/* Segments one readv takes (the kernel's UIO_MAXIOV). */
#define RX_IOV_MAX	1024

struct net {
	int tap;
	bool is_tap;		/* fd is a real tap: its offloads are set */
	unsigned long tap_offloads;	/* TUN_F_* set on it (0 at creation) */
	char ifname[HV_IO_IFNAME_MAX + 1];
	uint8_t mac[6];
	uint64_t rx_bps, tx_bps;
	struct token_bucket rx_tb, tx_tb;
	struct net_stats stats;

	/* Receive: popped buffers in order, a ring of rx_count from
	 * rx_first; the first rx_fill hold a packet of rx_len bytes (header
	 * included) that waits for tokens since rx_since.  rx_no_buffers: the
	 * queue was empty. */
	struct vq_chain rx_chains[RX_CHAINS_MAX];
	unsigned rx_first, rx_count, rx_fill;
	uint32_t rx_len;
	uint64_t rx_since, rx_wake;
	bool rx_no_buffers;

	/* Transmit: a popped chain not yet written (tx_held), waiting for
	 * tokens (tx_wake) or for the tap to be writable (tx_blocked). */
	bool tx_held;
	bool tx_throttled;
	bool tx_blocked;
	uint64_t tx_since, tx_wake;
	struct vq_chain tx_chain;
};

static const struct vdev_ops net_ops;
static struct log_limit bad_chain_log, tap_error_log, bad_header_log;

bool vdev_is_net(const struct vdev *d)
{
	return d->ops == &net_ops;
}

static void update_wake(struct vdev *d)
{
	struct net *n = d->priv;

	d->wake_ns = n->rx_wake;
	if (n->tx_wake && (!d->wake_ns || n->tx_wake < d->wake_ns))
		d->wake_ns = n->tx_wake;
}

/* Copies len bytes at the start of the chain's segments into dst (the
 * caller knows the chain holds them). */
static void chain_read(const struct vq_chain *c, void *dst, uint32_t len)
{
	uint8_t *p = dst;

	for (unsigned i = 0; i < c->nsegs && len; i++) {
		uint32_t k = c->segs[i].len < len ? c->segs[i].len : len;

		memcpy(p, c->segs[i].ptr, k);
		/* One copy: what we check is what we use. */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		p += k;
		len -= k;
	}
}

/* The chain's segments after its first skip bytes, as an iovec. */
static unsigned chain_iov_from(const struct vq_chain *c, uint32_t skip,
			       struct iovec *iov)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->nsegs; i++) {
		uint32_t len = c->segs[i].len;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		iov[n].iov_base = c->segs[i].ptr + skip;
		iov[n].iov_len = len - skip;
		skip = 0;
		n++;
	}
	return n;
}

/* Writes len bytes at offset off of the chain's segments. */
static void chain_write(const struct vq_chain *c, uint32_t off,
			const void *src, uint32_t len)
{
	const uint8_t *p = src;

	for (unsigned i = 0; i < c->nsegs && len; i++) {
		uint32_t seg = c->segs[i].len;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		uint32_t k = seg - off < len ? seg - off : len;

		memcpy(c->segs[i].ptr + off, p, k);
		p += k;
		len -= k;
		off = 0;
	}
}

static void bad_chain(struct vdev *d, unsigned q, uint16_t head,
		      const char *what)
{
	struct net *n = d->priv;

	n->stats.errors++;
	log_limited(&bad_chain_log, vdev_now(d),
		    "domain %u device %u (net) queue %u: %s; returned unused",
		    d->env->domid, d->index, q, what);
	vdev_push_used(d, q, head, 0);
}

static struct vq_chain *rx_at(struct net *n, unsigned i)
{
	return &n->rx_chains[(n->rx_first + i) % RX_CHAINS_MAX];
}

static bool mergeable(const struct vdev *d)
{
	return d->driver_features & (1ull << VIRTIO_NET_F_MRG_RXBUF);
}

/*
 * With MRG_RXBUF, the buffer bytes to hold before reading a packet: the
 * largest packet the tap may hand this guest (a 64 KiB TSO segment if it
 * takes them, else an Ethernet frame with a VLAN tag), header included.
 * Without, one buffer, whatever its size (the driver sized it).
 */
static uint64_t rx_want_bytes(const struct vdev *d)
{
	if (d->driver_features & ((1ull << VIRTIO_NET_F_GUEST_TSO4) |
				  (1ull << VIRTIO_NET_F_GUEST_TSO6)))
		return NET_TX_MAX;
	return 1518u + NET_HDR_LEN;
}

/* Announces the packet in the first rx_fill held buffers if its tokens are
 * there; false if it must wait (rx_wake set). */
static bool rx_deliver(struct vdev *d, uint64_t now)
{
	struct net *n = d->priv;
	uint64_t frame = n->rx_len - NET_HDR_LEN;
	uint64_t wait = tb_wait_ns(&n->rx_tb, frame, now);
	uint32_t left = n->rx_len;

	if (wait) {
		n->rx_wake = wait > UINT64_MAX - now ? UINT64_MAX : now + wait;
		return false;
	}
	tb_consume(&n->rx_tb, frame, now);
	if (n->rx_wake) {
		n->stats.throttled_ns += now - n->rx_since;
		n->rx_wake = 0;
	}
	n->stats.rx_packets++;
	n->stats.rx_bytes += frame;
	for (unsigned i = 0; i < n->rx_fill; i++) {
		const struct vq_chain *c = rx_at(n, i);
		uint32_t len = c->writable_len < left ? (uint32_t)c->writable_len : left;

		vdev_push_used(d, NET_RX_QUEUE, c->head, len);
		left -= len;
	}
	n->rx_first = (n->rx_first + n->rx_fill) % RX_CHAINS_MAX;
	n->rx_count -= n->rx_fill;
	n->rx_fill = 0;
	n->rx_len = 0;
	return true;
}

/*
 * The tap's header of the packet of got bytes just read into the held
 * buffers, judged against what the driver accepted (net_hdr.h), then
 * written back with num_buffers: the buffers the packet fills (1 without
 * MRG_RXBUF; the tap leaves the field to us).  Every buffer holds at least
 * a header, so the header is in the first.  False: the packet is dropped
 * (counted, logged) and the buffers stay ours.
 */
static bool rx_header_ok(struct vdev *d, uint32_t got, uint64_t now)
{
	struct net *n = d->priv;
	struct virtio_net_hdr_v1 h;
	const char *why;
	unsigned fill = 0;

	chain_read(rx_at(n, 0), &h, sizeof(h));
	why = net_rx_hdr_problem(&h, d->driver_features);
	if (why) {
		n->stats.errors++;
		log_limited(&bad_header_log, now, "%s: received packet dropped: %s",
			    n->ifname, why);
		return false;
	}
	for (uint64_t covered = 0; covered < got && fill < n->rx_count; fill++)
		covered += rx_at(n, fill)->writable_len;
	net_rx_hdr_fix(&h, d->driver_features);
	h.num_buffers = (uint16_t)fill;
	chain_write(rx_at(n, 0), 0, &h, sizeof(h));
	n->rx_fill = fill;
	return true;
}

/*
 * Pops receive buffers until the device holds enough for any packet (one
 * buffer without MRG_RXBUF; rx_want_bytes() with it, at most
 * RX_CHAINS_MAX buffers) or the ring is empty.  Malformed buffers go back
 * unused.  False if the ring broke.
 */
static bool rx_gather(struct vdev *d)
{
	struct net *n = d->priv;
	struct virtqueue *vq = &d->vq[NET_RX_QUEUE];
	bool mrg = mergeable(d);
	uint64_t want = mrg ? rx_want_bytes(d) : 0, held = 0;

	for (unsigned i = 0; i < n->rx_count; i++)
		held += rx_at(n, i)->writable_len;
	while (n->rx_count < (mrg ? RX_CHAINS_MAX : 1u) &&
	       (n->rx_count == 0 || held < want)) {
		struct vq_chain *c = rx_at(n, n->rx_count);
		enum vq_error err = vq_pop(vq, c, UINT32_MAX);

		if (err == VQ_EMPTY) {
			if (vq_set_notification(vq, true))
				continue;
			break;	/* read with what we hold, if anything */
		}
		if (err != VQ_OK) {
			vdev_queue_failed(d, NET_RX_QUEUE, err);
			return false;
		}
		if (c->readable_len) {
			bad_chain(d, NET_RX_QUEUE, c->head,
				  "receive buffer the device may not write");
			continue;
		}
		if (c->writable_len < NET_HDR_LEN) {
			bad_chain(d, NET_RX_QUEUE, c->head,
				  "receive buffer shorter than the header");
			continue;
		}
		held += c->writable_len;
		n->rx_count++;
	}
	return true;
}

/* The held buffers as one iovec, in order (at most max entries). */
static unsigned rx_iov(struct net *n, struct iovec *iov, unsigned max)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n->rx_count; i++) {
		const struct vq_chain *c = rx_at(n, i);

		for (unsigned j = 0; j < c->nsegs && k < max; j++) {
			iov[k].iov_base = c->segs[j].ptr;
			iov[k].iov_len = c->segs[j].len;
			k++;
		}
	}
	return k;
}

/* Moves packets from the tap to the guest until the tap is empty, the
 * guest has no buffer, or a packet waits for tokens. */
static void rx_run(struct vdev *d)
{
	struct net *n = d->priv;
	uint64_t now = vdev_now(d);
	struct iovec iov[RX_IOV_MAX];

	for (unsigned batch = 0; batch < RX_BATCH && vdev_serving(d); ) {
		ssize_t got;

		if (n->rx_len) {
			if (!rx_deliver(d, now))
				break;
			batch++;
			continue;
		}
		if (!rx_gather(d))
			break;
		if (!n->rx_count) {
			n->rx_no_buffers = true;
			break;
		}
		n->rx_no_buffers = false;
		got = readv(n->tap, iov, (int)rx_iov(n, iov, RX_IOV_MAX));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				/* EFAULT/EINVAL: the packet did not fit the
				 * buffers, and the tap dropped it. */
				n->stats.errors++;
				log_limited(&tap_error_log, now, "%s: read: %s",
					    n->ifname, strerror(errno));
				batch++;
				continue;
			}
			break;
		}
		if ((size_t)got < NET_HDR_LEN) {
			n->stats.errors++;	/* not a tap's packet */
			batch++;
			continue;
		}
		if (!rx_header_ok(d, (uint32_t)got, now)) {
			batch++;
			continue;	/* dropped: the buffers take the next */
		}
		n->rx_len = (uint32_t)got;
		n->rx_since = now;
	}
	update_wake(d);
}

/* Moves the guest's packets to the tap until the queue is empty, a packet
 * waits for tokens, or the tap is full. */
static void tx_run(struct vdev *d)
{
	struct net *n = d->priv;
	struct virtqueue *vq = &d->vq[NET_TX_QUEUE];
	uint64_t now = vdev_now(d);
	struct iovec iov[1 + VQ_MAX_SEGMENTS];

	while (vdev_serving(d) && !n->tx_blocked) {
		struct virtio_net_hdr_v1 hdr;
		const char *why;
		uint64_t frame, wait;
		ssize_t put;

		if (!n->tx_held) {
			enum vq_error err = vq_pop(vq, &n->tx_chain, NET_TX_MAX);

			if (err == VQ_EMPTY) {
				if (vq_set_notification(vq, true))
					continue;
				break;
			}
			if (err != VQ_OK) {
				vdev_queue_failed(d, NET_TX_QUEUE, err);
				break;
			}
			if (n->tx_chain.writable_len) {
				bad_chain(d, NET_TX_QUEUE, n->tx_chain.head,
					  "transmit chain with a device-writable buffer");
				continue;
			}
			if (n->tx_chain.readable_len < NET_HDR_LEN) {
				bad_chain(d, NET_TX_QUEUE, n->tx_chain.head,
					  "transmit chain shorter than the header");
				continue;
			}
			n->tx_held = true;
			n->tx_since = now;
		}
		frame = n->tx_chain.readable_len - NET_HDR_LEN;
		chain_read(&n->tx_chain, &hdr, sizeof(hdr));
		why = net_tx_hdr_problem(&hdr, frame, d->driver_features);
		if (why) {
			n->stats.errors++;
			n->tx_held = false;
			log_limited(&bad_header_log, now, "domain %u device %u "
				    "(net): transmit header refused: %s; packet "
				    "dropped", d->env->domid, d->index, why);
			vdev_push_used(d, NET_TX_QUEUE, n->tx_chain.head, 0);
			continue;
		}
		wait = tb_wait_ns(&n->tx_tb, frame, now);
		if (wait) {
			n->tx_throttled = true;
			n->tx_wake = wait > UINT64_MAX - now ? UINT64_MAX : now + wait;
			break;
		}
		/* Our checked copy of the header, then the guest's frame. */
		iov[0].iov_base = &hdr;
		iov[0].iov_len = sizeof(hdr);
		put = writev(n->tap, iov,
			     1 + (int)chain_iov_from(&n->tx_chain, NET_HDR_LEN,
						     iov + 1));
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			n->tx_blocked = true;	/* poll for POLLOUT */
			break;
		}
		tb_consume(&n->tx_tb, frame, now);
		if (n->tx_throttled) {
			n->stats.throttled_ns += now - n->tx_since;
			n->tx_throttled = false;
			n->tx_wake = 0;
		}
		if (put < 0) {
			n->stats.errors++;
			log_limited(&tap_error_log, now, "%s: write: %s",
				    n->ifname, strerror(errno));
		} else {
			n->stats.tx_packets++;
			n->stats.tx_bytes += frame;
		}
		vdev_push_used(d, NET_TX_QUEUE, n->tx_chain.head, 0);
		n->tx_held = false;
	}
	update_wake(d);
}

/* What the tap may hand us, from what the driver accepted: checksum
 * offload and TSO towards the guest only if it takes them. */
static void set_tap_offloads(struct vdev *d)
{
	struct net *n = d->priv;
	uint64_t f = d->driver_features;
	unsigned long tun = 0;

	if (!n->is_tap)
		return;
	if (f & (1ull << VIRTIO_NET_F_GUEST_CSUM)) {
		tun |= TUN_F_CSUM;
		if (f & (1ull << VIRTIO_NET_F_GUEST_TSO4))
			tun |= TUN_F_TSO4;
		if (f & (1ull << VIRTIO_NET_F_GUEST_TSO6))
			tun |= TUN_F_TSO6;
	}
	if (tun == n->tap_offloads)
		return;		/* a driver's restart: one line per change */
	if (ioctl(n->tap, TUNSETOFFLOAD, tun) < 0) {
		log_msg("%s: TUNSETOFFLOAD %#lx: %s (the tap sends plain "
			"packets)", n->ifname, tun, strerror(errno));
		return;
	}
	n->tap_offloads = tun;
	log_msg("%s: driver features %#" PRIx64 ", tap offloads %#lx",
		n->ifname, f, tun);
}

static void net_start(struct vdev *d)
{
	struct net *n = d->priv;

	set_tap_offloads(d);
	n->rx_no_buffers = false;
	n->tx_blocked = false;
	rx_run(d);
	tx_run(d);
}

static void net_queue_notified(struct vdev *d, unsigned q)
{
	struct net *n = d->priv;

	if (q == NET_RX_QUEUE) {
		n->rx_no_buffers = false;
		rx_run(d);
	} else if (q == NET_TX_QUEUE) {
		tx_run(d);
	}
}

static void net_timer(struct vdev *d)
{
	struct net *n = d->priv;
	uint64_t now = vdev_now(d);

	if (n->rx_wake && n->rx_wake <= now)
		rx_run(d);
	if (n->tx_wake && n->tx_wake <= now)
		tx_run(d);
	update_wake(d);
}

static unsigned net_poll_fds(struct vdev *d, struct pollfd *fds, unsigned max)
{
	struct net *n = d->priv;
	short events = 0;

	if (!max || !vdev_serving(d))
		return 0;
	if (!n->rx_no_buffers && !n->rx_len)
		events |= POLLIN;
	if (n->tx_blocked)
		events |= POLLOUT;
	if (!events)
		return 0;
	fds[0] = (struct pollfd){ .fd = n->tap, .events = events };
	return 1;
}

static void net_poll_ready(struct vdev *d, const struct pollfd *fds, unsigned nfds)
{
	struct net *n = d->priv;

	if (!nfds)
		return;
	if (fds[0].revents & (POLLOUT | POLLERR)) {
		n->tx_blocked = false;
		tx_run(d);
	}
	if (fds[0].revents & (POLLIN | POLLERR))
		rx_run(d);
}

static void forget_held(struct net *n, uint64_t now)
{
	if (n->rx_wake)
		n->stats.throttled_ns += now - n->rx_since;
	if (n->tx_throttled)
		n->stats.throttled_ns += now - n->tx_since;
	n->rx_first = 0;
	n->rx_count = 0;
	n->rx_fill = 0;
	n->rx_len = 0;
	n->rx_wake = 0;
	n->rx_no_buffers = false;
	n->tx_held = false;
	n->tx_throttled = false;
	n->tx_blocked = false;
	n->tx_wake = 0;
}

static bool net_quiesce(struct vdev *d)
{
	forget_held(d->priv, vdev_now(d));
	d->wake_ns = 0;
	return true;
}

static void net_destroy(struct vdev *d)
{
	struct net *n = d->priv;

	if (n) {
		close(n->tap);
		free(n);
	}
	d->priv = NULL;
}

static const struct vdev_ops net_ops = {
	.type_name = "net",
	.start = net_start,
	.queue_notified = net_queue_notified,
	.timer = net_timer,
	.quiesce = net_quiesce,
	.poll_fds = net_poll_fds,
	.poll_ready = net_poll_ready,
	.destroy = net_destroy,
};

void net_set_limits(struct vdev *d, uint64_t rx_bps, uint64_t tx_bps)
{
	struct net *n = d->priv;
	uint64_t now = vdev_now(d);

	n->rx_bps = rx_bps;
	n->tx_bps = tx_bps;
	rate_bucket_set(&n->rx_tb, rx_bps, now, false);
	rate_bucket_set(&n->tx_tb, tx_bps, now, false);
	/* A waiting packet may fit now: the loop runs the timer at once. */
	if (n->rx_wake)
		n->rx_wake = now ? now : 1;
	if (n->tx_wake)
		n->tx_wake = now ? now : 1;
	update_wake(d);
}

void net_get_stats(const struct vdev *d, struct net_stats *out)
{
	const struct net *n = d->priv;
	uint64_t now = vdev_now(d);

	*out = n->stats;
	if (n->rx_wake)
		out->throttled_ns += now - n->rx_since;
	if (n->tx_throttled)
		out->throttled_ns += now - n->tx_since;
}

void net_get_info(const struct vdev *d, uint64_t *rx_bps, uint64_t *tx_bps,
		  const uint8_t **mac, const char **ifname)
{
	const struct net *n = d->priv;

	*rx_bps = n->rx_bps;
	*tx_bps = n->tx_bps;
	*mac = n->mac;
	*ifname = n->ifname;
}

static void fill_device(struct vdev *d, const struct net *n)
{
	struct virtio_net_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.mac, n->mac, sizeof(cfg.mac));
	cfg.status = VIRTIO_NET_S_LINK_UP;
	/* Offloads: the tap does checksums and segmentation in dom0's
	 * kernel, so a guest sends and receives 64 KiB TCP segments; with
	 * MRG_RXBUF a packet spreads over the guest's small receive buffers
	 * (without it, a guest that takes TSO posts 64 KiB buffers, and a
	 * 60-byte ACK takes one). */
	d->features = (1ull << VIRTIO_F_VERSION_1) |
		      (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
		      (1ull << VIRTIO_RING_F_EVENT_IDX) |
		      (1ull << VIRTIO_NET_F_MAC) |
		      (1ull << VIRTIO_NET_F_STATUS) |
		      (1ull << VIRTIO_NET_F_CSUM) |
		      (1ull << VIRTIO_NET_F_GUEST_CSUM) |
		      (1ull << VIRTIO_NET_F_HOST_TSO4) |
		      (1ull << VIRTIO_NET_F_HOST_TSO6) |
		      (1ull << VIRTIO_NET_F_GUEST_TSO4) |
		      (1ull << VIRTIO_NET_F_GUEST_TSO6) |
		      (1ull << VIRTIO_NET_F_MRG_RXBUF);
	_Static_assert(sizeof(cfg) <= HV_DEVICE_CONFIG_MAX, "net config fits");
	memcpy(d->config, &cfg, sizeof(cfg));
	d->config_len = sizeof(cfg);
	d->type = HV_VIRTIO_NET;
	d->nr_queues = 2;
	d->queue_size = NET_QUEUE_SIZE;
}

int net_create_on_fd(struct vdev *d, struct backend_env *env, unsigned index,
		     int fd, const struct hv_net_spec *spec, const uint8_t mac[6],
		     char *why, size_t why_len)
{
	struct net *n = calloc(1, sizeof(*n));

	if (!n) {
		snprintf(why, why_len, "out of memory");
		close(fd);
		return -ENOMEM;
	}
	n->tap = fd;
	snprintf(n->ifname, sizeof(n->ifname), "%s", spec->ifname);
	memcpy(n->mac, mac, sizeof(n->mac));
	memset(d, 0, sizeof(*d));
	d->ops = &net_ops;
	d->env = env;
	d->index = index;
	d->priv = n;
	fill_device(d, n);
	n->rx_bps = spec->rx_bps;
	n->tx_bps = spec->tx_bps;
	rate_bucket_set(&n->rx_tb, spec->rx_bps, vdev_now(d), true);
	rate_bucket_set(&n->tx_tb, spec->tx_bps, vdev_now(d), true);
	return 0;
}

int net_create(struct vdev *d, struct backend_env *env, unsigned index,
	       unsigned nic, const struct hv_net_spec *spec,
	       char *why, size_t why_len)
{
	struct ifreq ifr;
	int hdr_len = NET_HDR_LEN;
	uint8_t mac[6];
	int fd, rc;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, why_len, "/dev/net/tun: %s%s", strerror(-rc),
			 rc == -ENOENT ? " (is the tun module loaded?)" : "");
		return rc;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", spec->ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		snprintf(why, why_len, "tap %s: %s%s", spec->ifname, strerror(-rc),
			 rc == -EBUSY ? " (in use by another process?)" : "");
		close(fd);
		return rc;
	}
	/* The tap's header is the guest's: struct virtio_net_hdr_v1; no
	 * offloads until a driver accepts some (net_start), so the kernel
	 * sends us nothing the guest did not ask for. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, 0) < 0) {
		rc = -errno;
		snprintf(why, why_len, "tap %s: header set-up: %s", spec->ifname,
			 strerror(-rc));
		close(fd);
		return rc;
	}
	if (spec->have_mac)
		memcpy(mac, spec->mac, sizeof(mac));
	else
		hv_net_default_mac(env->domid, nic, mac);
	rc = net_create_on_fd(d, env, index, fd, spec, mac, why, why_len);
	if (rc == 0)
		((struct net *)d->priv)->is_tap = true;
	return rc;
}
