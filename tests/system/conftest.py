# SPDX-License-Identifier: GPL-2.0-only
"""Fixtures for system tests: ISOs with a given hypervisor command line, and
machines that are always torn down when the test ends."""

import hashlib
import os
import subprocess

import pytest

from machine import BUILD, REPO, Machine, blank_data_disk, free_port  # noqa: F401 (tests import free_port from here)

HV_ELF = os.path.join(BUILD, "hypervisor", "hypervisor.elf")
ISO_DIR = os.path.join(BUILD, "test-isos")
DOM0_KERNEL = os.path.join(BUILD, "dom0", "vmlinuz")
DOM0_INITRD = os.path.join(BUILD, "dom0", "initrd.img")
DOM0_TEST_OVERLAY = os.path.join(BUILD, "tests", "dom0-overlay.cpio.gz")
# dom0's kernel command line, as the product ISO has it.
DOM0_CMDLINE = open(os.path.join(REPO, "packaging", "dom0-cmdline")).read().strip()


@pytest.fixture(scope="session")
def make_iso():
    """make_iso(cmdline) -> path of an ISO whose hypervisor gets cmdline.

    Built by packaging/mkiso.sh, the script that builds the product ISO, so a
    test boots what ships.  Built once per command line per session."""
    if not os.path.exists(HV_ELF):
        pytest.fail("%s is missing: run `make` first" % HV_ELF)
    os.makedirs(ISO_DIR, exist_ok=True)
    built = {}

    def build(cmdline, modules=()):
        """modules: (file, command line) pairs, as GRUB's module2 lines."""
        key = (cmdline, tuple(modules))
        if key not in built:
            tag = hashlib.sha256(repr(key).encode()).hexdigest()[:12]
            iso = os.path.join(ISO_DIR, "hv-%s.iso" % tag)
            args = [os.path.join(REPO, "packaging", "mkiso.sh"),
                    "-o", iso, "-k", HV_ELF, "-c", cmdline, "-t", "0"]
            for path, mcmd in modules:
                args += ["-m", path, mcmd]
            subprocess.run(args, check=True)
            built[key] = iso
        return built[key]

    return build


@pytest.fixture
def boot(request, make_iso):
    """boot(cmdline="debug_exit", **machine_args) -> a started Machine.

    Every machine a test starts is killed when the test ends, pass or fail."""
    machines = []

    def start(cmdline="debug_exit", modules=(), **kwargs):
        name = request.node.name.replace("/", "_")
        if machines:
            name += "-%d" % len(machines)
        m = Machine(make_iso(cmdline, modules), name,
                    debug_exit="debug_exit" in cmdline.split(), **kwargs)
        machines.append(m)
        return m.start()

    yield start
    for m in machines:
        m.kill()


@pytest.fixture
def boot_dom0(boot, tmp_path):
    """boot_dom0(smp=, mem_mib=, data_disk=, cmdline_extra=, domains=,
    extra_drives=) -> a Machine
    running the appliance: hypervisor, the product's dom0 kernel and image,
    plus the dom0 test tools overlay.  Host port m.https_port reaches
    dom0's port 443 (provisiond's HTTPS).  Without data_disk, a fresh empty one is attached.  domains:
    extra (file, command line) boot modules, e.g. boot-time domains.
    extra_drives: raw image files attached after the data disk, as dom0's
    /dev/vdb, /dev/vdc, ..."""
    for path in (DOM0_KERNEL, DOM0_INITRD, DOM0_TEST_OVERLAY):
        if not os.path.exists(path):
            pytest.fail("%s is missing: run `make` first" % path)

    def start(smp=2, mem_mib=1024, data_disk=None, cmdline_extra="",
              domains=(), extra_drives=()):
        port = free_port()
        if data_disk is None:
            data_disk = str(tmp_path / ("data-%d.img" % port))
        if not os.path.exists(data_disk):
            blank_data_disk(data_disk)
        extra = [
            "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:%d-:443" % port,
            "-device", "virtio-net-pci,netdev=net0",
            "-drive", "file=%s,if=virtio,format=raw" % data_disk,
        ]
        for drive in extra_drives:
            extra += ["-drive", "file=%s,if=virtio,format=raw" % drive]
        cmdline = ("debug_exit dom0_crash=halt " + cmdline_extra).strip()
        m = boot(cmdline=cmdline, smp=smp, mem_mib=mem_mib, extra_args=extra,
                 modules=[(DOM0_KERNEL, DOM0_CMDLINE), (DOM0_INITRD, ""),
                          (DOM0_TEST_OVERLAY, "")] + list(domains))
        m.https_port = port
        return m

    return start


GUEST_DIR = os.path.join(BUILD, "tests", "guests")


def guest(name, domain_args):
    """The boot module of guest test kernel `name`, as a boot-time domain."""
    path = os.path.join(GUEST_DIR, name + ".elf")
    if not os.path.exists(path):
        pytest.fail("%s is missing: run `make guest-tests`" % path)
    return (path, "domain " + domain_args)
