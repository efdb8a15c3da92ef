# SPDX-License-Identifier: GPL-2.0-only
"""
A plan's monthly traffic allowance (docs/usage.md): past it, the plan's
overage policy applies once, audited, and lifts at the next month.
throttle sets the interface's limits to the overage rate now and at every
start of the domain while the month lasts; suspend suspends the server.
The fake hypervisor's counters file (hv_fake.c) plays the traffic, its
state file shows the interface's limits.
"""
import sqlite3
import time

import pytest

from conftest import World
from test_usage_export import set_counters, write_db

GIB = 1 << 30
MBPS = 125000		# bytes/s per Mbit/s


@pytest.fixture
def net(own_daemon):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    world = World(d, admin)
    r = admin.post("/v1/ip-pools", json={"name": "v4", "family": 4,
                                         "network": "192.0.2.0/24",
                                         "gateway": "192.0.2.1"})
    assert r.status_code == 201, r.text
    return d, admin, world


def wait_for(what, check, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        v = check()
        if v:
            return v
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def nic(d, server_id):
    return d.domains()[server_id]["nic"]


def audit(admin, action, server_id):
    r = admin.get("/v1/audit", params={"action": action, "target_id": server_id})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def new_month(d, server_id):
    """As if the month had turned: the overage and the month's traffic
    belong to the month before."""
    write_db(d, "UPDATE servers SET traffic_overage_month = traffic_overage_month - 86400 * 31"
                " WHERE id = ?", server_id)
    write_db(d, "UPDATE usage_cursors SET month_start = month_start - 86400 * 31"
                " WHERE server_id = ?", server_id)


def test_plan_fields_and_their_checks(daemon, admin):
    r = admin.post("/v1/plans", json={"name": "allow-1", "vcpus": 1, "memory_mib": 128,
                                      "traffic_allowance_gib": 5})
    assert r.status_code == 400 and r.json()["error"]["field"] == "overage_rate_mbps"
    r = admin.post("/v1/plans", json={"name": "allow-2", "vcpus": 1, "memory_mib": 128,
                                      "traffic_allowance_gib": 5,
                                      "overage_policy": "slow-down"})
    assert r.status_code == 400
    r = admin.post("/v1/plans", json={"name": "allow-3", "vcpus": 1, "memory_mib": 128,
                                      "traffic_allowance_gib": 5, "overage_policy": "suspend"})
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["traffic_allowance_gib"], p["overage_policy"], p["overage_rate_mbps"]) == \
        (5, "suspend", 0)
    plain = admin.post("/v1/plans", json={"name": "allow-4", "vcpus": 1,
                                          "memory_mib": 128}).json()
    assert (plain["traffic_allowance_gib"], plain["overage_policy"]) == (0, "throttle")


