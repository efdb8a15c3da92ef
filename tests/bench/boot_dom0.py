#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: dom0's boot time under the hypervisor against the same kernel
and image booted directly by the same QEMU, and dom0's exits by reason.

Both boots start at QEMU's launch and end when dom0's init prints
"dom0: userspace ready"; they run alternately, several times, in one run of
this script, and the figures are ratios of medians (these machines are
shared and noisy: only ratios measured together mean anything).

The appliance boots the product ISO's contents (same hypervisor, kernel,
image and command lines) with GRUB's menu timeout at 0, so the menu's wait
is not counted.  Its boot still includes the firmware and GRUB reading the
ISO, which QEMU's -kernel spares the direct boot; so two ratios are given:
end to end, and from the hypervisor's first line to dom0's userspace.

    make bench            (or: tests/bench/boot_dom0.py [RUNS])
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "system"))

from machine import BUILD, HV, HVCTL_EXITS_ROW, REPO, Machine, blank_data_disk  # noqa: E402

HV_ELF = os.path.join(BUILD, "hypervisor", "hypervisor.elf")
KERNEL = os.path.join(BUILD, "dom0", "vmlinuz")
INITRD = os.path.join(BUILD, "dom0", "initrd.img")
DOM0_CMDLINE = open(os.path.join(REPO, "packaging", "dom0-cmdline")).read().strip()
READY = r"^dom0: userspace ready$"


def build_iso(path):
    subprocess.run([os.path.join(REPO, "packaging", "mkiso.sh"), "-o", path,
                    "-k", HV_ELF, "-c", "", "-t", "0",
                    "-m", KERNEL, DOM0_CMDLINE, "-m", INITRD, ""], check=True)


def boot_once(kind, iso, disk, run):
    """Returns {stage: seconds since QEMU's launch} and the exit counts."""
    extra = ["-netdev", "user,id=net0", "-device", "virtio-net-pci,netdev=net0",
             "-drive", "file=%s,if=virtio,format=raw" % disk]
    name = "bench-%s-%d" % (kind, run)
    if kind == "appliance":
        m = Machine(iso, name, mem_mib=2048, extra_args=extra, debug_exit=False)
    else:
        m = Machine(None, name, mem_mib=2048, extra_args=extra,
                    debug_exit=False,
                    direct_kernel=(KERNEL, INITRD, DOM0_CMDLINE))
    stages, exits = {}, None
    with m:
        if kind == "appliance":
            m.wait_for(HV + r"Appliance hypervisor")
            stages["hypervisor"] = time.monotonic() - m.started
            m.wait_for(HV + r"dom0: starting on cpu0")
            stages["dom0 start"] = time.monotonic() - m.started
        m.wait_for(READY)
        stages["ready"] = time.monotonic() - m.started
        if kind == "appliance":
            out = m.check("hvctl exits")
            exits = HVCTL_EXITS_ROW.findall(out)
    return stages, exits


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    direct, appl = [], []
    exits = None
    with tempfile.TemporaryDirectory() as tmp:
        iso = os.path.join(tmp, "bench.iso")
        build_iso(iso)
        for run in range(runs):
            for kind in ("direct", "appliance"):
                # Each boot gets a blank disk, so each formats it once.
                disk = os.path.join(tmp, "%s-%d.img" % (kind, run))
                blank_data_disk(disk)
                stages, e = boot_once(kind, iso, disk, run)
                (appl if kind == "appliance" else direct).append(stages)
                exits = e or exits
                print("run %d %-9s %s" % (run + 1, kind, "  ".join(
                    "%s %.2f s" % kv for kv in stages.items())), flush=True)

    med = lambda rows, f: statistics.median(f(r) for r in rows)  # noqa: E731
    d = med(direct, lambda r: r["ready"])
    a = med(appl, lambda r: r["ready"])
    a_hv = med(appl, lambda r: r["ready"] - r["hypervisor"])
    a_dom0 = med(appl, lambda r: r["ready"] - r["dom0 start"])
    a_fw = med(appl, lambda r: r["hypervisor"])
    print()
    print("dom0 boot to userspace, median of %d runs (seconds):" % runs)
    print("  direct, no hypervisor: QEMU launch -> ready            %6.2f" % d)
    print("  appliance: QEMU launch -> ready                        %6.2f" % a)
    print("    of which firmware + GRUB loading the ISO             %6.2f" % a_fw)
    print("    hypervisor's first line -> ready                     %6.2f" % a_hv)
    print("    hypervisor starts dom0 -> ready                      %6.2f" % a_dom0)
    print("  ratio end to end                                       %6.2f" % (a / d))
    print("  ratio from the hypervisor's first line (target <= 1.10) %5.2f" % (a_hv / d))
    if exits:
        print()
        print("dom0 exits by reason during boot (last appliance run):")
        for code, name, other, total, count, us in exits:
            label = total or other or "0x%s %s" % (code, name)
            print("  %-20s %10s  %8s us each in the hypervisor"
                  % (label, count, us))


if __name__ == "__main__":
    main()
