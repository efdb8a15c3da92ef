#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: customers' servers from the Debian 12 template (issue 13).

One table (docs/testing.md, "Customers' servers", explains each figure):

1. Direct: the template image (build/templates/debian-12.img, a fresh
   sparse copy grown to the plan's 3 GiB each run) as the virtio disk of a
   plain QEMU VM (the template's own kernel and initramfs, taken out of the
   image with debugfs, booted by QEMU's -kernel with the template's command
   line; a NoCloud seed disk made here as provisiond makes it; 1 vCPU,
   512 MiB, TCG, virtio-net on user networking): host seconds from QEMU's
   launch until `ssh root@` (the seed's key) answers through a forwarded
   port.  Median of RUNS.
2. The appliance (hypervisor, dom0 with provisiond), the template imported
   and registered as the hoster does it (tests/system/test_servers.py): a
   plan of 1 vCPU, 512 MiB, a 3 GiB root and a 1 GiB data disk, and
   address pools.  Through the API:
   - create-to-SSH-ready: host seconds from POST /v1/servers to the first
     `ssh root@<its IPv4> true` from dom0 that succeeds (tried every
     second); the create job's own time (to the first-boot ready line)
     beside it.  Each server is deleted after; median of RUNS.
   - reinstall-to-SSH-ready: the same for POST .../reinstall on one server
     (a new hostname each time: ssh must answer from the new system, so
     the wait ends on `hostname` printing it).  Median of RUNS.
   - the disk space a fresh server uses: after its first boot, each
     volume's allocated blocks (du) and dom0's data filesystem's used
     space (df) against before the create: the clone shares the
     template's extents, so df's growth is what the server really costs.
   - a 10 GiB clone: a server created stopped ("start": false) on a plan
     with a 10 GiB root and no data disk: its job makes the root volume (a
     reflink clone of the template, grown to 10 GiB, fsync'd) and the 2 MiB
     seed, nothing else.  Host seconds from the POST to the job's end (the
     API's long poll), and the CPU provisiond used meanwhile (utime +
     stime of it and its children, /proc/PID/stat; the FICLONE ioctl's
     kernel work is its stime) and all of dom0's (/proc/stat); the same
     for a 3 GiB root beside it.

It never fails on a figure: exit 1 when something broke (after printing
what it measured), 2 when a build product is missing.  Consoles:
build/test-logs/bench-servers-*.log.

    make bench-servers      (or: tests/bench/servers.py [--runs N] [--direct-only])
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "system"))

import domu  # noqa: E402
from benchlib import HV_ELF, Broken, build_iso, print_table  # noqa: E402
from domu import check, host_load  # noqa: E402
from machine import BUILD, Machine, blank_data_disk, free_port  # noqa: E402
from pvd_dom0 import STARTED  # noqa: E402
from test_provisiond_linux import Api, admin_token  # noqa: E402
from template_image import TEMPLATE, TEMPLATE_JSON, dump, make_seed  # noqa: E402

OVERLAY = os.path.join(BUILD, "tests", "dom0-overlay.cpio.gz")
GIB = 1 << 30
RUNS = 3

# The plan, and the direct VM made like it.
MEM_MIB = 512
VCPUS = 1
ROOT_GIB = 3
DATA_GIB = 1
CLONE_GIB = 10

# The appliance: dom0 1 GiB, one server at a time, a pool for the template
# (2 GiB), a server, a reinstall's second root and the 10 GiB clone.
APPLIANCE_MEM_MIB = 3072
HV_CMDLINE = "dom0_mem=1024"
DATA_DISK_BYTES = 32 << 30

SSH_OPTS = ("-o BatchMode=yes -o StrictHostKeyChecking=no "
            "-o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o LogLevel=ERROR")
DOM0_SSH = "ssh -i /tmp/key " + SSH_OPTS


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


# --- the appliance, as the system tests boot it ---------------------------------

