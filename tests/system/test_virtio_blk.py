# SPDX-License-Identifier: GPL-2.0-only
"""virtio-blk end to end (docs/virtio.md, "The device backend"): dom0 makes
a disk file, `hvctl create --disk` starts hv-backend for a Linux domU and
boots it; the guest's virtio_blk driver finds /dev/vda, writes data that
dom0 then finds in the file, reads it back through a 1 MiB/s quota that
visibly slows it, `hvctl io` shows the counters, `hvctl io-limit` lifts the
quota live, and `hvctl destroy` ends the backend with the domain."""

import re

from machine import HV
from test_linux_domu import KERNEL, INITRD, guest_line, type_line

DISK = "/tmp/vda.img"


def io_field(m, name, key):
    out = m.check("hvctl io %s --json" % name)
    match = re.search(r'"%s": (\d+)' % key, out)
    assert match, out
    return int(match.group(1))


def test_virtio_blk(boot_dom0):
    m = boot_dom0(smp=3, mem_mib=1536)
    m.wait_for(r"^dom0: userspace ready$")
    m.check("dd if=/dev/zero of=%s bs=1M count=0 seek=64" % DISK)
    out = m.check("hvctl create blk 256 1 %s --initrd %s "
                  "--disk %s,bps=1048576,serial=testdisk 'console=ttyS0 quiet'"
                  % (KERNEL, INITRD, DISK))
    domid = int(out.strip().splitlines()[-1])
    assert "%d.sock" % domid in m.check("ls /run/hv-backend/").split()
    m.wait_for(guest_line(domid, r"domU: userspace ready"), timeout=240)

    # The disk: 64 MiB (131072 sectors), its serial.
    type_line(m, "blk", "echo SIZE=$(cat /sys/block/vda/size) "
              "SERIAL=$(cat /sys/block/vda/serial) END")
    m.wait_for(guest_line(domid, r"SIZE=131072 SERIAL=testdisk END"))

    # 1 MiB written by the guest is in dom0's file, after the guest's sync
    # (a FLUSH).
    type_line(m, "blk", "dd if=/dev/urandom of=/tmp/x bs=64k count=16 2>/dev/null; "
              "dd if=/tmp/x of=/dev/vda bs=64k 2>/dev/null; sync; "
              "echo WROTE=$(md5sum < /tmp/x | cut -c1-32) END")
    guest_sum = m.wait_for(guest_line(domid, r"WROTE=([0-9a-f]{32}) END"),
                           timeout=120).group(1)
    dom0_sum = m.check("dd if=%s bs=64k count=16 2>/dev/null | md5sum | cut -c1-32"
                       % DISK).strip()
    assert dom0_sum == guest_sum
    assert io_field(m, "blk", "write_bytes") >= 1 << 20
    assert io_field(m, "blk", "flush_ops") >= 1

    # Reading 4 MiB uncached at 1 MiB/s takes about 4 s (at least 3).
    before = io_field(m, "blk", "throttled_ns")
    type_line(m, "blk", "echo 3 > /proc/sys/vm/drop_caches; a=$(date +%s); "
              "dd if=/dev/vda of=/dev/null bs=64k count=64 skip=32 2>/dev/null; "
              "echo READ_S=$(( $(date +%s) - a )) END")
    seconds = int(m.wait_for(guest_line(domid, r"READ_S=(\d+) END"),
                             timeout=120).group(1))
    assert seconds >= 3, seconds
    assert io_field(m, "blk", "throttled_ns") - before > 2 * 10**9
    assert io_field(m, "blk", "read_bytes") >= 4 << 20

    # Lifted live.
    m.check("hvctl io-limit blk 0 bps=0 iops=0")
    assert io_field(m, "blk", "bps") == 0
    text = m.check("hvctl io blk")
    assert re.search(r"^0\s+rw\s+\d+", text, re.M), text

    # The backend goes with the domain.
    m.check("hvctl destroy blk")
    assert "%d.sock" % domid not in m.check("ls /run/hv-backend/")
    status, out = m.run("hvctl io %d" % domid)
    assert status != 0 and "no device backend" in out, out
    assert not re.search(HV + r"d%d: .*crashed" % domid, m.output)
