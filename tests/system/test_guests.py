# SPDX-License-Identifier: GPL-2.0-only
"""Customer domains: guest test kernels (tests/guests/) booted as boot-time
domains, each printing "Test result: SUCCESS|FAILURE" on its console, which
the hypervisor echoes as "(hv) (dN) ..." lines.  With debug_exit and no
dom0, QEMU exits once every domain has ended."""

import os
import re

from conftest import guest
from machine import EXIT_BOOT_COMPLETE, HV, REPO


def result(m, domid):
    """The domain's test result line, e.g. 'SUCCESS'."""
    found = re.search(HV + r"\(d%d\) Test result: (.*)$" % domid, m.output, re.M)
    return found.group(1) if found else None


def test_cpu_msr_port_and_hypercall_policy(boot):
    m = boot(smp=2, modules=[guest("cpuid_msr", "name=cpuid mem=16M")])
    assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
    assert result(m, 1) == "SUCCESS", m.tail()
    assert HV.replace("\\", "") + "d1: shut down: powered off" in m.output


def test_access_outside_memory_crashes_only_that_domain(boot):
    m = boot(smp=3, modules=[
        guest("neighbour", "name=neighbour mem=32M"),
        guest("outside_memory", "name=oob mem=16M"),
    ])
    assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
    # The offender is ended, with the address and its registers logged.
    assert re.search(HV + r"d2: access to 2000000, outside its memory", m.output)
    assert re.search(HV + r"d2: crashed: access outside its memory$", m.output,
                     re.M)
    assert result(m, 2) is None, "the out-of-bounds read returned"
    # The neighbour ran to its end, memory intact.
    assert result(m, 1) == "SUCCESS", m.tail()


def test_bad_domain_modules_are_refused_and_the_rest_run(boot):
    m = boot(smp=2, modules=[
        guest("cpuid_msr", "name=odd mem=3M"),
        guest("cpuid_msr", "name=what colour=blue mem=16M"),
        guest("cpuid_msr", "mem=16M"),
        (os.path.join(REPO, "VERSION"), "domain name=notelf mem=16M"),
        guest("cpuid_msr", "name=good mem=16M"),
    ])
    assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
    out = m.output
    assert "not started: memory must be a non-zero multiple of 2 MiB" in out
    assert "not started: unknown key (name, mem, vcpus)" in out
    assert "not started: name= and mem= are required" in out
    assert "not started: not an x86 ELF file" in out
    assert re.search(HV + r"hv: 1 boot-time domain\(s\) started", out)
    # The one good domain is not held back by the others.
    good = int(re.search(HV + r"d(\d+): domain 'good' built", out).group(1))
    assert result(m, good) == "SUCCESS", m.tail()


def test_hostile_domain_leaves_hypervisor_dom0_and_neighbour_unharmed(boot_dom0):
    m = boot_dom0(smp=3, domains=[
        guest("hostile", "name=hostile mem=16M"),
        guest("neighbour", "name=neighbour mem=32M"),
    ])
    m.wait_for(HV + r"\(d1\) hostile: 100000 random hypercalls done")
    m.wait_for(HV + r"\(d1\) hostile: 100000 random port accesses done")
    m.wait_for(HV + r"\(d1\) hostile: 100000 random MSR accesses done")
    m.wait_for(HV + r"d1: crashed: triple fault$")
    m.wait_for(HV + r"\(d2\) Test result: SUCCESS$")
    m.wait_for(r"^dom0: userspace ready$")
    # dom0 sees both, in the states they ended in.
    domains = m.check("hvctl list")
    assert re.search(r"^1\s+hostile\s+crashed\s", domains, re.M), domains
    assert re.search(r"^2\s+neighbour\s+shutdown\s", domains, re.M), domains
    assert re.search(r"^0\s+dom0\s+running\s", domains, re.M), domains
    info = dict(re.findall(r"^(\w+): (.*)$", m.check("hvctl info"), re.M))
    assert info["cpus"] == "3"