def appliance(tmp, name, smp=2, mem_mib=APPLIANCE_MEM_MIB, data_bytes=DATA_DISK_BYTES,
              extra_drives=(), hv_cmdline=HV_CMDLINE):
    """A started Machine running the appliance (hypervisor, dom0, provisiond,
    the dom0 test tools), its data disk a fresh sparse file, host port
    m.https_port forwarded to dom0's 443; waits for provisiond.  m.api is
    an admin client."""
    iso = os.path.join(tmp, name + ".iso")
    build_iso(iso, hv_cmdline, [(domu.DOM0_KERNEL, domu.DOM0_CMDLINE),
                                (domu.DOM0_INITRD, ""), (OVERLAY, "")])
    data = os.path.join(tmp, name + "-data.img")
    blank_data_disk(data, data_bytes)
    port = free_port()
    args = ["-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:%d-:443" % port,
            "-device", "virtio-net-pci,netdev=net0",
            "-drive", "file=%s,if=virtio,format=raw" % data]
    for drive in extra_drives:
        args += ["-drive", "file=%s,if=virtio,format=raw" % drive]
    m = Machine(iso, name, smp=smp, mem_mib=mem_mib, debug_exit=False,
                extra_args=args).start()
    try:
        started = m.wait_for(STARTED, timeout=300)
        if "listening" not in started.group(1):
            raise Broken("provisiond did not start: %s" % started.group(1))
        m.https_port = port
        m.api = Api("https://127.0.0.1:%d" % port, admin_token(m))
    except BaseException:
        m.kill()
        raise
    return m


def ok(api, method, path, body=None, status=200):
    got, answer = api.call(method, path, body)
    if got != status:
        raise Broken("%s %s answered %d, not %d: %r" % (method, path, got, status, answer))
    return answer


def wait_job(api, job_id, timeout=900):
    deadline = time.monotonic() + timeout
    while True:
        job = ok(api, "GET", "/v1/jobs/%s?wait=60" % job_id)
        if job["state"] not in ("queued", "running"):
            return job
        if time.monotonic() > deadline:
            raise Broken("job %s still %s after %d s" % (job_id, job["state"], timeout))


# --- 1. the template directly under QEMU ----------------------------------------

def direct_boot(tmp, run, key_path, kernel, initrd, cmdline):
    """Host seconds from QEMU's launch to the first ssh that answers."""
    disk = os.path.join(tmp, "direct-root.img")
    subprocess.run(["cp", "--sparse=always", TEMPLATE, disk], check=True)
    os.truncate(disk, ROOT_GIB * GIB)
    seed = os.path.join(tmp, "direct-seed.img")
    if os.path.exists(seed):
        os.unlink(seed)
    seed_dir = os.path.join(tmp, "seed-%d" % run)
    os.makedirs(seed_dir, exist_ok=True)
    make_seed(seed, pathlib.Path(seed_dir), open(key_path + ".pub").read().strip())
    port = free_port()
    m = Machine(None, "bench-servers-direct-%d" % run, cpu="qemu64", smp=VCPUS,
                mem_mib=MEM_MIB, debug_exit=False,
                direct_kernel=(kernel, initrd, cmdline),
                extra_args=["-drive", "file=%s,if=virtio,format=raw" % disk,
                            "-drive", "file=%s,if=virtio,format=raw" % seed,
                            "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:22" % port,
                            "-device", "virtio-net-pci,netdev=n0"])
    with m:
        deadline = m.started + 600
        while time.monotonic() < deadline:
            p = subprocess.run(["ssh", "-i", key_path, "-p", str(port)] + SSH_OPTS.split()
                               + ["root@127.0.0.1", "true"], capture_output=True,
                               timeout=60)
            if p.returncode == 0:
                return time.monotonic() - m.started
            if m.proc.poll() is not None:
                break
            time.sleep(1)
        raise Broken("the direct VM never answered ssh; console tail:\n%s" % m.tail())


def direct_half(tmp, out, runs, key_path):
    meta = json.load(open(TEMPLATE_JSON))
    kernel = os.path.join(tmp, "vmlinuz")
    initrd = os.path.join(tmp, "initrd.img")
    dump(TEMPLATE, "/boot/vmlinuz-" + meta["kernel_version"], kernel)
    dump(TEMPLATE, "/boot/initrd.img-" + meta["kernel_version"], initrd)
    out["direct_cmdline"] = meta["cmdline"]
    times = out["direct"] = []
    for run in range(runs):
        times.append(direct_boot(tmp, run, key_path, kernel, initrd, meta["cmdline"]))
        print("[direct] run %d: QEMU launch -> ssh answers %.1f s" % (run + 1, times[-1]),
              flush=True)


# --- 2. the appliance -------------------------------------------------------------

