# SPDX-License-Identifier: GPL-2.0-only
"""CPU quotas: weights share a CPU in proportion, caps are ceilings, an idle
domain costs nothing, and changes take effect on running domains.

Two domain kernels that burn CPU (tests/guests/heartbeat.c) share the one
domain CPU of a 2-CPU appliance; their CPU time comes from hvctl list.
Bounds are loose on purpose: TCG on a loaded machine is noisy, and the
scheduler's precision is for a benchmark to show, not a test."""

import re

from machine import HV

GUESTS = "/usr/share/guests"


NAMES = ("light", "heavy", "idle")


def cpu_seconds(m):
    # ID NAME STATE VCPUS MEM_MIB CPU_S.  A hypervisor line can land in the
    # middle of a row on the shared serial line: read again until every
    # domain's row came through whole.
    for _ in range(5):
        out = m.check("hvctl list")
        rows = dict(re.findall(
            r"^\d+\s+(\S+)\s+\S+\s+\d+\s+\d+\s+([\d.]+)$", out, re.M))
        if all(name in rows for name in NAMES):
            return {name: float(rows[name]) for name in NAMES}
    raise AssertionError("no clean hvctl list: %r" % out)


def quota(m, args):
    """The weight and cap lines of `hvctl sched ARGS` (its vCPU lines,
    where they run, are test_affinity's)."""
    out = m.check("hvctl sched %s" % args)
    return "\n".join(re.findall(r"^(?:weight|cap): \d+$", out, re.M))


def measure(m, seconds=4):
    before = cpu_seconds(m)
    m.check("sleep %d" % seconds)
    after = cpu_seconds(m)
    return {name: after[name] - before[name] for name in NAMES}


def test_weights_caps_and_idle(boot_dom0):
    m = boot_dom0(smp=2)
    m.wait_for(r"^dom0: userspace ready$")
    m.check("hvctl create light 16 1 %s/heartbeat.elf" % GUESTS)
    m.check("hvctl create heavy 16 1 %s/heartbeat.elf" % GUESTS)
    m.check("hvctl create idle 16 1 %s/idle.elf" % GUESTS)
    m.wait_for(HV + r"\(d3\) idle: halting$")

    # Weights 1:2: the heavier gets clearly more.
    assert quota(m, "heavy --weight 512") == "weight: 512\ncap: 0"
    d = measure(m)
    assert d["heavy"] > 1.3 * d["light"], d
    # The halted domain costs next to nothing.
    assert d["idle"] < 0.1, d

    # A cap of 25% set on the running domain holds (within loose bounds).
    assert quota(m, "heavy --weight 256 --cap 25") == "weight: 256\ncap: 25"
    d = measure(m)
    share = d["heavy"] / (d["heavy"] + d["light"])
    assert 0.12 <= share <= 0.38, d

    # Lifted again: back to sharing evenly.
    m.check("hvctl sched heavy --cap 0")
    d = measure(m)
    share = d["heavy"] / (d["heavy"] + d["light"])
    assert 0.35 <= share <= 0.65, d

    # Out-of-range values are refused by hvctl with the ABI's own check
    # (hvabi.h's hv_sched_quota_check() messages), and nothing changes.
    for args, why in (("--weight 0", "weight must be 1 to 65535"),
                      ("--weight 65536", "weight must be 1 to 65535"),
                      ("--cap 101", "cap must be at most 100 per vCPU")):
        status, out = m.run("hvctl sched heavy %s 2>&1" % args)
        assert status != 0 and why in out, (args, out)
    assert quota(m, "heavy") == "weight: 256\ncap: 0"
