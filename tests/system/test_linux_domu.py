# SPDX-License-Identifier: GPL-2.0-only
"""Linux in a customer domain: Debian's own kernel (the one dom0 runs) and
the domU test image (busybox + stress-ng, dom0-image/domu/) booted from dom0
with `hvctl create`, driven through its console as a customer would type
into it.

The hypervisor echoes every line a domain writes to its console into its
own log as "(hv) (dN) LINE", which is how these tests watch the guest."""

import re

import pytest

from machine import HV

KERNEL = "/usr/share/domu/vmlinuz"
INITRD = "/usr/share/guests/domu-test-initrd.img"


def create_linux(m, name, vcpus, mem_mib=256):
    out = m.check("hvctl create %s %d %d %s --initrd %s 'console=ttyS0 quiet'"
                  % (name, mem_mib, vcpus, KERNEL, INITRD))
    domid = int(out.strip().splitlines()[-1])
    return domid


def guest_line(domid, pattern):
    return HV + r"\(d%d\) " % domid + pattern


def type_line(m, name, text):
    m.check("hvctl input %s %s" % (name, shell_quote(text)))


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def boot_linux(boot_dom0, vcpus):
    m = boot_dom0(smp=3, mem_mib=1536)
    m.wait_for(r"^dom0: userspace ready$")
    domid = create_linux(m, "lin", vcpus)
    m.wait_for(guest_line(domid, r"domU: kernel 6\.1\.0-50-amd64"), timeout=240)
    m.wait_for(guest_line(domid, r"domU: clocksource kvm-clock"))
    m.wait_for(guest_line(domid, r"domU: userspace ready"))
    return m, domid


@pytest.mark.parametrize("vcpus", [1, 2])
def test_debian_kernel_boots_takes_input_and_powers_off(boot_dom0, vcpus):
    m, domid = boot_linux(boot_dom0, vcpus)

    # The console takes input: the guest sees its CPUs, and the UART's
    # interrupt (through the virtual IOAPIC) is in use.
    type_line(m, "lin", "echo CPUS=$(nproc) IRQ=$(grep -c ttyS0 /proc/interrupts)")
    m.wait_for(guest_line(domid, r"CPUS=%d IRQ=1" % vcpus))
    # The ACPI power button and the platform it describes are there.
    type_line(m, "lin", "ls /sys/bus/acpi/devices/ | grep -c -e PNP0501 -e PNP0C0C -e ACPI0013")
    m.wait_for(guest_line(domid, r"3$"))

    # The guest's poweroff ends it as shut down, and dom0 sees that.
    type_line(m, "lin", "poweroff")
    m.wait_for(HV + r"d%d: shut down: powered off" % domid, timeout=120)
    assert re.search(r"^\s*%d\s+lin\s+shutdown\s" % domid,
                     m.check("hvctl list"), re.M)
    m.check("hvctl destroy lin")
    assert not re.search(r"\blin\b", m.check("hvctl list"))


def test_stress_ng_verifies_in_a_two_vcpu_domain(boot_dom0):
    m, domid = boot_linux(boot_dom0, 2)
    # stress-ng verifies its own results; any failure makes it exit non-zero.
    type_line(m, "lin", "stress-ng --verify --cpu 2 --vm 1 --vm-bytes 32M "
              "--fork 1 --timer 1 --clock 1 -t 20s --metrics-brief; "
              "echo STRESS-EXIT=$?")
    exit_line = m.wait_for(guest_line(domid, r"STRESS-EXIT=(\d+)"), timeout=240)
    assert exit_line.group(1) == "0", m.tail()
