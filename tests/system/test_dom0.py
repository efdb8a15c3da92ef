# SPDX-License-Identifier: GPL-2.0-only
"""dom0: the stock Debian kernel boots under the hypervisor, owns the NIC and
the data disk, reaches the hypervisor through our driver, and cannot touch
what is not its own.

Every test boots the appliance ISO (hypervisor + dom0 kernel + dom0 image,
plus the test-tools overlay) in QEMU and drives dom0 on its serial console,
as an operator would, and over the forwarded HTTP port, as a control panel
would."""

import json
import os
import re
import secrets
import urllib.error
import urllib.request

import pytest

from machine import EXIT_HALTED, HV, REPO, c_define
from pvd_dom0 import STARTED, served_fingerprint, tls_context

MEM_MIB = 1024


def hvctl_info(m):
    out = m.check("hvctl info")
    return dict(re.findall(r"^(\w+): (.*)$", out, re.M))


def test_dom0_reaches_userspace_and_sees_the_hypervisor(boot_dom0):
    m = boot_dom0(smp=2, mem_mib=MEM_MIB)
    m.wait_for(r"^dom0: userspace ready$")
    info = hvctl_info(m)
    assert info["abi_version"] == str(c_define("HV_ABI_VERSION"))
    assert info["cpus"] == "2"
    assert info["dom0_cpus"] == "1"
    total = int(info["total_ram_mib"])
    assert MEM_MIB - 2 <= total <= MEM_MIB
    # dom0 got the default half; the rest is the customer pool and ours.
    dom0 = int(info["dom0_ram_mib"])
    free = int(info["domain_free_ram_mib"])
    assert 0.4 * total <= dom0 <= 0.6 * total
    assert dom0 + free <= total
    # Linux agrees about its own memory: MemTotal is a bit under what it got.
    memtotal_kib = int(re.search(r"MemTotal:\s+(\d+)",
                                 m.check("cat /proc/meminfo")).group(1))
    assert dom0 * 1024 * 0.85 <= memtotal_kib <= dom0 * 1024
    # dom0's Linux sees one CPU: the others are for customer domains.
    assert m.check("grep -c ^processor /proc/cpuinfo") == "1"
    # SVM is hidden: no svm flag, and KVM's module cannot load.
    assert not re.search(r"\bsvm\b", m.check("grep ^flags /proc/cpuinfo"))


def test_dom0_runs_on_more_memory_and_cpus(boot_dom0):
    m = boot_dom0(smp=4, mem_mib=3072, cmdline_extra="dom0_mem=512M")
    m.wait_for(r"^dom0: userspace ready$")
    info = hvctl_info(m)
    assert info["cpus"] == "4"
    assert info["dom0_ram_mib"] == "512"
    assert int(info["domain_free_ram_mib"]) > 2048


def http_get(base, path, token=None):
    """GET base+path from the host: (status, Content-Type, decoded JSON)."""
    req = urllib.request.Request(base + path)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=60, context=tls_context()) as r:
            return r.status, r.headers["Content-Type"], json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], json.loads(e.read())


def test_rest_api_from_the_host(boot_dom0):
    """provisiond serves the REST API over HTTPS on port 443 of dom0's
    network address (not only its loopback), which the host reaches through
    the forwarded port, as https://localhost:8443 under `make run`, with
    the certificate whose fingerprint the console showed."""
    m = boot_dom0()
    started = m.wait_for(STARTED, timeout=150)
    assert "listening" in started.group(1), m.check("cat /data/provisiond/log")
    assert served_fingerprint("127.0.0.1", m.https_port) == started.group(2)
    base = "https://127.0.0.1:%d" % m.https_port

    # GET / says what answers and where the API is; no token needed.
    status, ctype, index = http_get(base, "/")
    assert status == 200 and ctype == "application/json", (status, ctype)
    assert index == {"service": "provisiond", "api_version": "1",
                     "api": "/v1", "health": "/v1/health"}, index
    assert http_get(base, index["health"])[::2] == (200, {"status": "ok"})
    # Everything else needs a token...
    status, _, body = http_get(base, "/v1/servers")
    assert status == 401 and body["error"]["code"] == "unauthorized", body
    # ... such as the first admin token, made at first boot; with it, the
    # API says it drives the real hypervisor and is this build's provisiond.
    token = m.check("cat /data/provisiond/admin-token").strip()
    status, _, system = http_get(base, "/v1/system", token)
    assert status == 200, system
    assert system["hv_backend"] == "libhv"
    with open(os.path.join(REPO, "VERSION")) as f:
        assert system["version"] == f.read().strip()
    status, _, servers = http_get(base, "/v1/servers", token)
    assert status == 200 and servers == {"items": [], "next_cursor": None}


def test_data_disk_survives_a_reboot(boot_dom0, tmp_path):
    disk = str(tmp_path / "data.img")
    token = secrets.token_hex(8)
    m = boot_dom0(data_disk=disk)
    m.wait_for(r"^dom0: data disk /dev/vda formatted")
    m.wait_for(r"^dom0: userspace ready$")
    m.check("echo %s > /data/token && sync" % token)
    m.send("poweroff\n")
    # dom0 powering off powers off the machine: QEMU exits by itself.
    assert m.wait_exit() == 0, m.tail()

    m2 = boot_dom0(data_disk=disk)
    m2.wait_for(r"^dom0: userspace ready$")
    assert "formatted" not in m2.output
    assert m2.check("cat /data/token") == token


