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
    m.wait_for(HV + r"\(d%d\) ready for interrupts$" % domid)
    # A backend's HVCALL_DEVICE_CTL, wrong ones first: each refused, and
    # nothing reaches the guest (it fails on any stray interrupt).
    for args, want in (("%d 1 1 1" % domid, -22),      # no device 1
                       ("999 0 1 1", -3),              # no domain 999
                       ("0 0 1 1", -3),                # dom0 has no devices
                       ("%d 0 99 0" % domid, -22),     # no such op
                       ("%d 0 1 4" % domid, -22)):     # no queue 2
        out = m.check("hv-virtio-guest --ctl %s" % args)
        assert out.strip() == "result %d" % want, (args, out)
    # Queue 0's interrupt: pending while the guest masks its entry.
    assert m.check("hv-virtio-guest --ctl %d 0 1 1" % domid).strip() == "result 0"
    m.wait_for(HV + r"\(d%d\) MSI-X interrupt taken$" % domid)
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




def test_debian_kernel_drives_a_virtio_net_device(boot_dom0):
    # Debian's kernel with its own virtio_pci and virtio_net modules (the
    # domU image loads them at boot): the ACPI PCI
    # root scan and the PCI core find the host bridge and the device and
    # keep its BARs where they are; virtio_pci negotiates, sets up both
    # queues with their own MSI-X vectors and virtio_net reads the MAC.
    from test_linux_domu import INITRD, KERNEL, guest_line, type_line

    m = boot_dom0(smp=3, mem_mib=1536)
    m.wait_for(r"^dom0: userspace ready$")
    out = m.check("hv-virtio-guest --linux lin 256 %s %s 'console=ttyS0 quiet'"
                  % (KERNEL, INITRD))
    domid = int(re.search(r"^domid (\d+) index 0$", out, re.M).group(1))
    m.wait_for(guest_line(domid, r"domU: userspace ready"), timeout=240)
    dev = "/sys/bus/pci/devices/0000:00:01.0"
    type_line(m, "lin", "echo PCI=$(cat %s/vendor):$(cat %s/device)"
              " HB=$(cat /sys/bus/pci/devices/0000:00:00.0/class)"
              " N=$(ls /sys/bus/pci/devices | wc -l)" % (dev, dev))
    m.wait_for(guest_line(domid, r"PCI=0x1af4:0x1041 HB=0x060000 N=2$"))
    type_line(m, "lin", "echo BAR0=$(sed -n 1p %s/resource | cut -d' ' -f1,2)"
              " BAR2=$(sed -n 3p %s/resource | cut -d' ' -f1,2)" % (dev, dev))
    m.wait_for(guest_line(domid, r"BAR0=0x0*fe000000 0x0*fe003fff "
                                 r"BAR2=0x0*c000 0x0*c01f$"))
    type_line(m, "lin", "echo MAC=$(cat /sys/class/net/eth0/address)"
              " MSIX=$(grep -c virtio0 /proc/interrupts)")
    m.wait_for(guest_line(domid, r"MAC=52:54:00:12:34:56 MSIX=3$"))
    # Bringing it up posts receive buffers and notifies: nothing answers
    # yet (no backend), and nothing waits on one.
    type_line(m, "lin", "ip link set eth0 up && echo UP")
    m.wait_for(guest_line(domid, r"UP$"))
    type_line(m, "lin", "poweroff")
    m.wait_for(HV + r"d%d: shut down: powered off" % domid, timeout=120)
