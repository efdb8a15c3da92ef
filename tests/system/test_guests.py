# SPDX-License-Identifier: GPL-2.0-only
"""Customer domains: guest test kernels (tests/guests/) booted as boot-time
domains, each printing "Test result: SUCCESS|FAILURE" on its console, which
the hypervisor echoes as "(hv) (dN) ..." lines.  With debug_exit and no
dom0, QEMU exits once every domain has ended."""

import os
import re

from conftest import guest
from machine import EXIT_BOOT_COMPLETE, HV, HV_LINE, REPO, c_define, \
    split_anywhere


def result(m, domid):
    """The domain's test result line, e.g. 'SUCCESS'."""
    found = re.search(HV + r"\(d%d\) Test result: (.*)$" % domid, m.output, re.M)
    return found.group(1) if found else None


def run_alone(boot, name, args):
    """Boots one guest test kernel as the only domain, waits for QEMU to
    exit when it ends, checks it reported SUCCESS, and returns the machine."""
    m = boot(smp=2, modules=[guest(name, args)])
    assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
    assert result(m, 1) == "SUCCESS", m.tail()
    return m


def test_cpu_msr_port_and_hypercall_policy(boot):
    m = run_alone(boot, "cpuid_msr", "name=cpuid mem=16M")
    assert HV.replace("\\", "") + "d1: shut down: powered off" in m.output


def test_every_mmio_form_the_decoder_claims(boot):
    # tests/guests/mmio_forms.c: each MOV form on the virtual IOAPIC, and
    # the forms it refuses with #GP.
    # The guest counts the forms that ran and passed; what it should have
    # run is the checks written in its source, counted here.
    m = run_alone(boot, "mmio_forms", "name=mmio mem=16M")
    source_path = os.path.join(REPO, "tests", "guests", "mmio_forms.c")
    with open(source_path) as f:
        source = f.read()
    forms = {kind: len(re.findall(r"^\s+%s_FORM\(" % kind, source, re.M))
             for kind in ("READ", "WRITE", "REFUSED")}
    assert min(forms.values()) > 0, forms
    assert re.search(HV + r"\(d1\) mmio_forms: %d read forms, %d write forms, "
                     r"%d refused forms; %d more refusals$"
                     % (forms["READ"], forms["WRITE"], forms["REFUSED"],
                        c_define("REPEATS", source_path)), m.output, re.M)
    # The first 16 refusals are reported in the hypervisor's log, the last
    # of them saying that further ones are not: a guest cannot flood it.
    assert m.output.count("d1: unsupported IOAPIC access") == 16, m.tail()
    assert m.output.count("(further ones are refused without a log line)") == 1


def test_pv_eoi_ends_lone_interrupts_without_an_exit(boot):
    # tests/guests/pv_eoi.c: lone self-IPIs end by clearing the PV EOI word;
    # a nested one and those after turning it off use the EOI register.
    # The guest checks each phase's exact counts itself (its SUCCESS);
    # here: its report is there, and some but not all ended by PV EOI.
    m = run_alone(boot, "pv_eoi", "name=pveoi mem=16M")
    found = re.search(HV + r"\(d1\) pv_eoi: (\d+) of (\d+) interrupts ended by "
                      r"PV EOI$", m.output, re.M)
    assert found, m.tail()
    assert 0 < int(found.group(1)) < int(found.group(2)), found.group(0)


