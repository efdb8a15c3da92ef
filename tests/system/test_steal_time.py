# SPDX-License-Identifier: GPL-2.0-only
"""Steal time seen by a Linux domU (the KVM steal-time MSR,
hypervisor/arch/x86/steal_time.c): Debian's kernel with one vCPU, busy,
shares the one domain CPU with a CPU-burning domain, and the `steal`
column of its /proc/stat follows the hypervisor's own count.

Steal grows only while Linux is busy and the burner runs.  Linux, idle,
prints its /proc/stat, busy-loops for a while, prints it again; the burner
runs only inside an hv-cputime window, from 1 s in, with seconds to spare
at the end (dom0's commands can come late on a busy host).  So neither
count moves at either end, and it does not matter that the guest's reads
and dom0's come seconds apart through the consoles.  The bounds are loose:
precision is for `make bench-sched`."""

import re

from machine import HV
from test_linux_domu import create_linux, guest_line, shell_quote

BURNER = "/usr/share/guests/burner.elf"
USER_HZ = 100		# /proc/stat's unit: 10 ms
# How long the burner runs: about half of it is the Linux vCPU's steal.
CONTENDED_S = 5


def guest_steal_ns(m, domid, tag):
    """The `steal` column of the `cpu` line of /proc/stat that the guest
    printed as "TAG cpu ...", in ns."""
    line = m.wait_for(guest_line(domid, tag + r" cpu((?: \d+)+)\r?\n"))
    fields = [int(x) for x in line.group(1).split()]
    # user nice system idle iowait irq softirq steal ...
    return fields[7] * (10**9 // USER_HZ)


def hv_steal_ns(m, name):
    """The domain's steal over hv-cputime's window, from its output."""
    for _ in range(5):
        out = m.check("cat /tmp/window")
        found = re.search(r"^domain \d+ %s \d+ \d+ \d+ (\d+)$" % name, out,
                          re.M)
        if found and re.search(r"^end$", out, re.M):
            return int(found.group(1))
    raise AssertionError("no whole hv-cputime output: %r" % out)


def test_linux_steal_time_follows_the_hypervisors(boot_dom0):
    # -smp 2: dom0 on CPU 0, every domain on CPU 1.
    m = boot_dom0(smp=2, mem_mib=1536)
    m.wait_for(r"^dom0: userspace ready$")
    domid = create_linux(m, "lin", 1)
    m.wait_for(guest_line(domid, r"domU: userspace ready"), timeout=240)
    out = m.check("hvctl create burn 16 1 %s" % BURNER)
    burn = int(re.search(r"^(\d+)$", re.sub(HV + r".*", "", out),
                         re.M).group(1))
    m.check("hvctl pause burn")
    m.wait_for(HV + r"d%d: domain 'lin' built: .* on cpu1$" % domid)
    m.wait_for(HV + r"d%d: domain 'burn' built: .* on cpu1$" % burn)

    # The guest keeps its vCPU busy meanwhile: idle, it would not wait.
    # dom0 sleeps while it prints, so their lines do not mix on the serial
    # port.
    m.check("hvctl input lin %s; sleep 2" % shell_quote(
        "echo STEAL0 $(head -1 /proc/stat); "
        "timeout %d sh -c 'while :; do :; done'; "
        "echo STEAL1 $(head -1 /proc/stat)" % (CONTENDED_S + 5)))
    m.check("hv-cputime %d > /tmp/window & sleep 1; hvctl unpause burn; "
            "sleep %d; hvctl pause burn; wait" % (CONTENDED_S + 5, CONTENDED_S),
            timeout=CONTENDED_S + 120)
    after = guest_steal_ns(m, domid, "STEAL1")
    before = guest_steal_ns(m, domid, "STEAL0")
    hv = hv_steal_ns(m, "lin")
    guest = after - before
    print("steal over %d s beside a burner: guest %.3f s, hypervisor %.3f s"
          % (CONTENDED_S, guest / 1e9, hv / 1e9))

    # A real amount: the burner (same weight) took about half the CPU, not
    # all of it (it did when its pause was banked as credit for after).
    assert CONTENDED_S * 1e9 / 5 < hv < CONTENDED_S * 1e9 * 0.75, hv
    assert guest > CONTENDED_S * 1e9 / 5, (guest, hv)
    # The same count, give or take what was stolen while Linux was busy
    # alone (the hypervisor's own moments between its slices, about 1%) and
    # /proc/stat's 10 ms unit.
    assert abs(guest - hv) <= 0.1 * hv + 2 * 10**9 // USER_HZ, (guest, hv)

    # Paused is not waiting: the burner, paused for seconds before the
    # window and unpaused for CONTENDED_S s in it, cannot have waited for
    # its CPU longer than that (it did when a pause counted as steal).
    burner = hv_steal_ns(m, "burn")
    assert 0 < burner < CONTENDED_S * 1e9, burner
