// SPDX-License-Identifier: GPL-2.0-only
/*
 * rawpkt - sends Ethernet frames exactly as given, for the network
 * isolation test (tests/system/test_net_isolation.py), which builds the
 * hostile frames (spoofed sources, ARP, NDP, RA, DHCP offer...) itself.
 *
 *   rawpkt IFACE HEX [COUNT]
 *
 * HEX is the whole frame from the destination MAC on, without FCS.  The
 * frame is sent COUNT times (default 1) through an AF_PACKET raw socket,
 * so nothing in the guest's stack checks or rewrites it.  Prints the
 * number of frames sent.  Exit 0, 1 on a system error, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
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

int main(int argc, char **argv)
{
	unsigned char frame[FRAME_MAX];
	size_t len = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: rawpkt IFACE HEX [COUNT]\n");
		return 2;
	}
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