def test_dom0_cannot_read_hypervisor_memory(boot_dom0):
    m = boot_dom0()
    m.wait_for(r"^dom0: userspace ready$")
    # The hypervisor image starts at 1 MiB with its multiboot2 header
    # (magic 0xe85250d6).  dom0 reading it through /dev/mem gets 0xff...
    value = m.check("devmem 0x100000 32")
    assert int(value, 16) == 0xFFFFFFFF, value
    # ... and the hypervisor logs the attempt.
    m.wait_for(HV + r"dom0: refused read of 100000, memory that is not dom0's")
    # dom0 goes on working.
    assert m.check("echo alive") == "alive"


def test_bad_hypercalls_fail_and_everything_keeps_running(boot_dom0):
    m = boot_dom0()
    m.wait_for(r"^dom0: userspace ready$")
    cases = [
        ("0x1fff", "-38"),              # unknown number: HV_ENOSYS
        ("0", "-38"),                   # below our range
        ("0x1001 0x100000 88", "-14"),  # buffer in hypervisor memory: HV_EFAULT
        ("0x1001 0xffffffffffff0000 88", "-14"),
        ("0x1001 0x1000 4", "-22"),     # smaller than the structure: HV_EINVAL
        ("0x1001 0x1000 0x40000000", "-22"),  # larger than HV_MAX_BUFFER
        ("0x1002 0x100000 4096", "-14"),
        ("0x1003 0xfffffffffffffff0 64", "-14"),  # wraps around
    ]
    for args, expected in cases:
        # The result on stdout; hvctl explains it on stderr.
        status, out = m.run("hvctl raw %s 2>/dev/null" % args)
        assert out == expected, (args, out)
        assert status == 1
    # From user mode, bypassing the driver: refused with HV_EPERM, no crash.
    assert m.check("hv-usermode-vmmcall") == "-1"
    # A good call still works afterwards, and the hypervisor is alive.
    assert hvctl_info(m)["abi_version"] == str(c_define("HV_ABI_VERSION"))
    assert "hv: boot complete" in m.check("hvctl dmesg")


def test_dom0_cannot_start_or_reset_customer_cpus(boot_dom0):
    m = boot_dom0(smp=2)
    m.wait_for(r"^dom0: userspace ready$")
    # hvtest.ko (test overlay) writes the APIC's ICR directly, as a
    # compromised dom0 kernel could.  Each IPI aimed at CPU 1 is refused.
    for mode in ("init", "sipi", "nmi"):
        m.run("insmod /lib/hvtest.ko action=ipi mode=%s apic=1" % mode)
        m.wait_for(HV + r"dom0: refused IPI 0x[0-9a-f]+ to apic 1: customer "
                   r"CPUs are not dom0's")
    m.run("insmod /lib/hvtest.ko action=ipi mode=nmi shorthand=all-but-self")
    m.wait_for(HV + r"dom0: refused IPI 0x000c0400 to apic 1")
    # Through the IOAPIC too: a device interrupt routed as INIT or NMI to
    # CPU 1 is refused and the entry left masked; one to dom0's own CPU
    # passes.
    for mode, code in (("init", "0500"), ("nmi", "0400")):
        m.run("insmod /lib/hvtest.ko action=ioapic mode=%s apic=1" % mode)
        m.wait_for(HV + r"dom0: refused IOAPIC 0 entry 23 = 01000000:0000%s"
                   % code)
    before = m.output.count("refused IOAPIC")
    m.run("insmod /lib/hvtest.ko action=ioapic mode=fixed apic=0")
    assert m.output.count("refused IOAPIC") == before
    # The hypervisor and both CPUs are still there, and dom0 goes on.
    assert hvctl_info(m)["cpus"] == "2"
    assert m.check("echo alive") == "alive"


def test_dom0_triple_fault_is_logged_and_halts(boot_dom0):
    m = boot_dom0()
    m.wait_for(r"^dom0: userspace ready$")
    m.send("insmod /lib/hvtest.ko action=triple_fault\n")
    assert m.wait_exit() == EXIT_HALTED, m.tail()
    m.wait_for(HV + r"dom0: crashed: triple fault$")
    # dom0's registers at the fault are in the log.
    for reg in ("RIP", "RSP", "RAX", "CR3", "EFER"):
        assert re.search(HV + r"\s+.*\b%s [0-9a-f]{16}\b" % reg, m.output), reg
    assert "hv: halting: dom0 crashed (dom0_crash=halt)" in m.output


def test_dom0_triple_fault_resets_by_default(boot_dom0):
    m = boot_dom0(cmdline_extra="dom0_crash=reset")
    m.wait_for(r"^dom0: userspace ready$")
    m.send("insmod /lib/hvtest.ko action=triple_fault\n")
    # QEMU runs with -no-reboot: a machine reset ends it with status 0.
    assert m.wait_exit() == 0, m.tail()
    assert "dom0: resetting the machine (dom0_crash=reset)" in m.output
