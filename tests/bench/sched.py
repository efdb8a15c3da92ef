#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: the CPU scheduler's precision (caps, weights, wake latency).

It boots the appliance (hypervisor, dom0 and the dom0 test overlay, which
has hv-cputime and the guest kernels in /usr/share/guests) twice:

  1. -smp 2: dom0 on CPU 0, one domain CPU (CPU 1) for every domain.
     - wake latency alone: tests/guests/wake_latency.c sleeps 500 times on
       its TSC-deadline timer and reports how late each wake-up was;
     - caps 5, 10, 25, 50, 100: a capped burner (tests/guests/burner.c,
       weight 65535) beside an uncapped burner (weight 1) on CPU 1: without
       its cap the first would take all but 1/65536 of the CPU, so the cap,
       not the lack of competition, is what limits it, and the second soaks
       up whatever the cap leaves;
     - weights 1:2:4:8 (64, 128, 256, 512): four uncapped burners on CPU 1;
     - wake latency beside two burners (weight 256) on CPU 1;
     - steal time: Linux (the domU kernel and test image) with 1 vCPU,
       busy during the window, beside a burner on CPU 1: the steal its
       /proc/stat shows against the hypervisor's count for that vCPU.
  2. -smp 3: two domain CPUs.  A 2-vCPU burner capped at 150, then at 100
     (weight 65535), with an uncapped burner (weight 1) on each CPU.

