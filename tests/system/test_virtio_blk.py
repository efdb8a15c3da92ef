# SPDX-License-Identifier: GPL-2.0-only
"""virtio-blk end to end (docs/virtio.md): dom0 makes disk files,
`hvctl create --disk` starts hv-backend for a Linux domU and boots it, and
the guest's own virtio_pci and virtio_blk drivers (Debian's) drive them.

One rich case, because a Linux boot under TCG takes a minute:
- the driver binds, the disk has its size and serial, a read-only disk is
  read-only and refuses writes;
- ext4 is made, a file written, synced (FLUSH), its sha256 taken; what the
  guest wrote is in dom0's file;
- the bandwidth and ops quotas hold the guest's transfers within 5% of
  the time their limits give, and a live change (`hvctl io-limit`) takes
  effect;
- `hvctl io` counts what the guest did;
- after a destroy and a new domain on the same file, the file system and the
  file are there with the same sha256.
Rates are measured inside the guest (/proc/uptime, 10 ms steps) over
transfers of about 4 s, so the console's own delays do not enter them."""

import re

from machine import HV
from test_linux_domu import KERNEL, INITRD, guest_line, type_line

DISK = "/tmp/vda.img"
RO_DISK = "/tmp/vdb.img"
MIB = 1 << 20


def io_field(m, name, key, disk=0):
    out = m.check("hvctl io %s --json" % name)
    values = re.findall(r'"%s": (\d+)' % key, out)
    assert len(values) > disk, out
    return int(values[disk])


def create(m, name, disks):
    since = len(m.output)	# a new domain may get an old one's id
    out = m.check("hvctl create %s 256 1 %s --initrd %s %s 'console=ttyS0 quiet'"
                  % (name, KERNEL, INITRD,
                     " ".join("--disk " + d for d in disks)))
    domid = int(out.strip().splitlines()[-1])
    assert "%d.sock" % domid in m.check("ls /run/hv-backend/").split()
    m.wait_for(guest_line(domid, r"domU: userspace ready"), timeout=240,
               since=since)
    return domid


def ask(m, domid, name, command, tag, timeout=120):
    """Types command into the guest's shell and returns what it printed
    between TAG= and END on one line."""
    type_line(m, name, "echo %s=$(%s) END" % (tag, command))
    return m.wait_for(guest_line(domid, r"%s=(.*) END" % tag),
                      timeout=timeout).group(1)


def status(m, domid, name, command, tag, timeout=120):
    """The exit status of command run in the guest."""
    type_line(m, name, "%s; echo %s=$? END" % (command, tag))
    return int(m.wait_for(guest_line(domid, r"%s=(\d+) END" % tag),
                          timeout=timeout).group(1))


def timed_read(m, domid, name, dd_args, tag):
    """Seconds a direct (uncached) dd read takes in the guest."""
    cmd = ("a=$(cut -d' ' -f1 /proc/uptime); dd if=/dev/vda of=/dev/null "
           "iflag=direct %s 2>/dev/null; b=$(cut -d' ' -f1 /proc/uptime); "
           "echo %s=$a,$b END" % (dd_args, tag))
    type_line(m, name, cmd)
    a, b = m.wait_for(guest_line(domid, r"%s=([\d.]+),([\d.]+) END" % tag),
                      timeout=120).groups()
    return float(b) - float(a)


def limited_seconds(tokens, rate):
    """How long `tokens` take at `rate` from a fresh bucket, which holds
    1/10 s of the rate (devices/backend/rate_bucket.h, RATE_BUCKETS_PER_S)
    and lets that through at once."""
    return (tokens - rate / 10) / rate


def within(measured, expected, tolerance=0.05):
    return abs(measured - expected) <= tolerance * expected


def stop(m, domid, name):
    # Into the test's log: the backend's own lines (an idle check that
    # found a lost notify or interrupt says so there).
    m.check("cat /run/hv-backend/%d.log" % domid)
    type_line(m, name, "poweroff")
    m.wait_for(HV + r"d%d: shut down: powered off" % domid, timeout=120)
    m.check("hvctl destroy %s" % name)
    assert "%d.sock" % domid not in m.check("ls /run/hv-backend/")
    status_, out = m.run("hvctl io %d" % domid)
    assert status_ != 0 and "no device backend" in out, out