def wait_ssh(m, address, expect=None, timeout=900):
    """Tries ssh from dom0 every second until it answers (and, with expect,
    `hostname` prints it)."""
    probe = "hostname" if expect else "true"
    test = ('[ "$(%s root@%s %s 2>/dev/null)" = %s ]' % (DOM0_SSH, address, probe, expect)
            if expect else "%s root@%s true 2>/dev/null" % (DOM0_SSH, address))
    # A subshell: exit in dom0's console shell itself would end it.
    check(m, "(i=0; until %s; do i=$((i+1)); [ $i -lt %d ] || exit 1; sleep 1; done)"
          % (test, timeout), timeout=timeout + 60)


def job_seconds(job):
    """The job's own time from its timestamps (whole seconds), or None."""
    try:
        from datetime import datetime
        f = "%Y-%m-%dT%H:%M:%SZ"
        return (datetime.strptime(job["finished_at"], f) -
                datetime.strptime(job["started_at"], f)).total_seconds()
    except (KeyError, TypeError, ValueError):
        return None


def kib_used(m):
    return int(check(m, "df -k /data | tail -n 1").split()[2])


def provisiond_cpu_ticks(m):
    """utime + stime + cutime + cstime of provisiond (clock ticks)."""
    pid = check(m, "pidof provisiond").split()[0]
    fields = check(m, "cat /proc/%s/stat" % pid).rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14))


def dom0_busy_ticks(m):
    """All of dom0's CPUs' non-idle ticks (/proc/stat's cpu line)."""
    cpu = check(m, "head -n 1 /proc/stat").split()[1:]
    values = [int(v) for v in cpu]
    return sum(values) - values[3] - values[4]		# less idle and iowait


def clone_figure(m, api, plan, tpl, tenant_id, gib):
    """(host seconds, provisiond CPU s, dom0 busy CPU s) of a stopped
    server's create with a root of gib GiB; the server is deleted after."""
    ticks = int(check(m, "getconf CLK_TCK 2>/dev/null || echo 100").strip() or 100)
    p0, d0, t0 = provisiond_cpu_ticks(m), dom0_busy_ticks(m), time.monotonic()
    answer = ok(api, "POST", "/v1/servers", {
        "tenant_id": tenant_id, "plan_id": plan["id"], "template_id": tpl["id"],
        "hostname": "clone-%d" % gib, "start": False}, status=202)
    job = wait_job(api, answer["job"]["id"])
    t1, p1, d1 = time.monotonic(), provisiond_cpu_ticks(m), dom0_busy_ticks(m)
    if job["state"] != "succeeded":
        raise Broken("the %d GiB create failed: %r" % (gib, job))
    server = ok(api, "GET", "/v1/servers/" + answer["server"]["id"])
    root = [v for v in server["volumes"] if v["kind"] == "root"][0]
    if root["size_bytes"] != gib * GIB:
        raise Broken("the root volume is %d bytes, not %d GiB" % (root["size_bytes"], gib))
    job = ok(api, "DELETE", "/v1/servers/" + server["id"], status=202)["job"]
    wait_job(api, job["id"])
    return t1 - t0, (p1 - p0) / ticks, (d1 - d0) / ticks


