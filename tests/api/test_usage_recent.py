# SPDX-License-Identifier: GPL-2.0-only
"""
GET /v1/servers/{id}/usage/recent: a server's counters per minute over the
last hour, from provisiond's memory (provisiond/usage_recent.c;
docs/usage.md), fed by the monitor (every second in these tests):

- a running server's minutes show CPU time, minute-aligned, oldest first;
- with the fake hypervisor's counters file setting the counters, the
  minutes add up exactly to what the domain counted, as the hourly
  buckets do;
- whoever may read the server may read its minutes: its tenant's
  customer and the admin; another tenant's customer and unknown ids get
  404, and so is a server once deleted.
"""
import time
from datetime import datetime, timezone

from test_usage_export import fake_keys, set_counters, totals, wait_totals

KEPT = ["cpu_ns", "steal_ns", "disk_read_bytes", "disk_write_bytes", "net_rx_bytes",
        "net_tx_bytes"]


def recent(client, server_id):
    r = client.get("/v1/servers/%s/usage/recent" % server_id)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["server_id"] == server_id and body["minute_seconds"] == 60
    return body["minutes"]


def epoch(ts):
    return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=timezone.utc).timestamp())


def wait_minutes(client, server_id, ok, timeout=15):
    """The server's minutes once ok(minutes) holds (the monitor samples
    every second)."""
    deadline = time.monotonic() + timeout
    minutes = recent(client, server_id)
    while not ok(minutes):
        assert time.monotonic() < deadline, "minutes: %s" % minutes
        time.sleep(0.2)
        minutes = recent(client, server_id)
    return minutes


def sums(minutes):
    return {k: sum(m[k] for m in minutes) for k in KEPT}


def test_running_server_shows_cpu_per_minute(world, admin, tenant):
    t, customer = tenant
    born = time.time()
    s = world.make_server(t["id"])[0]
    minutes = wait_minutes(admin, s["id"], lambda ms: any(m["cpu_ns"] > 0 for m in ms))
    starts = [epoch(m["start"]) for m in minutes]
    now = time.time()
    assert starts == sorted(set(starts))			# oldest first, one each
    assert all(t0 % 60 == 0 for t0 in starts)		# UTC minutes
    assert now - 3600 - 60 < starts[0] and starts[-1] <= now + 1
    assert all(set(m) == {"start", "seconds"} | set(KEPT) for m in minutes)
    # The seconds the samples covered: what a rate divides by.  The
    # server is seconds old, so they add up to at most its age.
    assert all(0 <= m["seconds"] <= 60 for m in minutes)
    assert 0 < sum(m["seconds"] for m in minutes) <= time.time() - born + 2, minutes

    # The tenant's customer sees the same server's minutes.
    assert any(m["cpu_ns"] > 0 for m in recent(customer, s["id"]))


def test_minutes_add_up_to_what_the_domain_counted(own_daemon):
    from conftest import World

    d = own_daemon().start()
    admin = d.client(d.admin_token)
    world = World(d, admin)
    t = world.make_tenant()
    s = world.make_server(t["id"])[0]
    # Well above the fake's own wall-clock CPU time, so the counters only
    # go forwards when the file takes over.
    first = {"cpu_ns": 10**13 + 7, "steal_ns": 10**9 + 3, "disk_read_bytes": 1 << 33,
             "disk_write_bytes": 123_456_789, "net_rx_bytes": 10**10 + 1,
             "net_tx_bytes": 3}
    set_counters(d, {s["id"]: fake_keys(first)})
    wait_totals(admin, s["id"], first)
    minutes = wait_minutes(admin, s["id"], lambda ms: sums(ms) == first)

    more = {k: v + 1000 for k, v in first.items()}
    set_counters(d, {s["id"]: fake_keys(more)})
    wait_totals(admin, s["id"], more)
    minutes = wait_minutes(admin, s["id"], lambda ms: sums(ms) == more)
    # The same figures as the hourly buckets (all within this hour or
    # the one before: the server is seconds old).
    hourly = totals(admin, server_id=s["id"])[s["id"]]
    assert sums(minutes) == {k: hourly[k] for k in KEPT}


def test_who_may_read(world, admin, tenant):
    t, customer = tenant
    s = world.make_server(t["id"])[0]
    other = world.customer(world.make_tenant()["id"])

    r = other.get("/v1/servers/%s/usage/recent" % s["id"], check=False)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    for client in (admin, customer):
        r = client.get("/v1/servers/srv_0000000000000000/usage/recent", check=False)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert isinstance(recent(customer, s["id"]), list)
    assert isinstance(recent(admin, s["id"]), list)


def test_deleted_server_minutes_go(world, admin, tenant):
    t, _ = tenant
    s = world.make_server(t["id"])[0]
    wait_minutes(admin, s["id"], lambda ms: len(ms) > 0)
    r = admin.delete("/v1/servers/%s" % s["id"])
    assert r.status_code == 202, r.text
    # Once the delete job is done the server is gone, its minutes too.
    path = "/v1/servers/%s/usage/recent" % s["id"]
    deadline = time.monotonic() + 15
    while admin.get(path, check=False).status_code != 404:
        assert time.monotonic() < deadline, "still there after its deletion"
        time.sleep(0.2)
