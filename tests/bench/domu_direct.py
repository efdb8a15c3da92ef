#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The customer domains' Linux (dom0-image/domu.mk) booted DIRECTLY by QEMU,
without our hypervisor: the baseline of the benchmark "domU boot time under
the hypervisor vs the same kernel booted directly by QEMU", and a helper for
tests that want to know the image itself is sound.

The kernel is dom0's pinned Debian vmlinuz, the images are build/domu/
initrd.img (the product's) and build/tests/domu-test-initrd.img (the same
plus stress-ng); the command line is dom0-image/domu/cmdline, the one the
domains are booted with.  The machine is what the brief for a domU is: one
qemu64 CPU (no SVM: nothing nested), 512 MiB, TCG; the serial console is a
pipe (tests/system/machine.py).  A boot is timed from QEMU's launch to the
console line "domU: userspace ready".

As a module:
    import domu_direct
    seconds = domu_direct.boot_time()               # product image
    with domu_direct.machine("name", initrd=domu_direct.TEST_INITRD) as m:
        m.wait_for(domu_direct.READY)
        status, out = m.run(domu_direct.STRESS)

As a program (make domu-image first):
    tests/bench/domu_direct.py [--runs N] [--initrd FILE] [--stress]
prints each boot's time to userspace and their median, and with --stress
runs STRESS once in the test image and prints stress-ng's metrics.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "system"))

from machine import BUILD, REPO, Machine  # noqa: E402

KERNEL = os.path.join(BUILD, "dom0", "vmlinuz")
INITRD = os.path.join(BUILD, "domu", "initrd.img")
TEST_INITRD = os.path.join(BUILD, "tests", "domu-test-initrd.img")
CMDLINE = open(os.path.join(REPO, "dom0-image", "domu", "cmdline")).read().strip()
READY = r"^domU: userspace ready$"

CPU = "qemu64"
SMP = 1
MEM_MIB = 512

# A stress-ng run that checks its own results (--verify): CPU arithmetic,
# memory writes and reads back, process creation, POSIX timers and the
# clocks.  None of these needs /tmp or /dev/shm; stress-ng counts the CPUs
# in /sys/devices/system/cpu (without sysfs it complains but runs).
STRESS = ("stress-ng --verify --cpu 1 --vm 1 --vm-bytes 32M --fork 1 "
          "--timer 1 --clock 1 -t 10s --metrics-brief")


def machine(name, initrd=INITRD, kernel=KERNEL, cmdline=CMDLINE, cpu=CPU,
            smp=SMP, mem_mib=MEM_MIB, extra_args=()):
    """A Machine (not started; use it as a context manager) booting the
    domU kernel and an image directly; its log is build/test-logs/NAME.log."""
    for path in (kernel, initrd):
        if not os.path.exists(path):
            raise FileNotFoundError("%s is missing: run `make domu-image`" % path)
    return Machine(None, name, cpu=cpu, smp=smp, mem_mib=mem_mib,
                   extra_args=extra_args, debug_exit=False,
                   direct_kernel=(kernel, initrd, cmdline))


def boot_time(name="domu-direct", initrd=INITRD, timeout=180, **kwargs):
    """Boots once and returns the seconds from QEMU's launch to
    "domU: userspace ready"; QEMU is killed once the line is seen."""
    with machine(name, initrd=initrd, **kwargs) as m:
        m.wait_for(READY, timeout)
        return time.monotonic() - m.started


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--initrd", default=INITRD)
    ap.add_argument("--stress", action="store_true",
                    help="also run stress-ng once in the test image")
    args = ap.parse_args()

    times = []
    for run in range(args.runs):
        t = boot_time("bench-domu-direct-%d" % run, initrd=args.initrd)
        times.append(t)
        print("run %d direct: QEMU launch -> domU userspace ready %.2f s"
              % (run + 1, t), flush=True)
    print("domU boot to userspace, direct, median of %d runs: %.2f s"
          % (args.runs, statistics.median(times)))
    print("  (%s, %s, -cpu %s -smp %d -m %d, append %r)"
          % (os.path.relpath(KERNEL, REPO), os.path.relpath(args.initrd, REPO),
             CPU, SMP, MEM_MIB, CMDLINE))

    if args.stress:
        with machine("bench-domu-direct-stress", initrd=TEST_INITRD) as m:
            m.wait_for(READY)
            status, out = m.run(STRESS, timeout=300)
        print()
        print(out)
        print("stress-ng exit status %d" % status)
        return 1 if status else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
