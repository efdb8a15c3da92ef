#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: provisiond's REST API on the host, with 1,000 servers.

provisiond (build/provisiond/provisiond, built for the host) is started as
the API tests start it (tests/api/pvd.py: a temporary database, a free port
on 127.0.0.1, the TEST-ONLY fake hypervisor backend --hv=fake, whose state
file goes on tmpfs), with the product's defaults for threads, workers and
the usage monitor.  Then:

  1. fill: 10 tenants, a plan, an image, and 1,000 servers created through
     POST /v1/servers (100 per tenant); every create job is waited for;
  2. list: wrk on loopback, GET /v1/servers with an admin token (the first
     page: 50 servers, the default limit), 100 connections, DURATION seconds
     each, after a short warm-up, twice:
       flat out: every connection sends its next request as soon as the
         answer arrives: the most requests per second provisiond serves;
       at the target rate: each connection waits 45 ms between requests
         (wrk's Lua delay()), so a little over 2,000 requests a second are
         offered: the latency at that load;
     requests per second and latency percentiles from wrk --latency;
  3. create: CREATES sequential POST /v1/servers by a customer, one
     connection, each timed from sending to the 202: median, p99, max;
  4. memory: provisiond's VmRSS and VmHWM (/proc/PID/status) after all that.

Why two list runs: with a fixed number of connections each waiting for its
answer (a closed loop, what wrk does), a server at full speed answers in
connections / throughput on average (Little's law), 100 / 10,000 per second
= 10 ms: flat out, the latency measures the queue wrk builds, not the
server.  So the targets are read as: at least 2,000 requests per second
flat out, and a p99 of at most 5 ms while serving 2,000 a second.  Both
runs' figures are printed.

It prints a table with each figure next to its target.  Figures never fail
the run: it exits 1 only if something broke (an answer that is not what the
API promises, wrk reporting non-2xx answers or socket errors other than
timeouts, provisiond dying or not stopping cleanly), and 2 if it cannot run
at all (wrk missing, provisiond not built).

    make bench-api      (or: tests/bench/api.py [--servers N] [--duration S] ...)
"""

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))

import pvd  # noqa: E402  (tests/api/pvd.py: starts provisiond as the API tests do)

TENANTS = 10
TARGET_RPS = 2000       # GET /v1/servers, requests per second, at least
TARGET_P99_MS = 5.0     # GET /v1/servers, p99 latency, at most
TARGET_CREATE_MS = 10.0  # POST /v1/servers until the 202, at most


class Broken(Exception):
    """Something that is not a matter of speed went wrong."""


class Api:
    """One keep-alive HTTP/1.1 connection to provisiond (http.client: less
    client overhead in the timings than requests)."""

    def __init__(self, port, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = token

    def call(self, method, path, body=None, expect=(200,)):
        headers = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        text = r.read()
        if r.status not in expect:
            raise Broken("%s %s answered %d, not %s: %s" % (
                method, path, r.status, expect, text[:500].decode(errors="replace")))
        return json.loads(text) if text else None

    def close(self):
        self.conn.close()


def wait_for_jobs(api, timeout):
    """Waits until no job is queued or running; returns the failed count."""
    deadline = time.monotonic() + timeout
    while True:
        busy = sum(len(api.call("GET", "/v1/jobs?state=%s&limit=1" % s)["items"])
                   for s in ("queued", "running"))
        if not busy:
            break
        if time.monotonic() > deadline:
            raise Broken("jobs still queued or running after %d s" % timeout)
        time.sleep(0.2)
    failed, cursor = 0, None
    while True:
        page = api.call("GET", "/v1/jobs?state=failed&limit=200" +
                        ("&cursor=" + cursor if cursor else ""))
        failed += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return failed


def fill(api, servers):
    """Tenants, a plan, an image, and `servers` servers; returns the
    ids needed later and the fill's duration."""
    tenants = [api.call("POST", "/v1/tenants", {"name": "bench-%d" % i},
                        expect=(201,))["id"] for i in range(TENANTS)]
    plan = api.call("POST", "/v1/plans", {"name": "bench", "vcpus": 1,
                                          "memory_mib": 512}, expect=(201,))["id"]
    image = api.call("POST", "/v1/images", {
        "name": "bench", "kernel_path": "/var/lib/images/vmlinuz",
        "cmdline": "console=hvc0"}, expect=(201,))["id"]
    start = time.monotonic()
    for i in range(servers):
        api.call("POST", "/v1/servers", {
            "tenant_id": tenants[i % TENANTS], "plan_id": plan, "image_id": image,
            "hostname": "s%d.bench.example" % i, "external_id": "bench-%d" % i},
            expect=(202,))
    accepted = time.monotonic() - start
    failed = wait_for_jobs(api, timeout=600)
    if failed:
        raise Broken("%d create jobs failed" % failed)
    return tenants, plan, image, accepted, time.monotonic() - start


def parse_ms(text):
    """wrk's durations: 812.00us, 1.23ms, 2.01s, 1.00m."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise Broken("cannot read wrk's duration %r" % text)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]
    return float(m.group(1)) * scale


def run_wrk(url, token, connections, threads, seconds, delay_ms=0, tmp=None):
    """wrk's figures; delay_ms > 0: each connection waits that long before
    each request (a Lua script defining wrk's delay())."""
    cmd = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds,
           "--latency", "-H", "Authorization: Bearer " + token]
    if delay_ms:
        script = os.path.join(tmp, "delay.lua")
        with open(script, "w") as f:
            f.write("function delay()\n  return %d\nend\n" % delay_ms)
        cmd += ["-s", script]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise Broken("wrk failed (%d): %s" % (out.returncode, out.stderr))
    text = out.stdout
    res = {"raw": text}
    m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if not m:
        raise Broken("no Requests/sec in wrk's output:\n" + text)
    res["rps"] = float(m.group(1))
    m = re.search(r"^\s+(\d+) requests in", text, re.M)
    res["requests"] = int(m.group(1)) if m else 0
    for pct in ("50", "75", "90", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % pct, text, re.M)
        if not m:
            raise Broken("no %s%% latency in wrk's output:\n%s" % (pct, text))
        res["p" + pct] = parse_ms(m.group(1))
    m = re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", text, re.M)
    res["max"] = parse_ms(m.group(1)) if m else float("nan")
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    res["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", text)
    res["sockerr"] = tuple(int(x) for x in m.groups()) if m else (0, 0, 0, 0)
    return res


def time_creates(api, tenant, plan, image, count):
    """Sequential creates by a customer; the milliseconds of each."""
    times = []
    for i in range(count):
        body = {"plan_id": plan, "image_id": image,
                "hostname": "c%d.bench.example" % i}
        t0 = time.perf_counter()
        api.call("POST", "/v1/servers", body, expect=(202,))
        times.append((time.perf_counter() - t0) * 1000)
    return times


def proc_status(pid):
    kib = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                kib[key] = int(value.split()[0])
    return kib


def percentile(values, pct):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(round(pct / 100.0 * len(s) + 0.5)) - 1))]


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--servers", type=int, default=1000)
    ap.add_argument("--duration", type=int, default=10, help="wrk seconds")
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--creates", type=int, default=200)
    ap.add_argument("--pvd-arg", action="append", default=[],
                    help="an extra provisiond flag, e.g. --pvd-arg=--http-threads=2")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directory (database, log)")
    args = ap.parse_args()

    if not shutil.which("wrk"):
        print("wrk is not installed: make deps-test (Debian package wrk)",
              file=sys.stderr)
        return 2
    if not pvd.BINARY.exists():
        print("%s is not built: make provisiond-testhv" % pvd.BINARY, file=sys.stderr)
        return 2

    tmp = tempfile.mkdtemp(prefix="provisiond-bench-")
    # The fake hypervisor's state file stands for the hypervisor's memory:
    # it goes on tmpfs, where rewriting it (300 KB twice per create with
    # 1,000 domains) does not add to the database disk's fsyncs, as it
    # would on the same ext4 (data=ordered writes the renamed files out at
    # the next journal commit, which the database's fsync waits for).
    shm = tempfile.mkdtemp(prefix="provisiond-bench-hv-",
                           dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    fs = subprocess.run(["df", "--output=fstype", tmp], capture_output=True,
                        text=True).stdout.split()[-1]
    # The product's defaults (http_threads 4, job_workers 2, monitor every
    # 10 s, stop_timeout 30 s); pvd.Daemon's test settings are overridden.
    d = pvd.Daemon(tmp, "--monitor-interval", "10", "--stop-timeout", "30",
                   "--http-threads", "4", "--job-workers", "2",
                   "--hv-fake-state", os.path.join(shm, "hv-fake.json"), *args.pvd_arg)
    status = 0
    try:
        d.start()
        pid = d.proc.pid
        print("provisiond %s, pid %d, port %d, database %s (%s), --hv=fake"
              % (pvd.BINARY, pid, d.port, d.db, fs), flush=True)
        admin = Api(d.port, d.admin_token)

        print("fill: %d servers through POST /v1/servers ..." % args.servers,
              flush=True)
        tenants, plan, image, accepted_s, filled_s = fill(admin, args.servers)
        total = 0
        cursor = None
        while True:
            page = admin.call("GET", "/v1/servers?limit=200" +
                              ("&cursor=" + cursor if cursor else ""))
            total += len(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        if total != args.servers:
            raise Broken("%d servers listed, %d created" % (total, args.servers))
        print("fill: %d creates accepted in %.1f s, all jobs done after %.1f s"
              % (args.servers, accepted_s, filled_s), flush=True)

        url = "http://127.0.0.1:%d/v1/servers" % d.port
        # A little above the target rate: each connection's wait starts
        # when its answer arrives, so the rate comes out a bit under
        # connections / delay.
        delay = int(1000 * args.connections / (TARGET_RPS * 1.1))
        print("list: wrk warm-up (2 s), then %d s flat out and %d s at about "
              "%d req/s (%d ms between requests), %d connections ..."
              % (args.duration, args.duration, TARGET_RPS, delay,
                 args.connections), flush=True)
        run_wrk(url, d.admin_token, args.connections, args.wrk_threads, 2)
        w = run_wrk(url, d.admin_token, args.connections, args.wrk_threads,
                    args.duration)
        wp = run_wrk(url, d.admin_token, args.connections, args.wrk_threads,
                     args.duration, delay_ms=delay, tmp=tmp)
        for run in (w, wp):
            if run["non2xx"] or any(run["sockerr"][:3]):
                print(run["raw"])
                raise Broken("wrk: %d non-2xx answers, socket errors (connect, "
                             "read, write, timeout) %s"
                             % (run["non2xx"], run["sockerr"]))

        print("create: %d sequential POST /v1/servers (customer token) ..."
              % args.creates, flush=True)
        # The tenant already holds the fill's servers: lift its quotas (the
        # safe defaults allow 2 servers), as a hoster would for a big one.
        admin.call("PATCH", "/v1/tenants/%s/policy" % tenants[0], {
            "max_servers": None, "max_vcpus": None, "max_memory_mib": None,
            "max_disk_gib": None, "max_ips": None})
        customer = admin.call("POST", "/v1/tokens", {
            "name": "bench", "scope": "customer", "tenant_id": tenants[0]},
            expect=(201,))["secret"]
        capi = Api(d.port, customer)
        times = time_creates(capi, tenants[0], plan, image, args.creates)
        capi.close()
        failed = wait_for_jobs(admin, timeout=600)
        if failed:
            raise Broken("%d create jobs failed" % failed)
        admin.close()

        mem = proc_status(pid)
        if d.proc.poll() is not None:
            raise Broken("provisiond exited (%d)" % d.proc.returncode)

        med, p99 = statistics.median(times), percentile(times, 99)
        rows = [
            ("GET /v1/servers flat out: requests/s",
             "%.0f" % w["rps"], ">= %d" % TARGET_RPS, verdict(w["rps"] >= TARGET_RPS)),
            ("  flat out: latency p50 / p99 / max",
             "%.1f / %.1f / %.0f ms" % (w["p50"], w["p99"], w["max"]), "", ""),
            ("GET /v1/servers at %.0f req/s: p99" % wp["rps"],
             "%.2f ms" % wp["p99"], "<= %.0f ms" % TARGET_P99_MS,
             verdict(wp["p99"] <= TARGET_P99_MS)),
            ("  at %.0f req/s: latency p50 / p90 / max" % wp["rps"],
             "%.2f / %.2f / %.1f ms" % (wp["p50"], wp["p90"], wp["max"]), "", ""),
            ("POST /v1/servers -> 202: median", "%.2f ms" % med,
             "<= %.0f ms" % TARGET_CREATE_MS, verdict(med <= TARGET_CREATE_MS)),
            ("POST /v1/servers -> 202: p99", "%.2f ms" % p99,
             "<= %.0f ms" % TARGET_CREATE_MS, verdict(p99 <= TARGET_CREATE_MS)),
            ("POST /v1/servers -> 202: max", "%.2f ms" % max(times), "", ""),
            ("provisiond VmRSS after the run", "%.1f MiB" % (mem["VmRSS"] / 1024),
             "", ""),
            ("provisiond VmHWM (peak RSS)", "%.1f MiB" % (mem["VmHWM"] / 1024),
             "", ""),
        ]
        print()
        print("provisiond API benchmark: %d servers, wrk -t%d -c%d -d%ds, %d creates, "
              "%d CPUs, database on %s"
              % (args.servers, args.wrk_threads, args.connections, args.duration,
                 args.creates, os.cpu_count(), fs))
        print("%-44s %-22s %-10s %s" % ("figure", "measured", "target", ""))
        print("-" * 86)
        for r in rows:
            print("%-44s %-22s %-10s %s" % r)
        print("-" * 86)
        print("wrk: %d + %d requests, %d + %d timeouts; fill: %.0f creates/s accepted"
              % (w["requests"], wp["requests"], w["sockerr"][3], wp["sockerr"][3],
                 args.servers / accepted_s))
        print("(figures, not pass/fail: the exit status is 0 unless something broke)")
    except Broken as e:
        print("bench-api: BROKEN: %s" % e, file=sys.stderr)
        status = 1
    finally:
        rc = d.stop()
        if status == 0 and rc != 0:
            print("bench-api: BROKEN: provisiond did not stop cleanly (%s); log:\n%s"
                  % (rc, d.log_text()[-3000:]), file=sys.stderr)
            status = 1
        if status and d.log.exists():
            print("provisiond's log ends:\n" + d.log_text()[-2000:], file=sys.stderr)
        if args.keep:
            print("kept %s and %s" % (tmp, shm))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(shm, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
