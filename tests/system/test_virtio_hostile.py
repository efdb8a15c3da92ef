# SPDX-License-Identifier: GPL-2.0-only
"""virtio-blk against hostility (docs/virtio.md, "Hostile guests and a dead
backend"):

- test_hostile_guest: the guest kernel tests/guests/virtio_blk_hostile.c,
  served by a real hv-backend, sends every malformed request and ring form
  and a notify storm, checking the device's answer to each, then holds a
  queue broken.  Meanwhile its backend still runs and answers `hvctl io`
  (errors counted), its log is rate limited, dom0 is fine, and a Linux
  domU created before it keeps reading and writing its own disk.
- test_backend_killed: the hv-backend of a Linux domU reading its disk in a
  loop is killed with SIGKILL: dom0 is fine, `hvctl list` and `hvctl io`
  say the backend died, `hvctl backend-restart` starts a new one that
  resumes the queues, and the guest's reads complete and it reads and
  writes again.
"""

import re

from machine import HV
from test_linux_domu import guest_line, type_line
from test_virtio_blk import ask, create, io_field, status

NEIGHBOUR_DISK = "/tmp/neighbour.img"
HOSTILE_DISK = "/tmp/hostile.img"
MIB = 1 << 20


def write_and_check(m, domid, name, tag, seek):
    """The guest writes a random 4 KiB block at 4 KiB block `seek` of its
    /dev/vda (direct) and reads it back equal; returns the block's sha256."""
    assert status(m, domid, name,
                  "dd if=/dev/urandom of=/tmp/blk bs=4096 count=1 2>/dev/null && "
                  "dd if=/tmp/blk of=/dev/vda bs=4096 seek=%d oflag=direct "
                  "2>/dev/null && dd if=/dev/vda bs=4096 skip=%d count=1 "
                  "iflag=direct 2>/dev/null | cmp - /tmp/blk" % (seek, seek),
                  tag) == 0
    return ask(m, domid, name, "sha256sum /tmp/blk | cut -c1-64", tag + "S")


def dom0_block_sum(m, path, seek):
    return m.check("dd if=%s bs=4096 skip=%d count=1 2>/dev/null | sha256sum "
                   "| cut -c1-64" % (path, seek)).strip()


def test_hostile_guest(boot_dom0):
    m = boot_dom0(smp=3, mem_mib=1536)
    m.wait_for(r"^dom0: userspace ready$")
    m.check("dd if=/dev/zero of=%s bs=1M count=0 seek=16" % NEIGHBOUR_DISK)
    m.check("{ printf HOSTILEDISK; head -c %d /dev/zero; } > %s"
            % (MIB - 11, HOSTILE_DISK))

    neighbour = create(m, "neighbour", [NEIGHBOUR_DISK])
    before = write_and_check(m, neighbour, "neighbour", "N1", 10)
    assert dom0_block_sum(m, NEIGHBOUR_DISK, 10) == before

    since = len(m.output)
    out = m.check("hvctl create hostile 32 1 "
                  "/usr/share/guests/virtio_blk_hostile.elf --disk %s"
                  % HOSTILE_DISK)
    hostile = int(out.strip().splitlines()[-1])
    m.wait_for(guest_line(hostile, r"good read works"), timeout=120, since=since)
    m.wait_for(guest_line(hostile, r"(holding a broken queue|Test result: FAILURE.*)"),
               timeout=900, since=since)
    verdict = re.findall(r"\(d%d\) Test result: .*" % hostile,
                         m.output[since:])
    assert not verdict, verdict

    # The backend runs and answers while the queue stays broken; the three
    # request-level faults were answered IOERR (or without status) and
    # counted; the neighbour reads and writes.
    assert io_field(m, "hostile", "errors") >= 3
    assert "not running" not in m.check("hvctl list")
    during = write_and_check(m, neighbour, "neighbour", "N2", 11)
    assert dom0_block_sum(m, NEIGHBOUR_DISK, 11) == during

    result = m.wait_for(guest_line(hostile, r"Test result: (.*)"), timeout=300,
                        since=since)
    assert result.group(1).strip() == "SUCCESS", result.group(0)
    m.wait_for(HV + r"d%d: shut down: powered off" % hostile, timeout=60)

    # Each ring fault's name is logged, but rate limited: the guest's 200
    # faults in a row are not 200 lines, its notifies none.
    log = m.check("cat /run/hv-backend/%d.log" % hostile)
    lines = log.strip().splitlines()
    assert len(lines) < 100, "%d log lines" % len(lines)
    for err in ("DESC_RANGE", "CHAIN_LOOP", "INDIRECT_RANGE", "INDIRECT_LEN",
                "TOO_MANY_SEGMENTS"):
        assert "queue 0: VQ_ERR_%s; device needs reset" % err in log, log
    # 208 faults in all: far fewer lines.
    assert log.count("device needs reset") < 100, log
    m.check("hvctl destroy hostile")

    # dom0 and the neighbour are fine after all of it.
    m.check("hvctl list")
    after = write_and_check(m, neighbour, "neighbour", "N3", 12)
    assert dom0_block_sum(m, NEIGHBOUR_DISK, 12) == after
    assert dom0_block_sum(m, NEIGHBOUR_DISK, 10) == before
    assert io_field(m, "neighbour", "errors") == 0
    assert not re.search(HV + r"d\d+: .*crashed", m.output)
    assert not re.search(r"(Oops|BUG:|Kernel panic)", m.output)


