#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""direct-test.py - hvpriv.ko and hvctl in dom0 WITHOUT our hypervisor.

    usage: /usr/bin/python3 dom0-image/driver/direct-test.py [WORKDIR]
    (or:   make -f dom0-image/tools.mk hvpriv-direct-test)

Boots the pinned dom0 kernel directly under QEMU (TCG), with a copy of
build/dom0/initrd.img that has hvpriv.ko (/root/hvpriv.ko) and hvctl
(/usr/sbin/hvctl) added as a second cpio archive, twice, so that both of the
driver's refusal paths run:

  - "qemu64,+svm,+npt": TCG sets the hypervisor bit and names itself
    "TCGTCGTCGTCG" in CPUID 0x40000000: someone else's hypervisor;
  - the same with "-hypervisor": no hypervisor at all.

Each time, through the serial console:
  insmod hvpriv.ko fails (ENODEV) with "not running on the appliance
  hypervisor" in dmesg, the module is not loaded, /dev/hvpriv does not exist,
  no oops; `hvctl info` exits 1 with a clear message; usage errors exit 2 and
  --help 0.  The driver never executes VMMCALL here (it would #UD and oops).

Needs build/dom0/{vmlinuz,initrd.img,hvpriv.ko,hvctl}.  Console logs go to
WORKDIR (default: a new temporary directory).  Prints "N passed, N failed";
exits non-zero on any failure.  Every QEMU started is killed at the end.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOM0 = os.path.join(TOP, "build", "dom0")
KERNEL = os.path.join(DOM0, "vmlinuz")
INITRD = os.path.join(DOM0, "initrd.img")
MODULE = os.path.join(DOM0, "hvpriv.ko")
HVCTL = os.path.join(DOM0, "hvctl")
BOOT_TIMEOUT = 180       # seconds to "userspace ready"; TCG is slow
PROMPT = re.compile(rb"appliance-dom0:[^\r\n]*# $")
# CPU model -> the reason the driver must give.
CPUS = {
    "qemu64,+svm,+npt": 'signature "TCGTCGTCGTCG", expected "ApplianceHV"',
    "qemu64,+svm,+npt,-hypervisor": "no hypervisor: CPUID.1:ECX bit 31 is clear",
}
REFUSAL = "hvpriv: not running on the appliance hypervisor"
# What a kernel oops or a #UD from VMMCALL would leave in the log.
OOPS = re.compile(r"Oops|BUG:|Call Trace|invalid opcode|general protection"
                  r"|Kernel panic")

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {what}", flush=True)
    else:
        failed += 1
        print(f"FAILED: {what}", flush=True)


def make_initrd(work):
    """build/dom0/initrd.img + a gzip'd newc cpio with our two files."""
    stage = os.path.join(work, "extra")
    os.makedirs(os.path.join(stage, "root"), exist_ok=True)
    os.makedirs(os.path.join(stage, "usr", "sbin"), exist_ok=True)
    shutil.copy(MODULE, os.path.join(stage, "root", "hvpriv.ko"))
    shutil.copy(HVCTL, os.path.join(stage, "usr", "sbin", "hvctl"))
    # Only the files: their directories are in the first archive already,
    # and a directory entry here would change their mode.
    files = b"root/hvpriv.ko\nusr/sbin/hvctl\n"
    cpio = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"],
                          cwd=stage, input=files, stdout=subprocess.PIPE,
                          check=True).stdout
    extra = subprocess.run(["gzip", "-9n"], input=cpio, stdout=subprocess.PIPE,
                           check=True).stdout
    initrd = os.path.join(work, "initrd-hvpriv.img")
    shutil.copy(INITRD, initrd)
    # The kernel unpacks concatenated archives one after the other.
    with open(initrd, "ab") as f:
        f.write(extra)
    return initrd


