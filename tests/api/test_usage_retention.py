# SPDX-License-Identifier: GPL-2.0-only
"""
Billing records outlive what they are about: the usage of a deleted server
stays in GET /v1/usage for usage_retention_days, whatever is deleted after
it (its plan, its image, its tenant), and a periodic purge removes older
records.
"""
import sqlite3
import time

from conftest import World, unique


def usage_of(client, **params):
    return {r["server_id"]: r for r in client.list_all("/v1/usage", params=params)}


def delete_server(admin, server_id):
    r = admin.delete("/v1/servers/" + server_id)
    assert r.status_code == 202, r.text
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"


def used_servers(world, admin, tenant_id, count):
    """count servers of the tenant that ran long enough to have usage."""
    servers = [world.make_server(tenant_id, external_id=unique("svc"))[0]
               for _ in range(count)]
    deadline = time.monotonic() + 15
    while not all(usage_of(admin, tenant_id=tenant_id)[s["id"]]["cpu_time_ns"] > 0
                  for s in servers):
        assert time.monotonic() < deadline, "the monitor never sampled"
        time.sleep(0.3)
    return servers


def test_deleting_a_tenant_keeps_its_servers_usage(daemon, admin, world):
    t = world.make_tenant()
    plan, image = world.make_plan(), world.make_image()
    servers = used_servers(world, admin, t["id"], 3)
    s_plan = world.make_server(t["id"], plan_id=plan["id"], image_id=image["id"])[0]
    servers.append(s_plan)
    for s in servers:
        delete_server(admin, s["id"])
    # Everything the usage was about goes: the plan, the image, the tenant.
    assert admin.delete("/v1/plans/" + plan["id"]).status_code == 204
    assert admin.delete("/v1/images/" + image["id"]).status_code == 204
    before = usage_of(admin, tenant_id=t["id"])
    assert set(before) == {s["id"] for s in servers}
    assert admin.delete("/v1/tenants/" + t["id"]).status_code == 204
    assert admin.get("/v1/tenants/" + t["id"]).status_code == 404

    # The same records, for the admin, filtered or not, a page at a time.
    assert usage_of(admin, tenant_id=t["id"]) == before
    everything = admin.list_all("/v1/usage", limit=1)
    kept = [r for r in everything if r["tenant_id"] == t["id"]]
    assert {r["server_id"]: r for r in kept} == before
    seqless = [r["server_id"] for r in everything]
    assert len(seqless) == len(set(seqless)), "a record listed twice"
    for s in servers:
        row = before[s["id"]]
        assert row["deleted_at"] is not None and row["hostname"] == s["hostname"]
        assert row["external_id"] == s["external_id"]

    # No customer sees them: not another tenant's, nor by filtering.
    other = world.make_tenant()
    customer = world.customer(other["id"])
    assert not set(usage_of(customer)) & set(before)
    assert usage_of(customer, tenant_id=t["id"]) == {}


def old(db_path, sql, *args):
    db = sqlite3.connect(str(db_path), timeout=10)
    try:
        db.execute(sql, args)
        db.commit()
    finally:
        db.close()


def test_usage_older_than_the_retention_is_purged(own_daemon):
    d = own_daemon("--usage-retention-days", "30").start()
    admin = d.client(d.admin_token)
    world = World(d, admin)
    gone_tenant, kept_tenant = world.make_tenant(), world.make_tenant()
    a, b = (world.make_server(gone_tenant["id"])[0] for _ in range(2))
    c, e = (world.make_server(kept_tenant["id"])[0] for _ in range(2))
    live = world.make_server(kept_tenant["id"])[0]
    for s in (a, b, c, e):
        delete_server(admin, s["id"])
    assert admin.delete("/v1/tenants/" + gone_tenant["id"]).status_code == 204
    d.stop()
    # a (kept for its deleted tenant) and c (its server row) were deleted
    # 31 days ago; b 29 days ago; e just now.
    day = 86400
    old(d.db, "UPDATE usage_records SET deleted_at = strftime('%s', 'now') - ?"
              " WHERE server_id = ?", 31 * day, a["id"])
    old(d.db, "UPDATE usage_records SET deleted_at = strftime('%s', 'now') - ?"
              " WHERE server_id = ?", 29 * day, b["id"])
    old(d.db, "UPDATE servers SET deleted_at = strftime('%s', 'now') - ?"
              " WHERE id = ?", 31 * day, c["id"])
    d.start()       # the monitor purges when it starts, then every hour
    admin = d.client(d.admin_token)     # a new port
    deadline = time.monotonic() + 15
    while a["id"] in usage_of(admin) or c["id"] in usage_of(admin):
        assert time.monotonic() < deadline, "nothing was purged"
        time.sleep(0.2)
    left = usage_of(admin)
    assert b["id"] in left and e["id"] in left and live["id"] in left
    assert "purged the usage of 2 servers" in d.log_text()


def test_retention_must_be_a_number_of_days(own_daemon, tmp_path):
    for bad in ("0", "-1", "forever", "36501"):
        d = own_daemon("--usage-retention-days", bad)
        try:
            d.start(timeout=5)
        except AssertionError as e:
            assert "usage_retention_days" in str(e) or "usage-retention-days" in str(e), e
        else:
            raise AssertionError("--usage-retention-days %s was accepted" % bad)
