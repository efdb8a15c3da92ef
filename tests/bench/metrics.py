#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: GET /v1/metrics with 200 servers (issue 15's figure).

provisiond-testhv is started as the API tests start it (tests/api/pvd.py:
a temporary database, a free port on 127.0.0.1, the TEST-ONLY fake
hypervisor backend), 200 servers are created through the API (20 tenants,
every create job waited for), then /v1/metrics is scraped SCRAPES times
on one keep-alive connection after a few warm-up scrapes.  Printed: the
scrape time's median, p99 and max, the answer's size and its number of
series, next to the target (a scrape well under Prometheus's default 10 s
timeout: 50 ms).  Exits 1 if something broke (an answer that is not
200 text/plain with one CPU series per server), 2 if it cannot run.

The per-server meter families are the servers' usage totals, which
triggers keep from the hourly rows (migration 10): before the scrapes each
server is given --days days of hourly rows (31 by default: 148,800 rows
for 200 servers), written straight into the database as the monitor would
have, so that the scrape shows it does not read them all.

    make -f provisiond/build.mk bench-metrics   (or: tests/bench/metrics.py [--servers N])
"""
import argparse
import http.client
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
sys.path.insert(0, HERE)

import pvd  # noqa: E402
from benchlib import print_table  # noqa: E402

TENANTS = 20
TARGET_MS = 50.0


class Broken(Exception):
    pass


def call(conn, token, method, path, body=None, expect=200):
    headers = {"Authorization": "Bearer " + token}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    text = r.read()
    if r.status != expect:
        raise Broken("%s %s answered %d: %s" % (method, path, r.status, text[:300]))
    return r, text


def fill(conn, token, servers):
    tenants = [json.loads(call(conn, token, "POST", "/v1/tenants",
                               {"name": "m-%d" % i}, 201)[1])["id"] for i in range(TENANTS)]
    plan = json.loads(call(conn, token, "POST", "/v1/plans",
                           {"name": "m", "vcpus": 1, "memory_mib": 128}, 201)[1])["id"]
    image = json.loads(call(conn, token, "POST", "/v1/images",
                            {"name": "m", "kernel_path": "/k"}, 201)[1])["id"]
    jobs = []
    for i in range(servers):
        _, text = call(conn, token, "POST", "/v1/servers", {
            "tenant_id": tenants[i % TENANTS], "plan_id": plan, "image_id": image,
            "hostname": "m%d.example" % i}, 202)
        jobs.append(json.loads(text)["job"]["id"])
    for j in jobs:
        while True:
            job = json.loads(call(conn, token, "GET", "/v1/jobs/%s?wait=10" % j)[1])
            if job["state"] in ("succeeded", "failed"):
                if job["state"] == "failed":
                    raise Broken("create job %s failed: %s" % (j, job))
                break


def fill_hours(db, days):
    """days x 24 hourly usage rows per server, ending at the current hour."""
    now = int(time.time()) // 3600 * 3600
    con = sqlite3.connect(str(db), timeout=30)
    try:
        servers = con.execute("SELECT id, tenant_id FROM servers").fetchall()
        rows = ((sid, tid, now - h * 3600, 10**9, 10**6, 4096 * h, 8192, h, 2, 1500, 1400,
                 1, 1) for sid, tid in servers for h in range(days * 24))
        con.executemany("INSERT OR REPLACE INTO usage_hourly (server_id, tenant_id,"
                        " hour_start, cpu_ns, steal_ns, disk_read_bytes, disk_write_bytes,"
                        " disk_read_ops, disk_write_ops, net_rx_bytes, net_tx_bytes,"
                        " net_rx_packets, net_tx_packets)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.commit()
        return len(servers) * days * 24
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--servers", type=int, default=200)
    ap.add_argument("--scrapes", type=int, default=200)
    ap.add_argument("--days", type=int, default=31,
                    help="hourly usage rows per server, in days")
    args = ap.parse_args()
    if not pvd.BINARY.exists():
        print("%s not built: make -f provisiond/build.mk provisiond-testhv" % pvd.BINARY)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-metrics-") as tmp:
        d = pvd.Daemon(tmp).start()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=60)
            t0 = time.monotonic()
            fill(conn, d.admin_token, args.servers)
            fill_s = time.monotonic() - t0
            hours = fill_hours(d.db, args.days)
            for _ in range(5):
                call(conn, d.admin_token, "GET", "/v1/metrics")
            times, size, series, cpu = [], 0, 0, 0
            for _ in range(args.scrapes):
                t = time.perf_counter()
                r, text = call(conn, d.admin_token, "GET", "/v1/metrics")
                times.append((time.perf_counter() - t) * 1000)
                if not r.getheader("Content-Type", "").startswith("text/plain"):
                    raise Broken("not text/plain: %s" % r.getheader("Content-Type"))
                lines = [ln for ln in text.decode().splitlines() if ln and ln[0] != "#"]
                size, series = len(text), len(lines)
                cpu = sum(1 for ln in lines
                          if ln.startswith("provisiond_server_cpu_seconds_total{"))
            if cpu != args.servers:
                raise Broken("%d CPU series for %d servers" % (cpu, args.servers))
            conn.close()
        finally:
            rc = d.stop()
        if rc != 0:
            raise Broken("provisiond did not stop cleanly (%s)" % rc)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print_table(("figure", "value", "target"), [
        ("servers", str(args.servers), ""),
        ("hourly usage rows", "%d (%d days each)" % (hours, args.days), ""),
        ("scrape time, median", "%.2f ms" % statistics.median(times), "<= %.0f ms" % TARGET_MS),
        ("scrape time, p99", "%.2f ms" % p99, ""),
        ("scrape time, max", "%.2f ms" % times[-1], ""),
        ("answer size", "%d bytes" % size, ""),
        ("series", str(series), ""),
    ], ["%d scrapes on one keep-alive connection, loopback, plain HTTP; fill took %.1f s"
        % (args.scrapes, fill_s)])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Broken as e:
        print("bench-metrics: BROKEN: %s" % e)
        sys.exit(1)