def test_backend_killed(boot_dom0):
    m = boot_dom0(smp=3, mem_mib=1536)
    m.wait_for(r"^dom0: userspace ready$")
    m.check("dd if=/dev/zero of=%s bs=1M count=0 seek=16" % NEIGHBOUR_DISK)
    domid = create(m, "victim", [NEIGHBOUR_DISK])
    before = write_and_check(m, domid, "victim", "V1", 20)

    # A read loop in the background counts its rounds in /tmp/rounds.
    type_line(m, "victim",
              "(i=0; while true; do dd if=/dev/vda of=/dev/null bs=64k "
              "count=32 iflag=direct 2>/dev/null || echo ERR >> /tmp/errs; "
              "i=$((i + 1)); echo $i > /tmp/r.new; mv /tmp/r.new /tmp/rounds; "
              "done) &")

    asked = [0]

    def rounds():
        asked[0] += 1	# a tag of its own: ask() finds the first match
        return int(ask(m, domid, "victim", "cat /tmp/rounds 2>/dev/null || "
                       "echo 0", "R%d" % asked[0]))

    m.check("n=0; while [ $n -lt 100 ]; do usleep 100000; n=$((n + 1)); done")
    assert rounds() > 0

    pid = m.check("pidof hv-backend").split()[0]	# the only one
    m.check("kill -9 %s" % pid)
    m.check("n=0; while kill -0 %s 2>/dev/null && [ $n -lt 100 ]; do "
            "usleep 100000; n=$((n + 1)); done; ! kill -0 %s 2>/dev/null"
            % (pid, pid))

    # dom0 is fine and hvctl says what happened.
    assert "device backend not running (died)" in m.check("hvctl list")
    code, out = m.run("hvctl io victim")
    assert code != 0 and "device backend not running (died" in out, out
    stuck = rounds()
    m.check("n=0; while [ $n -lt 30 ]; do usleep 100000; n=$((n + 1)); done")
    assert rounds() == stuck	# nobody answers the guest meanwhile

    # The recovery: a new backend resumes the queues where the guest sees
    # them; the outstanding read completes and the loop goes on.
    since = len(m.output)
    m.check("hvctl backend-restart victim")
    assert "not running" not in m.check("hvctl list")
    m.check("n=0; while [ $n -lt 50 ]; do usleep 100000; n=$((n + 1)); done")
    assert rounds() > stuck
    # Served again, not failed: the guest saw no I/O error.
    assert ask(m, domid, "victim", "cat /tmp/errs 2>/dev/null | wc -l",
               "ERRS") == "0"
    after = write_and_check(m, domid, "victim", "V2", 21)
    assert dom0_block_sum(m, NEIGHBOUR_DISK, 21) == after
    assert dom0_block_sum(m, NEIGHBOUR_DISK, 20) == before
    assert io_field(m, "victim", "read_bytes") > 0
    assert "resumed" in m.check("cat /run/hv-backend/%d.log" % domid)
    assert not re.search(r"(Oops|BUG:|Kernel panic|blocked for more than)",
                         m.output[since:])
    # A second restart while one runs is refused.
    code, out = m.run("hvctl backend-restart victim")
    assert code != 0 and "running" in out, out


def nic_field(m, name, key):
    """A counter of the domain's first NIC, from `hvctl io --json`."""
    out = m.check("hvctl io %s --json" % name)
    found = re.search(r'"%s": (\d+)' % key, out.split('"nets": [', 1)[1])
    assert found, out
    return int(found.group(1))


def test_hostile_net_guest(boot_dom0):
    """virtio-net against hostility: tests/guests/virtio_net_hostile.c,
    served by a real hv-backend on its own tap, sends every malformed
    header, buffer and ring form and a notify storm, checks the device's
    answer to each, then holds a queue broken.  Meanwhile a Linux
    neighbour's 16 MiB transfer to dom0 completes intact, the hostile
    backend's log is rate limited and names each fault, and dom0 is fine."""
    m = boot_dom0(smp=3, mem_mib=1536)
    try:
        hostile_net(m)
    finally:
        # Into the test's log whatever happened: the backends' own lines
        # and counters.
        m.run("cat /run/hv-backend/*.log; hvctl io neighbour; ls -l /tmp/got")


