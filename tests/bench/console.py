#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmark: the browser console's echo latency on the appliance (issue 16).

The appliance boots as `make run` boots it: build/appliance.iso (the
product ISO, no test tools), 2 vCPUs and 2 GiB under TCG, dom0's port 443
forwarded to the host, a fresh data disk.  Through the REST API the hoster
registers the busybox kernel image dom0 ships (/usr/share/domu), a tenant,
its customer token and a 128 MiB plan; the customer's server boots to its
shell on the console.  Then, for KEYS keystrokes each (typed as comment
lines, `#ws<n>-abcdefghij` and `#page<n>-abcdefghij`, so the shell runs
nothing):

  1. the WebSocket alone: a client on the host opens /v1/console with a
     write ticket (tests/api/wsclient.py) and sends one key a frame; the
     figure is host milliseconds from the send to the key's echo arriving
     in an output frame.  The path: provisiond, libhv's input to the
     guest's UART, the guest's tty echo, its console ring, provisiond's
     poll of it, the socket back;
  2. the page: headless chromium (Debian's) logged in as the customer on
     the server page, the console opened (xterm.js); a key is sent to
     xterm's textarea, and the page itself measures, with its own clock
     (performance.now()), from the keydown event to the moment a mutation
     of xterm's rows shows the echoed line.  This is what a person sees:
     the WebSocket path plus the page's input and drawing.

Each: median, 90th percentile and max over the keys.  Host load (the
machines are shared) is printed beside them.  Figures never fail the run:
exit 1 when something broke, 2 when a build product is missing.  The
appliance's console: build/test-logs/bench-console.log.

    make bench-console      (or: tests/bench/console.py [--keys N])
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "system"))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
sys.path.insert(0, os.path.join(HERE, "..", "browser"))

from benchlib import Broken, print_table  # noqa: E402
from domu import host_load  # noqa: E402
from machine import BUILD, Machine, blank_data_disk, free_port  # noqa: E402
from pvd_dom0 import STARTED  # noqa: E402
from test_provisiond_linux import Api, admin_token, guest_ready  # noqa: E402

ISO = os.path.join(BUILD, "appliance.iso")
# As make run (packaging/run-qemu.sh's defaults).
SMP = 2
MEM_MIB = 2048
DATA_BYTES = 4 << 30
LETTERS = "abcdefghij"
# The shell's prompt on the busybox guest's console.
PROMPT = b"# "

# Installed in the page once the console is open: the time of the next
# keydown, and of the first change of xterm's rows that shows `want`.
PAGE_PROBE = """
const rows = document.querySelector('#terminal .xterm-rows');
const p = window.__echo = {want: null, down: null, seen: null};
document.addEventListener('keydown', () => {
  if (p.want !== null && p.down === null) p.down = performance.now();
}, true);
new MutationObserver(() => {
  if (p.want !== null && p.down !== null && p.seen === null &&
      rows.textContent.includes(p.want))
    p.seen = performance.now();
}).observe(rows, {subtree: true, childList: true, characterData: true});
"""


def boot(tmp):
    """The appliance as make run boots it; waits for provisiond."""
    data = os.path.join(tmp, "data.img")
    blank_data_disk(data, DATA_BYTES)
    port = free_port()
    m = Machine(ISO, "bench-console", smp=SMP, mem_mib=MEM_MIB, debug_exit=False,
                extra_args=["-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:%d-:443" % port,
                            "-device", "virtio-net-pci,netdev=net0",
                            "-drive", "file=%s,if=virtio,format=raw" % data]).start()
    try:
        started = m.wait_for(STARTED, timeout=300)
        if "listening" not in started.group(1):
            raise Broken("provisiond did not start: %s" % started.group(1))
        m.https_port = port
    except BaseException:
        m.kill()
        raise
    return m


def customer_server(m, admin):
    """A busybox server of a new tenant, booted to its shell: (customer
    token, server id)."""
    tenant = admin.ok("POST", "/v1/tenants", {"name": "bench"}, status=201)
    token = admin.ok("POST", "/v1/tokens", {"name": "bench", "scope": "customer",
                                             "tenant_id": tenant["id"]}, status=201)
    plan = admin.ok("POST", "/v1/plans", {"name": "bench-128", "vcpus": 1,
                                          "memory_mib": 128}, status=201)
    image = admin.ok("POST", "/v1/images", {
        "name": "busybox", "kernel_path": "/usr/share/domu/vmlinuz",
        "initrd_path": "/usr/share/domu/initrd.img",
        "cmdline": m.check("cat /usr/share/domu/cmdline").strip()}, status=201)
    mark = len(m.output)
    created = admin.ok("POST", "/v1/servers", {
        "tenant_id": tenant["id"], "plan_id": plan["id"], "image_id": image["id"],
        "hostname": "console-bench"}, status=202)
    job = admin.wait_job(created["job"]["id"])
    if job["state"] != "succeeded":
        raise Broken("create job: %r" % job)
    sid = created["server"]["id"]
    domid = admin.ok("GET", "/v1/servers/" + sid)["domain_id"]
    guest_ready(m, domid, mark)
    return token["secret"], sid


