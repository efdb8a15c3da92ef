# SPDX-License-Identifier: GPL-2.0-only
"""Address management (docs/addressing.md): IP pools, the addresses servers
get at create, extra IPv4 addresses, release at delete with quarantine, MACs.

Every test runs its own provisiond: pools change what every create does, so
they stay out of the shared daemon."""
import ipaddress
import sqlite3
import threading
import time

import pytest

from pvd import error_of


def start_daemon(own_daemon, *args):
    d = own_daemon(*args).start()
    admin = d.client(d.admin_token)
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128}).json()
    image = admin.post("/v1/images", json={"name": "i", "kernel_path": "/k"}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    return d, admin, plan, image, tenant


def body(plan, image, tenant, **kw):
    return dict({"tenant_id": tenant["id"], "plan_id": plan["id"], "image_id": image["id"],
                 "hostname": "ipam.example"}, **kw)


def pool(admin, expect=201, **fields):
    r = admin.post("/v1/ip-pools", json=fields)
    assert r.status_code == expect, r.text
    return r.json()


V4 = {"name": "v4", "family": 4, "network": "192.0.2.0/24", "gateway": "192.0.2.1",
      "dns": ["192.0.2.53", "2001:db8::53"]}
V6 = {"name": "v6", "family": 6, "network": "2001:db8:100::/48", "gateway": "2001:db8:100::1",
      "assign_prefix_len": 64}


def db_rows(d, sql, *args):
    """Reads the daemon's database directly (WAL: beside a running daemon)."""
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_pool_crud_and_use(own_daemon):
    d, admin, plan, image, tenant = start_daemon(own_daemon)
    p4 = pool(admin, **V4)
    assert p4["network"] == "192.0.2.0/24" and p4["gateway"] == "192.0.2.1"
    assert p4["range_start"] == "192.0.2.1" and p4["range_end"] == "192.0.2.254"
    # 254 addresses less the gateway.
    assert (p4["size"], p4["used"], p4["quarantined"], p4["free"]) == (253, 0, 0, 253)
    assert p4["dns"] == ["192.0.2.53", "2001:db8::53"] and p4["assign_prefix_len"] == 32
    p6 = pool(admin, **V6)
    assert p6["range_start"] == "2001:db8:100::" and p6["size"] == 65536 - 1
    assert admin.get("/v1/ip-pools/" + p4["id"]).json() == p4
    assert [p["id"] for p in admin.list_all("/v1/ip-pools")] == [p4["id"], p6["id"]]

    r = admin.post("/v1/servers", json=body(plan, image, tenant))
    assert r.status_code == 202, r.text
    server = r.json()["server"]
    # The gateway (.1) is never handed out: the first address is .2.
    assert server["addresses"] == [
        {"address": "192.0.2.2", "family": 4, "prefix_len": 24, "gateway": "192.0.2.1",
         "dns": ["192.0.2.53", "2001:db8::53"], "primary": True},
        # The gateway's /64 (index 0) is not handed out either.
        {"address": "2001:db8:100:1::", "family": 6, "prefix_len": 64,
         "gateway": "2001:db8:100::1", "dns": [], "primary": True}]
    assert admin.get("/v1/ip-pools/" + p4["id"]).json()["used"] == 1
    # A customer sees its server's addresses, not the pools.
    customer = d.client(admin.post("/v1/tokens", json={
        "name": "c", "scope": "customer", "tenant_id": tenant["id"]}).json()["secret"])
    assert customer.get("/v1/servers/" + server["id"]).json()["addresses"] == server["addresses"]
    assert customer.get("/v1/ip-pools").status_code == 403
    assert customer.get("/v1/ip-pools/" + p4["id"]).status_code == 403
    assert customer.delete("/v1/ip-pools/" + p4["id"]).status_code == 403

    # Primary addresses go with the server, in any spelling of them.
    for spelling in ("192.0.2.2", "2001:db8:100:1::", "2001:0db8:100:1:0:0:0:0"):
        r = admin.delete("/v1/servers/%s/ips/%s" % (server["id"], spelling))
        assert r.status_code == 409 and "primary" in error_of(r)[1], r.text
    # In use: 409; the audit log has the refusal.
    r = admin.delete("/v1/ip-pools/" + p4["id"])
    assert r.status_code == 409 and error_of(r)[0] == "in_use"
    admin.wait_job(admin.delete("/v1/servers/" + server["id"]).json()["job"]["id"])
    assert admin.delete("/v1/ip-pools/" + p4["id"]).status_code == 204
    assert admin.get("/v1/ip-pools/" + p4["id"]).status_code == 404
    assert admin.delete("/v1/ip-pools/" + p4["id"]).status_code == 404
    actions = [(e["action"], e["result"]) for e in admin.list_all("/v1/audit")]
    assert actions.count(("ippool.create", "ok")) == 2
    assert actions.count(("ippool.delete", "ok")) == 1
    # Refused: the customer's (403), in use (409), gone (404).
    assert actions.count(("ippool.delete", "error")) == 3


BAD_POOLS = [
    ({"family": 5}, "family"),
    ({"network": "192.0.2.1/24"}, "network"),		# host bits
    ({"network": "192.0.2.0"}, "network"),
    ({"network": "192.0.2.0/33"}, "network"),
    ({"network": "192.0.2.0/x"}, "network"),
    ({"network": "300.0.2.0/24"}, "network"),
    ({"network": "2001:db8::/64"}, "network"),		# not IPv4
    ({"network": "224.0.0.0/24", "gateway": "224.0.0.1"}, "network"),
    ({"network": "127.0.0.0/24", "gateway": "127.0.0.1"}, "network"),
    ({"gateway": "198.51.100.1"}, "gateway"),		# outside
    ({"gateway": "192.0.2.0.1"}, "gateway"),
    ({"range_start": "192.0.2.10", "range_end": "192.0.2.5"}, "range_end"),
    ({"range_end": "192.0.3.5"}, "range_end"),
    ({"range_start": "192.0.2.0"}, "range_start"),	# the network's own
    ({"range_end": "192.0.2.255"}, "range_end"),	# broadcast
    ({"gateway": "192.0.2.255"}, "gateway"),
    ({"gateway": "192.0.2.0"}, "gateway"),
    ({"dns": ["8.8.8.8", "bogus"]}, "dns"),
    ({"dns": ["0.0.0.0"]}, "dns"),
    ({"dns": ["1.1.1.1"] * 5}, "dns"),
    ({"assign_prefix_len": 64}, "assign_prefix_len"),	# IPv4
    ({"name": ""}, "name"),
]

BAD_V6_POOLS = [
    ({"network": "::ffff:192.0.2.0/120", "gateway": "::ffff:192.0.2.1"}, "network"),
    ({"network": "ff02::/64", "gateway": "ff02::1"}, "network"),
    ({"network": "::/64", "gateway": "::1"}, "network"),
    ({"network": "2001:db8::1/64"}, "network"),
    ({"assign_prefix_len": 96}, "assign_prefix_len"),
    ({"network": "2001:db8::/64", "assign_prefix_len": 64}, "network"),	# not shorter
    ({"gateway": "2001:db9::1"}, "gateway"),
]


@pytest.mark.parametrize("fields,field", BAD_POOLS)
def test_bad_ipv4_pools_are_400_naming_the_field(own_daemon, fields, field):
    _, admin, *_ = start_daemon(own_daemon)
    r = admin.post("/v1/ip-pools", json=dict(V4, **fields))
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field, r.text
    assert field in r.json()["error"]["message"]
    assert admin.list_all("/v1/ip-pools") == []


@pytest.mark.parametrize("fields,field", BAD_V6_POOLS)
def test_bad_ipv6_pools_are_400_naming_the_field(own_daemon, fields, field):
    _, admin, *_ = start_daemon(own_daemon)
    base = {"name": "v6", "family": 6, "network": "2001:db8::/64", "gateway": "2001:db8::1"}
    r = admin.post("/v1/ip-pools", json=dict(base, **fields))
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field, r.text
    assert admin.list_all("/v1/ip-pools") == []


def test_overlap_and_names_are_409(own_daemon):
    _, admin, *_ = start_daemon(own_daemon)
    pool(admin, **V4)
    for net, gw in (("192.0.2.128/25", "192.0.2.129"), ("192.0.0.0/16", "192.0.2.1"),
                    ("192.0.2.0/24", "192.0.2.1")):
        r = admin.post("/v1/ip-pools", json=dict(V4, name="other", network=net, gateway=gw))
        assert r.status_code == 409 and "overlaps" in error_of(r)[1], r.text
    r = admin.post("/v1/ip-pools", json=dict(V4, network="198.51.100.0/24",
                                             gateway="198.51.100.1"))
    assert r.status_code == 409 and "name" in error_of(r)[1]
    # The other family's and an adjacent network are fine.
    pool(admin, **dict(V4, name="next", network="192.0.3.0/24", gateway="192.0.3.1"))
    pool(admin, **V6)


def test_no_pools_no_addresses_and_a_stable_distinct_mac(own_daemon):
    d, admin, plan, image, tenant = start_daemon(own_daemon)
    macs = []
    for _ in range(3):
        s = admin.post("/v1/servers", json=body(plan, image, tenant)).json()["server"]
        assert s["addresses"] == []
        assert s["mac"].startswith("02:") and len(s["mac"]) == 17
        macs.append((s["id"], s["mac"]))
    assert len({m for _, m in macs}) == 3
    d.kill9()
    d.start()
    admin = d.client(d.admin_token)
    for sid, mac in macs:
        assert admin.get("/v1/servers/" + sid).json()["mac"] == mac
    # Kept across reinstall and plan changes.
    sid, mac = macs[0]
    admin.wait_job(admin.post("/v1/servers/%s/reinstall" % sid, json={}).json()["job"]["id"])
    big = admin.post("/v1/plans", json={"name": "big", "vcpus": 2, "memory_mib": 256}).json()
    admin.wait_job(admin.post("/v1/servers/%s/change-plan" % sid,
                              json={"plan_id": big["id"]}).json()["job"]["id"])
    assert admin.get("/v1/servers/" + sid).json()["mac"] == mac


def test_twenty_parallel_creates_get_twenty_addresses(own_daemon):
    d, admin, plan, image, tenant = start_daemon(own_daemon)
    pool(admin, **V4)
    pool(admin, **V6)
    answers = []

    def create():
        answers.append(admin.post("/v1/servers", json=body(plan, image, tenant)))

    threads = [threading.Thread(target=create) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in answers] == [202] * 20
    v4 = [a["address"] for r in answers for a in r.json()["server"]["addresses"]
          if a["family"] == 4]
    v6 = [a["address"] for r in answers for a in r.json()["server"]["addresses"]
          if a["family"] == 6]
    assert len(set(v4)) == 20 and len(set(v6)) == 20
    # The lowest ones: .2 to .21.
    assert sorted(v4, key=ipaddress.ip_address) == ["192.0.2.%d" % i for i in range(2, 22)]


def test_full_pool_creates_nothing(own_daemon):
    d, admin, plan, image, tenant = start_daemon(own_daemon)
    # 4 addresses: .1 to .6, less the gateway .1 and .6 out of range.
    p = pool(admin, **dict(V4, range_start="192.0.2.1", range_end="192.0.2.5"))
    assert p["size"] == 4
    for _ in range(4):
        assert admin.post("/v1/servers", json=body(plan, image, tenant)).status_code == 202
    servers_before = db_rows(d, "SELECT count(*) FROM servers")[0][0]
    r = admin.post("/v1/servers", json=body(plan, image, tenant))
    assert r.status_code == 409 and error_of(r)[0] == "ip_pool_exhausted", r.text
    assert r.json()["error"]["retryable"] is False
    assert db_rows(d, "SELECT count(*) FROM servers")[0][0] == servers_before == 4
    assert db_rows(d, "SELECT count(*) FROM ip_allocations")[0][0] == 4
    assert db_rows(d, "SELECT count(*) FROM jobs WHERE kind = 'create'")[0][0] == 4
    assert admin.get("/v1/ip-pools/" + p["id"]).json()["free"] == 0
    # A second IPv4 pool takes over.
    pool(admin, **dict(V4, name="more", network="198.51.100.0/30", gateway="198.51.100.1"))
    s = admin.post("/v1/servers", json=body(plan, image, tenant)).json()["server"]
    assert s["addresses"][0]["address"] == "198.51.100.2"


def check_allocations(d):
    """No duplicate live index; every live allocation's server exists and is
    not deleted; every live server has its primary address."""
    dup = db_rows(d, "SELECT pool_id, idx, count(*) FROM ip_allocations"
                     " WHERE released_at IS NULL GROUP BY pool_id, idx HAVING count(*) > 1")
    assert dup == []
    orphans = db_rows(d, "SELECT a.address FROM ip_allocations a LEFT JOIN servers s"
                         " ON s.id = a.server_id WHERE a.released_at IS NULL"
                         " AND (s.id IS NULL OR s.deleted_at IS NOT NULL)")
    assert orphans == []
    without = db_rows(d, "SELECT id FROM servers WHERE deleted_at IS NULL AND id NOT IN"
                         " (SELECT server_id FROM ip_allocations WHERE released_at IS NULL"
                         "  AND is_primary = 1 AND family = 4)")
    assert without == []
    macs = db_rows(d, "SELECT count(*), count(DISTINCT mac), count(mac) FROM servers")[0]
    assert macs[0] == macs[1] == macs[2]


def test_kill9_during_a_burst_of_creates(own_daemon):
    d, admin, plan, image, tenant = start_daemon(own_daemon)
    pool(admin, **dict(V4, network="10.0.0.0/16", gateway="10.0.0.1"))
    pool(admin, **V6)
    stop = threading.Event()
    accepted = []

    def creator():
        while not stop.is_set():
            try:
                r = admin.post("/v1/servers", json=body(plan, image, tenant), timeout=5)
                if r.status_code == 202:
                    accepted.append(r.json()["server"]["id"])
            except Exception:
                return		# the daemon died under us

    threads = [threading.Thread(target=creator) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    d.kill9()
    stop.set()
    for t in threads:
        t.join()
    assert len(accepted) > 0
    d.start()
    admin = d.client(d.admin_token)
    # Every acknowledged create is there with its addresses; nothing leaked.
    servers = {s["id"]: s for s in admin.list_all("/v1/servers")}
    assert set(accepted) <= set(servers)
    check_allocations(d)
    v4 = [a["address"] for s in servers.values() for a in s["addresses"] if a["family"] == 4]
    assert len(v4) == len(set(v4)) == len(servers)
    # And the creates carry on after the restart without a collision.
    for _ in range(3):
        r = admin.post("/v1/servers", json=body(plan, image, tenant))
        assert r.status_code == 202, r.text
    check_allocations(d)


def test_delete_frees_after_the_quarantine(own_daemon):
    d, admin, plan, image, tenant = start_daemon(own_daemon, "--ip-quarantine", "2")
    p = pool(admin, **dict(V4, range_start="192.0.2.2", range_end="192.0.2.3"))
    a = admin.post("/v1/servers", json=body(plan, image, tenant)).json()
    admin.wait_job(a["job"]["id"])
    assert a["server"]["addresses"][0]["address"] == "192.0.2.2"
    admin.wait_job(admin.delete("/v1/servers/" + a["server"]["id"]).json()["job"]["id"])
    rows = db_rows(d, "SELECT address, released_at IS NOT NULL FROM ip_allocations")
    assert rows == [("192.0.2.2", 1)]
    got = admin.get("/v1/ip-pools/" + p["id"]).json()
    assert (got["used"], got["quarantined"], got["free"]) == (0, 1, 1)
    # In quarantine: the next server gets .3, and the one after none.
    b = admin.post("/v1/servers", json=body(plan, image, tenant)).json()["server"]
    assert b["addresses"][0]["address"] == "192.0.2.3"
    r = admin.post("/v1/servers", json=body(plan, image, tenant))
    assert r.status_code == 409 and error_of(r)[0] == "ip_pool_exhausted"
    time.sleep(3.1)
    got = admin.get("/v1/ip-pools/" + p["id"]).json()
    assert (got["used"], got["quarantined"], got["free"]) == (1, 0, 1)
    c = admin.post("/v1/servers", json=body(plan, image, tenant)).json()["server"]
    assert c["addresses"][0]["address"] == "192.0.2.2"
    check_allocations(d)


def test_extra_ipv4_within_the_policy(own_daemon):
    d, admin, plan, image, tenant = start_daemon(own_daemon, "--ip-quarantine", "0")
    pool(admin, **V4)
    r = admin.patch("/v1/tenants/%s/policy" % tenant["id"], json={"max_ips": 3})
    assert r.status_code == 200, r.text
    customer = d.client(admin.post("/v1/tokens", json={
        "name": "c", "scope": "customer", "tenant_id": tenant["id"]}).json()["secret"])
    s1 = admin.post("/v1/servers", json=body(plan, image, tenant)).json()["server"]
    s2 = admin.post("/v1/servers", json=body(plan, image, tenant)).json()["server"]
    # 2 held; one more is within max_ips 3.
    r = customer.post("/v1/servers/%s/ips" % s1["id"], json={"family": 4})
    assert r.status_code == 201, r.text
    extra = r.json()
    assert extra == {"address": "192.0.2.4", "family": 4, "prefix_len": 24,
                     "gateway": "192.0.2.1", "dns": V4["dns"], "primary": False}
    assert r.headers["Location"] == "/v1/servers/%s/ips/192.0.2.4" % s1["id"]
    r = customer.post("/v1/servers/%s/ips" % s2["id"], json={"family": 4})
    assert r.status_code == 403 and error_of(r)[0] == "quota_exceeded", r.text
    assert "max_ips" in error_of(r)[1]
    assert admin.get("/v1/tenants/%s/policy" % tenant["id"]).json()["usage"]["ips"] == 3
    # An admin is not held to it.
    assert admin.post("/v1/servers/%s/ips" % s2["id"], json={"family": 4}).status_code == 201
    addrs = admin.get("/v1/servers/" + s1["id"]).json()["addresses"]
    assert [(a["address"], a["primary"]) for a in addrs] == [("192.0.2.2", True),
                                                             ("192.0.2.4", False)]
    # Bad requests.
    r = customer.post("/v1/servers/%s/ips" % s1["id"], json={"family": 6})
    assert r.status_code == 400 and r.json()["error"]["field"] == "family"
    # The primary cannot go; an extra can, once.
    r = customer.delete("/v1/servers/%s/ips/192.0.2.2" % s1["id"])
    assert r.status_code == 409, r.text
    assert customer.delete("/v1/servers/%s/ips/192.0.2.4" % s1["id"]).status_code == 204
    r = customer.delete("/v1/servers/%s/ips/192.0.2.4" % s1["id"])
    assert r.status_code == 404 and error_of(r)[0] == "not_found"
    assert customer.delete("/v1/servers/%s/ips/192.0.2.99" % s1["id"]).status_code == 404
    assert customer.delete("/v1/servers/%s/ips/nonsense" % s1["id"]).status_code == 404
    # Another server's address is not this one's.
    assert customer.delete("/v1/servers/%s/ips/192.0.2.3" % s1["id"]).status_code == 404
    assert [a["address"] for a in admin.get("/v1/servers/" + s1["id"]).json()["addresses"]] \
        == ["192.0.2.2"]
    actions = [(e["action"], e["result"]) for e in admin.list_all("/v1/audit")]
    assert ("server.ip_add", "ok") in actions and ("server.ip_add", "error") in actions
    assert ("server.ip_delete", "ok") in actions and ("server.ip_delete", "error") in actions
    # Freed (quarantine 0 here): the next extra gets it back.
    r = admin.post("/v1/servers/%s/ips" % s1["id"], json={"family": 4})
    assert r.status_code == 201 and r.json()["address"] == "192.0.2.4", r.text


def test_extra_ipv4_without_a_pool_and_when_full(own_daemon):
    d, admin, plan, image, tenant = start_daemon(own_daemon)
    s = admin.post("/v1/servers", json=body(plan, image, tenant)).json()["server"]
    r = admin.post("/v1/servers/%s/ips" % s["id"], json={"family": 4})
    assert r.status_code == 409 and error_of(r)[0] == "conflict"
    pool(admin, **dict(V4, range_start="192.0.2.2", range_end="192.0.2.2"))
    assert admin.post("/v1/servers/%s/ips" % s["id"], json={"family": 4}).status_code == 201
    r = admin.post("/v1/servers/%s/ips" % s["id"], json={"family": 4})
    assert r.status_code == 409 and error_of(r)[0] == "ip_pool_exhausted"
    assert admin.post("/v1/servers/srv_0000000000000000/ips",
                      json={"family": 4}).status_code == 404
