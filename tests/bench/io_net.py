# SPDX-License-Identifier: GPL-2.0-only
"""bench-io's network rows (tests/bench/io.py): TCP throughput each way and
a ping round trip between the guest and its host, in a domU (virtio-net
served by hv-backend on the tap tap0, dom0 at the other end) and in the
same kernel and test image booted directly by QEMU (virtio-net-pci on
QEMU's user networking, QEMU's host at the other end).

How each figure is taken, the same on both sides:
- TCP: NET_MIB MiB of zeros through busybox nc, timed by the receiver
  (from the connection's accept to the end of its data): dom0's or the
  guest's /proc/uptime, or the host's clock for the direct machine's
  upload, which the host receives itself.
- ping: busybox `ping -A -c PINGS` (the next request as soon as the reply
  is in) from the guest to its peer; the average round trip it prints.
The peers differ: a domU's peer is dom0, a guest of the same hypervisor on
another CPU; the direct guest's is QEMU's user-mode network stack in the
QEMU process itself.  Both run under TCG, so the ratio is what counts.
"""

import re
import socket
import threading
import time

from benchlib import Broken
from machine import free_port

NET_MIB = 64
PINGS = 50
GUEST_PORT = 5001		# the guest listens here (downloads)
DOM0_PORT = 5000		# dom0 listens here (the domU's uploads)
TAP = "tap0"
DOM0_IP, DOMU_IP = "192.0.2.1", "192.0.2.2"	# TEST-NET-1: stays inside
DIRECT_GUEST_IP, DIRECT_HOST_IP = "10.0.2.15", "10.0.2.2"	# QEMU's user net

# The receiver's script: uptime when the connection is accepted and when
# its data ends, into TIMES.
TIMES = "/tmp/net.times"
RECEIVER = ("printf '#!/bin/sh\\na=$(cut -d\" \" -f1 /proc/uptime)\\n"
            "cat > /dev/null\\nb=$(cut -d\" \" -f1 /proc/uptime)\\n"
            "echo $a $b > %s\\n' > /tmp/recv.sh && chmod +x /tmp/recv.sh && "
            "rm -f %s" % (TIMES, TIMES))
LISTEN = "nc -l -p %d -e /tmp/recv.sh </dev/null >/dev/null 2>&1 & true"
WAIT_TIMES = ("i=0; while [ ! -s %s ] && [ $i -lt 600 ]; do sleep 1; "
              "i=$((i+1)); done; cat %s" % (TIMES, TIMES))
SEND = "dd if=/dev/zero bs=1M count=%d 2>/dev/null | nc %%s %%d" % NET_MIB
PING = "ping -A -q -c %d %%s" % PINGS


def direct_args(host_port):
    """The direct machine's NIC: virtio-net-pci on user networking, the
    guest's GUEST_PORT reachable at the host's 127.0.0.1:host_port."""
    return ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d"
            % (host_port, GUEST_PORT),
            "-device", "virtio-net-pci,netdev=n0"]


def seconds_from(lines):
    text = " ".join(lines)
    found = re.search(r"([\d.]+) ([\d.]+)", text)
    if not found:
        raise Broken("no receiver times in %r" % lines)
    return float(found.group(2)) - float(found.group(1))


def ping_ms(lines):
    text = "\n".join(lines)
    found = re.search(r"round-trip min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms",
                      text)
    if not found or not re.search(r" 0% packet loss", text):
        raise Broken("ping: %r" % lines)
    return float(found.group(2))


def guest_setup(shell, ip):
    shell.run("ip addr add %s/24 dev eth0 && ip link set eth0 up" % ip)
    shell.run("i=0; while [ \"$(cat /sys/class/net/eth0/carrier)\" != 1 ] "
              "&& [ $i -lt 50 ]; do usleep 100000; i=$((i+1)); done")


def guest_receives(shell, send):
    """The guest listens; send() makes the peer send NET_MIB MiB;
    returns the guest's seconds."""
    shell.run(RECEIVER)
    shell.run(LISTEN % GUEST_PORT)
    shell.run("sleep 1")
    send()
    return seconds_from(shell.run(WAIT_TIMES, timeout=700))