Each share is measured over one window (10 s unless --seconds) after a
1 s settling time, by hv-cputime in dom0: the hypervisor's per-domain CPU
time (ns, accounted from VMRUN to exit) at both ends of the window, and
the window itself on the TSC converted as the hypervisor converts it, so
the figures are the hypervisor's own clock and accounting.  Targets: every
cap within 1 percentage point of the cap (in % of one CPU); each weight's
share of the four burners' total within 2% (relative) of proportional; the
wake latency beside CPU hogs (this benchmark's own targets): the median at
most 1 ms above the same guest's alone on its CPU, since emulation makes
even that figure large, and p99 under a hog's 10 ms slice, which a
scheduler without wake-up preemption would make sleepers wait out.  The
notes under the table say, per window, what every domain got, what no
domain was charged for (the hypervisor's own time on the domain CPUs) and
how busy the host was.

It prints a table and never fails on the figures: it exits 1 only when
something broke (a machine that does not boot, a command that fails,
output that cannot be read), after printing what it measured.  Under TCG
the figures mean less than on hardware: see docs/testing.md.

    make bench-sched      (or: tests/bench/sched.py [--seconds S])
"""

import argparse
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "system"))

from benchlib import HV_ELF, Broken, build_iso, print_table  # noqa: E402
from machine import BUILD, HV, REPO, Machine, blank_data_disk  # noqa: E402

KERNEL = os.path.join(BUILD, "dom0", "vmlinuz")
INITRD = os.path.join(BUILD, "dom0", "initrd.img")
OVERLAY = os.path.join(BUILD, "tests", "dom0-overlay.cpio.gz")
DOM0_CMDLINE = open(os.path.join(REPO, "packaging", "dom0-cmdline")).read().strip()
READY = r"^dom0: userspace ready$"
GUESTS = "/usr/share/guests"
LINUX_KERNEL = "/usr/share/domu/vmlinuz"
LINUX_INITRD = GUESTS + "/domu-test-initrd.img"
LINUX_MEM_MIB = 256
USER_HZ = 100			# /proc/stat's unit

CAPS_1VCPU = (5, 10, 25, 50, 100)
CAPS_2VCPU = (150, 100)
WEIGHTS = (64, 128, 256, 512)
CAP_TOLERANCE_PP = 1.0		# percentage points of one CPU
WEIGHT_TOLERANCE = 0.02		# relative to the proportional share
# Wake latency beside hogs: the median within 1 ms of the same guest's alone
# on its CPU (what emulation costs by itself), and p99 under one hog's slice
# (no sleeper waits one out).
WAKE_EXTRA_MEDIAN_US = 1000.0
WAKE_P99_US = 10000.0
STEAL_TOLERANCE = 0.01		# Linux's steal against the hypervisor's
CAPPED_WEIGHT = 65535		# the capped domain: the cap is its only limit
HOG_WEIGHT = 1			# its neighbour: takes what the cap leaves


def host_load(own_pid=None):
    """The host's 1-minute load average and how many other QEMUs run:
    these figures are only as good as the host is quiet."""
    with open("/proc/loadavg") as f:
        load = float(f.read().split()[0])
    others = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == own_pid:
            continue
        try:
            with open("/proc/%s/comm" % pid) as f:
                others += f.read().startswith("qemu-system")
        except OSError:
            pass
    return load, others


class Appliance:
    """One booted appliance, driven from dom0's serial console."""

    def __init__(self, iso, tmp, smp, name):
        disk = os.path.join(tmp, "%s.img" % name)
        blank_data_disk(disk)
        extra = ["-netdev", "user,id=net0",
                 "-device", "virtio-net-pci,netdev=net0",
                 "-drive", "file=%s,if=virtio,format=raw" % disk]
        self.m = Machine(iso, name, smp=smp, mem_mib=1024, extra_args=extra,
                         debug_exit=False)
        self.domids = {}

    def __enter__(self):
        self.m.start()
        self.m.wait_for(READY, timeout=300)
        return self

    def __exit__(self, *exc):
        self.m.kill()

    def wait(self, pattern, since, timeout):
        """Waits for the console to match pattern after offset `since`
        (domain ids are reused: an older domain's line must not count)."""
        regex = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.m.output, since)
            if m:
                return m
            if time.monotonic() > deadline or self.m.proc.poll() is not None:
                raise Broken("no match for %r; console tail:\n%s" % (
                    pattern, self.m.tail()))
            time.sleep(0.05)

    def check(self, cmd, timeout=120):
        status, out = self.m.run(cmd, timeout)
        if status != 0:
            raise Broken("%r exited %d: %s" % (cmd, status, out))
        return out

    def create(self, name, kernel, vcpus=1, cmdline="", weight=None,
               cap=None):
        """Creates and starts a domain; returns the CPU its vCPU 0 is on."""
        return self.create_from(name, "16 %d %s/%s.elf %s" % (
            vcpus, GUESTS, kernel, cmdline), weight, cap)

    def create_linux(self, name):
        """Creates a 1-vCPU Linux domain, waits for its shell; returns the
        CPU it is on."""
        cpu = self.create_from(name, "%d 1 %s --initrd %s 'console=ttyS0 "
                               "quiet'" % (LINUX_MEM_MIB, LINUX_KERNEL,
                                           LINUX_INITRD))
        self.wait(HV + r"\(d%d\) domU: userspace ready$" % self.domids[name],
                  self.since, timeout=300)
        return cpu

    def create_from(self, name, args, weight=None, cap=None):
        """`hvctl create NAME ARGS`; returns the CPU its vCPU 0 is on."""
        since = len(self.m.output)
        out = self.check("hvctl create %s %s" % (name, args))
        # A hypervisor line can land in the middle of the id's line.
        m = re.search(r"^(\d+)$", re.sub(HV + r".*", "", out), re.M)
        if not m:
            raise Broken("hvctl create %s printed %r" % (name, out))
        domid = int(m.group(1))
        self.domids[name] = domid
        built = self.wait(HV + r"d%d: domain '%s' built: .* on cpu(\d+)$"
                          % (domid, re.escape(name)), since, timeout=30)
        self.since = since
        if weight is not None or cap is not None:
            self.sched(name, weight, cap)
        return int(built.group(1))

    def sched(self, name, weight=None, cap=None):
        args = ""
        if weight is not None:
            args += " --weight %d" % weight
        if cap is not None:
            args += " --cap %d" % cap
        self.check("hvctl sched %s%s" % (name, args))

    def destroy(self, *names):
        for name in names:
            self.check("hvctl destroy %s" % name)
            self.domids.pop(name, None)

    def window(self, seconds, settle=1.0):
        """Every domain's CPU and steal ns over a window of `seconds` after
        `settle` seconds: (window_ns, sample_ns, {name: row})."""
        self.check("sleep %s; hv-cputime %s > /tmp/window" % (settle, seconds),
                   timeout=seconds + settle + 120)
        return self.read_window()

    def read_window(self):
        """What hv-cputime wrote to /tmp/window, as window() returns it."""
        # The console is shared with the hypervisor, whose lines can land in
        # the middle of ours: read the file again until it comes through
        # whole (it ends with "end" and every row parses).
        for _ in range(5):
            out = self.check("cat /tmp/window")
            head = re.search(
                r"^window_ns (\d+) tsc_khz (\d+) sample_ns (\d+)$", out, re.M)
            rows = re.findall(r"^domain (\d+) (\S+) (\d+) (\d+) (\d+) (\d+)$",
                              out, re.M)
            whole = (head and re.search(r"^end$", out, re.M) and
                     len(rows) == len(out.strip().split("\n")) - 2)
            if whole:
                doms = {name: {"id": int(i), "vcpus": int(v),
                               "cpu_ns": int(c), "steal_ns": int(s)}
                        for i, name, _st, v, c, s in rows}
                missing = [n for n in self.domids if n not in doms]
                if missing:
                    raise Broken("hv-cputime did not list %s: %r" % (
                        missing, out))
                self.load = host_load(self.m.proc.pid)
                return int(head.group(1)), int(head.group(3)), doms
        raise Broken("no whole hv-cputime output: %r" % out)

    def wake_latency(self, name):
        """Runs wake_latency.elf as `name` to its end; its figures in us."""
        self.create(name, "wake_latency")
        domid = self.domids[name]
        m = self.wait(
            HV + r"\(d%d\) (?:wake_latency: n (\d+) min_ns (\d+) "
            r"median_ns (\d+) p99_ns (\d+) max_ns (\d+) early (\d+)|"
            r"Test result: FAILURE (.*))$" % domid, self.since, timeout=180)
        if m.group(7) is not None:
            raise Broken("wake_latency failed: %s" % m.group(7))
        self.wait(HV + r"\(d%d\) Test result: SUCCESS$" % domid, self.since,
                  timeout=30)
        self.load = host_load(self.m.proc.pid)
        self.destroy(name)
        n, lo, med, p99, hi, early = (int(x) for x in m.groups()[:6])
        return {"n": n, "min": lo / 1e3, "median": med / 1e3, "p99": p99 / 1e3,
                "max": hi / 1e3, "early": early}

    def linux_steal_ns(self, name, tag, since):
        """The `steal` column of the `cpu` line of /proc/stat that a Linux
        domain printed as "TAG cpu ..." after offset `since`, in ns."""
        m = self.wait(HV + r"\(d%d\) %s cpu((?: \d+)+)\r?\n"
                      % (self.domids[name], tag), since, timeout=60)
        # user nice system idle iowait irq softirq steal ...
        return int(m.group(1).split()[7]) * (10**9 // USER_HZ)


class Report:
    """The table's rows and, under it, what each window saw."""

    def __init__(self):
        self.rows = []		# (scenario, target, achieved, error, within)
        self.notes = []

    def row(self, scenario, target, achieved, error, within):
        self.rows.append((scenario, target, achieved, error,
                          "yes" if within else "NO"))
        print("  %s: %s (target %s)" % (scenario, achieved, target),
              flush=True)

    def note(self, text):
        self.notes.append(text)

    def print_table(self):
        print_table(("scenario", "target", "achieved", "error",
                     "within target"), self.rows, self.notes)


def pct(ns, window_ns):
    return 100.0 * ns / window_ns


def window_note(rep, label, a, window_ns, sample_ns, doms, cpus):
    """Each domain's share, and what no domain was charged for: the
    hypervisor's own time on the domain CPUs (and any idle time)."""
    customers = {n: d for n, d in doms.items() if n != "dom0"}
    uncharged = 100.0 * cpus - sum(pct(d["cpu_ns"], window_ns)
                                    for d in customers.values())
    rep.note("%s: window %.3f s (ends +- %.0f us); %s; not charged to any "
             "domain %.2f %%; host load %.1f, %d other QEMU(s)" % (
                 label, window_ns / 1e9, sample_ns / 1e3, ", ".join(
                     "%s %.2f %%" % (n, pct(d["cpu_ns"], window_ns))
                     for n, d in sorted(customers.items())),
                 uncharged, a.load[0], a.load[1]))


def cap_rows(rep, a, label, cap, name, seconds, cpus):
    window_ns, sample_ns, doms = a.window(seconds)
    achieved = pct(doms[name]["cpu_ns"], window_ns)
    err = achieved - cap
    rep.row(label, "%d %%" % cap, "%.2f %%" % achieved, "%+.2f pp" % err,
            abs(err) <= CAP_TOLERANCE_PP)
    window_note(rep, label, a, window_ns, sample_ns, doms, cpus)


def wake_rows(rep, a, label, w, median_us=None, p99_us=None):
    for what, target in (("median", median_us), ("p99", p99_us)):
        if target is None:
            rep.row("%s: %s" % (label, what), "-", "%.0f us" % w[what], "-",
                    True)
        else:
            rep.row("%s: %s" % (label, what), "<= %.0f us" % target,
                    "%.0f us" % w[what], "%+.0f us" % (w[what] - target),
                    w[what] <= target)
    rep.note("%s: %d wake-ups, min %.0f us, median %.0f us, p99 %.0f us, "
             "max %.0f us; host load %.1f, %d other QEMU(s)" % (
                 label, w["n"], w["min"], w["median"], w["p99"], w["max"],
                 a.load[0], a.load[1]))


def steal_rows(rep, a, seconds):
    """Linux's steal time (the KVM steal-time MSR) against the
    hypervisor's count over hv-cputime's window.  Steal grows only while
    Linux is busy and the hog runs: Linux, idle, reads its /proc/stat, busy
    loops for S + 3 s, then reads it again; the hog runs for S s from 1 s
    into a window of S + 5 s.  So nothing is stolen at either end of either
    count, and the console round trips between the reads do not enter the
    figure.  The margins are for a busy host, where dom0's `hvctl pause`
    came a second late and the hog ran on past a window of S + 2 s (Linux
    read 9.8% high).  (Busy and alone on its CPU, a vCPU still waits
    between its slices, for the hypervisor: about 1% of the time, so Linux
    is not busy long outside the window either.)"""
    if a.create_linux("linux") != 1 or a.create("hog", "burner") != 1:
        raise Broken("Linux and the burner are not on cpu1")
    a.check("hvctl pause hog")
    since = len(a.m.output)
    a.check("hvctl input linux 'echo STEAL0 $(head -1 /proc/stat); "
            "timeout %d sh -c \"while :; do :; done\"; "
            "echo STEAL1 $(head -1 /proc/stat)'; "
            "hv-cputime %s > /tmp/window & sleep 1; hvctl unpause hog; "
            "sleep %s; hvctl pause hog; wait" % (
                seconds + 3, seconds + 5, seconds), timeout=seconds + 120)
    window_ns, sample_ns, doms = a.read_window()
    guest = a.linux_steal_ns("linux", "STEAL1", since) - \
        a.linux_steal_ns("linux", "STEAL0", since)
    hv = doms["linux"]["steal_ns"]
    if hv == 0:
        raise Broken("the hypervisor counted no steal for Linux")
    ratio = guest / hv
    rep.row("steal time seen by Linux / hypervisor's, 1 vCPU beside a hog",
            "1.000 +- %g %%" % (100 * STEAL_TOLERANCE), "%.4f" % ratio,
            "%+.2f %%" % (100 * (ratio - 1)),
            abs(ratio - 1) <= STEAL_TOLERANCE)
    rep.note("steal time: Linux's /proc/stat %.3f s (in 10 ms ticks), the "
             "hypervisor's %.3f s, over %g s of a hog beside it (window "
             "%.3f s, Linux ran %.2f %%, the hog %.2f %%); host load %.1f, "
             "%d other QEMU(s)" % (
                 guest / 1e9, hv / 1e9, seconds, window_ns / 1e9,
                 pct(doms["linux"]["cpu_ns"], window_ns),
                 pct(doms["hog"]["cpu_ns"], window_ns), a.load[0], a.load[1]))
    a.destroy("linux", "hog")


def one_cpu(iso, tmp, seconds, rep):
    with Appliance(iso, tmp, 2, "bench-sched-smp2") as a:
        print("[-smp 2] dom0 is up; one domain CPU", flush=True)
        alone = a.wake_latency("wake0")
        wake_rows(rep, a, "wake latency, alone on its CPU", alone)

        if a.create("capped", "burner", weight=CAPPED_WEIGHT) != 1 or \
           a.create("hog", "burner", weight=HOG_WEIGHT) != 1:
            raise Broken("the burners are not on cpu1")
        for cap in CAPS_1VCPU:
            a.sched("capped", cap=cap)
            cap_rows(rep, a, "cap %d, 1 vCPU, beside a hog" % cap, cap,
                     "capped", seconds, 1)
        a.destroy("capped", "hog")

        names = ["w%d" % w for w in WEIGHTS]
        for name, w in zip(names, WEIGHTS):
            a.create(name, "burner", weight=w)
        window_ns, sample_ns, doms = a.window(seconds)
        total = sum(doms[n]["cpu_ns"] for n in names)
        for name, w in zip(names, WEIGHTS):
            target = w / sum(WEIGHTS)
            share = doms[name]["cpu_ns"] / total
            err = share / target - 1
            rep.row("weights 1:2:4:8, weight %d" % w,
                    "%.2f %%" % (100 * target), "%.2f %%" % (100 * share),
                    "%+.2f %%" % (100 * err), abs(err) <= WEIGHT_TOLERANCE)
        window_note(rep, "weights 1:2:4:8 (shares of the four's total)", a,
                    window_ns, sample_ns, doms, 1)
        a.destroy(*names)

        a.create("hog1", "burner")
        a.create("hog2", "burner")
        wake_rows(rep, a, "wake latency beside 2 hogs",
                  a.wake_latency("wake1"),
                  alone["median"] + WAKE_EXTRA_MEDIAN_US, WAKE_P99_US)
        a.destroy("hog1", "hog2")

        steal_rows(rep, a, seconds)


def two_cpus(iso, tmp, seconds, rep):
    with Appliance(iso, tmp, 3, "bench-sched-smp3") as a:
        print("[-smp 3] dom0 is up; two domain CPUs", flush=True)
        # Placement is by fewest vCPUs, ties to the lower CPU: capped's two
        # vCPUs go to CPUs 1 and 2, then one hog to each.
        cpus = [a.create("capped", "burner", vcpus=2, cmdline="2",
                         weight=CAPPED_WEIGHT),
                a.create("hog1", "burner", weight=HOG_WEIGHT),
                a.create("hog2", "burner", weight=HOG_WEIGHT)]
        if cpus != [1, 1, 2]:
            raise Broken("unexpected placement %r" % cpus)
        for cap in CAPS_2VCPU:
            a.sched("capped", cap=cap)
            cap_rows(rep, a, "cap %d, 2 vCPUs, a hog on each CPU" % cap, cap,
                     "capped", seconds, 2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0,
                    help="length of each measuring window (default 10)")
    args = ap.parse_args()

    for path in (HV_ELF, KERNEL, INITRD, OVERLAY):
        if not os.path.exists(path):
            print("%s is missing: run `make iso dom0-test-overlay`" % path)
            return 1
    rep = Report()
    start = time.monotonic()
    status = 0
    load, others = host_load()
    print("Scheduler precision, %g s windows (caps in %% of one CPU); host: "
          "%d CPUs, load %.1f, %d other QEMU(s) running" % (
              args.seconds, os.cpu_count(), load, others), flush=True)
    if others:
        print("  (another QEMU shares this host: expect noisy figures)",
              flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        iso = os.path.join(tmp, "bench-sched.iso")
        build_iso(iso, "", [(KERNEL, DOM0_CMDLINE), (INITRD, ""),
                            (OVERLAY, "")])
        try:
            one_cpu(iso, tmp, args.seconds, rep)
            two_cpus(iso, tmp, args.seconds, rep)
        except (Broken, AssertionError) as e:
            print("\nbench-sched: broken: %s" % e, flush=True)
            status = 1
    rep.print_table()
    print("\n(%.0f s; consoles in build/test-logs/bench-sched-smp*.log)" %
          (time.monotonic() - start))
    return status


if __name__ == "__main__":
    sys.exit(main())