def test_throttle_applies_once_keeps_at_restart_and_lifts(net):
    d, admin, world = net
    plan = world.make_plan(net_mbps=100, traffic_allowance_gib=1,
                           overage_policy="throttle", overage_rate_mbps=8)
    t = world.make_tenant()
    s = world.make_server(t["id"], plan_id=plan["id"])[0]
    assert nic(d, s["id"])["rx_bps"] == 100 * MBPS

    # Under the allowance: nothing.  Over it (rx + tx): throttled.
    set_counters(d, {s["id"]: {"net_rx_bytes": GIB // 2, "net_tx_bytes": GIB // 2}})
    time.sleep(2.5)
    assert nic(d, s["id"])["rx_bps"] == 100 * MBPS
    set_counters(d, {s["id"]: {"net_rx_bytes": GIB // 2, "net_tx_bytes": GIB // 2 + 1}})
    wait_for("throttled", lambda: nic(d, s["id"])["rx_bps"] == 8 * MBPS)
    assert nic(d, s["id"])["tx_bps"] == 8 * MBPS
    time.sleep(2.5)		# more samples: applied once
    assert nic(d, s["id"])["limit_changes"] == 1
    assert len(audit(admin, "server.traffic_overage", s["id"])) == 1

    # A new domain this month is built throttled.
    set_counters(d, {})
    assert world.action(s["id"], "stop")["state"] == "succeeded"
    assert world.action(s["id"], "start")["state"] == "succeeded"
    assert nic(d, s["id"])["rx_bps"] == 8 * MBPS

    # The next month: the plan's rate again, audited.
    new_month(d, s["id"])
    wait_for("lifted", lambda: nic(d, s["id"])["rx_bps"] == 100 * MBPS)
    assert len(audit(admin, "server.traffic_overage_lifted", s["id"])) == 1
    assert world.action(s["id"], "reboot")["state"] == "succeeded"
    assert nic(d, s["id"])["rx_bps"] == 100 * MBPS


def test_suspend_policy_suspends_and_lifts(net):
    d, admin, world = net
    plan = world.make_plan(traffic_allowance_gib=1, overage_policy="suspend")
    t = world.make_tenant()
    s = world.make_server(t["id"], plan_id=plan["id"])[0]
    set_counters(d, {s["id"]: {"net_tx_bytes": GIB + 1}})

    def server():
        return admin.get("/v1/servers/" + s["id"]).json()

    wait_for("suspended", lambda: server()["suspended"] and
             server()["actual_state"] == "stopped")
    assert len(audit(admin, "server.traffic_overage", s["id"])) == 1
    time.sleep(2)
    assert len(audit(admin, "server.traffic_overage", s["id"])) == 1

    new_month(d, s["id"])
    wait_for("unsuspended", lambda: not server()["suspended"] and
             server()["actual_state"] == "running")
    assert len(audit(admin, "server.traffic_overage_lifted", s["id"])) == 1


@pytest.mark.parametrize("allowance", [100, 0], ids=["bigger", "none"])
def test_throttle_lifts_when_a_new_plan_allows_the_traffic(net, allowance):
    """Throttled this month, then moved to a plan under which the month's
    traffic is not over (a bigger allowance, or none): the rebuilt domain
    has the new plan's rate at once, and the next sample records the
    lift, audited.  A plan it is still over keeps the throttle."""
    d, admin, world = net
    small = world.make_plan(net_mbps=100, traffic_allowance_gib=1,
                            overage_policy="throttle", overage_rate_mbps=8)
    also_small = world.make_plan(net_mbps=50, traffic_allowance_gib=1,
                                 overage_policy="throttle", overage_rate_mbps=4)
    roomy = world.make_plan(net_mbps=200, traffic_allowance_gib=allowance,
                            overage_policy="throttle",
                            overage_rate_mbps=8 if allowance else 0)
    t = world.make_tenant()
    s = world.make_server(t["id"], plan_id=small["id"])[0]
    set_counters(d, {s["id"]: {"net_rx_bytes": GIB, "net_tx_bytes": 1}})
    wait_for("throttled", lambda: nic(d, s["id"])["rx_bps"] == 8 * MBPS)

    def change_plan(plan):
        job = world.action(s["id"], "change-plan", body={"plan_id": plan["id"]})
        assert job["state"] == "succeeded", job

    # Still over: the new domain keeps a throttle (the new plan's rate).
    change_plan(also_small)
    assert nic(d, s["id"])["rx_bps"] == 4 * MBPS
    time.sleep(2.5)		# more samples
    assert nic(d, s["id"])["rx_bps"] == 4 * MBPS
    assert audit(admin, "server.traffic_overage_lifted", s["id"]) == []

    # Within the new plan's allowance: the new domain has its own rate
    # from the start, both ways; the next sample records the lift.
    change_plan(roomy)
    assert nic(d, s["id"])["rx_bps"] == 200 * MBPS
    assert nic(d, s["id"])["tx_bps"] == 200 * MBPS
    lifted = wait_for("lift audited",
                      lambda: audit(admin, "server.traffic_overage_lifted", s["id"]))
    assert len(lifted) == 1, lifted
    assert nic(d, s["id"])["rx_bps"] == 200 * MBPS
    assert "within the allowance" in lifted[0]["detail"], lifted
    time.sleep(2.5)		# lifted once; nothing applied again
    assert len(audit(admin, "server.traffic_overage_lifted", s["id"])) == 1
    assert len(audit(admin, "server.traffic_overage", s["id"])) == 1
    assert world.action(s["id"], "reboot")["state"] == "succeeded"
    assert nic(d, s["id"])["rx_bps"] == 200 * MBPS
