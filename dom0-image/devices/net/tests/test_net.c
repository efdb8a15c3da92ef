// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of virtio-net (net.h) with the transport faked: guest memory
 * of this process between PROT_NONE guard pages, a driver that writes
 * chains on both queues, a clock that is a variable, and a SOCK_SEQPACKET
 * socketpair standing in for the tap (a test double: it keeps packet
 * boundaries as a tap does; the test writes and reads the tap's side,
 * header included).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <check.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>

#include "control.h"
#include "net.h"
#include "net_hdr.h"
#include "options.h"

#define MEM_SIZE	(4u << 20)
#define QSIZE		256u
#define RING_GPA(q, part) (0x3000u * (q) + 0x1000u * (part))
#define BUF_GPA(q, slot)  (0x10000u + 0x100000u * (q) + 0x1000u * (slot))
#define NS		1000000000ull

static uint8_t *mapping;
static size_t mapping_len;
static struct guest_mem gm;
static struct backend_env env;
static struct vdev dev;
static uint64_t fake_now;
static int peer;			/* the tap's other side */

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static struct vring_desc *desc(unsigned q, unsigned i)
{
	return (struct vring_desc *)(gm.base + RING_GPA(q, 0)) + i;
}

static struct vring_avail *avail(unsigned q)
{
	return (struct vring_avail *)(gm.base + RING_GPA(q, 1));
}

static struct vring_used *used(unsigned q)
{
	return (struct vring_used *)(gm.base + RING_GPA(q, 2));
}

static uint8_t *buf(unsigned q, unsigned slot)
{
	return gm.base + BUF_GPA(q, slot);
}

static void start_device(void)
{
	struct hv_device_state st;

	memset(&st, 0, sizeof(st));
	st.status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		    VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
	st.driver_features = dev.features;
	for (unsigned q = 0; q < 2; q++) {
		st.vq[q].size = QSIZE;
		st.vq[q].enabled = 1;
		st.vq[q].desc = RING_GPA(q, 0);
		st.vq[q].driver = RING_GPA(q, 1);
		st.vq[q].device = RING_GPA(q, 2);
	}
	vdev_apply_state(&dev, &st);
	ck_assert(dev.running);
	ck_assert(!dev.broken);
}

static void setup_with(const char *opts)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct hv_net_spec spec;
	char why[128], full[128];
	uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	int sv[2];

	mapping_len = MEM_SIZE + 2 * page;
	mapping = mmap(NULL, mapping_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mapping, MAP_FAILED);
	ck_assert_int_eq(mprotect(mapping + page, MEM_SIZE, PROT_READ | PROT_WRITE), 0);
	gm.base = mapping + page;
	gm.size = MEM_SIZE;
	fake_now = 1000;
	memset(&env, 0, sizeof(env));
	env.gm = gm;
	env.domid = 7;
	env.now_ns = fake_clock;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	peer = sv[1];
	snprintf(full, sizeof(full), "tap0%s", opts);
	ck_assert_int_eq(hv_net_spec_parse(full, &spec, why, sizeof(why)), 0);
	ck_assert_int_eq(net_create_on_fd(&dev, &env, 1, sv[0], &spec, mac, why,
					  sizeof(why)), 0);
	start_device();
}

static void setup(void)
{
	setup_with("");
}

static void teardown(void)
{
	dev.ops->destroy(&dev);
	close(peer);
	munmap(mapping, mapping_len);
}

static void post(unsigned q, unsigned head)
{
	avail(q)->ring[avail(q)->idx % QSIZE] = (uint16_t)head;
	__atomic_store_n(&avail(q)->idx, (uint16_t)(avail(q)->idx + 1),
			 __ATOMIC_RELEASE);
}

/* A receive buffer of len bytes in slot (descriptor slot), posted. */
static void post_rx(unsigned slot, uint32_t len)
{
	memset(buf(0, slot), 0xEE, len);
	desc(0, slot)->addr = BUF_GPA(0, slot);
	desc(0, slot)->len = len;
	desc(0, slot)->flags = VRING_DESC_F_WRITE;
	post(0, slot);
}

/* A transmit chain in slot (descriptors 2*slot, 2*slot+1): the 12-byte
 * header and frame_len bytes of pattern `fill`, in two descriptors. */
static void post_tx(unsigned slot, uint32_t frame_len, uint8_t fill)
{
	unsigned d = 2 * slot;

	memset(buf(1, slot), 0, NET_HDR_LEN);
	memset(buf(1, slot) + 64, fill, frame_len);
	desc(1, d)->addr = BUF_GPA(1, slot);
	desc(1, d)->len = NET_HDR_LEN;
	desc(1, d)->flags = VRING_DESC_F_NEXT;
	desc(1, d)->next = (uint16_t)(d + 1);
	desc(1, d + 1)->addr = BUF_GPA(1, slot) + 64;
	desc(1, d + 1)->len = frame_len;
	desc(1, d + 1)->flags = 0;
	post(1, d);
}

