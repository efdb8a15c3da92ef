#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: the servers' network (issue 14).

One table (docs/testing.md, "The servers' network", explains each figure):

1. Direct: the domU kernel and test image booted by QEMU (virtio-net-pci on
   user networking): TCP each way and a ping round trip between the guest
   and QEMU's host, as bench-io measures them (tests/bench/io_net.py).
2. The appliance (hypervisor, dom0, provisiond), two domUs of the same
   kernel and test image (256 MiB, 1 vCPU each) on taps that hv-netfilter
   isolates and routes as for servers (10.0.0.2/32 and 10.0.0.3/32,
   gateway 169.254.0.1 in dom0), domU 1 with a plan's rate limit of
   NET_MBPS Mbit/s each way on its NIC:
   - the time to apply a server's rule set: `hv-netfilter apply` (filter
     table and routes, one nftables transaction), median of APPLIES, timed
     in dom0 on CLOCK_MONOTONIC (tscclock), less tscclock's own start;
   - ping round trips domU 1 -> dom0's gateway and domU 1 -> domU 2
     (routed by dom0), the same busybox `ping -A`;
   - TCP, NET_MIB MiB by busybox nc timed by the receiver: domU 1 -> dom0,
     dom0 -> domU 1, domU 1 -> domU 2 (through dom0's forwarding), with
     domU 1's limit off; and domU 1 -> dom0 at its plan rate;
   - dom0's API latency: LATENCY_GETS sequential GET /v1/plans from the
     host on one kept-alive HTTPS connection (through QEMU's forwarded
     port to dom0's provisiond), median / p99 / max: idle; while domU 1
     floods domU 2 (nc of zeros, routed by dom0) at its plan rate; and
     while it floods with no limit.  Beside each: the rate the flood
     reached (tap1's accepted bytes, hv-netfilter's counter) and dom0's
     CPU use (/proc/stat, non-idle share of its CPUs).

It never fails on a figure: exit 1 when something broke (after printing
what it measured), 2 when a build product is missing.  Consoles:
build/test-logs/bench-net-*.log.

    make bench-net      (or: tests/bench/net.py [--direct-only])
"""

import argparse
import http.client
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "system"))

import domu  # noqa: E402
import domu_direct  # noqa: E402
import io_net  # noqa: E402
import servers  # noqa: E402
from benchlib import HV_ELF, Broken, print_table  # noqa: E402
from domu import check, host_load, wait_since  # noqa: E402
from machine import HV, free_port  # noqa: E402
from pvd_dom0 import tls_context  # noqa: E402


def _bench_io():
    """tests/bench/io.py (its GuestShell): by path, since "io" is the
    standard library's module name."""
    spec = importlib.util.spec_from_file_location("bench_io", os.path.join(HERE, "io.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GuestShell = _bench_io().GuestShell

KERNEL = "/usr/share/domu/vmlinuz"
INITRD = "/usr/share/guests/domu-test-initrd.img"
GUESTS = [
    # name, tap, MAC, IPv4
    ("nf1", "tap1", "02:68:76:00:01:00", "10.0.0.2"),
    ("nf2", "tap2", "02:68:76:00:02:00", "10.0.0.3"),
]
GATEWAY = "169.254.0.1"
# domU 1's plan rate, each way: below what a guest reaches under TCG
# (about 9 MB/s), so that the limit binds.
NET_MBPS = 40
PLAN_BPS = NET_MBPS * 1000 * 1000 // 8	# as provisiond gives it (server_net.c)
APPLIES = 20
LATENCY_GETS = 300
FLOOD_PORT = 5002
NET_MIB = io_net.NET_MIB
APPLIANCE_MEM_MIB = 2048
DATA_DISK_BYTES = 4 << 30

FLOOD_SEND = "dd if=/dev/zero bs=64k count=1000000 2>/dev/null | nc %s %d"


# --- 1. directly under QEMU ---------------------------------------------------

def direct_half(out):
    host_port = free_port()
    with domu_direct.machine("bench-net-direct", initrd=domu_direct.TEST_INITRD,
                             extra_args=io_net.direct_args(host_port)) as m:
        wait_since(m, domu_direct.READY, 0, 300)
        shell = GuestShell(m, "direct", lambda text: m.send(text + "\n"), "^")
        res = out["direct"] = {}
        io_net.direct(shell, host_port, res)
        print("[direct] %r" % res["net"], flush=True)


# --- 2. the appliance ------------------------------------------------------------

def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def apply_cmd(tap, mac, v4):
    return "hv-netfilter apply --if %s --mac %s --ipv4 %s/32" % (tap, mac, v4)


def apply_ms(m):
    """Median ms of APPLIES applies of domU 1's rules, timed in dom0."""
    stamp = "$(tscclock | sed 's/.*mono_ns=\\([0-9]*\\).*/\\1/')"
    times = check(m, "for i in $(seq %d); do a=%s; %s; b=%s; c=%s; echo T $((b - a)) "
                  "$((c - b)); done" % (APPLIES, stamp, apply_cmd(*GUESTS[0][1:]),
                                        stamp, stamp), timeout=600)
    pairs = [tuple(map(int, line.split()[1:])) for line in times.splitlines()
             if line.startswith("T ")]
    if len(pairs) != APPLIES:
        raise Broken("apply timings: %r" % times)
    return statistics.median(a - b for a, b in pairs) / 1e6


def tap_tx_bytes(m, tap):
    for _ in range(5):
        try:
            return json.loads(check(m, "hv-netfilter counters --if %s --json" % tap))[
                "tx_bytes"]
        except (ValueError, KeyError):
            continue		# a hypervisor line cut it
    raise Broken("no counters for %s" % tap)


def dom0_cpu(m):
    """(non-idle, all) ticks of dom0's CPUs."""
    values = [int(v) for v in check(m, "head -n 1 /proc/stat").split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def nic_dev(m, name, tap):
    out = check(m, "hvctl io %s --json" % name)
    found = re.search(r'"dev": (\d+), "ifname": "%s"' % tap, out)
    if not found:
        raise Broken("no NIC %s in %r" % (tap, out))
    return int(found.group(1))


def latencies(port, token, n):
    """n sequential GETs on one kept-alive connection: their ms."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=60,
                                       context=tls_context())
    headers = {"Authorization": "Bearer " + token}
    times = []
    try:
        for _ in range(n):
            t0 = time.monotonic()
            try:
                conn.request("GET", "/v1/plans", headers=headers)
                r = conn.getresponse()
                body = r.read()
            except (http.client.HTTPException, OSError):
                conn.close()		# the server closed it: a new one
                conn.connect()
                continue
            if r.status != 200 or not body:
                raise Broken("GET /v1/plans answered %d" % r.status)
            times.append((time.monotonic() - t0) * 1000)
    finally:
        conn.close()
    if len(times) < n // 2:
        raise Broken("only %d of %d GETs answered on a kept connection" % (len(times), n))
    return times


def latency_phase(m, shells, flood, port, token):
    """The API's latencies with or without a flood from domU 1 to domU 2;
    (ms list, flood bytes/s, dom0 busy share)."""
    if flood:
        shells[1].run("nc -l -p %d > /dev/null 2>&1 & true" % FLOOD_PORT)
        shells[0].run("sleep 1; (%s) > /dev/null 2>&1 & true"
                      % (FLOOD_SEND % (GUESTS[1][3], FLOOD_PORT)))
        time.sleep(3)			# the flood under way
    b0, c0, t0 = tap_tx_bytes(m, "tap1"), dom0_cpu(m), time.monotonic()
    times = latencies(port, token, LATENCY_GETS)
    b1, c1, t1 = tap_tx_bytes(m, "tap1"), dom0_cpu(m), time.monotonic()
    if flood:
        shells[0].run("kill $(pidof nc dd) 2>/dev/null; true")
        shells[1].run("kill $(pidof nc) 2>/dev/null; true")
        time.sleep(2)
        # Stopped, or the next phase would measure two floods.
        before = tap_tx_bytes(m, "tap1")
        time.sleep(2)
        if tap_tx_bytes(m, "tap1") - before > 1 << 20:
            raise Broken("domU 1's flood did not stop")
    busy = (c1[0] - c0[0]) / max(1, c1[1] - c0[1])
    return times, (b1 - b0) / (t1 - t0), busy


def tcp_seconds(m, shells):
    """Seconds for NET_MIB MiB: domU 1 -> dom0, dom0 -> domU 1, domU 1 ->
    domU 2, timed by each receiver."""
    got = {}
    check(m, io_net.RECEIVER)
    check(m, "(%s); sleep 1" % (io_net.LISTEN % io_net.DOM0_PORT))
    shells[0].run(io_net.SEND % (GATEWAY, io_net.DOM0_PORT), timeout=900)
    got["up_s"] = io_net.seconds_from([check(m, io_net.WAIT_TIMES, timeout=900)])
    got["down_s"] = io_net.guest_receives(
        shells[0], lambda: check(m, io_net.SEND % (GUESTS[0][3], io_net.GUEST_PORT),
                                 timeout=900))
    got["domu_s"] = io_net.guest_receives(
        shells[1], lambda: shells[0].run(io_net.SEND % (GUESTS[1][3], io_net.GUEST_PORT),
                                         timeout=900))
    return got


def appliance_half(tmp, out):
    m = servers.appliance(tmp, "bench-net-appliance", smp=3, mem_mib=APPLIANCE_MEM_MIB,
                          data_bytes=DATA_DISK_BYTES)
    res = out["appliance"] = {}
    try:
        m.wait_for(r"dom0: network: routing for servers via eth0", timeout=60)
        since = len(m.output)
        domids = []
        for i, (name, tap, mac, _) in enumerate(GUESTS):
            limit = ",rx_bps=%d,tx_bps=%d" % (PLAN_BPS, PLAN_BPS) if i == 0 else ""
            created = check(m, "hvctl create %s 256 1 %s --initrd %s --net %s,mac=%s%s "
                            "'console=ttyS0 quiet'" % (name, KERNEL, INITRD, tap, mac,
                                                       limit), timeout=120)
            domids.append(int(created.strip().splitlines()[-1]))
        for domid in domids:
            wait_since(m, HV + r"\(d%d\) domU: userspace ready$" % domid, since, 400)
        print("[appliance] dom0 and two domUs up", flush=True)
        shells = [GuestShell(m, name, lambda text, n=name: check(
            m, "hvctl input %s %s" % (n, shell_quote(text))), HV + r"\(d%d\) " % domid)
            for (name, _, _, _), domid in zip(GUESTS, domids)]

        for _, tap, mac, v4 in GUESTS:
            check(m, apply_cmd(tap, mac, v4))
        res["apply_ms"] = apply_ms(m)
        print("[appliance] apply: %.1f ms" % res["apply_ms"], flush=True)
        for shell, (_, _, _, v4) in zip(shells, GUESTS):
            shell.run("ip link set eth0 up && ip addr add %s/32 dev eth0 && "
                      "ip route add %s dev eth0 && ip route add default via %s"
                      % (v4, GATEWAY, GATEWAY))
            shell.run("i=0; while [ \"$(cat /sys/class/net/eth0/carrier)\" != 1 ] "
                      "&& [ $i -lt 50 ]; do usleep 100000; i=$((i+1)); done")
        # Neighbours resolved before anything is timed.
        shells[0].run("ping -c 2 -W 5 %s >/dev/null; ping -c 2 -W 5 %s >/dev/null; true"
                      % (GATEWAY, GUESTS[1][3]), timeout=120)

        res["ping_dom0_ms"] = io_net.ping_ms(shells[0].run(io_net.PING % GATEWAY,
                                                           timeout=300))
        res["ping_domu_ms"] = io_net.ping_ms(shells[0].run(io_net.PING % GUESTS[1][3],
                                                           timeout=300))
        print("[appliance] ping: dom0 %.3f ms, domU %.3f ms"
              % (res["ping_dom0_ms"], res["ping_domu_ms"]), flush=True)

        # TCP with no limit, then domU 1 -> dom0 at its plan rate.
        dev = nic_dev(m, GUESTS[0][0], GUESTS[0][1])
        check(m, "hvctl io-limit %s %d rx_bps=0 tx_bps=0" % (GUESTS[0][0], dev))
        res["tcp"] = tcp_seconds(m, shells)
        check(m, "hvctl io-limit %s %d rx_bps=%d tx_bps=%d"
              % (GUESTS[0][0], dev, PLAN_BPS, PLAN_BPS))
        check(m, io_net.RECEIVER)
        check(m, "(%s); sleep 1" % (io_net.LISTEN % io_net.DOM0_PORT))
        shells[0].run(io_net.SEND % (GATEWAY, io_net.DOM0_PORT), timeout=900)
        res["tcp"]["limited_up_s"] = io_net.seconds_from(
            [check(m, io_net.WAIT_TIMES, timeout=900)])
        print("[appliance] TCP: %r" % res["tcp"], flush=True)

        # The API while domU 1 floods: idle, at the plan rate, unlimited.
        token = m.api.token
        res["latency"] = {}
        for phase, flood, limit in (("idle", False, PLAN_BPS),
                                    ("flood at the plan rate", True, PLAN_BPS),
                                    ("flood, no limit", True, 0)):
            check(m, "hvctl io-limit %s %d rx_bps=%d tx_bps=%d"
                  % (GUESTS[0][0], dev, limit, limit))
            res["latency"][phase] = latency_phase(m, shells, flood, m.https_port, token)
            times, rate, busy = res["latency"][phase]
            print("[appliance] API %s: p50 %.1f ms, p99 %.1f ms; flood %.1f MB/s; "
                  "dom0 busy %.0f%%" % (phase, percentile(times, 50),
                                        percentile(times, 99), rate / 1e6, busy * 100),
                  flush=True)
    finally:
        m.kill()


# --- the report ---------------------------------------------------------------------

def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def mib_s(seconds):
    return "%.1f MiB/s (%.2f s)" % (NET_MIB / seconds, seconds) if seconds else "-"


def report(out, load, seconds):
    d = out.get("direct", {}).get("net", {})
    a = out.get("appliance", {})
    tcp = a.get("tcp", {})
    rows, notes = [], []

    def ratio(x, y):
        return "%.2fx" % (x / y) if x and y else "-"

    rows.append(("TCP guest -> host, %d MiB" % NET_MIB, mib_s(d.get("up_s")),
                 "domU -> dom0", mib_s(tcp.get("up_s")),
                 ratio(tcp.get("up_s"), d.get("up_s")) + " the time"))
    rows.append(("TCP host -> guest, %d MiB" % NET_MIB, mib_s(d.get("down_s")),
                 "dom0 -> domU", mib_s(tcp.get("down_s")),
                 ratio(tcp.get("down_s"), d.get("down_s")) + " the time"))
    rows.append(("TCP guest -> guest, %d MiB" % NET_MIB, "-", "domU -> domU (routed)",
                 mib_s(tcp.get("domu_s")), ratio(tcp.get("domu_s"), d.get("up_s"))
                 + " guest->host's time"))
    rows.append(("TCP guest -> host at the plan rate (%d Mbit/s)" % NET_MBPS, "-",
                 "domU -> dom0", mib_s(tcp.get("limited_up_s")),
                 "limit %.1f MiB/s" % (PLAN_BPS / (1 << 20))))
    dp = d.get("ping_ms")
    for key, what in (("ping_dom0_ms", "domU -> dom0"), ("ping_domu_ms", "domU -> domU")):
        v = a.get(key)
        rows.append(("ping round trip, avg of %d" % io_net.PINGS,
                     "%.3f ms" % dp if dp else "-", what, "%.3f ms" % v if v else "-",
                     ratio(v, dp)))
    if "apply_ms" in a:
        rows.append(("hv-netfilter apply, one server (median of %d)" % APPLIES, "-",
                     "dom0", "%.1f ms" % a["apply_ms"], ""))
    for phase, (times, rate, busy) in a.get("latency", {}).items():
        rows.append(("API GET p50 / p99 / max, %s" % phase, "-", "host -> dom0",
                     "%.1f / %.1f / %.1f ms" % (percentile(times, 50),
                                                percentile(times, 99), max(times)),
                     "flood %.1f MB/s, dom0 busy %.0f%%" % (rate / 1e6, busy * 100)
                     if phase != "idle" else "dom0 busy %.0f%%" % (busy * 100)))
    notes.append(io_net.NOTE.replace("tap0", "tap1"))
    notes.append(
        "appliance: -smp 3 (dom0 on CPU 0 with 1 GiB; the domUs, 256 MiB and 1 vCPU "
        "each, on the others), the domU test image and dom0's Debian kernel, NICs on "
        "taps routed and filtered by hv-netfilter as for servers (/32 addresses, "
        "gateway %s in dom0). domU 1's NIC limit: %d bytes/s each way (a %d Mbit/s "
        "plan), off for the TCP rows but the one at the plan rate. API: %d "
        "sequential GET /v1/plans with an admin token on one kept-alive HTTPS "
        "connection from the host through QEMU's forwarded port; the flood is "
        "domU 1 -> domU 2, nc of zeros, routed by dom0; its rate from tap1's "
        "accepted-bytes counter." % (GATEWAY, PLAN_BPS, NET_MBPS, LATENCY_GETS))
    notes.append("host: %d CPUs, load %.1f before; %.0f s in all"
                 % (os.cpu_count(), load, seconds))
    print_table(("figure", "direct (QEMU)", "appliance path", "appliance", "appliance vs direct"),
                rows, ["\n\n".join(notes)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--direct-only", action="store_true")
    args = ap.parse_args()
    needed = [domu_direct.KERNEL, domu_direct.TEST_INITRD]
    if not args.direct_only:
        needed += [HV_ELF, domu.DOM0_INITRD, servers.OVERLAY]
    for path in needed:
        if not os.path.exists(path):
            print("%s is missing: run `make iso dom0-test-overlay domu-image`" % path)
            return 2
    out, status = {}, 0
    start, load = time.monotonic(), host_load()
    print("network benchmark; host: %d CPUs, load %.1f" % (os.cpu_count(), load), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            print("[direct] booting", flush=True)
            direct_half(out)
            if not args.direct_only:
                print("[appliance] booting", flush=True)
                appliance_half(tmp, out)
        except (Broken, AssertionError, subprocess.CalledProcessError) as e:
            print("\nbench-net: broken: %s" % e, flush=True)
            status = 1
    report(out, load, time.monotonic() - start)
    print("\n(consoles in build/test-logs/bench-net-*.log)")
    return status


if __name__ == "__main__":
    sys.exit(main())
