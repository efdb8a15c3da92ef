# SPDX-License-Identifier: GPL-2.0-only
"""Pagination: limit and an opaque cursor, stable while objects come and go."""
import pvd
from conftest import unique


def page(client, path, **params):
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_pages_in_creation_order(admin, world):
    t = world.make_tenant()
    ids = [world.make_server(t["id"], wait=False, start=False,
                             hostname="s%d" % i)[0]["id"] for i in range(7)]
    first = page(admin, "/v1/servers", tenant_id=t["id"], limit=3)
    assert [s["id"] for s in first["items"]] == ids[:3]
    assert isinstance(first["next_cursor"], str)
    second = page(admin, "/v1/servers", tenant_id=t["id"], limit=3, cursor=first["next_cursor"])
    assert [s["id"] for s in second["items"]] == ids[3:6]
    third = page(admin, "/v1/servers", tenant_id=t["id"], limit=3, cursor=second["next_cursor"])
    assert [s["id"] for s in third["items"]] == ids[6:]
    assert third["next_cursor"] is None
    # Exactly full pages end with a null cursor too.
    whole = page(admin, "/v1/servers", tenant_id=t["id"], limit=7)
    assert len(whole["items"]) == 7 and whole["next_cursor"] is None
    # (The create jobs are still running: compare ids, not states.)
    assert [s["id"] for s in admin.list_all("/v1/servers", params={"tenant_id": t["id"]},
                                            limit=2)] == ids


def test_cursor_survives_changes(admin, world):
    t = world.make_tenant()
    ids = [world.make_server(t["id"], start=False, hostname="c%d" % i)[0]["id"]
           for i in range(4)]
    first = page(admin, "/v1/servers", tenant_id=t["id"], limit=2)
    # Delete one already seen and one not yet seen; add one.
    for sid in (ids[0], ids[2]):
        admin.wait_job(admin.delete("/v1/servers/" + sid).json()["job"]["id"])
    new, _ = world.make_server(t["id"], start=False, hostname="c9")
    rest = admin.list_all("/v1/servers", params={"tenant_id": t["id"]}, limit=2)
    after = page(admin, "/v1/servers", tenant_id=t["id"], limit=10, cursor=first["next_cursor"])
    assert [s["id"] for s in after["items"]] == [ids[3], new["id"]]
    assert [s["id"] for s in rest] == [ids[1], ids[3], new["id"]]


def default_limit(path):
    """The page size the contract gives a list when no limit is asked (the
    usage export's is larger: a billing run wants a fleet's month at once)."""
    op = pvd.CONTRACT.doc["paths"][path]["get"]
    limit = [q for q in map(pvd.CONTRACT.resolve, op["parameters"]) if q["name"] == "limit"]
    return limit[0]["schema"]["default"]


def test_every_list_paginates(admin, world):
    world.make_tenant()
    world.make_tenant()
    for path in ("/v1/tenants", "/v1/tokens", "/v1/plans", "/v1/images", "/v1/servers",
                 "/v1/jobs", "/v1/audit", "/v1/usage"):
        one = page(admin, path, limit=1)
        assert len(one["items"]) <= 1
        everything = admin.list_all(path, limit=200)
        if len(everything) > 1:
            assert one["next_cursor"] is not None, path
            two = page(admin, path, limit=1, cursor=one["next_cursor"])
            # Same object (usage figures move on between calls: compare ids).
            key = "server_id" if path == "/v1/usage" else "id"
            assert two["items"][0][key] == everything[1][key], path
        default = page(admin, path)
        assert len(default["items"]) == min(default_limit(path), len(everything)), path


def test_list_items_are_the_objects_themselves(admin, world):
    """List pages are written as JSON text straight from the database, single
    objects through Jansson (provisiond/api_common.c): both must give the
    same values, awkward strings, nulls, booleans, times and JSON included."""
    awkward = 'quote " backslash \\ slash / <b>&amp; 名前 ✓ 🚀 %s%n'
    t = world.make_tenant(name=awkward, external_id=awkward + unique(""))
    s, _ = world.make_server(t["id"], start=False, hostname="odd-1",
                               external_id=None)
    plain, _ = world.make_server(t["id"], start=False, hostname="odd-2",
                                 external_id="x" + awkward)
    pairs = [("/v1/tenants", {"external_id": t["external_id"]}, "/v1/tenants/"),
             ("/v1/servers", {"tenant_id": t["id"]}, "/v1/servers/"),
             ("/v1/jobs", {"tenant_id": t["id"]}, "/v1/jobs/")]
    for path, params, one in pairs:
        items = admin.list_all(path, params=params)
        assert items, path
        for item in items:
            assert item == admin.get(one + item["id"]).json(), path
    assert admin.get("/v1/tenants/" + t["id"]).json()["name"] == awkward
    servers = admin.list_all("/v1/servers", params={"tenant_id": t["id"]})
    assert [x["external_id"] for x in servers] == [None, "x" + awkward]
    assert all(x["suspended"] is False for x in servers)
    usage = admin.list_all("/v1/usage", params={"tenant_id": t["id"]})
    assert {u["server_id"] for u in usage} == {s["id"], plain["id"]}
    assert all(isinstance(u["cpu_time_ns"], int) for u in usage)