/* The tap receives a packet from the outside: header, then frame. */
static void tap_inject(uint32_t frame_len, uint8_t fill)
{
	uint8_t pkt[2048];

	memset(pkt, 0, NET_HDR_LEN);
	memset(pkt + NET_HDR_LEN, fill, frame_len);
	ck_assert_int_eq(send(peer, pkt, NET_HDR_LEN + frame_len, 0),
			 (ssize_t)(NET_HDR_LEN + frame_len));
}

/* What the device wants polled, and a poll() answer for it. */
static short wanted_events(void)
{
	struct pollfd p;

	return dev.ops->poll_fds(&dev, &p, 4) ? p.events : 0;
}

static void tap_ready(short revents)
{
	struct pollfd p;

	ck_assert_uint_eq(dev.ops->poll_fds(&dev, &p, 4), 1);
	p.revents = revents & p.events;
	dev.ops->poll_ready(&dev, &p, 1);
}

static struct net_stats stats(void)
{
	struct net_stats s;

	net_get_stats(&dev, &s);
	return s;
}

START_TEST(test_features_and_config)
{
	const struct virtio_net_config *cfg = (const void *)dev.config;

	ck_assert_uint_eq(dev.type, HV_VIRTIO_NET);
	ck_assert_uint_eq(dev.nr_queues, 2);
	ck_assert(dev.features & (1ull << VIRTIO_F_VERSION_1));
	ck_assert(dev.features & (1ull << VIRTIO_NET_F_MAC));
	ck_assert(dev.features & (1ull << VIRTIO_NET_F_STATUS));
	ck_assert(dev.features & (1ull << VIRTIO_NET_F_MRG_RXBUF));
	ck_assert(dev.features & (1ull << VIRTIO_RING_F_EVENT_IDX));
	ck_assert(dev.features & (1ull << VIRTIO_NET_F_CSUM));
	ck_assert(dev.features & (1ull << VIRTIO_NET_F_GUEST_CSUM));
	ck_assert(dev.features & (1ull << VIRTIO_NET_F_HOST_TSO4));
	ck_assert(dev.features & (1ull << VIRTIO_NET_F_HOST_TSO6));
	ck_assert(dev.features & (1ull << VIRTIO_NET_F_GUEST_TSO4));
	ck_assert(dev.features & (1ull << VIRTIO_NET_F_GUEST_TSO6));
	ck_assert(!(dev.features & (1ull << VIRTIO_NET_F_HOST_UFO)));
	ck_assert(!(dev.features & (1ull << VIRTIO_NET_F_CTRL_VQ)));
	ck_assert_uint_eq(cfg->status, VIRTIO_NET_S_LINK_UP);
	ck_assert_mem_eq(cfg->mac, ((uint8_t[]){ 0x52, 0x54, 0, 0x12, 0x34, 0x56 }), 6);
	ck_assert_uint_ge(dev.config_len, 8);
}
END_TEST

START_TEST(test_tx)
{
	uint8_t got[2048];

	post_tx(0, 1000, 0x5A);
	buf(1, 0)[0] = 0;	/* flags */
	dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	ck_assert_uint_eq(used(1)->idx, 1);
	ck_assert_uint_eq(used(1)->ring[0].id, 0);
	ck_assert_uint_eq(used(1)->ring[0].len, 0);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), NET_HDR_LEN + 1000);
	ck_assert_mem_eq(got, buf(1, 0), NET_HDR_LEN);	/* header unchanged */
	for (unsigned i = 0; i < 1000; i++)
		ck_assert_uint_eq(got[NET_HDR_LEN + i], 0x5A);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), -1);	/* just one */
	ck_assert_uint_eq(stats().tx_packets, 1);
	ck_assert_uint_eq(stats().tx_bytes, 1000);
	ck_assert_uint_eq(stats().errors, 0);
	/* Two more in one notification, in order. */
	post_tx(1, 60, 1);
	post_tx(2, 70, 2);
	dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	ck_assert_uint_eq(used(1)->idx, 3);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), NET_HDR_LEN + 60);
	ck_assert_uint_eq(got[NET_HDR_LEN], 1);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), NET_HDR_LEN + 70);
	ck_assert_uint_eq(got[NET_HDR_LEN], 2);
	ck_assert_uint_eq(stats().tx_packets, 3);
	ck_assert_uint_eq(stats().tx_bytes, 1130);
	ck_assert_uint_eq(vdev_take_interrupts(&dev), 1u << NET_TX_QUEUE);
}
END_TEST

