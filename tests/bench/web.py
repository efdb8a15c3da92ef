#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: the web panel in a browser, with 200 servers.

provisiond-testhv (the API tests' daemon with the TEST-ONLY fake hypervisor,
tests/api/pvd.py) serves build/web from its web_root on loopback, plain
HTTP.  A tenant gets 200 servers (created through the API, every create job
waited for).  Then headless chromium (Debian's, through chromedriver):

  1. logs in as the tenant's customer (not timed);
  2. RUNS times: loads /servers afresh (the browser cache emptied over the
     DevTools protocol, so every asset is fetched again) and reads from the
     page's own Performance API:
       first paint            "first-contentful-paint" (the frame and header)
       list in the DOM        the mark "server-list-drawn", which the list
                              page sets once all 200 rows are in the DOM
                              and their links work (the API answered, the
                              rows are drawn)
       interactive list       the later of the two: the rows in the DOM
                              and painted
       DOMContentLoaded       navigation timing
     all in ms from the navigation's start; median and max are printed;
  3. the shipped assets' sizes: every file of build/web, raw and gzip -9
     (the server list loads index.html, main-*.js and main-*.css; the
     server page adds console-*.js, xterm.js, and graphs-*.js, uPlot)
     (provisiond sends them as they are; the gzip column shows what a
     compressing proxy would send).

Figures never fail the run: exit 1 if something broke, 2 if it cannot run.

    make bench-web      (or: tests/bench/web.py [--servers N] [--runs N])
"""

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "api"))
sys.path.insert(0, str(HERE))

import pvd  # noqa: E402
from benchlib import Broken, print_table  # noqa: E402

WEB_ROOT = Path(os.environ.get("WEB_ROOT", REPO / "build" / "web"))


def fill(admin, n):
    tenant = admin.post("/v1/tenants", json={"name": "bench"}).json()
    plan = admin.post("/v1/plans", json={"name": "bench", "vcpus": 1, "memory_mib": 128}).json()
    image = admin.post("/v1/images", json={"name": "bench", "kernel_path": "/boot/vmlinuz"}).json()
    jobs = []
    for i in range(n):
        r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                            "image_id": image["id"],
                                            "hostname": "web-%03d.example.com" % i})
        if r.status_code != 202:
            raise Broken("create: %d %s" % (r.status_code, r.text))
        jobs.append(r.json()["job"]["id"])
    for j in jobs:
        if admin.wait_job(j, timeout=120)["state"] != "succeeded":
            raise Broken("a create job failed")
    token = admin.post("/v1/tokens", json={"name": "bench", "scope": "customer",
                                           "tenant_id": tenant["id"]}).json()["secret"]
    return token


def measure(driver, url, n):
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get(url + "/servers")
    for _ in range(200):
        t = driver.execute_script("""
            const list = performance.getEntriesByName("server-list-drawn");
            const fcp = performance.getEntriesByName("first-contentful-paint");
            const nav = performance.getEntriesByType("navigation")[0];
            return {rows: document.querySelectorAll("#server-list tbody tr a").length,
                    list: list.length ? list[list.length - 1].startTime : null,
                    fcp: fcp.length ? fcp[0].startTime : null,
                    dcl: nav ? nav.domContentLoadedEventEnd : null};""")
        if t["list"] is not None and t["fcp"] is not None and t["rows"] == n:
            return t
        time.sleep(0.05)
    raise Broken("the list never showed %d servers: %r" % (n, t))


def asset_rows():
    rows, raw_total, gz_total = [], 0, 0
    for f in sorted(WEB_ROOT.rglob("*")):
        if not f.is_file():
            continue
        data = f.read_bytes()
        gz = len(gzip.compress(data, 9))
        raw_total += len(data)
        gz_total += gz
        rows.append((str(f.relative_to(WEB_ROOT)), "%d" % len(data), "%d" % gz))
    rows.append(("total", "%d" % raw_total, "%d" % gz_total))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=200)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not (WEB_ROOT / "index.html").exists() or not pvd.BINARY.exists():
        print("build first: make web provisiond-testhv", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    try:
        from browserlib import chrome
    except ImportError as e:
        print("needs python3-selenium, chromium, chromium-driver: %s" % e, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        d = pvd.Daemon(tmp, "--web-root", str(WEB_ROOT)).start()
        driver = None
        try:
            admin = d.client(d.admin_token)
            token = fill(admin, args.servers)
            driver = chrome(1280, 800)
            driver.get(d.url + "/login")
            driver.find_element("css selector", "#login-form input[name=token]").send_keys(token)
            driver.find_element("css selector", "#login-form button[type=submit]").click()
            measure(driver, d.url, args.servers)		# warm-up (and the login's redirect)
            runs = [measure(driver, d.url, args.servers) for _ in range(args.runs)]
        finally:
            if driver:
                driver.quit()
            rc = d.stop()
        if rc != 0:
            raise Broken("provisiond did not stop cleanly: %s" % rc)
    for r in runs:
        # The rows are usable once they are in the DOM and painted.
        r["interactive"] = max(r["list"], r["fcp"])
    rows = []
    for key, what in (("fcp", "first paint"), ("dcl", "DOMContentLoaded"),
                      ("list", "list of %d servers in the DOM" % args.servers),
                      ("interactive", "interactive list (in the DOM and painted)")):
        vals = [r[key] for r in runs]
        rows.append((what, "%.0f" % statistics.median(vals), "%.0f" % max(vals)))
    print_table(("figure (ms from navigation start)", "median", "max"), rows,
                ["%d loads, browser cache emptied before each; chromium %s, headless, 1280x800, "
                 "loopback, plain HTTP" % (args.runs, "(Debian)")])
    print_table(("shipped asset (build/web)", "bytes", "gzip -9"), asset_rows(), [])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Broken as e:
        print("bench-web: broken: %s" % e, file=sys.stderr)
        sys.exit(1)