def host_receiver(port, result):
    """A thread that accepts one connection on 127.0.0.1:port and puts
    (bytes, seconds from accept to EOF) in result."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    srv.settimeout(600)

    def run():
        try:
            conn, _ = srv.accept()
            start = time.monotonic()
            got = 0
            while True:
                chunk = conn.recv(1 << 16)
                if not chunk:
                    break
                got += len(chunk)
            result["bytes"] = got
            result["seconds"] = time.monotonic() - start
            conn.close()
        except OSError as e:
            result["error"] = str(e)
        finally:
            srv.close()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def host_send(port):
    with socket.create_connection(("127.0.0.1", port), timeout=600) as s:
        block = bytes(1 << 20)
        for _ in range(NET_MIB):
            s.sendall(block)


def direct(shell, host_port, res):
    """Fills res["net"] for the direct machine (booted with direct_args)."""
    net = res["net"] = {}
    guest_setup(shell, DIRECT_GUEST_IP)
    try:
        net["ping_ms"] = ping_ms(shell.run(PING % DIRECT_HOST_IP, timeout=120))
    except Broken as e:		# QEMU's user net may not relay ICMP
        print("[direct] no ping figure: %s" % e, flush=True)
    up_port = free_port()
    got = {}
    thread = host_receiver(up_port, got)
    shell.run(SEND % (DIRECT_HOST_IP, up_port), timeout=700)
    thread.join(600)
    if got.get("bytes") != NET_MIB << 20:
        raise Broken("the host received %r" % got)
    net["up_s"] = got["seconds"]
    net["down_s"] = guest_receives(shell, lambda: host_send(host_port))


def appliance(m, check, shell, res):
    """Fills res["net"] for the domU (created with --net tap0)."""
    net = res["net"] = {}
    check(m, "ip addr add %s/24 dev %s && ip link set %s up"
          % (DOM0_IP, TAP, TAP))
    guest_setup(shell, DOMU_IP)
    net["ping_ms"] = ping_ms(shell.run(PING % DOM0_IP, timeout=120))
    check(m, RECEIVER)
    check(m, "(%s); sleep 1" % (LISTEN % DOM0_PORT))
    shell.run(SEND % (DOM0_IP, DOM0_PORT), timeout=700)
    net["up_s"] = seconds_from([check(m, WAIT_TIMES, timeout=700)])
    net["down_s"] = guest_receives(
        shell, lambda: check(m, SEND % (DOMU_IP, GUEST_PORT), timeout=700))
    # The backend's idle check: each line is a lost notify or interrupt
    # that cost a second (vdev.c); the figures above mean little with any.
    log = check(m, "cat /run/hv-backend/*.log")
    net["lost_events"] = [line for line in log.splitlines()
                          if "without a notify" in line
                          or "owed an interrupt" in line]


def rows(table, d, u):
    """The rows for io.py's table: d, u the direct and domU results."""
    dn = (d or {}).get("net", {})
    un = (u or {}).get("net", {})
    for key, what in (("up_s", "TCP guest -> host (dom0 / QEMU), %d MiB"),
                      ("down_s", "TCP host (dom0 / QEMU) -> guest, %d MiB")):
        dt, ut = dn.get(key), un.get(key)
        cell = lambda t: "%.1f MiB/s (%.2f s)" % (NET_MIB / t, t) if t else "-"  # noqa: E731
        table.append((what % NET_MIB, "", cell(dt), cell(ut),
                      "%.2fx slower" % (ut / dt) if dt and ut else "-"))
    dp, up = dn.get("ping_ms"), un.get("ping_ms")
    table.append(("ping round trip, guest -> host, avg of %d (ms)" % PINGS, "",
                  "%.3f" % dp if dp else "-", "%.3f" % up if up else "-",
                  "%.2fx" % (up / dp) if dp and up else "-"))
    if "lost_events" in un:
        table.append(("hv-backend idle-check finds (lost events)", "0", "-",
                      "%d" % len(un["lost_events"]),
                      "; ".join(un["lost_events"][:3])))


NOTE = ("network: busybox nc of %d MiB of zeros each way, timed by the "
        "receiver from accept to end of data; ping -A -c %d from the guest. "
        "domU: virtio-net (hv-backend, tap0) to dom0; direct: virtio-net-pci "
        "on QEMU's user networking (slirp, in the QEMU process) to the host. "
        "Offloads (CSUM, TSO) and EVENT_IDX negotiated on both sides."
        % (NET_MIB, PINGS))