START_TEST(test_rx)
{
	uint16_t num_buffers;

	/* Nothing to read: the device polls the tap for input. */
	post_rx(0, 1526);
	post_rx(1, 1526);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	ck_assert_uint_eq(used(0)->idx, 0);
	ck_assert_int_eq(wanted_events(), POLLIN);
	tap_inject(100, 0x33);
	tap_inject(1514, 0x44);
	tap_ready(POLLIN);
	ck_assert_uint_eq(used(0)->idx, 2);
	ck_assert_uint_eq(used(0)->ring[0].id, 0);
	ck_assert_uint_eq(used(0)->ring[0].len, NET_HDR_LEN + 100);
	ck_assert_uint_eq(used(0)->ring[1].id, 1);
	ck_assert_uint_eq(used(0)->ring[1].len, NET_HDR_LEN + 1514);
	/* Header: the tap's, and num_buffers 1 (no MRG_RXBUF). */
	ck_assert_uint_eq(buf(0, 0)[0], 0);
	memcpy(&num_buffers, buf(0, 0) + 10, 2);
	ck_assert_uint_eq(num_buffers, 1);
	ck_assert_uint_eq(buf(0, 0)[NET_HDR_LEN], 0x33);
	ck_assert_uint_eq(buf(0, 0)[NET_HDR_LEN + 99], 0x33);
	ck_assert_uint_eq(buf(0, 0)[NET_HDR_LEN + 100], 0xEE);	/* untouched */
	ck_assert_uint_eq(buf(0, 1)[NET_HDR_LEN + 1513], 0x44);
	ck_assert_uint_eq(stats().rx_packets, 2);
	ck_assert_uint_eq(stats().rx_bytes, 1614);
	ck_assert_uint_eq(vdev_take_interrupts(&dev), 1u << NET_RX_QUEUE);
}
END_TEST

START_TEST(test_rx_mergeable)
{
	uint16_t num_buffers;

	/* Four buffers of 512 bytes; a 1200-byte frame fills three. */
	for (unsigned i = 0; i < 4; i++)
		post_rx(i, 512);
	tap_inject(1200, 0x66);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	ck_assert_uint_eq(used(0)->idx, 3);
	ck_assert_uint_eq(used(0)->ring[0].id, 0);
	ck_assert_uint_eq(used(0)->ring[0].len, 512);
	ck_assert_uint_eq(used(0)->ring[1].id, 1);
	ck_assert_uint_eq(used(0)->ring[1].len, 512);
	ck_assert_uint_eq(used(0)->ring[2].id, 2);
	ck_assert_uint_eq(used(0)->ring[2].len, NET_HDR_LEN + 1200 - 1024);
	memcpy(&num_buffers, buf(0, 0) + 10, 2);
	ck_assert_uint_eq(num_buffers, 3);
	ck_assert_uint_eq(buf(0, 0)[NET_HDR_LEN], 0x66);
	ck_assert_uint_eq(buf(0, 1)[0], 0x66);
	ck_assert_uint_eq(buf(0, 2)[NET_HDR_LEN + 1200 - 1024 - 1], 0x66);
	ck_assert_uint_eq(buf(0, 2)[NET_HDR_LEN + 1200 - 1024], 0xEE);
	/* The fourth, still held, takes the next packet. */
	tap_inject(100, 0x67);
	tap_ready(POLLIN);
	ck_assert_uint_eq(used(0)->idx, 4);
	ck_assert_uint_eq(used(0)->ring[3].id, 3);
	ck_assert_uint_eq(used(0)->ring[3].len, NET_HDR_LEN + 100);
	memcpy(&num_buffers, buf(0, 3) + 10, 2);
	ck_assert_uint_eq(num_buffers, 1);
	ck_assert_uint_eq(stats().rx_packets, 2);
	ck_assert_uint_eq(stats().rx_bytes, 1300);
	ck_assert_uint_eq(stats().errors, 0);
}
END_TEST

START_TEST(test_rx_header_split)
{
	/* A buffer in two descriptors, the header's num_buffers across them. */
	memset(buf(0, 4), 0xEE, 64);
	desc(0, 4)->addr = BUF_GPA(0, 4);
	desc(0, 4)->len = 11;
	desc(0, 4)->flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	desc(0, 4)->next = 5;
	desc(0, 5)->addr = BUF_GPA(0, 5);
	desc(0, 5)->len = 2000;
	desc(0, 5)->flags = VRING_DESC_F_WRITE;
	post(0, 4);
	tap_inject(60, 0x77);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	ck_assert_uint_eq(used(0)->idx, 1);
	ck_assert_uint_eq(used(0)->ring[0].len, NET_HDR_LEN + 60);
	ck_assert_uint_eq(buf(0, 4)[10], 1);		/* num_buffers low byte */
	ck_assert_uint_eq(buf(0, 5)[0], 0);		/* and high byte */
	ck_assert_uint_eq(buf(0, 5)[1], 0x77);		/* then the frame */
}
END_TEST

