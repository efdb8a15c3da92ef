// SPDX-License-Identifier: GPL-2.0-only
/*
 * rawpkt - sends Ethernet frames exactly as given, for the network
 * isolation test (tests/system/test_net_isolation.py), which builds the
 * hostile frames (spoofed sources, ARP, NDP, RA, DHCP offer...) itself.
 *
 *   rawpkt IFACE HEX [COUNT]
 *   rawpkt IFACE --capture
 *
 * HEX is the whole frame from the destination MAC on, without FCS.  The
 * frame is sent COUNT times (default 1) through an AF_PACKET raw socket,
 * so nothing in the guest's stack checks or rewrites it.  Prints the
 * number of frames sent.
 *
 * --capture prints "ready" once its socket listens, then one line per
 * frame the interface receives (not those it sends) until killed:
 * "src=MAC type=ETHERTYPE len=N kind=K", where K names a neighbour
 * solicitation (arp-request, ndp-ns) or is "other".  The isolation test
 * uses it to tell dom0's own ARP/NDP from a frame that leaked across.
 *
 * Exit 0, 1 on a system error, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FRAME_MAX 1514
#define FRAME_MIN 14

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* arp-request, ndp-ns (an IPv6 packet whose next header is ICMPv6 and
 * whose ICMPv6 type is 135), or other. */
static const char *frame_kind(const unsigned char *f, size_t len)
{
	unsigned type = f[12] << 8 | f[13];

	if (type == ETH_P_ARP && len >= 14 + 8 && (f[20] << 8 | f[21]) == ARPOP_REQUEST)
		return "arp-request";
	if (type == ETH_P_IPV6 && len >= 14 + 40 + 1 && f[14 + 6] == 58 && f[14 + 40] == 135)
		return "ndp-ns";
	return "other";
}

static int capture(const char *ifname)
{
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	unsigned idx = if_nametoindex(ifname);
	if (s < 0 || !idx) {
		perror(s < 0 ? "rawpkt: socket" : "rawpkt: interface");
		return 1;
	}
	struct sockaddr_ll at = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = idx,
	};
	if (bind(s, (struct sockaddr *)&at, sizeof(at)) < 0) {
		perror("rawpkt: bind");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	for (;;) {
		unsigned char f[FRAME_MAX + 4];
		struct sockaddr_ll from;
		socklen_t from_len = sizeof(from);
		ssize_t n = recvfrom(s, f, sizeof(f), 0, (struct sockaddr *)&from, &from_len);
		if (n < 0) {
			perror("rawpkt: recvfrom");
			return 1;
		}
		if (from.sll_pkttype == PACKET_OUTGOING || n < FRAME_MIN)
			continue;
		printf("src=%02x:%02x:%02x:%02x:%02x:%02x type=%04x len=%zd kind=%s\n",
		       f[6], f[7], f[8], f[9], f[10], f[11], f[12] << 8 | f[13], n,
		       frame_kind(f, n));
	}
}

int main(int argc, char **argv)
{
	unsigned char frame[FRAME_MAX];
	size_t len = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: rawpkt IFACE HEX [COUNT] | rawpkt IFACE --capture\n");
		return 2;
	}
	if (argc == 3 && !strcmp(argv[2], "--capture"))
		return capture(argv[1]);
	const char *h = argv[2];
	if (strlen(h) % 2 || strlen(h) / 2 > FRAME_MAX || strlen(h) / 2 < FRAME_MIN) {
		fprintf(stderr, "rawpkt: frame must be %d..%d bytes of hex\n",
			FRAME_MIN, FRAME_MAX);
		return 2;
	}
	for (; h[2 * len]; len++) {
		int hi = hex(h[2 * len]), lo = hex(h[2 * len + 1]);
		if (hi < 0 || lo < 0) {
			fprintf(stderr, "rawpkt: not hex at byte %zu\n", len);
			return 2;
		}
		frame[len] = hi << 4 | lo;
	}
	int count = argc == 4 ? atoi(argv[3]) : 1;
	if (count < 1) {
		fprintf(stderr, "rawpkt: COUNT must be at least 1\n");
		return 2;
	}

	int s = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: send only */
	unsigned idx = if_nametoindex(argv[1]);
	if (s < 0 || !idx) {
		perror(s < 0 ? "rawpkt: socket" : "rawpkt: interface");
		return 1;
	}
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = idx,
		.sll_halen = ETH_ALEN,
	};
	memcpy(to.sll_addr, frame, ETH_ALEN);
	int sent = 0;
	for (int i = 0; i < count; i++) {
		if (sendto(s, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len) {
			perror("rawpkt: sendto");
			return 1;
		}
		sent++;
	}
	printf("%d\n", sent);
	return 0;
}
