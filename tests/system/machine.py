# SPDX-License-Identifier: GPL-2.0-only
"""Boot the appliance under QEMU and watch its serial console.

A Machine is one QEMU process: the serial console is read by a background
thread into a growing text buffer (and a log file under build/test-logs/),
tests wait for lines to appear, and the machine always ends, through
isa-debug-exit, a kill, or a timeout, so a test never hangs.
"""

import os
import re
import socket
import shutil
import subprocess
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(REPO, "build")
LOG_DIR = os.path.join(BUILD, "test-logs")
HVABI_H = os.path.join(REPO, "hypervisor", "include", "public", "hvabi.h")


def c_define(name, path=HVABI_H):
    """The integer value of `#define NAME N` in a C source of the repository:
    tests compare with the one definition, never with a copy of it."""
    with open(path) as f:
        found = re.search(r"^#define\s+%s\s+(\(?[0-9xXa-fA-F]+[uUlL]*\)?)\s*(/\*.*)?$"
                          % re.escape(name), f.read(), re.M)
    if not found:
        raise LookupError("no #define %s in %s" % (name, path))
    return int(found.group(1).strip("()").rstrip("uUlL"), 0)

# What the product runs on: an emulated AMD CPU with SVM and nested paging.
DEFAULT_CPU = "qemu64,+svm,+npt"
# One TCG thread for all CPUs, as packaging/run-qemu.sh runs it: QEMU 7.2's
# multi-threaded TCG segfaults now and then in memory_region_dispatch_write
# (a NULL region) with SVM guests on several CPUs (docs/testing.md).
QEMU_ACCEL = "tcg,thread=single"
# Generous: TCG on a loaded 2-core CI machine is slow.  Tests that pass never
# get near it; it only bounds how long a broken build takes to fail.
DEFAULT_TIMEOUT = 180

# One row of `hvctl exits`: (code, name, "other", "total", count, mean us
# the hypervisor took per exit); exactly one of code, other, total is set.
HVCTL_EXITS_ROW = re.compile(
    r"^(?:0x([0-9a-f]+) (\S+)|(other)|(total)): (\d+) \((\d+\.\d+) us each\)$",
    re.M)