START_TEST(test_rx_no_buffer_keeps_packet)
{
	tap_inject(200, 0x11);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	/* No buffer: the packet stays in the tap, which is not polled. */
	ck_assert_int_eq(wanted_events(), 0);
	ck_assert_uint_eq(used(0)->idx, 0);
	ck_assert_uint_eq(stats().rx_packets, 0);
	/* The guest adds a buffer and notifies: the packet arrives. */
	post_rx(0, 1526);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	ck_assert_uint_eq(used(0)->idx, 1);
	ck_assert_uint_eq(used(0)->ring[0].len, NET_HDR_LEN + 200);
	ck_assert_uint_eq(buf(0, 0)[NET_HDR_LEN + 199], 0x11);
	ck_assert_uint_eq(stats().rx_packets, 1);
	ck_assert_uint_eq(stats().errors, 0);
	ck_assert_int_eq(wanted_events(), 0);	/* the only buffer is used */
}
END_TEST

static void setup_limited(void)
{
	/* 1000 B/s: buckets of 100 bytes refilled in 100 ms. */
	setup_with(",rx_bps=1000,tx_bps=1000");
}

START_TEST(test_rx_quota)
{
	uint64_t t0 = fake_now;

	for (unsigned i = 0; i < 4; i++)
		post_rx(i, 1526);
	tap_inject(100, 1);
	tap_inject(50, 2);
	tap_inject(50, 3);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	/* The first empties the bucket; the second is read but waits,
	 * unannounced, 50 ms; the tap is not read meanwhile. */
	ck_assert_uint_eq(used(0)->idx, 1);
	ck_assert_uint_eq(dev.wake_ns, t0 + NS / 20);
	ck_assert_int_eq(wanted_events(), 0);
	fake_now = t0 + NS / 20 - 1;
	dev.ops->timer(&dev);
	ck_assert_uint_eq(used(0)->idx, 1);
	fake_now = t0 + NS / 20;
	dev.ops->timer(&dev);
	ck_assert_uint_eq(used(0)->idx, 2);
	ck_assert_uint_eq(used(0)->ring[1].len, NET_HDR_LEN + 50);
	ck_assert_uint_eq(buf(0, 1)[NET_HDR_LEN], 2);
	/* The third: read, waiting another 50 ms. */
	ck_assert_uint_eq(dev.wake_ns, t0 + NS / 10);
	ck_assert_uint_eq(stats().throttled_ns, NS / 20 + 0);
	fake_now += 10;
	ck_assert_uint_eq(stats().throttled_ns, NS / 20 + 10);	/* live */
	/* A live change: unlimited now, delivered at the next timer. */
	net_set_limits(&dev, 0, 1000);
	ck_assert_uint_eq(dev.wake_ns, fake_now);
	dev.ops->timer(&dev);
	ck_assert_uint_eq(used(0)->idx, 3);
	ck_assert_uint_eq(buf(0, 2)[NET_HDR_LEN], 3);
	ck_assert_uint_eq(dev.wake_ns, 0);
	ck_assert_uint_eq(stats().rx_bytes, 200);
	ck_assert_uint_eq(stats().rx_packets, 3);
}
END_TEST

START_TEST(test_tx_quota)
{
	uint8_t got[2048];
	uint64_t t0 = fake_now;

	post_tx(0, 100, 1);
	post_tx(1, 100, 2);
	post_tx(2, 10, 3);
	dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	ck_assert_uint_eq(used(1)->idx, 1);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), NET_HDR_LEN + 100);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), -1);
	ck_assert_uint_eq(dev.wake_ns, t0 + NS / 10);
	/* A notification meanwhile changes nothing: order is kept. */
	dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	ck_assert_uint_eq(used(1)->idx, 1);
	fake_now = t0 + NS / 10;
	dev.ops->timer(&dev);
	ck_assert_uint_eq(used(1)->idx, 2);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), NET_HDR_LEN + 100);
	ck_assert_uint_eq(got[NET_HDR_LEN], 2);
	ck_assert_uint_eq(dev.wake_ns, t0 + NS / 10 + NS / 100);
	ck_assert_uint_eq(stats().throttled_ns, NS / 10 + 10 * 0);
	fake_now = t0 + NS / 10 + NS / 100;
	dev.ops->timer(&dev);
	ck_assert_uint_eq(used(1)->idx, 3);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), NET_HDR_LEN + 10);
	ck_assert_uint_eq(stats().tx_packets, 3);
	ck_assert_uint_eq(stats().tx_bytes, 210);
	ck_assert_uint_eq(stats().throttled_ns, NS / 10 + NS / 100);
}
END_TEST