def test_virtio_disk_data_quota_and_persistence(boot_dom0):
    m = boot_dom0(smp=3, mem_mib=1536)
    m.wait_for(r"^dom0: userspace ready$")
    m.check("dd if=/dev/zero of=%s bs=1M count=0 seek=64" % DISK)
    m.check("yes ROPATTERN | head -c 1048576 > %s" % RO_DISK)
    domid = create(m, "blk", ["%s,bps=%d,serial=testdisk" % (DISK, MIB),
                              "%s,ro" % RO_DISK])

    # The drivers bound: 64 MiB (131072 sectors) with its serial, and a
    # read-only second disk that reads its pattern and refuses a write.
    assert ask(m, domid, "blk", "cat /sys/block/vda/size /sys/block/vda/serial",
               "VDA") == "131072 testdisk"
    assert ask(m, domid, "blk", "cat /sys/block/vdb/ro", "RO") == "1"
    assert ask(m, domid, "blk", "head -c 9 /dev/vdb", "PAT") == "ROPATTERN"
    assert status(m, domid, "blk", "dd if=/dev/zero of=/dev/vdb bs=4096 "
                  "count=1 oflag=direct 2>/dev/null", "ROW") != 0

    # Bandwidth: 4 MiB read at 1 MiB/s.
    seconds = timed_read(m, domid, "blk", "bs=64k count=64 skip=64", "BW1")
    assert within(seconds, limited_seconds(4 * MIB, MIB)), seconds
    # Live changes: to 2 MiB/s, then to 50 requests/s alone.
    m.check("hvctl io-limit blk 0 bps=%d iops=0" % (2 * MIB))
    seconds = timed_read(m, domid, "blk", "bs=64k count=128 skip=128", "BW2")
    assert within(seconds, limited_seconds(8 * MIB, 2 * MIB)), seconds
    m.check("hvctl io-limit blk 0 bps=0 iops=50")
    seconds = timed_read(m, domid, "blk", "bs=4k count=200 skip=4096", "OPS")
    assert within(seconds, limited_seconds(200, 50)), seconds
    assert io_field(m, "blk", "throttled_ns") > 8 * 10**9  # of ~11.7 s limited
    m.check("hvctl io-limit blk 0 bps=0 iops=0")
    assert io_field(m, "blk", "bps") == 0 and io_field(m, "blk", "iops") == 0

    # ext4, a file, sync (a FLUSH reaches the backend), its hash.  The test
    # image's e2fsprogs mke2fs is named by its path: busybox's shell runs
    # its own applet of that name otherwise.
    assert status(m, domid, "blk",
                  "/sbin/mke2fs -q -t ext4 /dev/vda && mkdir -p /mnt && "
                  "mount /dev/vda /mnt && dd if=/dev/urandom of=/mnt/file "
                  "bs=64k count=128 2>/dev/null && sync", "MKFS",
                  timeout=300) == 0
    digest = ask(m, domid, "blk", "sha256sum /mnt/file | cut -c1-64", "SUM")
    assert re.fullmatch(r"[0-9a-f]{64}", digest), digest
    assert status(m, domid, "blk", "umount /mnt", "UMOUNT") == 0
    assert io_field(m, "blk", "write_bytes") >= 8 * MIB
    assert io_field(m, "blk", "flush_ops") >= 1
    assert io_field(m, "blk", "read_bytes") >= (4 + 8) * MIB + 200 * 4096

    # What the guest wrote is in dom0's file: ext4's magic at 1080.
    magic = m.check("dd if=%s bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1"
                    % DISK).split()
    assert magic == ["53", "ef"], magic
    stop(m, domid, "blk")

    # A new domain on the same file: the file system and the file are there.
    domid = create(m, "blk2", [DISK])
    assert status(m, domid, "blk2", "mkdir -p /mnt && mount /dev/vda /mnt",
                  "MOUNT") == 0
    assert ask(m, domid, "blk2", "sha256sum /mnt/file | cut -c1-64",
               "SUM2") == digest
    stop(m, domid, "blk2")
    assert not re.search(HV + r"d\d+: .*crashed", m.output)