def test_a_flooding_console_is_echoed_only_within_its_budget(boot):
    # tests/guests/chatty.c writes 2000 lines as fast as it can: the
    # hypervisor echoes what the domain's budget allows (32 KiB, then
    # 2 KiB/s) and counts the rest, so the shared log is not drowned.
    m = run_alone(boot, "chatty", "name=chatty mem=16M")
    echoed = len(re.findall(HV + r"\(d1\) chatty \d{4} \.+$", m.output, re.M))
    # Echoing resumes in runs, each after a count of what was left out.
    left_out = [int(n) for n in re.findall(
        HV + r"\(d1\) \[(\d+) lines not echoed: too much output; its "
        r"console keeps the latest\]$", m.output, re.M)]
    assert left_out, m.tail()
    assert echoed + sum(left_out) == 2000, (echoed, left_out)
    assert 400 < echoed < 1500, echoed
    assert len(left_out) < 20, left_out
    assert re.search(HV + r"\(d1\) chatty: 2000 lines written$", m.output, re.M)


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
        guest("cpuid_msr", "name=wide mem=16M vcpus=9"),
        (os.path.join(REPO, "VERSION"), "domain name=notelf mem=16M"),
        guest("cpuid_msr", "name=good mem=16M"),
    ])
    assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
    out = m.output
    # The ABI's limits (hv_domain_size_check()), as for HVCALL_DOMAIN_CREATE.
    assert "not started: memory must be a multiple of 2 MiB" in out
    assert "not started: vCPUs must be 1 to 8" in out
    assert "not started: unknown key (name, mem, vcpus, weight, cap, cpus)" in out
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


def free_mib(m):
    out = m.check("hvctl info")
    return int(re.search(r"^domain_free_ram_mib: (\d+)$", out, re.M).group(1))


def test_dom0_creates_pauses_and_destroys_domains(boot_dom0):
    m = boot_dom0(smp=3)
    m.wait_for(r"^dom0: userspace ready$")
    free_before = free_mib(m)

    # Create from dom0: the guest kernel is a file in dom0's filesystem.
    domid = m.check("hvctl create c1 16 1 /usr/share/guests/cpuid_msr.elf")
    assert domid.isdigit(), domid
    m.wait_for(HV + r"\(d%s\) Test result: SUCCESS$" % domid)
    # dom0 shares the serial line with the hypervisor, so a hypervisor line
    # can be cut by dom0's prompt: ask hvctl for the state instead.
    for _ in range(60):
        listing = m.check("hvctl list")
        if re.search(r"^%s\s+c1\s+shutdown\s+1\s+16\s" % domid, listing, re.M):
            break
        m.check("sleep 1")
    assert re.search(r"^%s\s+c1\s+shutdown\s+1\s+16\s" % domid, listing, re.M), listing
    # Its console stays readable after it stopped.
    assert "Test result: SUCCESS" in m.check("hvctl console c1")

    # Pause stops it; unpause lets it go on.
    m.check("hvctl create busy 16 1 /usr/share/guests/heartbeat.elf")
    m.wait_for(HV + r"\(d\d+\) heartbeat 2$")
    m.check("hvctl pause busy")
    assert re.search(r"^\d+\s+busy\s+paused\s", m.check("hvctl list"), re.M)
    seen = m.check("hvctl console busy")
    m.check("sleep 2")
    assert m.check("hvctl console busy") == seen, "a paused domain ran"
    m.check("hvctl unpause busy")
    beats = int(re.findall(r"heartbeat (\d+)", seen)[-1])
    m.wait_for(HV + r"\(d\d+\) heartbeat %d$" % (beats + 2))
    # Its CPU time is accounted (hvctl list's last column, seconds); the
    # test domain that only probed the platform used far less.
    rows = {r[1]: float(r[-1]) for r in
            (l.split() for l in m.check("hvctl list").splitlines()[1:])}
    assert rows["busy"] > 0.2, rows
    assert rows["c1"] < rows["busy"], rows

    # Destroyed domains are gone and their memory is back in the pool.
    m.check("hvctl destroy c1")
    m.check("hvctl destroy busy")  # still running: destroyed all the same
    assert "c1" not in m.check("hvctl list")
    assert free_mib(m) == free_before


