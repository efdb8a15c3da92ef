# SPDX-License-Identifier: GPL-2.0-only
"""Device backend binding (HVCALL_BACKEND_BIND, HVCALL_EVENT_VECTOR,
docs/virtio.md): dom0's hvpriv.ko sets up its event interrupt at load, and
tests/dom0/hv-backend-check.c drives the binding end to end through libhv:
the domain's RAM mapped into a process, a second bind refused, a destroy
while bound that keeps the memory (DYING) and wakes a sleeping poll()
through the event interrupt, the unbind that finishes the destroy, the
hypervisor's refusals of bad arguments, memory hidden again from dom0 after
an unbind, and a backend killed with SIGKILL that unbinds."""

import re

from machine import HV

# Hypervisor lines that must never appear.  "dom0: refused read" is
# expected: the tool reads unbound domain memory through /dev/mem on
# purpose and must get the sink.
BAD_HV_LINES = re.compile(
    HV + r".*(crashed|could not unmap|unexpected nested page fault|"
    r"refused write|refused IPI|undecodable)")


def test_backend_binding(boot_dom0):
    m = boot_dom0(smp=2)
    m.wait_for(r"^dom0: userspace ready$")
    dmesg = m.check("dmesg | grep hvpriv")
    assert re.search(r"backend events on irq \d+, vector 0x[0-9a-f]+, "
                     r"apic \d+", dmesg), dmesg
    m.wait_for(HV + r"hv: backend events go to dom0 on vector 0x[0-9a-f]+")

    status, out = m.run("hv-backend-check", timeout=300)
    fails = [line for line in out.split("\n") if line.startswith("FAIL")]
    assert status == 0 and not fails, out
    assert re.search(r"hv-backend-check: \d+ passed, 0 failed", out), out

    # The hypervisor's side of it, as its log tells.
    m.wait_for(HV + r"d\d+: bound to its backend in dom0: 8 MiB")
    m.wait_for(HV + r"d\d+: destroyed; its 8 MiB stay until its backend "
               r"unbinds")
    m.wait_for(HV + r"d\d+: unbound from its backend; destroyed, 8 MiB "
               r"scrubbed and returned")
    m.wait_for(HV + r"dom0: refused read of [0-9a-f]+, memory that is not "
               r"dom0's")
    assert not BAD_HV_LINES.search(m.output), \
        BAD_HV_LINES.search(m.output).group(0)
    assert m.check("echo alive") == "alive"