def socket_echo(m, customer, sid, keys):
    """Host ms from a key's frame to its echo, over the WebSocket alone."""
    from wsclient import WebSocket
    ticket = customer.ok("POST", "/v1/servers/%s/console-ticket" % sid, {"write": True},
                      status=201)["ticket"]
    ws = WebSocket(m.https_port, ticket, tls=True, timeout=60)
    try:
        ws.read_until(lambda o, e: b"domU: userspace ready" in o, timeout=60)
        ws.type("\r")
        ws.read_until(lambda o, e: PROMPT in o, timeout=60)
        samples, line = [], 0
        while len(samples) < keys:
            ws.type("#ws%d-" % line)
            ws.read_until(lambda o, e: ("#ws%d-" % line).encode() in o, timeout=30)
            for ch in LETTERS[:keys - len(samples)]:
                start = time.monotonic()
                ws.type(ch)
                ws.read_until(lambda o, e: ch.encode() in o, timeout=30)
                samples.append((time.monotonic() - start) * 1000)
            ws.type("\r")
            ws.read_until(lambda o, e: PROMPT in o, timeout=30)
            line += 1
        return samples
    finally:
        ws.close()


def page_echo(m, token, sid, keys):
    """Page ms from keydown to the echo drawn in xterm's rows."""
    from browserlib import Panel, chrome
    driver = chrome(1280, 800, insecure_tls=True)
    try:
        p = Panel(driver, "https://127.0.0.1:%d" % m.https_port, "bench-console")
        p.login(token)
        p.go("/servers/" + sid)
        p.wait_text("#server-state", "running", 60)
        p.open_console(60)
        p.type_console("\n")
        p.wait_terminal("# ", 60)
        driver.execute_script(PAGE_PROBE)
        samples, line = [], 0
        while len(samples) < keys:
            # Not the socket's lines, which the page shows as the
            # console's recent output.
            typed = "#page%d-" % line
            p.type_console(typed)
            p.wait_terminal(typed, 30)
            for ch in LETTERS[:keys - len(samples)]:
                typed += ch
                driver.execute_script(
                    "Object.assign(window.__echo, {want: arguments[0], down: null, seen: null})",
                    typed)
                p.type_console(ch)
                p.wait(lambda d: d.execute_script("return window.__echo.seen !== null"), 30,
                       "the echo of %r" % typed)
                t = driver.execute_script("const p = window.__echo; p.want = null; return p;")
                if t["down"] is None:
                    raise Broken("no keydown seen for %r" % ch)
                samples.append(t["seen"] - t["down"])
            p.type_console("\n")
            line += 1
        p.shot("typed")
        return samples
    finally:
        driver.quit()


def summary(what, samples):
    s = sorted(samples)
    p90 = s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]
    return (what, "%d" % len(s), "%.1f" % statistics.median(s), "%.1f" % p90, "%.1f" % s[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=50)
    args = ap.parse_args()
    if not os.path.exists(ISO):
        print("build first: make iso (%s is missing)" % ISO, file=sys.stderr)
        return 2
    try:
        import browserlib  # noqa: F401
    except ImportError as e:
        print("needs python3-selenium, chromium, chromium-driver: %s" % e, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        m = boot(tmp)
        try:
            admin = Api("https://127.0.0.1:%d" % m.https_port, admin_token(m))
            token, sid = customer_server(m, admin)
            load_before = host_load()
            ws = socket_echo(m, Api(admin.base, token), sid, args.keys)
            page = page_echo(m, token, sid, args.keys)
            load_after = host_load()
        finally:
            m.kill()
    print_table(("console echo, keypress to echo (ms)", "keys", "median", "p90", "max"),
                [summary("WebSocket alone (host clock, send to echo frame)", ws),
                 summary("in the page (keydown to xterm's rows, page clock)", page)],
                ["the appliance as make run boots it (2 vCPUs, 2 GiB, TCG), a busybox server "
                 "of 128 MiB at its shell; host load %s before, %s after" % (
                     load_before, load_after)])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Broken as e:
        print("bench-console: broken: %s" % e, file=sys.stderr)
        sys.exit(1)