class Console:
    """dom0 in QEMU, its serial console on a pipe; output kept in memory."""

    def __init__(self, cpu, initrd, log):
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", cpu,
               "-m", "512", "-nographic", "-no-reboot", "-nic", "none",
               "-kernel", KERNEL, "-initrd", initrd,
               "-append", "console=ttyS0 quiet"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = b""
        self.pos = 0             # expect() searches from here on
        self.lock = threading.Lock()
        self.log = open(log, "wb")
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        while True:
            data = os.read(self.proc.stdout.fileno(), 4096)
            if not data:
                return
            self.log.write(data)
            self.log.flush()
            with self.lock:
                self.buf += data

    def expect(self, pattern, timeout):
        """Wait for pattern (bytes regex) after the last match; the match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                m = regex.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m
            if self.proc.poll() is not None:
                return None
            time.sleep(0.05)
        return None

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, command, timeout=30):
        """Type a command at the shell; (its output, its exit status)."""
        tag = f"@@{time.monotonic_ns()}@@"
        # The marker is split in the typed line, so that only the echo's
        # output matches, not the terminal echoing what we typed.
        self.send(f"{command}; echo '{tag[:2]}''{tag[2:]}' $?\n")
        m = self.expect(re.escape(tag.encode()) + rb" (\d+)\r?\n", timeout)
        if not m:
            return "", None
        out = self.buf[:m.start()]
        out = out[out.rfind(b"echo '@@"):]       # after the typed line
        out = out[out.find(b"\n") + 1:]
        return out.decode(errors="replace").replace("\r", ""), int(m.group(1))

    def text(self):
        with self.lock:
            return self.buf.decode(errors="replace")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def boot(cpu, reason, initrd, log):
    print(f"--- CPU {cpu}", flush=True)
    con = Console(cpu, initrd, log)
    try:
        ready = con.expect(rb"dom0: userspace ready", BOOT_TIMEOUT)
        check(ready is not None, f"[{cpu}] dom0 booted")
        if not ready:
            return
        for _ in range(20):                     # Enter until the prompt
            con.send("\n")
            if con.expect(PROMPT, 3):
                break

        out, rc = con.run("insmod /root/hvpriv.ko")
        check(rc is not None and rc != 0, f"[{cpu}] insmod fails (exit {rc})")
        check("No such device" in out, f"[{cpu}] insmod says ENODEV ({out.strip()!r})")

        dmesg, rc = con.run("dmesg | grep hvpriv")
        check(REFUSAL in dmesg and reason in dmesg,
              f"[{cpu}] dmesg: {dmesg.strip()!r}")

        # (Only commands without "hvpriv" in them where the output is
        # searched for it: a long typed line wraps and leaves a piece of
        # itself before the output.)
        out, rc = con.run("cat /proc/modules")
        check(rc == 0 and "hvpriv " not in out, f"[{cpu}] hvpriv is not loaded")
        out, rc = con.run("test -e /dev/hvpriv")
        check(rc == 1, f"[{cpu}] no /dev/hvpriv")

        out, rc = con.run("hvctl info")
        check(rc == 1 and "cannot open /dev/hvpriv" in out
              and "is hvpriv.ko loaded?" in out,
              f"[{cpu}] hvctl info exits 1: {out.strip()!r}")
        out, rc = con.run("hvctl raw 0x1000")
        check(rc == 1, f"[{cpu}] hvctl raw exits 1 (exit {rc})")
        out, rc = con.run("hvctl --help")
        check(rc == 0 and "usage: hvctl" in out, f"[{cpu}] hvctl --help exits 0")
        out, rc = con.run("hvctl frobnicate")
        check(rc == 2, f"[{cpu}] hvctl frobnicate exits 2 (exit {rc})")
        out, rc = con.run("hvctl raw 1 2 3 4 5 6")
        check(rc == 2, f"[{cpu}] hvctl raw with 5 arguments exits 2 (exit {rc})")

        # The whole kernel log and console: no oops, no #UD anywhere.
        dmesg, rc = con.run("dmesg")
        bad = OOPS.search(dmesg) or OOPS.search(con.text())
        check(rc == 0 and not bad,
              f"[{cpu}] no oops in the kernel log" + (f" ({bad.group(0)})" if bad else ""))

        con.send("poweroff -f\n")
        try:
            con.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    finally:
        con.kill()


def main():
    for f in (KERNEL, INITRD, MODULE, HVCTL):
        if not os.path.isfile(f):
            sys.exit(f"{f} missing: make -f dom0-image/tools.mk dom0-tools "
                     f"(and make -f dom0-image/dom0.mk dom0)")
    work = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="hvpriv-direct-")
    os.makedirs(work, exist_ok=True)
    initrd = make_initrd(work)
    for i, (cpu, reason) in enumerate(CPUS.items()):
        boot(cpu, reason, initrd, os.path.join(work, f"console{i}.log"))
    print(f"logs in {work}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