START_TEST(test_tx_tap_full)
{
	uint8_t got[2048];
	int small = 4096;
	unsigned sent = 0;

	/* A tap whose queue is full says EAGAIN: the chain is kept and the
	 * device polls for POLLOUT. */
	ck_assert_int_eq(setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small,
				    sizeof(small)), 0);
	for (unsigned i = 0; i < 100 && !(wanted_events() & POLLOUT); i++) {
		post_tx(i, 1000, (uint8_t)i);
		dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	}
	ck_assert_int_eq(wanted_events() & POLLOUT, POLLOUT);
	sent = used(1)->idx;
	ck_assert_uint_lt(sent, 100);
	ck_assert_uint_eq(avail(1)->idx, sent + 1);	/* one held */
	while (recv(peer, got, sizeof(got), 0) > 0)
		;
	tap_ready(POLLOUT);
	ck_assert_uint_eq(used(1)->idx, sent + 1);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), NET_HDR_LEN + 1000);
	ck_assert_uint_eq(got[NET_HDR_LEN], (uint8_t)sent);
	ck_assert_uint_eq(stats().errors, 0);
	ck_assert_uint_eq(stats().tx_packets, sent + 1);
}
END_TEST

START_TEST(test_malformed_chains)
{
	uint8_t got[2048];

	/* Receive buffer the device may not write. */
	desc(0, 0)->addr = BUF_GPA(0, 0);
	desc(0, 0)->len = 1526;
	desc(0, 0)->flags = 0;
	post(0, 0);
	/* Receive buffer shorter than the header. */
	desc(0, 1)->addr = BUF_GPA(0, 1);
	desc(0, 1)->len = 8;
	desc(0, 1)->flags = VRING_DESC_F_WRITE;
	post(0, 1);
	tap_inject(60, 9);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	ck_assert_uint_eq(used(0)->idx, 2);
	ck_assert_uint_eq(used(0)->ring[0].len, 0);
	ck_assert_uint_eq(used(0)->ring[1].len, 0);
	ck_assert_uint_eq(stats().errors, 2);
	ck_assert_uint_eq(stats().rx_packets, 0);
	/* The packet waited: a good buffer gets it. */
	post_rx(2, 1526);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	ck_assert_uint_eq(used(0)->idx, 3);
	ck_assert_uint_eq(used(0)->ring[2].len, NET_HDR_LEN + 60);

	/* Transmit chain shorter than the header. */
	desc(1, 0)->addr = BUF_GPA(1, 0);
	desc(1, 0)->len = 10;
	desc(1, 0)->flags = 0;
	post(1, 0);
	/* Transmit chain with a device-writable buffer. */
	post_tx(1, 100, 1);
	desc(1, 3)->flags = VRING_DESC_F_WRITE;
	post(1, 2);		/* post_tx posted 2 already: posts it twice */
	dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	ck_assert_uint_eq(used(1)->idx, 3);
	ck_assert_uint_eq(stats().errors, 5);
	ck_assert_uint_eq(stats().tx_packets, 0);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), -1);
	ck_assert(!dev.broken);

	/* A bad ring (head index out of range) breaks the device. */
	post(1, QSIZE + 3);
	dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	ck_assert(dev.broken);
	ck_assert(dev.needs_reset);
	ck_assert_int_eq(wanted_events(), 0);
}
END_TEST

/* A transmit chain like post_tx's, with header h. */
static void post_tx_hdr(unsigned slot, uint32_t frame_len,
			const struct virtio_net_hdr_v1 *h)
{
	post_tx(slot, frame_len, 0x42);
	memcpy(buf(1, slot), h, sizeof(*h));
}

START_TEST(test_tx_offload_header_passes)
{
	struct virtio_net_hdr_v1 h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = 54, .gso_size = 1448,
		.csum_start = 34, .csum_offset = 16,
	};
	uint8_t got[4096];

	post_tx_hdr(0, 3000, &h);
	dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	ck_assert_uint_eq(used(1)->idx, 1);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), NET_HDR_LEN + 3000);
	ck_assert_mem_eq(got, &h, sizeof(h));
	ck_assert_uint_eq(got[NET_HDR_LEN + 2999], 0x42);
	ck_assert_uint_eq(stats().tx_packets, 1);
	ck_assert_uint_eq(stats().errors, 0);
}
END_TEST

