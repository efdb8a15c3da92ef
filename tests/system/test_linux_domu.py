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


# tests/dom0/tscclock.c's line, with an end mark: the console is shared, and
# a line another writer cut in two must not pass for a shorter number.
TSCCLOCK = r"tscclock tsc=(\d+) mono_ns=(\d+) real_ns=(\d+) END"


def dom0_clock(m):
    """(tsc, monotonic ns, realtime ns) read together in dom0."""
    for _ in range(5):
        match = re.search(TSCCLOCK, m.check("echo $(tscclock) END"))
        if match:
            return tuple(int(x) for x in match.groups())
    raise AssertionError("no whole tscclock line from dom0:\n" + m.tail())


def guest_clock(m, domid, tag):
    """The same, read in the domU (tscclock is in its test image)."""
    for attempt in range(5):
        mark = "%s-%d" % (tag, attempt)
        type_line(m, "lin", "echo %s $(tscclock) END" % mark)
        try:
            match = m.wait_for(guest_line(domid, mark + " " + TSCCLOCK),
                               timeout=30)
        except AssertionError:
            continue
        return tuple(int(x) for x in match.groups())
    raise AssertionError("no whole tscclock line from the domU:\n" + m.tail())


def ns_per_tick(first, last):
    return (last[1] - first[1]) / (last[0] - first[0])


def test_stress_ng_verifies_in_a_two_vcpu_domain(boot_dom0):
    m, domid = boot_linux(boot_dom0, 2)
    # The guest's wall clock is dom0's (HVCALL_SET_TIME, sent by hvpriv),
    # not 1970: read one after the other through the console, they agree
    # to within the console's delays.
    g0 = guest_clock(m, domid, "CLOCK0")
    h0 = dom0_clock(m)
    assert abs(g0[2] - h0[2]) < 10e9, (g0, h0)

    # stress-ng verifies its own results; any failure makes it exit non-zero.
    type_line(m, "lin", "stress-ng --verify --cpu 2 --vm 1 --vm-bytes 32M "
              "--fork 1 --timer 1 --clock 1 -t 20s --metrics-brief; "
              "echo STRESS-EXIT=$?")
    exit_line = m.wait_for(guest_line(domid, r"STRESS-EXIT=(\d+)"), timeout=240)
    assert exit_line.group(1) == "0", m.tail()

    # Over the run, the guest's clock kept dom0's rate within 100 ppm.  Both
    # are measured against the TSC, which every guest reads at the machine's
    # rate, so the console's delays do not enter the figure.
    g1 = guest_clock(m, domid, "CLOCK1")
    h1 = dom0_clock(m)
    ppm = (ns_per_tick(g0, g1) / ns_per_tick(h0, h1) - 1) * 1e6
    print("domU clock against dom0's over %.0f s: %+.2f ppm"
          % ((g1[1] - g0[1]) / 1e9, ppm))
    assert abs(ppm) < 100, ppm


def test_guest_reboot_ends_the_domain_and_hvctl_reboot_starts_it_again(boot_dom0):
    m, domid = boot_linux(boot_dom0, 1)
    # The guest's own reboot ends its domain in the state "reboot": Linux
    # on this hardware-reduced ACPI platform tries EFI, then jumps to the
    # reset vector, whose stub writes the ACPI reset register.  The
    # hypervisor cannot restart the guest by itself.
    type_line(m, "lin", "reboot")
    m.wait_for(HV + r"d%d: reboot requested: rebooted" % domid, timeout=120)
    assert re.search(r"^\s*%d\s+lin\s+reboot\s" % domid,
                     m.check("hvctl list"), re.M)
    # hvctl creates it again as `hvctl create` made it: a new domain with
    # the same name, kernel, initrd and command line, booting afresh (ids
    # are reused, so the new one may well be the old one).
    again = int(m.check("hvctl reboot lin").strip().splitlines()[-1])
    m.wait_for(HV + r"d%d: destroyed(?s:.*)^" % domid +
               HV + r"d%d: Linux .*(?s:.*)^" % again +
               guest_line(again, r"domU: userspace ready"), timeout=240)
    listing = m.check("hvctl list")
    assert re.search(r"^\s*%d\s+lin\s+(running|blocked)\s" % again, listing, re.M)
    assert len(re.findall(r"\slin\s", listing)) == 1, listing
    # hvctl reboot of a running domain does the same.
    m.check("hvctl reboot lin")
    m.wait_for(HV + r"d%d: destroyed(?s:.*)^" % again +
               HV + r"d%d: Linux .*(?s:.*)^" % again +
               guest_line(again, r"domU: userspace ready"), timeout=240)
    # A name hvctl never created has no recipe: a clear error, nothing done.
    status, out = m.run("hvctl reboot nosuch")
    assert status == 1 and "was not made by `hvctl create`" in out, out