# dom0's data disk in the tests and benchmarks: a blank sparse file, which
# dom0 formats as XFS on its first boot (mkfs.xfs wants 300 MB at least).
DATA_DISK_BYTES = 4 << 30


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (for QEMU's
    forwards)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def blank_data_disk(path, size=DATA_DISK_BYTES):
    """Makes path a blank (sparse) disk image of size bytes; returns it."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path

# Every line the hypervisor prints on the serial port starts with this
# (hypervisor/include/hv/console.h); dom0 shares the port.
HV = r"\(hv\) "
# A whole hypervisor line.  dom0's bytes reach the port through the
# hypervisor's console, which writes its own lines whole: one is never split
# by dom0.  It can still land inside one of dom0's lines, after any
# character, when dom0 has been in the middle of that line for a while (a
# prompt; console.c's CONSOLE_HOLD_MS).
HV_LINE = HV + r"[^\n]*\n"


def split_anywhere(literal):
    """A regex for `literal` even if whole hypervisor lines split it or
    follow it at once (after any character, a marker's included, several in
    a row: a guest's burst of console lines)."""
    return "".join("%s(?:%s)*" % (re.escape(c), HV_LINE) for c in literal)

# QEMU's isa-debug-exit makes QEMU exit with (code << 1) | 1; the hypervisor's
# codes are in hypervisor/include/hv/halt.h.
EXIT_BOOT_COMPLETE = (0 << 1) | 1
EXIT_HALTED = (1 << 1) | 1


class Machine:
    def __init__(self, iso, name, cpu=DEFAULT_CPU, smp=2, mem_mib=512,
                 extra_args=(), debug_exit=True, direct_kernel=None):
        """iso: the ISO to boot; or None with direct_kernel = (kernel,
        initrd, command line) to boot Linux directly, without GRUB and the
        hypervisor (the baseline of the benchmarks)."""
        self.name = name
        os.makedirs(LOG_DIR, exist_ok=True)
        self.log_path = os.path.join(LOG_DIR, name + ".log")
        # A UNIX socket path must fit in 108 bytes, which a clone's path
        # plus a parametrized test name can exceed: keep it short and private.
        self._sock_dir = tempfile.mkdtemp(prefix="hvmon")
        self.monitor_path = os.path.join(self._sock_dir, "monitor")
        self.args = [
            "qemu-system-x86_64", "-accel", QEMU_ACCEL, "-cpu", cpu,
            "-smp", str(smp), "-m", str(mem_mib),
            "-display", "none", "-serial", "stdio", "-no-reboot",
            "-monitor", "unix:%s,server=on,wait=off" % self.monitor_path,
        ]
        if iso:
            self.args += ["-cdrom", iso, "-boot", "d"]
        else:
            kernel, initrd, append = direct_kernel
            self.args += ["-kernel", kernel, "-initrd", initrd,
                          "-append", append]
        if debug_exit:
            self.args += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        self.args += list(extra_args)
        self._text = ""
        self._cond = threading.Condition()
        self.proc = None

    # -- life cycle ---------------------------------------------------------

    def start(self):
        self.started = time.monotonic()
        self._log = open(self.log_path, "w")
        self._log.write("# " + " ".join(self.args) + "\n")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                break
            text = chunk.decode("utf-8", "replace").replace("\r", "")
            with self._cond:
                self._log.write(text)
                self._log.flush()
                self._text += text
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
            self._reader.join(timeout=10)
            self._log.close()
        shutil.rmtree(self._sock_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()

    # -- reading the console ------------------------------------------------

    @property
    def output(self):
        with self._cond:
            return self._text

    def tail(self, lines=40):
        with self._cond:
            return self._text_tail(lines)

    def _text_tail(self, lines=40):
        return "\n".join(self._text.splitlines()[-lines:])

    def log_cpu_state(self, why):
        """Appends every CPU's registers (QEMU's 'info registers -a') to
        the log: when a console stops answering, this says where each CPU
        was (in the hypervisor, in a guest, halted)."""
        if not self.proc or self.proc.poll() is not None:
            return
        try:
            regs = self.hmp("info registers -a")
        except OSError as e:
            regs = "(the QEMU monitor did not answer: %s)" % e
        with self._cond:
            self._log.write("\n# --- %s: CPU state ---\n%s\n# ---\n"
                            % (why, regs))
            self._log.flush()

    def wait_for(self, pattern, timeout=DEFAULT_TIMEOUT, since=0):
        """Waits until the console matches the regex, in what it printed
        from offset since on (len(self.output) taken earlier); returns the
        match."""
        regex = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = regex.search(self._text, since)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None
                                 and not self._reader.is_alive()):
                    if left <= 0:
                        self._cond.release()
                        try:
                            self.log_cpu_state("no match for %r" % pattern)
                        finally:
                            self._cond.acquire()
                    raise AssertionError(
                        "%s: no match for %r (%s); console tail:\n%s" % (
                            self.name, pattern,
                            "timed out" if left <= 0 else
                            "QEMU exited with status %s" % self.proc.returncode,
                            self._text_tail()))
                self._cond.wait(min(left, 1.0))

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        """Waits for QEMU to exit and returns its exit code."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("%s: QEMU still running after %ss; tail:\n%s"
                                 % (self.name, timeout, self.tail()))
        self._reader.join(timeout=10)
        return code

    # -- typing on the console ---------------------------------------------

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, command, timeout=DEFAULT_TIMEOUT):
        """Runs a shell command on the guest's serial console.

        Returns (exit status, output).  The output is what the command
        printed between two marker lines; the markers carry a counter so an
        old one can never be mistaken for the current one."""
        self._cmd_seq = getattr(self, "_cmd_seq", 0) + 1
        tag = "CMD%d" % self._cmd_seq
        # The typed command is echoed too: with '' inside, its markers are
        # not the ones the shell prints.  The status ends with @@ so that a
        # hypervisor line between marker and status cannot lend it a digit.
        self.send("echo @@B''%s; %s; echo @@E''%s $?@@\n"
                  % (tag, command, tag))
        # The hypervisor writes to the same serial line and its lines can
        # land in the middle of dom0's, even of a marker: match the markers
        # anywhere, split or not.
        m = self.wait_for(split_anywhere("@@E%s " % tag) + r"(\d+)"
                          + split_anywhere("@@"), timeout)
        start = self.wait_for(split_anywhere("@@B%s" % tag) + r"(?!\d)", 1)
        out = self.output[start.end():m.start()]
        # Hypervisor lines can land in the middle, whole: they are not the
        # output, and what is around them is dom0's line as it wrote it.
        out = re.sub(HV_LINE, "", out).strip("\n")
        return int(m.group(1)), out

    def check(self, command, timeout=DEFAULT_TIMEOUT):
        """Runs a command that must succeed; returns its output."""
        status, out = self.run(command, timeout)
        assert status == 0, "%r exited %d:\n%s" % (command, status, out)
        return out

    # -- the QEMU monitor ---------------------------------------------------

    def hmp(self, command, timeout=30):
        """Runs one human-monitor command and returns what it printed."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(self.monitor_path)
        data = b""
        try:
            while b"(qemu)" not in data:
                data += s.recv(4096)
            s.sendall(command.encode() + b"\n")
            data = b""
            # The reply ends with the next prompt.
            while data.count(b"(qemu)") < 1:
                data += s.recv(4096)
        finally:
            s.close()
        text = data.decode("utf-8", "replace").replace("\r", "")
        # Drop the echoed command and the trailing prompt.
        lines = [l for l in text.split("\n")
                 if l.strip() and not l.startswith("(qemu)")
                 and command not in l]
        return "\n".join(lines)