START_TEST(test_tx_bad_headers_dropped)
{
	static const struct { struct virtio_net_hdr_v1 h; } bad[] = {
		{ { .flags = 0x80 } },				/* unknown flag */
		{ { .flags = VIRTIO_NET_HDR_F_DATA_VALID } },	/* rx only */
		{ { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,	/* past the end */
		    .csum_start = 95, .csum_offset = 4 } },
		{ { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		    .csum_start = 0xffff, .csum_offset = 0xffff } },
		{ { .hdr_len = 101 } },				/* beyond frame */
		{ { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,	/* no NEEDS_CSUM */
		    .gso_size = 1448 } },
		{ { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,	/* gso_size 0 */
		    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .csum_start = 34,
		    .csum_offset = 16 } },
		{ { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,	/* UDP: not offered */
		    .gso_type = VIRTIO_NET_HDR_GSO_UDP, .gso_size = 1448,
		    .csum_start = 34, .csum_offset = 6 } },
		{ { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,	/* ECN: not offered */
		    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
		    .gso_size = 1448, .csum_start = 34, .csum_offset = 16 } },
		{ { .gso_type = 0x33 } },			/* garbage */
	};
	unsigned n = sizeof(bad) / sizeof(bad[0]);
	uint8_t got[2048];

	for (unsigned i = 0; i < n; i++)
		post_tx_hdr(i, 100, &bad[i].h);
	post_tx(n, 100, 7);			/* a good one after them */
	dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	ck_assert_uint_eq(used(1)->idx, n + 1);
	for (unsigned i = 0; i <= n; i++)
		ck_assert_uint_eq(used(1)->ring[i].len, 0);
	ck_assert_uint_eq(stats().errors, n);
	ck_assert_uint_eq(stats().tx_packets, 1);
	/* Only the good one reached the tap. */
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), NET_HDR_LEN + 100);
	ck_assert_uint_eq(got[NET_HDR_LEN], 7);
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), -1);
	ck_assert(!dev.broken);
}
END_TEST

START_TEST(test_tx_offloads_need_features)
{
	struct virtio_net_hdr_v1 csum = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = 34, .csum_offset = 16,
	};
	struct virtio_net_hdr_v1 tso6 = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV6, .hdr_len = 74,
		.gso_size = 1428, .csum_start = 54, .csum_offset = 16,
	};
	uint64_t base = (1ull << VIRTIO_F_VERSION_1);

	ck_assert_ptr_null(net_tx_hdr_problem(&csum, 100,
					       base | (1ull << VIRTIO_NET_F_CSUM)));
	ck_assert_ptr_nonnull(net_tx_hdr_problem(&csum, 100, base));
	ck_assert_ptr_nonnull(net_tx_hdr_problem(&tso6, 3000,
			base | (1ull << VIRTIO_NET_F_CSUM) |
			(1ull << VIRTIO_NET_F_HOST_TSO4)));
	ck_assert_ptr_null(net_tx_hdr_problem(&tso6, 3000,
			base | (1ull << VIRTIO_NET_F_CSUM) |
			(1ull << VIRTIO_NET_F_HOST_TSO6)));
	/* The checksum's last byte exactly at the frame's end is fine. */
	ck_assert_ptr_null(net_tx_hdr_problem(&csum, 52,
					       base | (1ull << VIRTIO_NET_F_CSUM)));
	ck_assert_ptr_nonnull(net_tx_hdr_problem(&csum, 51,
					       base | (1ull << VIRTIO_NET_F_CSUM)));
}
END_TEST

