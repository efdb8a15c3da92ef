# SPDX-License-Identifier: GPL-2.0-only
"""vCPU affinity: pinned vCPUs run where they are pinned, re-pinning a
running domain moves its vCPUs at once, placement at boot follows cpus=,
and bad masks are refused with a clear error, all while the domains run.

-smp 4: dom0 on CPU 0, domain CPUs 1-3.  Two burners
(tests/guests/burner.c): "burn" with 2 vCPUs and "other" with 1.  Where a
vCPU runs shows in `hvctl sched` (the CPU it is on) and in its CPU time:
two vCPUs pinned to one CPU share it, so together they get about what a
vCPU alone on its CPU gets; on CPUs of their own each gets that much.
Bounds are loose on purpose (TCG on a loaded host is noisy): they tell
sharing one CPU (a sum of 1x) from having one each (2x)."""

import re

from conftest import guest
from machine import HV

GUESTS = "/usr/share/guests"
VCPU_LINE = re.compile(
    r"^vcpu (\d+): cpu (\d+|-), cpus ([\d,-]+), ran ([\d.]+) s$", re.M)


def vcpus(m, name):
    """{vcpu: (cpu, cpus, ran_s)} from `hvctl sched NAME`.  A hypervisor
    line can land in the middle of a row on the shared serial line: read
    again until the output comes through whole."""
    for _ in range(5):
        out = m.check("hvctl sched %s" % name)
        rows = VCPU_LINE.findall(out)
        lines = out.strip().split("\n")
        if rows and len(lines) == 2 + len(rows):
            return {int(v): (int(c) if c != "-" else None, cpus, float(s))
                    for v, c, cpus, s in rows}
    raise AssertionError("no whole hvctl sched %s: %r" % (name, out))


def ran(m, seconds=4):
    """Each (domain, vCPU)'s CPU seconds over a window of `seconds`."""
    names = ("burn", "other")
    before = {n: vcpus(m, n) for n in names}
    m.check("sleep %d" % seconds)
    after = {n: vcpus(m, n) for n in names}
    return {(n, v): after[n][v][2] - before[n][v][2]
            for n in names for v in after[n]}


def refused(m, args):
    status, out = m.run("hvctl sched %s 2>&1" % args)
    assert status == 1, (args, status, out)
    return out


def test_affinity(boot_dom0):
    # A boot-time domain pinned by cpus=2: placed on CPU 2, not on CPU 1
    # where the fewest-vCPUs rule alone would have put it.
    m = boot_dom0(smp=4, domains=[
        guest("idle", "name=pinned mem=16M vcpus=1 cpus=2")])
    m.wait_for(HV + r"d1: domain 'pinned' built: .* on cpu2$")
    m.wait_for(r"^dom0: userspace ready$")
    assert vcpus(m, "pinned")[0][:2] == (2, "2")

    m.check("hvctl create burn 16 2 %s/burner.elf 2" % GUESTS)
    m.wait_for(HV + r"\(d2\) burner: burning on 2 vCPU\(s\)$")
    m.check("hvctl create other 16 1 %s/burner.elf" % GUESTS)
    m.wait_for(HV + r"\(d3\) burner: burning on 1 vCPU\(s\)$")
    # By default every vCPU may run on every domain CPU.
    assert all(cpus == "1-3" for _, cpus, _ in vcpus(m, "burn").values())

    # Both of burn's vCPUs on CPU 3, other on CPU 1: they move at once.
    m.check("hvctl sched burn --cpus 3")
    m.check("hvctl sched other --cpus 1")
    burn = vcpus(m, "burn")
    assert [(burn[v][0], burn[v][1]) for v in (0, 1)] == [(3, "3"), (3, "3")], burn
    assert vcpus(m, "other")[0][:2] == (1, "1")
    # Sharing CPU 3, burn's two vCPUs together get about what other gets
    # alone on CPU 1 (not twice as much), about half each.
    d = ran(m)
    alone = d[("other", 0)]
    assert alone > 1.0, d
    assert d[("burn", 0)] + d[("burn", 1)] < 1.4 * alone, d
    assert d[("burn", 0)] > 0.25 * alone and d[("burn", 1)] > 0.25 * alone, d

    # Re-pinning vCPU 1 alone to CPU 2 moves it there while it runs: each
    # now has a CPU to itself.
    since = len(m.output)
    m.check("hvctl sched burn --cpus 2 --vcpu 1")
    m.wait_for(HV + r"d2: vCPU 1 moved from cpu3 to cpu2$")
    assert since < m.output.rfind("vCPU 1 moved from cpu3 to cpu2")
    burn = vcpus(m, "burn")
    assert burn[0][:2] == (3, "3") and burn[1][:2] == (2, "2"), burn
    d = ran(m)
    alone = d[("other", 0)]
    assert d[("burn", 0)] > 0.7 * alone and d[("burn", 1)] > 0.7 * alone, d
    assert d[("burn", 0)] + d[("burn", 1)] > 1.5 * alone, d

    # A set: vCPU 0 leaves CPU 3 for the least loaded of CPUs 1-2.
    m.check("hvctl sched burn --cpus 1-2 --vcpu 0")
    burn = vcpus(m, "burn")
    assert burn[0][0] in (1, 2) and burn[0][1] == "1,2", burn

    # Bad masks are refused, with the reason, and change nothing.
    out = refused(m, "burn --cpus 0")
    assert "CPUs 0 are not domain CPUs (those are 1-3" in out, out
    assert "invalid argument" in out, out
    out = refused(m, "burn --cpus 2-7 --vcpu 1")
    assert "CPUs 4-7 are not domain CPUs" in out, out
    out = refused(m, "burn --cpus 3 --vcpu 2")
    assert "no vCPU 2" in out and "invalid argument" in out, out
    out = refused(m, "0 --cpus 1")
    assert "dom0's CPUs and quota are its own" in out, out
    status, out = m.run("hvctl sched burn --cpus 1- 2>&1")
    assert status == 2 and "not a CPU list" in out, out
    # An empty mask and dom0's own CPU through the call itself (hvctl
    # cannot say "no CPUs"): HV_EINVAL; dom0 as the domain: HV_ESRCH.
    assert m.check("hv-affinity 2 all 0").split("\n")[0] == "result -22"
    assert m.check("hv-affinity 2 0 0x1").split("\n")[0] == "result -22"
    assert m.check("hv-affinity 2 0 0x10").split("\n")[0] == "result -22"
    assert m.check("hv-affinity 2 9 0x2").split("\n")[0] == "result -22"
    assert m.check("hv-affinity 0 0 0x2").split("\n")[0] == "result -3"
    assert m.check("hv-affinity 2 all").split("\n")[0] == "result -22"
    out = m.check("hv-affinity 2 1")
    assert re.search(r"^cpus 0x4 cpu 2 domain_cpus 0xe run_ns \d+$", out,
                     re.M), out
    assert vcpus(m, "burn")[1][:2] == (2, "2")

    # Everyone kept running throughout.
    d = ran(m, seconds=2)
    assert all(s > 0.2 for s in d.values()), d
    listing = m.check("hvctl list")
    for name in ("burn", "other"):
        assert re.search(r"^\d+\s+%s\s+running\s" % name, listing, re.M), listing
    assert "crashed" not in m.output
