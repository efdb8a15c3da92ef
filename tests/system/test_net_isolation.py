# SPDX-License-Identifier: GPL-2.0-only
"""Routed, isolated and counted networking for domUs (docs/networking.md):
two domUs with a virtio NIC each, on taps that hv-netfilter isolates and
routes, on one appliance boot (a Linux boot under TCG takes a minute, so
this is one rich case).

- The domUs boot in parallel; dom0 applies each one's rules and routes
  (10.0.0.2 + fd00::2 and 10.0.0.3 + fd00::3), each guest takes its
  address and dom0's gateway addresses (169.254.0.1, fe80::1) as routers.
- Legitimate: each pings dom0's gateway and the other domU (routed
  through dom0) over IPv4 and IPv6; 4 MiB go from domU 1 to domU 2 over
  TCP (busybox nc), and hv-netfilter's counters for both taps match the
  guests' own statistics for the transfer within 1% (both count whole
  Ethernet frames).  Applying the same rules again keeps the counters.
- Hostile, from domU 1 with rawpkt (raw AF_PACKET frames built by
  netframes.py): spoofed source MAC, spoofed IPv4 and IPv6 sources, a
  gratuitous ARP and an unsolicited NA claiming domU 2's addresses, a
  router advertisement, a DHCPv4 offer and an unknown ethertype.  tap1's
  dropped counter goes up by exactly the frames sent; meanwhile domU 1
  also pings dom0 (unicast), and neither domU 2 (its rx packet count and
  a capture of what it receives, rawpkt --capture) nor tap2 (its egress
  counter) sees any of it: the only frames they may count are dom0's own
  ARP/NDP solicitations from the tap's MAC, which the capture tells
  apart.  dom0's neighbour entries for domU 2's addresses still name
  domU 2's MAC, and dom0 took no route from the advertisement.
- The way out: domU 1 reaches a socket on the host through dom0's
  masquerade and QEMU's user network.
- Bad input gets its exit status; remove leaves no rules.
Figures printed (for docs/networking.md): median time of 20 applies,
ping round trips domU <-> dom0 and domU <-> domU."""

import json
import re
import socket
import statistics

import netframes
from test_linux_domu import KERNEL, INITRD, guest_line, type_line
from test_virtio_blk import ask, status

MIB = 1 << 20
GUESTS = [
    # name, tap, MAC, IPv4, IPv6
    ("nf1", "tap1", "02:68:76:00:01:00", "10.0.0.2", "fd00::2"),
    ("nf2", "tap2", "02:68:76:00:02:00", "10.0.0.3", "fd00::3"),
]
TRANSFER_MIB = 4


def apply_cmd(tap, mac, v4, v6):
    return ("hv-netfilter apply --if %s --mac %s --ipv4 %s/32 --ipv6 %s/128"
            % (tap, mac, v4, v6))


def counters(m, tap):
    return json.loads(m.check("hv-netfilter counters --if %s --json" % tap))


def guest_stats(m, domid, name, tag):
    """The guest's own eth0 counters: tx/rx bytes and packets."""
    keys = ("tx_bytes", "tx_packets", "rx_bytes", "rx_packets")
    out = ask(m, domid, name, "cd /sys/class/net/eth0/statistics && cat %s | "
              "tr '\\n' ' '" % " ".join(keys), tag)
    return dict(zip(keys, map(int, out.split())))


def rtt_ms(m, domid, name, cmd, tag):
    """Average round trip of `cmd` (a quiet ping) in ms."""
    out = ask(m, domid, name, "%s | tail -1" % cmd, tag, timeout=180)
    found = re.search(r"= [\d.]+/([\d.]+)/", out)
    assert found, out
    return float(found.group(1))


def neighbour_lladdr(m, addr):
    """dom0's neighbour entry for addr: its MAC, or None."""
    for line in m.check("ip neigh show; ip -6 neigh show").splitlines():
        if line.split()[:1] == [addr]:
            found = re.search(r"lladdr ([0-9a-f:]{17})", line)
            return found.group(1) if found else None
    return None


