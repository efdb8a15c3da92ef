# SPDX-License-Identifier: GPL-2.0-only
"""Ethernet frames for the network isolation test, built byte by byte:
the hostile ones a guest sends with rawpkt (tests/dom0/rawpkt.c) and the
legitimate ones they imitate.  Checksums are computed (a frame with a bad
checksum would be dropped by dom0's stack whatever the filter did, and
the test would prove nothing)."""

import ipaddress
import struct

BROADCAST = "ff:ff:ff:ff:ff:ff"
ETH_IPV4, ETH_ARP, ETH_IPV6 = 0x0800, 0x0806, 0x86DD


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def ip4(a):
    return ipaddress.IPv4Address(a).packed


def ip6(a):
    return ipaddress.IPv6Address(a).packed


def link_local(mac):
    """fe80::/64 + modified EUI-64, as the guest's kernel makes it."""
    b = bytearray(mac_bytes(mac))
    b[0] ^= 2
    return str(ipaddress.IPv6Address(b"\xfe\x80" + b"\0" * 6 + bytes(b[:3]) +
                                     b"\xff\xfe" + bytes(b[3:])))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, ethertype, payload):
    frame = mac_bytes(dst) + mac_bytes(src) + struct.pack("!H", ethertype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def ipv4(src, dst, proto, payload, ttl=64):
    head = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, ttl,
                       proto, 0, ip4(src), ip4(dst))
    head = head[:10] + struct.pack("!H", checksum(head)) + head[12:]
    return head + payload


def icmp4_echo(ident=1, seq=1, data=b"hv-netfilter"):
    body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return body[:2] + struct.pack("!H", checksum(body)) + body[4:]


def udp4(src, dst, sport, dport, data):
    head = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, 8 + len(data))
    c = checksum(pseudo + head + data) or 0xFFFF
    return ipv4(src, dst, 17, head[:6] + struct.pack("!H", c) + data)


def ipv6(src, dst, nh, payload, hlim=255):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim,
                       ip6(src), ip6(dst)) + payload


def icmp6(src, dst, typ, code, body):
    msg = struct.pack("!BBH", typ, code, 0) + body
    pseudo = ip6(src) + ip6(dst) + struct.pack("!I3xB", len(msg), 58)
    c = checksum(pseudo + msg)
    return ipv6(src, dst, 58, msg[:2] + struct.pack("!H", c) + msg[4:])


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, ETH_IPV4, 6, 4, op, mac_bytes(sha),
                       ip4(spa), mac_bytes(tha), ip4(tpa))


def hostile_frames(mac1, ipv4_1, ipv6_1, mac2, ipv4_2, ipv6_2, gw_mac):
    """(name, frame) for each attack domU 1 (mac1, its addresses) makes on
    domU 2 and dom0 (gw_mac: the tap's MAC, dom0's side of the link)."""
    ll1 = link_local(mac1)
    # Override flag, domU 2's address as the target, domU 1's MAC as the
    # target link-layer address option.
    na_body = (struct.pack("!I", 0x20000000) + ip6(ipv6_2) +
               b"\x02\x01" + mac_bytes(mac1))
    ra_body = (struct.pack("!BBHII", 64, 0, 1800, 0, 0) +
               b"\x01\x01" + mac_bytes(mac1) +                 # SLLA
               struct.pack("!BBBBIII16s", 3, 4, 64, 0xC0, 86400, 14400, 0,
                           ip6("2001:db8:bad::")))             # a prefix
    offer = (struct.pack("!BBBBIHH4s4s4s4s16s", 2, 1, 6, 0, 0x1234, 0, 0x8000,
                         ip4("0.0.0.0"), ip4(ipv4_2), ip4(ipv4_1), ip4("0.0.0.0"),
                         mac_bytes(mac2) + b"\0" * 10) +
             b"\0" * 192 + b"\x63\x82\x53\x63" +
             b"\x35\x01\x02" + b"\x36\x04" + ip4(ipv4_1) +
             b"\x03\x04" + ip4(ipv4_1) + b"\xff")
    return [
        ("spoofed source MAC",
         eth(gw_mac, mac2, ETH_IPV4, ipv4(ipv4_1, "169.254.0.1", 1, icmp4_echo()))),
        ("spoofed source IPv4",
         eth(gw_mac, mac1, ETH_IPV4, ipv4(ipv4_2, "169.254.0.1", 1, icmp4_echo()))),
        ("spoofed source IPv6",
         eth(gw_mac, mac1, ETH_IPV6,
             icmp6(ipv6_2, "fe80::1", 128, 0, struct.pack("!HH", 1, 1) + b"x" * 8))),
        ("gratuitous ARP for domU 2's IPv4",
         eth(BROADCAST, mac1, ETH_ARP, arp(2, mac1, ipv4_2, BROADCAST, ipv4_2))),
        ("unsolicited NA for domU 2's IPv6",
         eth("33:33:00:00:00:01", mac1, ETH_IPV6,
             icmp6(ll1, "ff02::1", 136, 0, na_body))),
        ("router advertisement",
         eth("33:33:00:00:00:01", mac1, ETH_IPV6,
             icmp6(ll1, "ff02::1", 134, 0, ra_body))),
        ("DHCPv4 offer",
         eth(BROADCAST, mac1, ETH_IPV4,
             udp4(ipv4_1, "255.255.255.255", 67, 68, offer))),
        ("unknown ethertype",
         eth(gw_mac, mac1, 0x88B5, b"hv-netfilter local experimental" + b"\0" * 20)),
    ]