def hostile_net(m):
    from test_linux_domu import KERNEL, INITRD

    m.wait_for(r"^dom0: userspace ready$")
    since = len(m.output)
    out = m.check("hvctl create neighbour 512 1 %s --initrd %s --net tap0 "
                  "'console=ttyS0 quiet'" % (KERNEL, INITRD))
    neighbour = int(out.strip().splitlines()[-1])
    m.wait_for(guest_line(neighbour, r"domU: userspace ready"), timeout=240,
               since=since)
    m.check("ip addr add 192.0.2.1/24 dev tap0 && ip link set tap0 up")
    assert status(m, neighbour, "neighbour", "ip addr add 192.0.2.2/24 dev "
                  "eth0 && ip link set eth0 up && ping -c 3 -W 5 192.0.2.1 "
                  ">/dev/null", "UP") == 0
    assert status(m, neighbour, "neighbour", "dd if=/dev/urandom of=/tmp/up "
                  "bs=1M count=16 2>/dev/null", "GEN") == 0
    up_sum = ask(m, neighbour, "neighbour", "sha256sum /tmp/up | cut -c1-64",
                 "UPSUM")

    since = len(m.output)
    out = m.check("hvctl create hostile 32 1 "
                  "/usr/share/guests/virtio_net_hostile.elf --net taph")
    hostile = int(out.strip().splitlines()[-1])
    m.wait_for(guest_line(hostile, r"good packet works"), timeout=120,
               since=since)
    m.wait_for(guest_line(hostile, r"(holding a broken queue|Test result: FAILURE.*)"),
               timeout=900, since=since)
    verdict = re.findall(r"\(d%d\) Test result: .*" % hostile,
                         m.output[since:])
    assert not verdict, verdict

    # While the hostile queue stays broken: its backend answers and has
    # counted the packet-level faults (7 headers, 2 receive buffers); the
    # neighbour's transfer to dom0 completes with the same sha256.
    assert nic_field(m, "hostile", "errors") >= 9
    assert "not running" not in m.check("hvctl list")
    # The receiver as test_virtio_net's: nc runs a script that copies the
    # connection to a file and says when it ended (a plain `nc -l` with
    # its stdin at EOF closes the connection early).
    m.check("printf '#!/bin/sh\\ncat > /tmp/got\\ntouch /tmp/got.done\\n' "
            "> /tmp/recv.sh && chmod +x /tmp/recv.sh && rm -f /tmp/got "
            "/tmp/got.done && (nc -l -p 5000 -e /tmp/recv.sh </dev/null "
            ">/dev/null 2>&1 &); sleep 1")
    assert status(m, neighbour, "neighbour", "nc 192.0.2.1 5000 < /tmp/up",
                  "SEND", timeout=600) == 0
    m.check("i=0; while [ ! -e /tmp/got.done ] && [ $i -lt 120 ]; "
            "do sleep 1; i=$((i+1)); done", timeout=180)
    assert m.check("sha256sum /tmp/got | cut -c1-64").strip() == up_sum

    result = m.wait_for(guest_line(hostile, r"Test result: (.*)"), timeout=300,
                        since=since)
    assert result.group(1).strip() == "SUCCESS", result.group(0)
    m.wait_for(HV + r"d%d: shut down: powered off" % hostile, timeout=60)

    # Each fault is logged, rate limited: 200 ring faults in a row are not
    # 200 lines, the notifies none.
    log = m.check("cat /run/hv-backend/%d.log" % hostile)
    assert len(log.strip().splitlines()) < 100, log
    for err in ("DESC_RANGE", "CHAIN_LOOP", "INDIRECT_RANGE"):
        assert "VQ_ERR_%s; device needs reset" % err in log, log
    assert "transmit header refused" in log, log
    assert "receive buffer shorter than the header" in log, log
    assert log.count("device needs reset") < 100, log
    # The transport refused what never reached the backend.
    assert re.search(HV + r"d%d: refused PCI/virtio access: queue_size not a "
                     r"power of two" % hostile, m.output[since:])
    assert re.search(HV + r"d%d: refused PCI/virtio access: notify of no queue"
                     % hostile, m.output[since:])
    m.check("hvctl destroy hostile")

    # dom0 and the neighbour are fine after all of it.
    m.check("hvctl list")
    assert status(m, neighbour, "neighbour", "ping -c 3 -W 5 192.0.2.1 "
                  ">/dev/null", "PING2") == 0
    assert nic_field(m, "neighbour", "errors") == 0
    nlog = m.check("cat /run/hv-backend/%d.log" % neighbour)
    assert "without a notify" not in nlog and "owed an interrupt" not in nlog
    assert not re.search(HV + r"d\d+: .*crashed", m.output)
    assert not re.search(r"(Oops|BUG:|Kernel panic)", m.output)