START_TEST(test_rx_header_against_guest_features)
{
	struct virtio_net_hdr_v1 h = {
		.flags = VIRTIO_NET_HDR_F_DATA_VALID,
	};
	uint64_t plain = 1ull << VIRTIO_F_VERSION_1;

	/* DATA_VALID for a guest without GUEST_CSUM: cleared, not dropped. */
	ck_assert_ptr_null(net_rx_hdr_problem(&h, plain));
	ck_assert(net_rx_hdr_fix(&h, plain));
	ck_assert_uint_eq(h.flags, 0);
	h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	ck_assert(!net_rx_hdr_fix(&h, plain | (1ull << VIRTIO_NET_F_GUEST_CSUM)));
	ck_assert_uint_eq(h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	ck_assert_ptr_nonnull(net_rx_hdr_problem(&h, plain));
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	ck_assert_ptr_nonnull(net_rx_hdr_problem(&h,
				plain | (1ull << VIRTIO_NET_F_GUEST_CSUM)));
	ck_assert_ptr_null(net_rx_hdr_problem(&h,
				plain | (1ull << VIRTIO_NET_F_GUEST_CSUM) |
				(1ull << VIRTIO_NET_F_GUEST_TSO4)));
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ck_assert_ptr_nonnull(net_rx_hdr_problem(&h, ~0ull));
}
END_TEST

START_TEST(test_rx_packet_the_guest_cannot_take_is_dropped)
{
	uint8_t pkt[NET_HDR_LEN + 60];
	struct virtio_net_hdr_v1 *h = (void *)pkt;
	struct hv_device_state st;

	/* A driver that accepted no offloads. */
	memset(&st, 0, sizeof(st));
	st.reset = 1;
	vdev_apply_state(&dev, &st);
	dev.features &= ~((1ull << VIRTIO_NET_F_GUEST_CSUM) |
			  (1ull << VIRTIO_NET_F_GUEST_TSO4));
	start_device();
	memset(pkt, 3, sizeof(pkt));
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;		/* queued earlier */
	h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	ck_assert_int_eq(send(peer, pkt, sizeof(pkt), 0), (ssize_t)sizeof(pkt));
	tap_inject(60, 4);
	post_rx(0, 1526);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	/* The first was dropped; the buffer took the second. */
	ck_assert_uint_eq(used(0)->idx, 1);
	ck_assert_uint_eq(used(0)->ring[0].len, NET_HDR_LEN + 60);
	ck_assert_uint_eq(buf(0, 0)[NET_HDR_LEN], 4);
	ck_assert_uint_eq(buf(0, 0)[0], 0);
	ck_assert_uint_eq(stats().errors, 1);
	ck_assert_uint_eq(stats().rx_packets, 1);
}
END_TEST

START_TEST(test_oversized_rx_packet)
{
	/* A 100-byte buffer, a 1000-byte packet: the socket truncates it
	 * (the tap would drop it with EFAULT); either way no overrun. */
	memset(buf(0, 0), 0xEE, 200);
	post_rx(0, 100);
	tap_inject(1000, 5);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	ck_assert_uint_le(used(0)->idx, 1);
	if (used(0)->idx)
		ck_assert_uint_le(used(0)->ring[0].len, 100);
	ck_assert_uint_eq(buf(0, 0)[100], 0xEE);
}
END_TEST

START_TEST(test_reset_forgets_held)
{
	struct hv_device_state st;

	tap_inject(100, 1);
	tap_inject(100, 2);
	post_rx(0, 1526);
	post_rx(1, 1526);
	net_set_limits(&dev, 100, 0);
	dev.ops->queue_notified(&dev, NET_RX_QUEUE);
	ck_assert_uint_eq(used(0)->idx, 1);
	ck_assert_uint_ne(dev.wake_ns, 0);
	memset(&st, 0, sizeof(st));
	st.reset = 1;
	vdev_apply_state(&dev, &st);
	ck_assert(dev.reset_done);
	ck_assert(!dev.running);
	ck_assert_uint_eq(dev.wake_ns, 0);
	ck_assert_int_eq(wanted_events(), 0);
}
END_TEST

START_TEST(test_control)
{
	struct control c = { .devs = &dev, .nr_devs = 2 };
	struct hv_io_net_stats s;
	struct vdev devs[2];
	char out[2048];

	post_tx(0, 500, 1);
	dev.ops->queue_notified(&dev, NET_TX_QUEUE);
	/* Device 1 is the net (device 0 would be a disk). */
	memset(&devs[0], 0, sizeof(devs[0]));
	devs[1] = dev;
	c.devs = devs;
	control_answer(&c, "stats", out, sizeof(out));
	ck_assert_ptr_nonnull(strstr(out, "net=1 mac=52:54:00:12:34:56 "));
	ck_assert_ptr_nonnull(strstr(out, " ifname=tap0\nok\n"));
	ck_assert_int_eq(hv_io_parse_net_stats_line(out, &s), 0);
	ck_assert_uint_eq(s.dev, 1);
	ck_assert_uint_eq(s.tx_bytes, 500);
	ck_assert_uint_eq(s.tx_packets, 1);
	ck_assert_str_eq(s.ifname, "tap0");
	ck_assert_uint_eq(s.mac[5], 0x56);
	control_answer(&c, "limit 1 tx_bps=2000", out, sizeof(out));
	ck_assert_str_eq(out, "ok\n");
	control_answer(&c, "limit 1 rx_bps=3000", out, sizeof(out));
	ck_assert_str_eq(out, "ok\n");
	control_answer(&c, "stats", out, sizeof(out));
	ck_assert_int_eq(hv_io_parse_net_stats_line(out, &s), 0);
	ck_assert_uint_eq(s.rx_bps, 3000);
	ck_assert_uint_eq(s.tx_bps, 2000);	/* kept */
	control_answer(&c, "limit 1 bps=5", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
	control_answer(&c, "limit 1 rx_bps=x", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
	control_answer(&c, "limit 2 rx_bps=1", out, sizeof(out));
	ck_assert_str_eq(out, "error ENODEV\n");
	dev = devs[1];		/* teardown destroys it */
}
END_TEST

START_TEST(test_spec_parse)
{
	struct hv_net_spec s;
	char why[128];
	uint8_t mac[6];

	ck_assert_int_eq(hv_net_spec_parse("tap0", &s, why, sizeof(why)), 0);
	ck_assert_str_eq(s.ifname, "tap0");
	ck_assert(!s.have_mac);
	ck_assert_uint_eq(s.rx_bps + s.tx_bps, 0);
	ck_assert_int_eq(hv_net_spec_parse("vm-web.1,mac=52:54:00:AB:cd:0f,rx_bps=10,tx_bps=20",
					   &s, why, sizeof(why)), 0);
	ck_assert_str_eq(s.ifname, "vm-web.1");
	ck_assert(s.have_mac);
	ck_assert_mem_eq(s.mac, ((uint8_t[]){ 0x52, 0x54, 0, 0xab, 0xcd, 0x0f }), 6);
	ck_assert_uint_eq(s.rx_bps, 10);
	ck_assert_uint_eq(s.tx_bps, 20);
	ck_assert_int_eq(hv_net_spec_parse("", &s, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(hv_net_spec_parse(",mac=52:54:00:12:34:56", &s, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(hv_net_spec_parse("a23456789012345x", &s, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(hv_net_spec_parse("a/b", &s, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(hv_net_spec_parse("..", &s, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(hv_net_spec_parse("t,mac=01:00:00:00:00:01", &s, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "multicast"));
	ck_assert_int_eq(hv_net_spec_parse("t,mac=00:00:00:00:00:00", &s, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(hv_net_spec_parse("t,mac=52:54:00:12:34", &s, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(hv_net_spec_parse("t,mac=52-54-00-12-34-56", &s, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(hv_net_spec_parse("t,rx_bps=-1", &s, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(hv_net_spec_parse("t,fast", &s, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "unknown net option 'fast'"));
	hv_net_default_mac(0x1234, 2, mac);
	ck_assert_mem_eq(mac, ((uint8_t[]){ 0x02, 'h', 'v', 0x12, 0x34, 2 }), 6);
	ck_assert_uint_eq(mac[0] & 3, 2);	/* local, unicast */
}
END_TEST

START_TEST(test_backend_options)
{
	struct backend_options o;
	FILE *null = fopen("/dev/null", "w");
	char *mixed[] = { "hv-backend", "--domid", "3", "--net", "tap0,tx_bps=9",
			  "--disk", "/d", "--net", "tap1,mac=52:54:00:00:00:01", NULL };
	char *net_only[] = { "hv-backend", "--domid", "3", "--net", "tap0", NULL };
	char *bad[] = { "hv-backend", "--domid", "3", "--net", "tap0,mac=zz", NULL };
	char *nine[22] = { "hv-backend", "--domid", "3" };

	ck_assert_int_eq(backend_parse_options(9, mixed, &o, null), 0);
	ck_assert_uint_eq(o.nr_disks, 1);
	ck_assert_uint_eq(o.nr_nets, 2);
	ck_assert_str_eq(o.nets[0].ifname, "tap0");
	ck_assert_uint_eq(o.nets[0].tx_bps, 9);
	ck_assert(o.nets[1].have_mac);
	ck_assert_int_eq(backend_parse_options(5, net_only, &o, null), 0);
	ck_assert_uint_eq(o.nr_disks, 0);
	ck_assert_uint_eq(o.nr_nets, 1);
	ck_assert_int_ne(backend_parse_options(5, bad, &o, null), 0);
	/* 8 devices in all, disks and interfaces together. */
	for (unsigned i = 0; i < 9; i++) {
		nine[3 + 2 * i] = i % 2 ? "--net" : "--disk";
		nine[4 + 2 * i] = i % 2 ? "t" : "/x";
	}
	ck_assert_int_ne(backend_parse_options(21, nine, &o, null), 0);
	ck_assert_int_eq(backend_parse_options(19, nine, &o, null), 0);
	ck_assert_uint_eq(o.nr_disks + o.nr_nets, 8);
	fclose(null);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("virtio-net");
	TCase *tc = tcase_create("device");
	TCase *lim = tcase_create("quotas");
	TCase *parse = tcase_create("options");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_features_and_config);
	tcase_add_test(tc, test_tx);
	tcase_add_test(tc, test_rx);
	tcase_add_test(tc, test_rx_header_split);
	tcase_add_test(tc, test_rx_mergeable);
	tcase_add_test(tc, test_rx_no_buffer_keeps_packet);
	tcase_add_test(tc, test_tx_tap_full);
	tcase_add_test(tc, test_malformed_chains);
	tcase_add_test(tc, test_oversized_rx_packet);
	tcase_add_test(tc, test_tx_offload_header_passes);
	tcase_add_test(tc, test_tx_bad_headers_dropped);
	tcase_add_test(tc, test_tx_offloads_need_features);
	tcase_add_test(tc, test_rx_header_against_guest_features);
	tcase_add_test(tc, test_rx_packet_the_guest_cannot_take_is_dropped);
	tcase_add_test(tc, test_reset_forgets_held);
	tcase_add_test(tc, test_control);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(lim, setup_limited, teardown);
	tcase_add_test(lim, test_rx_quota);
	tcase_add_test(lim, test_tx_quota);
	suite_add_tcase(s, lim);
	tcase_add_test(parse, test_spec_parse);
	tcase_add_test(parse, test_backend_options);
	suite_add_tcase(s, parse);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
