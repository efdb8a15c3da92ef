# SPDX-License-Identifier: GPL-2.0-only
"""Webhooks (docs/webhooks.md): endpoints through the API, events written
with the state change that caused them, signed deliveries from the outbox,
retries, isolation of slow receivers, delivery after a kill -9, and the
refusal of URLs that point at the appliance itself."""
import hashlib
import hmac
import http.server
import ipaddress
import json
import socket
import threading
import time

import pytest

from conftest import WEBHOOK_TEST_ARGS, World, unique

SECRET = "s3cret-s3cret-s3cret"
ALL_TYPES = ["job.succeeded", "job.failed", "server.state_changed", "server.suspended",
             "server.unsuspended", "server.traffic_overage"]


class Receiver:
    """A webhook receiver on 127.0.0.1: records every POST; mode "ok"
    answers 204, "fail" 500, "hang" holds the request until released."""

    def __init__(self, mode="ok", port=0):
        self.mode = mode
        self.received = []          # (headers dict, body bytes, monotonic time)
        self.lock = threading.Lock()
        self.release = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append((dict(self.headers), body, time.monotonic()))
                if receiver.mode == "hang":
                    receiver.release.wait(30)
                status = 500 if receiver.mode == "fail" else 204
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d/hook" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def events(self):
        """The received bodies as JSON, in order of arrival."""
        with self.lock:
            return [json.loads(b) for _, b, _ in self.received]

    def wait_for(self, pred, timeout=15, what="an event"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events() if pred(e)]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError("no %s arrived in %d s; got %s" % (
            what, timeout, [(e["type"], e.get("server_id")) for e in self.events()]))


