# SPDX-License-Identifier: GPL-2.0-only
"""The web console on the appliance (issue 16): a customer logs in to the
panel's API with a session, asks for a console ticket and opens the
WebSocket from the host, over HTTPS, as a browser would; the console shows
the guest's boot (its recent output), and a command typed into the socket
runs in the guest (libhv's hv_domain_input to its UART) and its output
comes back.  A second use of the ticket is refused."""
import http.cookiejar
import json
import sys
import time
import urllib.request
from pathlib import Path

from pvd_dom0 import LOG, STARTED, tls_context
from test_provisiond_linux import Api, admin_token, guest_ready, running_domain

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from wsclient import Refused, WebSocket  # noqa: E402


def session_client(base):
    """urllib with a cookie jar, over the appliance's self-signed HTTPS."""
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar),
        urllib.request.HTTPSHandler(context=tls_context())), jar


def call(opener, base, method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with opener.open(req, timeout=90) as r:
        return r.status, r.headers, json.loads(r.read() or b"null")


def test_console_in_the_browser(boot_dom0):
    m = boot_dom0(smp=2, mem_mib=1024)
    started = m.wait_for(STARTED, timeout=150)
    assert "listening" in started.group(1), m.check("cat " + LOG)
    base = "https://127.0.0.1:%d" % m.https_port
    admin = Api(base, admin_token(m))

    tenant = admin.ok("POST", "/v1/tenants", {"name": "acme"}, status=201)
    token = admin.ok("POST", "/v1/tokens", {"name": "acme-panel", "scope": "customer",
                                             "tenant_id": tenant["id"]}, status=201)
    plan = admin.ok("POST", "/v1/plans", {"name": "linux-128", "vcpus": 1,
                                          "memory_mib": 128}, status=201)
    image = admin.ok("POST", "/v1/images", {
        "name": "debian-busybox", "kernel_path": "/usr/share/domu/vmlinuz",
        "initrd_path": "/usr/share/domu/initrd.img",
        "cmdline": m.check("cat /usr/share/domu/cmdline").strip()}, status=201)

    # The customer logs in: a Secure, HttpOnly, SameSite=Strict cookie.
    opener, jar = session_client(base)
    status, headers, session = call(opener, base, "POST", "/v1/sessions",
                                    {"token": token["secret"]})
    assert status == 201
    cookie = headers["Set-Cookie"]
    for attr in ("HttpOnly", "SameSite=Strict", "Secure"):
        assert attr in cookie, cookie
    csrf = {"X-CSRF-Token": session["csrf_token"]}

    mark = len(m.output)
    status, _, created = call(opener, base, "POST", "/v1/servers", {
        "plan_id": plan["id"], "image_id": image["id"], "hostname": "web-1"},
        headers=csrf)
    assert status == 202, created
    sid = created["server"]["id"]
    job = admin.wait_job(created["job"]["id"])
    assert job["state"] == "succeeded", (job, m.check("tail -n 20 " + LOG))
    domid = running_domain(m, admin, sid)
    guest_ready(m, domid, mark)

    status, _, ticket = call(opener, base, "POST",
                             "/v1/servers/%s/console-ticket" % sid, {"write": True},
                             headers=csrf)
    assert status == 201, ticket
    ws = WebSocket(m.https_port, ticket["ticket"], tls=True, timeout=60)
    # The recent output: the guest's boot.
    out, events = ws.read_until(lambda o, e: b"domU: userspace ready" in o, timeout=60)
    assert events[0] == {"type": "hello", "write": True}
    # A command typed in the socket runs in the guest.
    start = time.monotonic()
    ws.type("echo web-console-$((6 * 7))\r")
    out, _ = ws.read_until(lambda o, e: b"web-console-42" in o, timeout=60)
    print("console round trip under TCG: %.2f s" % (time.monotonic() - start))
    ws.close()

    try:
        WebSocket(m.https_port, ticket["ticket"], tls=True, timeout=60)
        raise AssertionError("a used ticket opened the console")
    except Refused as e:
        assert e.status == 403 and e.body["error"]["code"] == "console_ticket_invalid"
