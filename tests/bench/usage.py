#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: provisiond's usage export and the cost of usage sampling.

provisiond (the API tests' binary, build/provisiond/provisiond-testhv, with
the TEST-ONLY fake hypervisor, state on tmpfs) is started as bench-api
starts it.  Then:

  1. fill: SERVERS servers through POST /v1/servers (tests/bench/api.py's
     fill), then 31 days of hourly buckets for each, written straight into
     usage_hourly (provisiond stopped meanwhile): 1,000 x 744 rows;
  2. export: GET /v1/usage for the whole month, every server, in JSON and
     in CSV, at granularity month (one request), day (one request, limit
     100000) and hour (pages of 100,000 records): wall time from the
     first request to the last byte, and the bytes; the best of 3 runs;
  3. sampling: provisiond with --monitor-interval 1, every server running
     in the fake, for SAMPLE_S seconds: provisiond's CPU time (utime +
     stime, /proc/PID/stat) over the window, less that of the same window
     with --monitor-interval 0 (no sampling), divided by the samples taken
     (the window / 1 s), gives the CPU per sample of all servers; times
     360 (the default interval, 10 s) is the CPU per hour.  The fake's
     io_counters costs a failed fopen() per counter (no counters file);
     the product's costs a round trip to each domain's hv-backend socket,
     so the product's figure is this plus that syscall work.

Figures never fail the run; it exits 1 if something broke, 2 if it cannot
run (provisiond not built).

    make bench-usage    (or: tests/bench/usage.py [--servers N] [--sample-s S])
"""

import argparse
import http.client
import os
import shutil
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
sys.path.insert(0, HERE)

import pvd  # noqa: E402
from api import Api, Broken, fill  # noqa: E402
from benchlib import print_table  # noqa: E402

METERS = ["cpu_ns", "steal_ns", "disk_read_bytes", "disk_write_bytes", "disk_read_ops",
          "disk_write_ops", "net_rx_bytes", "net_tx_bytes", "net_rx_packets",
          "net_tx_packets", "disk_kib_seconds", "address_seconds", "existed_seconds",
          "running_seconds"]
MONTH = 1767225600		# 2026-01-01 00:00 UTC
DAYS = 31


def plant_buckets(db, servers):
    con = sqlite3.connect(db, timeout=30)
    rows = con.execute("SELECT id, tenant_id FROM servers").fetchall()
    if len(rows) != servers:
        raise Broken("%d servers in the database, %d made" % (len(rows), servers))
    sql = "INSERT INTO usage_hourly (server_id, tenant_id, hour_start, %s) VALUES (%s)" % (
        ", ".join(METERS), ", ".join("?" * (3 + len(METERS))))
    for n, (sid, tid) in enumerate(rows):
        con.executemany(sql, ((sid, tid, MONTH + h * 3600) +
                              tuple((n + 1) * (h + 1) * (i + 1) * 7919 for i in range(len(METERS)))
                              for h in range(DAYS * 24)))
    con.commit()
    con.close()
    return len(rows) * DAYS * 24


def timed_export(port, token, granularity, fmt, limit):
    """Every page of the month's export: (seconds, bytes, records)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.monotonic()
    size = records = 0
    cursor = None
    while True:
        path = "/v1/usage?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z" \
               "&granularity=%s&format=%s&limit=%d" % (granularity, fmt, limit)
        if cursor:
            path += "&cursor=" + cursor
        conn.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise Broken("%s answered %d: %s" % (path, r.status, body[:300]))
        size += len(body)
        if fmt == "csv":
            records += body.count(b"\r\n") - 1
            cursor = r.getheader("X-Next-Cursor")
        else:
            import json
            page = json.loads(body)
            records += len(page["items"])
            cursor = page["next_cursor"]
        if cursor is None:
            break
    conn.close()
    return time.monotonic() - start, size, records


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_over(d, seconds):
    before = cpu_s(d.proc.pid)
    time.sleep(seconds)
    return cpu_s(d.proc.pid) - before


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--servers", type=int, default=1000)
    ap.add_argument("--sample-s", type=int, default=30)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if not pvd.BINARY.exists():
        print("%s is not built: make provisiond-testhv" % pvd.BINARY, file=sys.stderr)
        return 2

    tmp = tempfile.mkdtemp(prefix="provisiond-bench-usage-")
    shm = tempfile.mkdtemp(prefix="provisiond-bench-usage-hv-",
                           dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    common = ["--stop-timeout", "30", "--http-threads", "4", "--job-workers", "2",
              "--hv-fake-state", os.path.join(shm, "hv-fake.json")]
    d = pvd.Daemon(tmp, *common, monitor_interval=0)
    rows, notes = [], []
    try:
        d.start()
        print("fill: %d servers through POST /v1/servers ..." % args.servers, flush=True)
        fill(Api(d.port, d.admin_token), args.servers)
        d.stop()
        t0 = time.monotonic()
        planted = plant_buckets(str(d.db), args.servers)
        print("planted %d hourly buckets in %.1f s" % (planted, time.monotonic() - t0),
              flush=True)
        d.start()
        for g, limit, want in (("month", 1000, args.servers),
                               ("day", 100000, args.servers * DAYS),
                               ("hour", 100000, planted)):
            for fmt in ("json", "csv"):
                runs = [timed_export(d.port, d.admin_token, g, fmt, limit) for _ in range(3)]
                best = min(runs)
                if best[2] != want:
                    raise Broken("%s %s: %d records, %d expected" % (g, fmt, best[2], want))
                rows.append(("export %s/%s" % (g, fmt), "%d records" % best[2],
                             "%.3f s" % best[0], "%.1f MiB" % (best[1] / 2**20)))
        # Sampling: the same daemon without, then with, the monitor.
        idle = cpu_over(d, args.sample_s)
        d.stop()
        d.args[d.args.index("--monitor-interval") + 1] = "1"
        d.start()
        time.sleep(2)
        busy = cpu_over(d, args.sample_s)
        per_sample = max(busy - idle, 0) / args.sample_s
        rows.append(("sampling, CPU per sample", "%d servers" % args.servers,
                     "%.1f ms" % (per_sample * 1000), ""))
        rows.append(("sampling, CPU per hour", "interval 10 s (360 samples)",
                     "%.1f s" % (per_sample * 360), "%.2f%% of a CPU" % (per_sample * 360 / 36)))
        notes.append("CPU without sampling over %d s: %.2f s; with 1 s sampling: %.2f s"
                     % (args.sample_s, idle, busy))
        rc = d.stop()
        if rc != 0:
            raise Broken("provisiond exited with %s" % rc)
    except Broken as e:
        print("BROKEN: %s" % e, file=sys.stderr)
        d.kill9()
        return 1
    finally:
        d.kill9()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(shm, ignore_errors=True)
    print_table(("figure", "of", "time", "size"), rows, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