def send_raw(m, domid, name, frame, tag):
    """rawpkt in the guest; the frame's hex goes to a file in pieces
    first (short console lines).  Returns the frames rawpkt sent."""
    text = frame.hex()
    assert status(m, domid, name, "rm -f /tmp/frame", tag + "rm") == 0
    for i in range(0, len(text), 200):
        assert status(m, domid, name, "printf %%s %s >> /tmp/frame"
                      % text[i:i + 200], "%s_%d" % (tag, i)) == 0
    return int(ask(m, domid, name, 'rawpkt eth0 "$(cat /tmp/frame)"', tag))


def near(a, b, tolerance=0.01):
    return abs(a - b) <= tolerance * max(a, b)


def test_net_isolation(boot_dom0):
    m = boot_dom0(smp=3, mem_mib=1536)
    m.wait_for(r"^dom0: userspace ready$")
    m.wait_for(r"dom0: network: routing for servers via eth0 \(NAT\)")
    assert m.check("cat /proc/sys/net/ipv4/ip_forward").strip() == "1"
    assert m.check("cat /proc/sys/net/ipv6/conf/all/forwarding").strip() == "1"

    # Both domUs at once.
    since = len(m.output)
    domids = []
    for name, tap, mac, _, _ in GUESTS:
        out = m.check("hvctl create %s 256 1 %s --initrd %s --net %s,mac=%s "
                      "'console=ttyS0 quiet'" % (name, KERNEL, INITRD, tap, mac))
        domids.append(int(out.strip().splitlines()[-1]))
    for domid in domids:
        m.wait_for(guest_line(domid, r"domU: userspace ready"), timeout=300,
                   since=since)

    # Bad input: exit 2 (usage) or 3 (no such interface), nothing applied.
    rc, out = m.run("hv-netfilter apply --if tap1 --mac 02:68:76:00:01")
    assert rc == 2 and "MAC" in out, out
    rc, out = m.run("hv-netfilter apply --if tap1 --mac 02:68:76:00:01:00 "
                    "--ipv4 10.0.0.0/24")
    assert rc == 2 and "/32" in out, out
    rc, out = m.run("hv-netfilter apply --if tap9 --mac 02:68:76:00:01:00")
    assert rc == 3 and "does not exist" in out, out
    rc, out = m.run("hv-netfilter counters --if tap1")
    assert rc == 3 and "no hv-netfilter rules" in out, out

    # Rules and routes, then the guests' addresses.  The apply time is
    # measured in dom0 with tscclock (CLOCK_MONOTONIC), less the cost of
    # starting tscclock itself.
    for _, tap, mac, v4, v6 in GUESTS:
        m.check(apply_cmd(tap, mac, v4, v6))
    times = m.check(
        "for i in $(seq 20); do a=$(tscclock | sed 's/.*mono_ns=\\([0-9]*\\).*/\\1/');"
        " %s; b=$(tscclock | sed 's/.*mono_ns=\\([0-9]*\\).*/\\1/');"
        " c=$(tscclock | sed 's/.*mono_ns=\\([0-9]*\\).*/\\1/');"
        " echo T $((b - a)) $((c - b)); done" % apply_cmd(*GUESTS[0][1:]),
        timeout=300)
    pairs = [tuple(map(int, l.split()[1:])) for l in times.splitlines()
             if l.startswith("T ")]
    assert len(pairs) == 20, times
    apply_ms = statistics.median(a - b for a, b in pairs) / 1e6
    print("FIGURE apply one server's rules (median of 20): %.1f ms" % apply_ms)
    assert "tap1" in m.check("hv-netfilter list")
    routes = m.check("ip route; ip -6 route")
    for _, tap, _, v4, v6 in GUESTS:
        assert re.search(r"%s dev %s" % (re.escape(v4), tap), routes), routes
        assert re.search(r"%s dev %s" % (re.escape(v6), tap), routes), routes

    gw_mac = {}
    for domid, (name, tap, mac, v4, v6) in zip(domids, GUESTS):
        gw_mac[tap] = m.check("cat /sys/class/net/%s/address" % tap).strip()
        assert ask(m, domid, name, "cat /sys/class/net/eth0/address",
                   "MAC" + name) == mac
        assert status(m, domid, name,
                      "ip link set eth0 up && ip addr add %s/32 dev eth0 && "
                      "ip -6 addr add %s/128 dev eth0 && "
                      "ip route add 169.254.0.1 dev eth0 && "
                      "ip route add default via 169.254.0.1 && "
                      "ip -6 route add default via fe80::1 dev eth0"
                      % (v4, v6), "UP" + name) == 0
    m.check("sleep 3")	# IPv6 duplicate address detection

    # Legitimate: pings to the gateway and to the other domU, both ways,
    # both families (domU -> domU is routed by dom0).
    rtt = {}
    for domid, (name, _, _, _, _), other in zip(domids, GUESTS, reversed(GUESTS)):
        rtt[name + " dom0"] = rtt_ms(m, domid, name,
                                     "ping -q -c 10 -i 0.2 169.254.0.1", "P4" + name)
        rtt[name + " domU"] = rtt_ms(m, domid, name,
                                     "ping -q -c 10 -i 0.2 %s" % other[3], "Q4" + name)
        assert status(m, domid, name, "ping6 -q -c 3 -I eth0 fe80::1 >/dev/null",
                      "P6" + name) == 0
        assert status(m, domid, name, "ping6 -q -c 3 %s >/dev/null" % other[4],
                      "Q6" + name) == 0
    m.check("ping -c 3 10.0.0.2 && ping6 -c 3 fd00::3")
    for key, value in sorted(rtt.items()):
        print("FIGURE ping %s: %.2f ms" % (key, value))

    # The way out: dom0 masquerades what leaves by its uplink (QEMU's user
    # network, where 10.0.2.2 is the host's loopback): domU 1 reaches a
    # socket the test listens on here.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(120)
        port = listener.getsockname()[1]
        type_line(m, GUESTS[0][0], "echo hello-from-domU | nc 10.0.2.2 %d &" % port)
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(60)
            assert conn.recv(64).startswith(b"hello-from-domU")

    # A TCP transfer of a known size, domU 1 -> domU 2, counted right.
    (n1, t1, _, _, _), (n2, t2, _, v4_2, _) = GUESTS
    d1, d2 = domids
    assert status(m, d2, n2, "printf '#!/bin/sh\\ncat > /tmp/got\\n"
                  "touch /tmp/got.done\\n' > /tmp/r.sh && chmod +x /tmp/r.sh",
                  "RS") == 0
    type_line(m, n2, "nc -l -p 5000 -e /tmp/r.sh </dev/null >/dev/null 2>&1 &")
    assert status(m, d1, n1, "dd if=/dev/urandom of=/tmp/up bs=1M count=%d "
                  "2>/dev/null" % TRANSFER_MIB, "GEN") == 0
    g1, g2 = guest_stats(m, d1, n1, "S1"), guest_stats(m, d2, n2, "S2")
    c1, c2 = counters(m, t1), counters(m, t2)
    assert status(m, d1, n1, "nc %s 5000 < /tmp/up" % v4_2, "SEND",
                  timeout=600) == 0
    assert ask(m, d2, n2, "while [ ! -e /tmp/got.done ]; do sleep 1; done; "
               "wc -c < /tmp/got", "GOT", timeout=600) == str(TRANSFER_MIB * MIB)
    g1b, g2b = guest_stats(m, d1, n1, "T1"), guest_stats(m, d2, n2, "T2")
    c1b, c2b = counters(m, t1), counters(m, t2)
    sent = g1b["tx_bytes"] - g1["tx_bytes"]
    counted_sent = c1b["tx_bytes"] - c1["tx_bytes"]
    received = g2b["rx_bytes"] - g2["rx_bytes"]
    counted_received = c2b["rx_bytes"] - c2["rx_bytes"]
    print("FIGURE transfer: domU 1 sent %d frame bytes, tap1 counted %d; "
          "domU 2 received %d, tap2 counted %d"
          % (sent, counted_sent, received, counted_received))
    assert sent >= TRANSFER_MIB * MIB
    assert near(sent, counted_sent), (sent, counted_sent)
    assert near(received, counted_received), (received, counted_received)
    assert near(g1b["tx_packets"] - g1["tx_packets"],
                c1b["tx_packets"] - c1["tx_packets"])
    assert c1b["tx_dropped_packets"] == c1["tx_dropped_packets"]

    # The same rules again: the counters carry over.
    m.check(apply_cmd(*GUESTS[0][1:]))
    assert counters(m, t1)["tx_bytes"] >= c1b["tx_bytes"]

    # Hostile frames from domU 1, with unicast pings to dom0 meanwhile.
    frames = netframes.hostile_frames(GUESTS[0][2], GUESTS[0][3], GUESTS[0][4],
                                      GUESTS[1][2], GUESTS[1][3], GUESTS[1][4],
                                      gw_mac[t1])
    # domU 2 captures every frame it receives for the whole window: dom0
    # may revalidate its neighbour entry for domU 2 meanwhile (an ARP
    # request or NDP solicitation from the tap's MAC), and that is the
    # only traffic domU 2 may see.
    type_line(m, n2, "rawpkt eth0 --capture > /tmp/cap 2>&1 & echo $! > /tmp/cap.pid")
    assert ask(m, d2, n2, "while ! grep -q ready /tmp/cap; do sleep 1; done; "
               "head -n 1 /tmp/cap", "CAP") == "ready"
    before1, before2 = counters(m, t1), counters(m, t2)
    g2 = guest_stats(m, d2, n2, "H2")
    for i, (what, frame) in enumerate(frames):
        assert send_raw(m, d1, n1, frame, "RAW%d" % i) == 1, what
    assert status(m, d1, n1, "ping -q -c 20 -i 0.2 169.254.0.1 >/dev/null",
                  "UNI") == 0
    after1, after2 = counters(m, t1), counters(m, t2)
    g2b = guest_stats(m, d2, n2, "H3")
    # Then a ping of a size nothing else has, from dom0: the capture's
    # mark that it sees what domU 2 receives, and the end of the window.
    m.check("ping -c 1 -s 999 %s" % v4_2)
    # (Waited for in the file, not for a fixed time: a loaded guest may
    # take a while to print it.)
    captured = ask(m, d2, n2, "for i in $(seq 60); do grep -q 'type=0800 len=%d ' /tmp/cap "
                   "&& break; sleep 1; done; kill $(cat /tmp/cap.pid); tail -n +2 /tmp/cap"
                   % (14 + 20 + 8 + 999), "CAPD")
    frames_seen = re.findall(r"src=(\S+) type=(\w+) len=(\d+) kind=(\S+)", captured)
    mark = [i for i, (_, ethertype, length, _) in enumerate(frames_seen)
            if ethertype == "0800" and length == str(14 + 20 + 8 + 999)]
    assert mark, captured
    received = [(src, kind) for src, _, _, kind in frames_seen[:mark[0]]]
    dropped = after1["tx_dropped_packets"] - before1["tx_dropped_packets"]
    assert dropped == len(frames), (dropped, after1, before1)
    assert after1["tx_packets"] - before1["tx_packets"] >= 20
    assert all(src == gw_mac[t2] and kind in ("arp-request", "ndp-ns")
               for src, kind in received), captured
    assert after2["rx_packets"] - before2["rx_packets"] <= len(received), (
        before2, after2, captured)
    assert g2b["rx_packets"] - g2["rx_packets"] <= len(received), (g2, g2b, captured)
    for addr in (GUESTS[1][3], GUESTS[1][4]):
        assert neighbour_lladdr(m, addr) in (None, GUESTS[1][2]), addr
    assert "2001:db8:bad" not in m.check("ip -6 route; ip -6 addr")

    # Remove: no rules left, and no routes of ours on the tap.
    m.check("hv-netfilter remove --if tap2")
    rc, _ = m.run("hv-netfilter counters --if tap2")
    assert rc == 3
    assert "10.0.0.3" not in m.check("ip route")
    assert "tap2" not in m.check("hv-netfilter list")