def verify(headers, body, secret=SECRET):
    """The receiver's check of docs/webhooks.md."""
    ts = headers["X-Webhook-Timestamp"]
    expected = hmac.new(secret.encode(), ts.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Signature"] == "sha256=" + expected, headers
    assert abs(int(ts) - time.time()) < 300
    assert headers["X-Webhook-Event-Id"] == json.loads(body)["id"]
    assert headers["Content-Type"] == "application/json"


@pytest.fixture
def receiver():
    made = []

    def make(mode="ok", port=0):
        r = Receiver(mode, port)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


@pytest.fixture
def hooks(admin):
    """Registers webhooks on the shared daemon; deletes them after the test,
    so that no other test's events go to a receiver that is gone."""
    made = []

    def make(client, url, types=None, secret=SECRET, **kw):
        r = client.post("/v1/webhooks", json=dict(
            {"url": url, "secret": secret, "event_types": types or ALL_TYPES}, **kw))
        assert r.status_code == 201, r.text
        made.append((client, r.json()["id"]))
        return r.json()

    yield make
    for client, hook_id in made:
        client.delete("/v1/webhooks/" + hook_id, check=False)


def deliveries(admin, hook_id):
    return admin.list_all("/v1/webhooks/%s/deliveries" % hook_id)


def wait_deliveries(admin, hook_id, pred, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        items = deliveries(admin, hook_id)
        if pred(items):
            return items
        assert time.monotonic() < deadline, items
        time.sleep(0.1)


def test_events_arrive_once_signed(admin, world, tenant, receiver, hooks):
    r = receiver()
    hook = hooks(admin, r.url)
    assert hook["url"] == r.url and hook["enabled"] is True
    assert sorted(hook["event_types"]) == sorted(ALL_TYPES)
    assert "secret" not in hook
    assert "secret" not in admin.get("/v1/webhooks/" + hook["id"]).json()

    server, job = world.make_server(tenant[0]["id"])
    sid = server["id"]
    done = r.wait_for(lambda e: e["type"] == "job.succeeded" and e["server_id"] == sid)
    ev = done[0]
    assert ev["data"] == {"job_id": job["id"], "kind": "create", "server_id": sid}
    assert ev["tenant_id"] == tenant[0]["id"]
    assert ev["id"].startswith("evt_") and ev["created_at"].endswith("Z")
    r.wait_for(lambda e: e["type"] == "server.state_changed" and e["server_id"] == sid
               and e["data"]["to"] == "running", what="the state change to running")

    world.action(sid, "suspend")
    r.wait_for(lambda e: e["type"] == "server.suspended" and e["server_id"] == sid)
    r.wait_for(lambda e: e["type"] == "server.state_changed" and e["server_id"] == sid
               and e["data"]["to"] == "stopped", what="the state change to stopped")
    world.action(sid, "unsuspend")
    r.wait_for(lambda e: e["type"] == "server.unsuspended" and e["server_id"] == sid)

    # Every delivery is recorded as delivered at its first attempt, and
    # nothing arrives twice.
    time.sleep(1.5)
    with r.lock:
        received = list(r.received)
    ids = [json.loads(b)["id"] for _, b, _ in received]
    assert len(ids) == len(set(ids)), ids
    for headers, body, _ in received:
        verify(headers, body)
    items = wait_deliveries(admin, hook["id"],
                            lambda items: all(d["state"] == "delivered" for d in items))
    mine = {d["event_id"]: d for d in items}
    for e in r.events():
        d = mine[e["id"]]
        assert d["type"] == e["type"] and d["attempts"] == 1, d
        assert d["last_status"] == 204 and d["delivered_at"] and d["next_attempt_at"] is None


def test_job_failed_event(admin, daemon, world, tenant, receiver, hooks):
    r = receiver()
    hooks(admin, r.url, types=["job.failed"])
    daemon.set_faults("create fail HV_ENOSPC")
    try:
        server, job = world.make_server(tenant[0]["id"], wait=False)
        job = admin.wait_job(job["id"])
    finally:
        daemon.clear_faults()
    assert job["state"] == "failed"
    ev = r.wait_for(lambda e: e["server_id"] == server["id"])[0]
    assert ev["type"] == "job.failed"
    assert ev["data"]["job_id"] == job["id"] and ev["data"]["error_code"]
    # Only the subscribed type came.
    assert {e["type"] for e in r.events()} == {"job.failed"}


def test_update_disable_and_delete(admin, world, tenant, receiver, hooks):
    r = receiver()
    hook = hooks(admin, r.url, types=["job.succeeded"])
    new_secret = "another-secret-of-20b"
    p = admin.patch("/v1/webhooks/" + hook["id"], json={"secret": new_secret,
                                                        "event_types": ["job.succeeded",
                                                                        "job.failed"]})
    assert p.status_code == 200, p.text
    assert p.json()["event_types"] == ["job.succeeded", "job.failed"]
    assert p.json()["url"] == r.url and "secret" not in p.json()
    server, _ = world.make_server(tenant[0]["id"])
    r.wait_for(lambda e: e["server_id"] == server["id"])
    headers, body, _ = r.received[0]
    verify(headers, body, secret=new_secret)

    # Disabled: no event is queued for it.
    assert admin.patch("/v1/webhooks/" + hook["id"],
                       json={"enabled": False}).json()["enabled"] is False
    before = len(deliveries(admin, hook["id"]))
    world.action(server["id"], "stop")
    time.sleep(1.5)
    assert len(deliveries(admin, hook["id"])) == before
    assert len(r.received) == before

    assert any(h["id"] == hook["id"] for h in admin.list_all("/v1/webhooks"))
    assert admin.delete("/v1/webhooks/" + hook["id"]).status_code == 204
    assert admin.get("/v1/webhooks/" + hook["id"]).status_code == 404
    assert admin.get("/v1/webhooks/%s/deliveries" % hook["id"]).status_code == 404
    assert admin.patch("/v1/webhooks/" + hook["id"], json={"enabled": True}).status_code == 404
    assert admin.delete("/v1/webhooks/" + hook["id"]).status_code == 404


@pytest.mark.parametrize("url, words", [
    ("ftp://example.com/hook", "http or https"),
    ("example.com/hook", "URL"),
    ("http://user:pw@example.com/hook", "user name or password"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://0.0.0.0:80/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("https://example.com/#x", "fragment"),
])
def test_bad_urls(admin, url, words):
    r = admin.post("/v1/webhooks", json={"url": url, "secret": SECRET,
                                         "event_types": ["job.failed"]})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "url"
    assert words in r.json()["error"]["message"], r.json()


def test_bad_fields(admin):
    def post(**kw):
        body = dict({"url": "http://192.0.2.1/", "secret": SECRET,
                     "event_types": ["job.failed"]}, **kw)
        return admin.post("/v1/webhooks", json=body)

    for secret in ("x" * 15, "y" * 257, "\u00e9" * 129):   # 258 bytes
        r = post(secret=secret)
        assert r.status_code == 400 and r.json()["error"]["field"] == "secret", r.text
    for types in ([], ["job.exploded"], ["job.failed", "job.failed"]):
        r = post(event_types=types)
        assert r.status_code == 400 and r.json()["error"]["field"].startswith("event_types"), r.text
    r = post(url=None)
    assert r.status_code == 400 and r.json()["error"]["field"] == "url"
    r = admin.post("/v1/webhooks", json={"secret": SECRET, "event_types": ["job.failed"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "url"
    ok = post()
    assert ok.status_code == 201
    hook = ok.json()["id"]
    r = admin.patch("/v1/webhooks/" + hook, json={"url": "http://169.254.1.1/"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "url"
    assert admin.get("/v1/webhooks/" + hook).json()["url"] == "http://192.0.2.1/"
    assert admin.delete("/v1/webhooks/" + hook).status_code == 204


def test_customers_cannot_see_webhooks(admin, tenant, hooks):
    hook = hooks(admin, "http://192.0.2.1/x")
    _, customer = tenant
    r = customer.post("/v1/webhooks", json={"url": "http://192.0.2.1/", "secret": SECRET,
                                            "event_types": ["job.failed"]})
    assert r.status_code == 403
    assert customer.get("/v1/webhooks").status_code == 403
    for method in ("get", "delete"):
        assert getattr(customer, method)("/v1/webhooks/" + hook["id"]).status_code == 403
    assert customer.patch("/v1/webhooks/" + hook["id"], json={"enabled": False}).status_code == 403
    assert customer.get("/v1/webhooks/%s/deliveries" % hook["id"]).status_code == 403
    assert admin.get("/v1/webhooks/" + hook["id"]).json()["enabled"] is True


def test_slow_and_failing_receivers_block_nothing(own_daemon, receiver):
    d = own_daemon(*WEBHOOK_TEST_ARGS).start()
    admin = d.client(d.admin_token)
    world = World(d, admin)
    hanging, failing, good = receiver("hang"), receiver("fail"), receiver("ok")
    ids = {}
    for name, r in (("hang", hanging), ("fail", failing), ("good", good)):
        h = admin.post("/v1/webhooks", json={"url": r.url, "secret": SECRET,
                                             "event_types": ["job.succeeded"]})
        assert h.status_code == 201, h.text
        ids[name] = h.json()["id"]

    tenant = world.make_tenant()
    servers = []
    for _ in range(3):
        s, _ = world.make_server(tenant["id"])
        servers.append(s["id"])
    t0 = time.monotonic()
    # The good receiver gets all three while the hanging one holds its first.
    for sid in servers:
        good.wait_for(lambda e, sid=sid: e["server_id"] == sid, timeout=5)
    assert time.monotonic() - t0 < 5
    assert len(hanging.received) == 1
    # The API answers at once meanwhile.
    t = time.monotonic()
    assert admin.get("/v1/servers").status_code == 200
    assert time.monotonic() - t < 1

    # The failing receiver is retried (backoff from 1 s) with the same event.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        first = [e for e in failing.events() if e["server_id"] == servers[0]]
        if len(first) >= 2:
            break
        time.sleep(0.1)
    assert len(first) >= 2, failing.events()
    assert len({e["id"] for e in first}) == 1
    items = deliveries(admin, ids["fail"])
    assert all(i["state"] == "pending" and i["next_attempt_at"] for i in items), items
    assert max(i["attempts"] for i in items) >= 2
    assert any(i["last_status"] == 500 and "500" in i["last_error"] for i in items)

    # The hanging one times out (3 s), is recorded as such and retried.
    items = wait_deliveries(admin, ids["hang"],
                            lambda items: any(i["attempts"] >= 1 for i in items))
    timed_out = [i for i in items if i["attempts"] >= 1]
    assert timed_out[0]["last_status"] is None and timed_out[0]["last_error"], timed_out
    assert "timed out" in timed_out[0]["last_error"].lower() or \
        "timeout" in timed_out[0]["last_error"].lower(), timed_out
    hanging.mode = "ok"
    hanging.release.set()
    wait_deliveries(admin, ids["hang"],
                    lambda items: all(i["state"] == "delivered" for i in items), timeout=30)
    assert d.stop() == 0


def test_kill9_between_event_and_delivery(own_daemon, receiver):
    r = receiver()
    port = r.port
    r.close()                       # unavailable: connections are refused
    d = own_daemon(*WEBHOOK_TEST_ARGS).start()
    admin = d.client(d.admin_token)
    world = World(d, admin)
    hook = admin.post("/v1/webhooks", json={"url": "http://127.0.0.1:%d/hook" % port,
                                            "secret": SECRET,
                                            "event_types": ["job.succeeded"]}).json()
    server, job = world.make_server(world.make_tenant()["id"])
    items = wait_deliveries(admin, hook["id"], lambda items: len(items) == 1)
    assert items[0]["state"] == "pending"
    d.kill9()

    r = receiver(port=port)          # available again
    d.start()
    admin = d.client(d.admin_token)
    r.wait_for(lambda e: e["server_id"] == server["id"])
    items = wait_deliveries(admin, hook["id"],
                            lambda items: items[0]["state"] == "delivered")
    time.sleep(1.5)
    events = r.events()
    assert len(events) == 1, events
    assert events[0]["data"]["job_id"] == job["id"]
    verify(*r.received[0][:2])
    assert items[0]["event_id"] == events[0]["id"]
    assert d.stop() == 0


def local_name():
    """A name of this machine that resolves to one of its own or a loopback
    address, or None."""
    name = socket.gethostname()
    try:
        addrs = {ai[4][0] for ai in socket.getaddrinfo(name, 80, proto=socket.IPPROTO_TCP)}
    except OSError:
        return None
    return name if addrs and all(ipaddress.ip_address(a.split("%")[0]).is_loopback
                                 for a in addrs) else None


def test_loopback_refused_unless_allowed(own_daemon, receiver):
    d = own_daemon("--webhook-retry-base", "1").start()   # the product's default
    admin = d.client(d.admin_token)
    r = receiver()
    for url in (r.url, "http://localhost:%d/" % r.port, "http://[::1]:%d/" % r.port,
                "http://127.1.2.3/", "http://[::ffff:127.0.0.1]/"):
        res = admin.post("/v1/webhooks", json={"url": url, "secret": SECRET,
                                               "event_types": ["job.succeeded"]})
        assert res.status_code == 400, (url, res.text)
        assert res.json()["error"]["field"] == "url"
    # A name is resolved at delivery, and refused then without connecting.
    name = local_name()
    if name is None:
        pytest.skip("this machine's name does not resolve to loopback")
    hook = admin.post("/v1/webhooks", json={"url": "http://%s:%d/hook" % (name, r.port),
                                            "secret": SECRET,
                                            "event_types": ["job.succeeded"]})
    assert hook.status_code == 201, hook.text
    world = World(d, admin)
    world.make_server(world.make_tenant()["id"])
    items = wait_deliveries(admin, hook.json()["id"],
                            lambda items: items and items[0]["attempts"] >= 1)
    assert "refused" in items[0]["last_error"] and "loopback" in items[0]["last_error"], items
    assert items[0]["last_status"] is None
    assert r.received == []
    assert d.stop() == 0


def test_reconciler_reports_a_server_found_stopped(own_daemon, receiver):
    """provisiond stopped, and meanwhile the host lost a running server's
    domain (a crash, a reboot): the startup reconciliation records that
    server stopped and tells the webhooks so, once, with cause
    "reconciler"; servers it finds as they were get no event."""
    r = receiver()
    d = own_daemon(*WEBHOOK_TEST_ARGS).start()
    admin = d.client(d.admin_token)
    world = World(d, admin)
    hook = admin.post("/v1/webhooks", json={"url": r.url, "secret": SECRET,
                                            "event_types": ["server.state_changed"]})
    assert hook.status_code == 201, hook.text
    tenant = world.make_tenant()
    lost, _ = world.make_server(tenant["id"])
    kept, _ = world.make_server(tenant["id"])
    idle, _ = world.make_server(tenant["id"], start=False)
    assert idle["actual_state"] == "stopped"
    for sid in (lost["id"], kept["id"]):
        r.wait_for(lambda e, sid=sid: e["server_id"] == sid and e["data"]["to"] == "running")
    wait_deliveries(admin, hook.json()["id"],
                    lambda items: all(i["state"] == "delivered" for i in items))
    before = {e["id"] for e in r.events()}
    assert d.stop() == 0

    state = d.read_state()
    state["domains"] = [dom for dom in state["domains"] if dom["name"] != lost["id"]]
    d.write_state(state)
    d.start()
    admin = d.client(d.admin_token)

    def new_events():
        return [e for e in r.events() if e["id"] not in before]

    r.wait_for(lambda e: e["id"] not in before and e["server_id"] == lost["id"]
               and e["data"]["cause"] == "reconciler", what="the reconciler's event")
    # The reconciler queued a start for the lost one; let it finish, and
    # give late events time to arrive.
    for j in admin.list_all("/v1/jobs", params={"server_id": lost["id"]}):
        admin.wait_job(j["id"])
    time.sleep(1.5)
    found = [e for e in new_events() if e["data"]["cause"] == "reconciler"]
    assert len(found) == 1, new_events()
    ev = found[0]
    assert ev["type"] == "server.state_changed"
    assert ev["server_id"] == lost["id"] and ev["tenant_id"] == tenant["id"]
    assert ev["data"] == {"from": "running", "to": "stopped", "cause": "reconciler"}
    # Nothing about the servers whose state the reconciler found unchanged.
    assert [e for e in new_events() if e["server_id"] in (kept["id"], idle["id"])] == []
    assert admin.get("/v1/servers/" + kept["id"]).json()["actual_state"] == "running"
    assert d.stop() == 0
