# SPDX-License-Identifier: GPL-2.0-only
"""virtio-pci transport (issue 12): dom0 builds a customer domain with a
virtio-blk device (HVCALL_DEVICE_ADD, no backend yet) and boots the guest
test kernel tests/guests/virtio_transport.c in it, which finds and drives
the device as a driver would and tries the hostile forms."""

import re

from machine import HV

CAPACITY = 123456789


def test_guest_finds_and_drives_a_virtio_device(boot_dom0):
    m = boot_dom0(smp=2)
    m.wait_for(r"^dom0: userspace ready$")
    out = m.check("hv-virtio-guest vt 16 /usr/share/guests/virtio_transport.elf"
                  " %d capacity=%d" % (CAPACITY, CAPACITY))
    found = re.search(r"^domid (\d+) index 0$", out, re.M)
    assert found, out
    domid = int(found.group(1))
    m.wait_for(HV + r"\(d%d\) virtio-blk capacity %d sectors$" % (domid, CAPACITY))
    m.wait_for(HV + r"\(d%d\) 10000 notifies done$" % domid)
    m.wait_for(HV + r"\(d%d\) Test result: (SUCCESS|FAILURE.*)$" % domid)
    assert re.search(HV + r"\(d%d\) Test result: SUCCESS$" % domid, m.output,
                     re.M), m.tail()
    # Its hostile accesses were logged, and only the first few of them.
    refused = re.findall(r"d%d: refused PCI/virtio access" % domid, m.output)
    assert 1 <= len(refused) <= 16, refused
    # The domain ended by powering off; the hypervisor and dom0 go on.
    listing = m.check("hvctl list")
    assert re.search(r"^%d\s+vt\s+shutdown\s" % domid, listing, re.M), listing