def appliance_half(tmp, out, runs, key_path):
    meta = json.load(open(TEMPLATE_JSON))
    template = os.path.join(tmp, "template.img")
    subprocess.run(["cp", "--sparse=always", TEMPLATE, template], check=True)
    m = appliance(tmp, "bench-servers-appliance", extra_drives=[template])
    res = out["appliance"] = {}
    try:
        api = m.api
        print("[appliance] up; importing the template", flush=True)
        m.check("mkdir -p /data/templates && "
                "e2image -ra /dev/vdb /data/templates/debian-12.img", timeout=900)
        tpl = ok(api, "POST", "/v1/templates", {
            "name": "debian-12", "path": "/data/templates/debian-12.img",
            "os": meta["os"], "cmdline": meta["cmdline"], "min_disk_gib": 2}, status=201)
        plan = ok(api, "POST", "/v1/plans", {
            "name": "bench-s", "vcpus": VCPUS, "memory_mib": MEM_MIB,
            "root_disk_gib": ROOT_GIB, "data_disk_gib": DATA_GIB}, status=201)
        ok(api, "POST", "/v1/ip-pools", {
            "name": "v4", "family": 4, "network": "10.77.0.0/24",
            "gateway": "10.77.0.1", "dns": ["10.77.0.53"]}, status=201)
        tenant = ok(api, "POST", "/v1/tenants", {"name": "bench"}, status=201)
        key = open(key_path + ".pub").read().strip()
        m.check("printf '%%s' %s > /tmp/key && chmod 600 /tmp/key"
                % shell_quote(open(key_path).read()))

        # Create to ssh-ready, RUNS times; the first server's disk space.
        res["create"], res["create_job"] = [], []
        for run in range(runs):
            before = kib_used(m)
            t0 = time.monotonic()
            answer = ok(api, "POST", "/v1/servers", {
                "tenant_id": tenant["id"], "plan_id": plan["id"],
                "template_id": tpl["id"], "hostname": "bench-%d" % run,
                "root_password": "bench-Pa55word", "ssh_keys": [key]}, status=202)
            server_id = answer["server"]["id"]
            server = ok(api, "GET", "/v1/servers/" + server_id)
            v4 = [a["address"] for a in server["addresses"] if a["family"] == 4][0]
            wait_ssh(m, v4)
            res["create"].append(time.monotonic() - t0)
            job = wait_job(api, answer["job"]["id"])
            if job["state"] != "succeeded":
                raise Broken("create job: %r" % job)
            res["create_job"].append(job_seconds(job))
            print("[appliance] create %d: POST -> ssh answers %.1f s (job %s s)"
                  % (run + 1, res["create"][-1], res["create_job"][-1]), flush=True)
            if run == 0:
                check(m, "sync")
                server = ok(api, "GET", "/v1/servers/" + server_id)
                res["space"] = {"df_kib": kib_used(m) - before, "volumes": []}
                for v in server["volumes"]:
                    du = check(m, "du -k /data/volumes/%s.img" % v["id"]).split()[0]
                    res["space"]["volumes"].append((v["kind"], v["size_bytes"], int(du)))
            if run < runs - 1:
                job = ok(api, "DELETE", "/v1/servers/" + server_id, status=202)["job"]
                wait_job(api, job["id"])

        # Reinstall to ssh-ready, RUNS times, on the last server.
        res["reinstall"], res["reinstall_job"] = [], []
        for run in range(runs):
            t0 = time.monotonic()
            answer = ok(api, "POST", "/v1/servers/%s/reinstall" % server_id, {
                "template_id": tpl["id"], "hostname": "again-%d" % run,
                "ssh_keys": [key]}, status=202)
            wait_ssh(m, v4, expect="again-%d" % run)
            res["reinstall"].append(time.monotonic() - t0)
            job = wait_job(api, answer["job"]["id"])
            if job["state"] != "succeeded":
                raise Broken("reinstall job: %r" % job)
            res["reinstall_job"].append(job_seconds(job))
            print("[appliance] reinstall %d: POST -> ssh answers %.1f s (job %s s)"
                  % (run + 1, res["reinstall"][-1], res["reinstall_job"][-1]), flush=True)
        job = ok(api, "DELETE", "/v1/servers/" + server_id, status=202)["job"]
        wait_job(api, job["id"])

        # The clone, 10 GiB and 3 GiB, of servers created stopped.
        res["clone"] = {}
        for gib in (CLONE_GIB, ROOT_GIB):
            p = ok(api, "POST", "/v1/plans", {
                "name": "bench-clone-%d" % gib, "vcpus": 1, "memory_mib": MEM_MIB,
                "root_disk_gib": gib}, status=201)
            res["clone"][gib] = clone_figure(m, api, p, tpl, tenant["id"], gib)
            print("[appliance] %d GiB clone: %.2f s, provisiond %.2f s CPU, dom0 %.2f s CPU"
                  % ((gib,) + res["clone"][gib]), flush=True)
        res["fs"] = check(m, "grep ' /data ' /proc/mounts").split()[2]
    finally:
        m.kill()


# --- the report ---------------------------------------------------------------------

