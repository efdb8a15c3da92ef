# SPDX-License-Identifier: GPL-2.0-only
"""The customer domains' Linux image (dom0-image/domu.mk), booted directly
by QEMU with its kernel, WITHOUT the hypervisor: it documents that the
kernel, the image and their command line are sound on a plain PC, so that a
failure of the same boot under the hypervisor is the hypervisor's.

The machine and command line are tests/bench/domu_direct.py's, the baseline
of the domU boot-time benchmark."""

import os
import re
import sys
import time

import pytest

from machine import REPO

sys.path.insert(0, os.path.join(REPO, "tests", "bench"))
import domu_direct  # noqa: E402
from domu_direct import READY  # noqa: E402

# The kernel release the image must run: dom0's pin.
KVER = re.search(r"^DOM0_KVER\s*:=\s*(\S+)",
                 open(os.path.join(REPO, "dom0-image", "dom0.mk")).read(),
                 re.M).group(1)


def start(name, initrd):
    try:
        m = domu_direct.machine(name, initrd=initrd)
    except FileNotFoundError as e:
        pytest.fail(str(e))
    return m.start()


@pytest.fixture(scope="module")
def domu():
    """One boot of the test image (busybox + stress-ng) for the tests that
    leave it running."""
    m = start("test_domu_image", domu_direct.TEST_INITRD)
    try:
        m.wait_for(READY)
        yield m
    finally:
        m.kill()


def test_userspace_ready_on_the_pinned_kernel(domu):
    out = domu.output
    assert "domU: ERROR" not in out, out
    assert re.search(r"^domU: kernel %s$" % re.escape(KVER), out, re.M), out
    # No kvmclock without KVM: QEMU's TCG PC gives tsc (or hpet).
    cs = re.search(r"^domU: clocksource (\S+)$", out, re.M)
    assert cs and cs.group(1) != "unknown", out
    assert domu.check("uname -r") == KVER


def test_console_shell_runs_commands_with_job_control(domu):
    assert domu.check("echo $((6 * 7))") == "42"
    # cttyhack gave the shell the real serial port as controlling terminal.
    assert domu.check("tty") == "/dev/ttyS0"
    out = domu.check("sleep 100 & jobs; kill %1; wait")
    assert re.search(r"^\[1\]\+\s+Running\s+sleep 100$", out, re.M), out
    # Ctrl-C interrupts a foreground command: else the next command would
    # wait behind a 10-minute sleep and time out.
    domu.send("echo @@SLEEPING; sleep 600\n")
    domu.wait_for(r"^@@SLEEPING$")
    time.sleep(1)
    prompts = domu.output.count("domu:~# ")
    domu.send("\x03")
    # Type the next command only at the fresh prompt: typed while the shell
    # is still taking back the terminal, it is echoed in pieces.
    deadline = time.monotonic() + 60
    while domu.output.count("domu:~# ") <= prompts:
        assert time.monotonic() < deadline, domu.tail()
        time.sleep(0.2)
    assert domu.check("echo interrupted", timeout=60) == "interrupted"


def test_console_shell_is_started_again_when_it_exits(domu):
    banner = "built-in shell (ash)"
    shells = domu.output.count(banner)
    pid = domu.check("echo $$")
    domu.send("exit\n")
    domu.wait_for(r"(?s)(%s.*){%d}" % (re.escape(banner), shells + 1), 60)
    assert domu.check("echo $$") != pid


def test_stress_ng_verifies_cpu_memory_processes_and_timers(domu):
    cmd = domu_direct.STRESS.replace("-t 10s", "-t 5s")
    status, out = domu.run(cmd, timeout=120)
    assert status == 0, out
    assert "successful run completed" in out, out
    for stressor in ("cpu", "vm", "fork", "timer", "clock"):
        ops = re.search(r"\] %s\s+(\d+)\s" % stressor, out)
        assert ops and int(ops.group(1)) > 0, "%s: no bogo ops\n%s" % (stressor, out)


@pytest.mark.parametrize("command,kernel_says", [
    ("poweroff", "reboot: Power down"),
    ("reboot", "reboot: Restarting system"),
])
def test_product_image_boots_and_powers_off_or_reboots(command, kernel_says):
    """The product image (no stress-ng) boots too, and busybox init carries
    out poweroff and reboot; -no-reboot makes QEMU exit on either."""
    m = start("test_domu_image-" + command, domu_direct.INITRD)
    try:
        m.wait_for(READY)
        assert m.check("uname -r") == KVER
        m.send(command + "\n")
        assert m.wait_exit() == 0, m.tail()
        assert "domU: going down" in m.output, m.tail()
        assert kernel_says in m.output, m.tail()
    finally:
        m.kill()


def test_power_button_powers_the_image_off():
    """The ACPI power button (QEMU's system_powerdown, as the hypervisor's
    HV_DOMCTL_POWER_BUTTON) makes the product image power off cleanly:
    button.ko and evdev.ko report the key, acpid runs its handler, and
    busybox init shuts down."""
    m = start("test_domu_image-power-button", domu_direct.INITRD)
    try:
        m.wait_for(READY)
        assert "domU: ERROR" not in m.output, m.tail()
        m.hmp("system_powerdown")
        assert m.wait_exit() == 0, m.tail()
        out = m.output
        assert "domU: power button pressed: powering off" in out, m.tail()
        assert "domU: going down" in out, m.tail()
        assert "reboot: Power down" in out, m.tail()
    finally:
        m.kill()