def test_dom0_and_hypervisor_lines_never_split_each_other(boot_dom0):
    # dom0's bytes reach the serial port through the hypervisor's console,
    # which writes its own lines whole (common/console.c).  A domain that
    # floods its console (its lines echoed by the hypervisor) and dom0
    # printing 3000 lines at the same time: neither splits the other's.
    m = boot_dom0(smp=2)
    m.wait_for(r"^dom0: userspace ready$")
    status, out = m.run("hvctl create chatty 16 1 /usr/share/guests/chatty.elf"
                        " >/dev/null && seq 1 3000")
    assert status == 0, out
    # dom0's lines, with the hypervisor's whole lines taken out, as written.
    assert out.split("\n") == [str(i) for i in range(1, 3001)], out[-2000:]
    # The hypervisor's lines between the markers, each one whole: no byte of
    # dom0's inside.  At least one of the guest's landed there, so the two
    # were written at the same time.
    tag = "CMD%d" % m._cmd_seq
    start = list(re.finditer(split_anywhere("@@B" + tag) + r"(?!\d)",
                             m.output))[-1].end()
    end = re.search(split_anywhere("@@E%s " % tag), m.output[start:]).start()
    hv_lines = re.findall(HV_LINE, m.output[start:start + end])
    chatty = [l for l in hv_lines if " chatty " in l]
    assert chatty, m.output[start:start + end][-3000:]
    for line in chatty:
        assert re.fullmatch(HV + r"\(d\d+\) chatty \d{4} \.{50}\n", line), line
    for line in hv_lines:
        assert re.fullmatch(HV + r"[^@]*\n", line), line


def test_dom0_domain_commands_refuse_bad_input(boot_dom0):
    m = boot_dom0(smp=2)
    m.wait_for(r"^dom0: userspace ready$")
    free_before = free_mib(m)
    cases = [
        # hvabi.h's limits, checked by hvctl before it asks.
        ("hvctl create odd 3 1 /usr/share/guests/cpuid_msr.elf",
         "memory must be a multiple of 2 MiB"),
        ("hvctl create vast 1048576 1 /usr/share/guests/cpuid_msr.elf",
         "memory must be 2 to 524288 MiB"),
        ("hvctl create huge 100000 1 /usr/share/guests/cpuid_msr.elf", "not enough free memory"),
        ("hvctl create 'bad name' 16 1 /usr/share/guests/cpuid_msr.elf", "invalid argument"),
        ("hvctl create nofile 16 1 /nonexistent.elf", "cannot read"),
        ("hvctl create notelf 16 1 /etc/hostname", "not a Linux bzImage or PVH ELF kernel"),
        ("hvctl destroy nosuch", "no such domain"),
        ("hvctl pause 0", "no such domain"),       # dom0 is not a customer
        ("hvctl create nine 16 9 /usr/share/guests/cpuid_msr.elf", "vCPUs must be 1 to 8"),
    ]
    for command, message in cases:
        status, out = m.run(command + " 2>&1")
        assert status != 0, command
        assert message in out, (command, out)
    # Nothing was left half-built, and the pool is whole.
    assert not re.search(r"^[1-9]", m.check("hvctl list"), re.M)
    assert free_mib(m) == free_before


def test_x2apic_timer_against_kvmclock(boot):
    # Two domains on one domain CPU: the timer guest blocks in HLT while
    # the other runs, and its timers still fire on time.
    m = boot(smp=2, modules=[
        guest("timer_kvmclock", "name=timer mem=16M"),
        guest("neighbour", "name=neighbour mem=32M"),
    ])
    assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
    assert result(m, 1) == "SUCCESS", m.tail()
    assert result(m, 2) == "SUCCESS", m.tail()
    assert re.search(HV + r"\(d1\) one-shot 50 ms: fired after \d+ ms", m.output)


def test_smp_guest_starts_its_vcpus_and_exchanges_ipis(boot):
    # On three CPUs the two vCPUs run on different CPUs (IPIs cross CPUs,
    # with a kick); on two they share one.
    for cpus in (3, 2):
        m = boot(smp=cpus, modules=[guest("smp_ipi", "name=smp mem=16M vcpus=2")])
        assert m.wait_exit() == EXIT_BOOT_COMPLETE, m.tail()
        assert result(m, 1) == "SUCCESS", m.tail()
        assert "200 IPI round trips" in m.output
