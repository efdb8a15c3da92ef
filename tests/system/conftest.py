# SPDX-License-Identifier: GPL-2.0-only
"""Fixtures for system tests: ISOs with a given hypervisor command line, and
machines that are always torn down when the test ends."""

import hashlib
import os
import subprocess

import pytest

from machine import BUILD, REPO, Machine

HV_ELF = os.path.join(BUILD, "hypervisor", "hypervisor.elf")
ISO_DIR = os.path.join(BUILD, "test-isos")


@pytest.fixture(scope="session")
def make_iso():
    """make_iso(cmdline) -> path of an ISO whose hypervisor gets cmdline.

    Built by packaging/mkiso.sh, the script that builds the product ISO, so a
    test boots what ships.  Built once per command line per session."""
    if not os.path.exists(HV_ELF):
        pytest.fail("%s is missing: run `make` first" % HV_ELF)
    os.makedirs(ISO_DIR, exist_ok=True)
    built = {}

    def build(cmdline):
        if cmdline not in built:
            tag = hashlib.sha256(cmdline.encode()).hexdigest()[:12]
            iso = os.path.join(ISO_DIR, "hv-%s.iso" % tag)
            subprocess.run([os.path.join(REPO, "packaging", "mkiso.sh"),
                            "-o", iso, "-k", HV_ELF, "-c", cmdline, "-t", "0"],
                           check=True)
            built[cmdline] = iso
        return built[cmdline]

    return build


@pytest.fixture
def boot(request, make_iso):
    """boot(cmdline="debug_exit", **machine_args) -> a started Machine.

    Every machine a test starts is killed when the test ends, pass or fail."""
    machines = []

    def start(cmdline="debug_exit", **kwargs):
        name = request.node.name.replace("/", "_")
        if machines:
            name += "-%d" % len(machines)
        m = Machine(make_iso(cmdline), name,
                    debug_exit="debug_exit" in cmdline.split(), **kwargs)
        machines.append(m)
        return m.start()

    yield start
    for m in machines:
        m.kill()
