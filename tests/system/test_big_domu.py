# SPDX-License-Identifier: GPL-2.0-only
"""A customer domain bigger than the low RAM top keeps its devices
(docs/domu-platform.md, "Memory map"): its RAM is laid out as on a PC, up to
3 GiB and the rest from 4 GiB, so the PCI window below 4 GiB stays free for
its virtio BARs.

One appliance boot, one Linux domU of 3584 MiB with a virtio disk:
- the hypervisor and `hvctl list` count its RAM size, not its address span;
- Linux's e820 has usable RAM up to 3 GiB and from 4 GiB, and MemTotal is
  about the whole size (more than the low part could hold);
- the virtio-blk driver binds and a write + read through the disk works,
  and what the guest wrote is in dom0's file;
- a read in the hole (not a device) crashes that domain alone."""

import re

from machine import HV
from test_linux_domu import KERNEL, INITRD, guest_line, type_line
from test_virtio_blk import ask, status

DISK = "/tmp/big.img"
MEM_MIB = 3584
LOW_TOP_MIB = 3072		# HVP_RAM_LOW_TOP
HIGH_MIB = MEM_MIB - LOW_TOP_MIB


def test_domain_above_the_low_top_has_ram_and_a_disk(boot_dom0):
    m = boot_dom0(smp=3, mem_mib=5120, cmdline_extra="dom0_mem=512M")
    m.wait_for(r"^dom0: userspace ready$")
    m.check("dd if=/dev/zero of=%s bs=1M count=0 seek=16" % DISK)
    since = len(m.output)
    out = m.check("hvctl create big %d 1 %s --initrd %s --disk %s "
                  "'console=ttyS0 quiet'" % (MEM_MIB, KERNEL, INITRD, DISK))
    domid = int(out.strip().splitlines()[-1])
    m.wait_for(guest_line(domid, r"domU: userspace ready"), timeout=240,
               since=since)
    assert re.search(HV + r"d%d: domain 'big' built: %d MiB" % (domid, MEM_MIB),
                     m.output)
    assert re.search(r"^%d\s+big\s+running\s+1\s+%d\s" % (domid, MEM_MIB),
                     m.check("hvctl list"), re.M)

    # Usable RAM: [1 MiB, 3 GiB) and [4 GiB, 4 GiB + the rest), nothing in
    # the hole.
    usable = ask(m, domid, "big", "dmesg | grep -o 'BIOS-e820: .*usable' | "
                 "tr -s ' ' | cut -d' ' -f3", "E820")
    assert usable.split() == [
        "0x0000000000000000-0x000000000009ffff]",
        "0x0000000000100000-0x00000000bfffffff]",
        "0x0000000100000000-0x%016x]" % ((4096 + HIGH_MIB) * 2**20 - 1),
    ], usable
    # The kernel keeps some (its image, struct pages, and with RAM above
    # 4 GiB a 64 MiB swiotlb buffer: about 4%); 92% of the size is still
    # more than the low part alone could give.
    mem_kib = int(ask(m, domid, "big", "grep MemTotal /proc/meminfo | "
                      "tr -s ' ' | cut -d' ' -f2", "MEM"))
    assert LOW_TOP_MIB * 1024 < MEM_MIB * 1024 * 0.92 <= mem_kib \
        <= MEM_MIB * 1024, mem_kib

    # The disk: 16 MiB, a pattern written and read back past the page cache.
    assert ask(m, domid, "big", "cat /sys/block/vda/size", "VDA") == "32768"
    assert status(m, domid, "big",
                  "mkdir -p /tmp && yes BIGDOMAIN | head -c 4194304 > /tmp/p && "
                  "dd if=/tmp/p of=/dev/vda bs=64k oflag=direct 2>/dev/null "
                  "&& dd if=/dev/vda of=/tmp/q bs=64k count=64 iflag=direct "
                  "2>/dev/null && cmp /tmp/p /tmp/q", "RW") == 0
    assert m.check("head -c 10 %s" % DISK).strip().endswith("BIGDOMAIN")
    assert "crashed" not in m.output

    # The hole is no one's RAM: a read there (through /dev/mem) ends the
    # domain as any access outside its memory does, and dom0 carries on.
    type_line(m, "big", "devmem 0xc0000000 32")
    m.wait_for(HV + r"d%d: access to c0000000, outside its memory" % domid,
               timeout=120)
    m.wait_for(HV + r"d%d: crashed: access outside its memory$" % domid)
    assert re.search(r"^%d\s+big\s+crashed\s" % domid,
                     m.check("hvctl list"), re.M)