def median_cell(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return "%.1f s (%s)" % (statistics.median(values), ", ".join("%.1f" % v for v in values))


def report(out, load, seconds, runs):
    d, a = out.get("direct", []), out.get("appliance", {})
    rows, notes = [], []
    dm = statistics.median(d) if d else None
    rows.append(("boot to ssh, template directly under QEMU", median_cell(d), ""))
    for key, what in (("create", "create to ssh (POST -> ssh answers)"),
                      ("reinstall", "reinstall to ssh (POST -> new system's ssh)")):
        v = a.get(key, [])
        ratio = "%.2fx direct" % (statistics.median(v) / dm) if v and dm else ""
        rows.append((what, median_cell(v), ratio))
        rows.append(("  its job (to the first-boot ready line)", median_cell(
            a.get(key + "_job", [])), "whole seconds"))
    space = a.get("space")
    if space:
        for kind, size, du in space["volumes"]:
            rows.append(("fresh server: %s volume allocated (du)" % kind,
                         "%.1f MiB" % (du / 1024), "of %.0f MiB" % (size / (1 << 20))))
        rows.append(("fresh server: dom0's /data used grew by (df)",
                     "%.1f MiB" % (space["df_kib"] / 1024), "create + first boot"))
    for gib, (t, pcpu, dcpu) in sorted(a.get("clone", {}).items(), reverse=True):
        rows.append(("%d GiB root clone (create of a stopped server)" % gib,
                     "%.2f s" % t, "provisiond %.2f s CPU, dom0 %.2f s CPU" % (pcpu, dcpu)))
    notes.append(
        "direct: build/templates/debian-12.img (fresh sparse copy grown to %d GiB) as "
        "virtio disk, a NoCloud seed disk, the template's kernel and initramfs by QEMU "
        "-kernel with %r; -cpu qemu64 -smp %d -m %d, TCG, virtio-net-pci on user "
        "networking; ssh from the host through a forwarded port, tried every second."
        % (ROOT_GIB, out.get("direct_cmdline", "?"), VCPUS, MEM_MIB))
    notes.append(
        "appliance: -smp 2 (dom0 on CPU 0 with 1 GiB, the server on CPU 1), a plan of "
        "%d vCPU, %d MiB, %d GiB root, %d GiB data; ssh from dom0 to the server's "
        "routed IPv4, tried every second; each create's server deleted before the "
        "next; reinstalls on one server (new hostname each: the wait ends when the "
        "new system answers). Clone rows: a server created with \"start\": false on "
        "a plan with only a root disk: the job clones the template (reflink on "
        "dom0's %s) grows it to the size, fsyncs, and writes the 2 MiB seed; host "
        "seconds from POST to the job's end through the API's long poll; CPU from "
        "/proc (provisiond: utime+stime+cutime+cstime; dom0: /proc/stat non-idle)."
        % (VCPUS, MEM_MIB, ROOT_GIB, DATA_GIB, a.get("fs", "data filesystem")))
    notes.append("medians of %d runs, each run in brackets; host: %d CPUs, load %.1f "
                 "before; %.0f s in all" % (runs, os.cpu_count(), load, seconds))
    print_table(("figure", "measured", "note"), rows, ["\n\n".join(notes)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=RUNS)
    ap.add_argument("--direct-only", action="store_true")
    args = ap.parse_args()
    needed = [TEMPLATE, TEMPLATE_JSON]
    if not args.direct_only:
        needed += [HV_ELF, domu.DOM0_KERNEL, domu.DOM0_INITRD, OVERLAY]
    for path in needed:
        if not os.path.exists(path):
            print("%s is missing: run `make iso dom0-test-overlay templates`" % path)
            return 2

    out, status = {}, 0
    start, load = time.monotonic(), host_load()
    print("servers benchmark; host: %d CPUs, load %.1f" % (os.cpu_count(), load), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        key = os.path.join(tmp, "key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                        "bench@appliance", "-f", key], check=True)
        try:
            print("[direct] booting the template under QEMU", flush=True)
            direct_half(tmp, out, args.runs, key)
            if not args.direct_only:
                print("[appliance] booting", flush=True)
                appliance_half(tmp, out, args.runs, key)
        except (Broken, AssertionError, subprocess.CalledProcessError,
                subprocess.TimeoutExpired) as e:
            print("\nbench-servers: broken: %s" % e, flush=True)
            status = 1
    report(out, load, time.monotonic() - start, args.runs)
    print("\n(consoles in build/test-logs/bench-servers-*.log)")
    return status


if __name__ == "__main__":
    sys.exit(main())
