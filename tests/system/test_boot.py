# SPDX-License-Identifier: GPL-2.0-only
"""The hypervisor boots from GRUB on the emulated machine, and says so.

Each test boots the real ISO in QEMU and reads the hypervisor's serial log:
CPUs and SVM features, memory, the refusal on CPUs without SVM or nested
paging, and the register dump of a fatal exception."""

import os
import re
import select
import subprocess
import time

import pytest

from machine import EXIT_BOOT_COMPLETE, EXIT_HALTED, HV, REPO
from conftest import HV_ELF, free_port


def test_image_is_multiboot2():
    # GRUB's own check of the header it will look for at boot.
    subprocess.run(["grub-file", "--is-x86-multiboot2", HV_ELF], check=True)


def test_boot_log_names_version_and_loader(boot):
    m = boot()
    assert m.wait_exit() == EXIT_BOOT_COMPLETE
    version = open(os.path.join(REPO, "VERSION")).read().strip()
    assert "Appliance hypervisor %s" % version in m.output
    assert re.search(r"loaded by GRUB 2\.\d+", m.output)
    assert "hv: boot complete" in m.output


@pytest.mark.parametrize("cpus", [2, 4])
def test_every_cpu_comes_up_with_svm(boot, cpus):
    m = boot(smp=cpus)
    assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
    out = m.output
    assert "acpi: %d CPU(s) present" % cpus in out
    for i in range(cpus):
        # Each CPU reports itself, with the features its SVM has.
        line = re.search(HV + r"cpu%d: apic (\d+) up, SVM enabled: revision \d+, "
                         r"(\d+) ASIDs, features: (.*)$" % i, out, re.M)
        assert line, "cpu%d did not report SVM:\n%s" % (i, m.tail())
        assert int(line.group(2)) > 0
        assert "npt" in line.group(3).split()
    assert "smp: %d of %d CPUs online, SVM enabled on all" % (cpus, cpus) in out
    assert "timer: periodic 100 Hz" in out


# -m in MiB; the last one puts RAM above 4 GiB, which the hypervisor must map.
@pytest.mark.parametrize("mem_mib", [256, 1024, 6144])
def test_memory_reported_matches_qemu(boot, mem_mib):
    m = boot(mem_mib=mem_mib)
    assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
    usage = re.search(r"memory: (\d+) KiB usable RAM \((\d+) MiB\); "
                      r"managing (\d+) KiB free", m.output)
    assert usage, m.tail()
    usable_kib, managed_kib = int(usage.group(1)), int(usage.group(3))
    # QEMU's firmware keeps a few hundred KiB (BIOS area, ACPI tables).
    assert mem_mib * 1024 - 2048 <= usable_kib <= mem_mib * 1024
    # Everything but the hypervisor's image and bitmaps is handed to the
    # allocator, including RAM above 4 GiB.
    assert usable_kib - 4096 <= managed_kib < usable_kib


def test_cpu_without_svm_is_refused(boot):
    m = boot(cpu="qemu64,-svm")
    assert m.wait_exit() == EXIT_HALTED, m.tail()
    assert "hv: FATAL: this CPU has no SVM (AMD-V)." in m.output
    assert "hv: system halted" in m.output
    assert "SVM enabled" not in m.output


def test_cpu_without_nested_paging_is_refused(boot):
    # Plain qemu64 has SVM but no NPT.
    m = boot(cpu="qemu64,+svm,-npt")
    assert m.wait_exit() == EXIT_HALTED, m.tail()
    assert "hv: FATAL: this CPU's SVM has no nested paging (NPT)." in m.output
    assert "SVM enabled" not in m.output


def test_refusal_halts_cleanly(boot):
    # Without debug_exit the product halts: every CPU must be in HLT, not
    # spinning, as QEMU's monitor reports.
    m = boot(cmdline="", cpu="qemu64,-svm", smp=2)
    m.wait_for(HV + r"hv: system halted$")
    # QEMU's register dump shows HLT=1 for a CPU stopped in HLT.  The AP was
    # never started: it waits for a SIPI, which QEMU also shows as halted.
    # The log line comes just before the HLT: allow the CPU a moment.
    for _ in range(50):
        regs = m.hmp("info registers -a")
        states = re.findall(r"\bHLT=(\d)", regs)
        if states == ["1", "1"]:
            break
        time.sleep(0.1)
    assert states == ["1", "1"], regs
    # And the boot CPU halted with interrupts off, so nothing wakes it.
    rflags = int(re.search(r"RFL=([0-9a-f]+)", regs).group(1), 16)
    assert not rflags & (1 << 9), regs


@pytest.mark.parametrize("fault,name,vector", [
    ("ud", "#UD invalid opcode", 6),
    ("pf", "#PF page fault", 14),
    ("gp", "#GP general protection", 13),
    ("de", "#DE divide error", 0),
])
def test_exception_dumps_registers_and_halts(boot, fault, name, vector):
    m = boot(cmdline="debug_exit test_fault=" + fault, smp=2)
    assert m.wait_exit() == EXIT_HALTED, m.tail()
    out = m.output
    assert "*** EXCEPTION on cpu0: %s (vector %d)" % (name, vector) in out
    for reg in ("RIP", "RSP", "RAX", "RBX", "R15", "CR0", "CR2", "CR3"):
        assert re.search(r"\b%s\s+[0-9a-f]{16}\b" % reg, out), reg
    if fault == "pf":
        # The faulting address: the test reads page 0, which is unmapped.
        assert re.search(r"CR2 0000000000000010\b", out)
    assert out.rstrip().endswith("(hv) hv: system halted")
    assert "hv: boot complete" not in out


def test_unknown_boot_option_is_reported(boot):
    m = boot(cmdline="debug_exit no_such_option=1")
    assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
    assert "unknown boot option 'no_such_option' ignored" in m.output


def test_make_run_script_boots_the_product_iso(tmp_path):
    # What `make run` executes, on the product ISO, with free ports of its
    # own so that nothing else on the machine collides with the test.
    iso = os.path.join(REPO, "build", "appliance.iso")
    https_port = free_port()
    ssh_port = free_port()
    while ssh_port == https_port:
        ssh_port = free_port()
    env = dict(os.environ, HTTPS_PORT=str(https_port), SSH_PORT=str(ssh_port))
    proc = subprocess.Popen(
        [os.path.join(REPO, "packaging", "run-qemu.sh"), iso],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=env)
    out = b""
    try:
        deadline = time.monotonic() + 180
        while b"hv: boot complete" not in out and time.monotonic() < deadline:
            r, _, _ = select.select([proc.stdout], [], [], 1)
            if r:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                out += chunk
    finally:
        proc.kill()
        proc.wait()
    text = out.decode("utf-8", "replace")
    assert "hv: boot complete" in text, text[-2000:]
    assert "smp: 2 of 2 CPUs online, SVM enabled on all" in text
