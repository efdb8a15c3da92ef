# SPDX-License-Identifier: GPL-2.0-only
"""Idempotency-Key: a retried write returns the first result and changes
nothing more."""
import threading

from conftest import unique
from pvd import error_of


def test_retried_create_returns_the_first_result(daemon, admin, world):
    t = world.make_tenant()
    key = unique("key")
    body = {"tenant_id": t["id"], "plan_id": world.plan["id"], "image_id": world.image["id"],
            "hostname": "once.example"}
    first = admin.post("/v1/servers", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 202 and "Idempotent-Replayed" not in first.headers
    again = admin.post("/v1/servers", json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    servers = admin.list_all("/v1/servers", params={"tenant_id": t["id"]})
    assert len(servers) == 1
    admin.wait_job(first.json()["job"]["id"])
    names = [n for n in daemon.domains() if n == first.json()["server"]["id"]]
    assert len(names) == 1


def test_same_key_different_request_is_422(admin, world):
    key = unique("key")
    r = admin.post("/v1/tenants", json={"name": "one"}, headers={"Idempotency-Key": key})
    assert r.status_code == 201
    r = admin.post("/v1/tenants", json={"name": "two"}, headers={"Idempotency-Key": key})
    assert r.status_code == 422 and error_of(r)[0] == "idempotency_key_reused"
    r = admin.post("/v1/plans", json={"name": unique(), "vcpus": 1, "memory_mib": 64},
                   headers={"Idempotency-Key": key})
    assert r.status_code == 422


def test_keys_belong_to_a_principal(world):
    """Two tenants may use the same key independently."""
    key = unique("key")
    a, b = world.make_tenant(), world.make_tenant()
    ca, cb = world.customer(a["id"]), world.customer(b["id"])
    body = {"plan_id": world.plan["id"], "image_id": world.image["id"], "hostname": "k"}
    ra = ca.post("/v1/servers", json=body, headers={"Idempotency-Key": key})
    rb = cb.post("/v1/servers", json=body, headers={"Idempotency-Key": key})
    assert ra.status_code == rb.status_code == 202
    assert ra.json()["server"]["id"] != rb.json()["server"]["id"]
    assert ra.json()["server"]["tenant_id"] == a["id"]
    assert rb.json()["server"]["tenant_id"] == b["id"]
    # Another token of the same tenant replays.
    ca2 = world.customer(a["id"])
    r = ca2.post("/v1/servers", json=body, headers={"Idempotency-Key": key})
    assert r.headers.get("Idempotent-Replayed") == "true"
    assert r.json()["server"]["id"] == ra.json()["server"]["id"]


def test_concurrent_retries_create_one_server(daemon, admin, world):
    t = world.make_tenant()
    key = unique("key")
    body = {"tenant_id": t["id"], "plan_id": world.plan["id"], "image_id": world.image["id"],
            "hostname": "race.example"}
    answers = []

    def post():
        c = daemon.client(daemon.admin_token)
        answers.append(c.post("/v1/servers", json=body, headers={"Idempotency-Key": key}))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(r.status_code == 202 for r in answers)
    assert len({r.json()["server"]["id"] for r in answers}) == 1
    assert sum(1 for r in answers if "Idempotent-Replayed" not in r.headers) == 1
    assert len(admin.list_all("/v1/servers", params={"tenant_id": t["id"]})) == 1


def test_actions_and_deletes_replay(admin, world):
    t = world.make_tenant()
    server, _ = world.make_server(t["id"])
    key = unique("key")
    first = admin.post("/v1/servers/%s/stop" % server["id"], headers={"Idempotency-Key": key})
    assert first.status_code == 202
    # Without the key this would be 409 (job running) or a second job.
    again = admin.post("/v1/servers/%s/stop" % server["id"], headers={"Idempotency-Key": key})
    assert again.status_code == 202 and again.json() == first.json()
    admin.wait_job(first.json()["job"]["id"])
    jobs = admin.list_all("/v1/jobs", params={"server_id": server["id"]})
    assert [j["kind"] for j in jobs] == ["create", "stop"]

    key = unique("key")
    first = admin.delete("/v1/servers/" + server["id"], headers={"Idempotency-Key": key})
    admin.wait_job(first.json()["job"]["id"])
    again = admin.delete("/v1/servers/" + server["id"], headers={"Idempotency-Key": key})
    assert again.status_code == 202 and again.json() == first.json()
    # Without the key, the server is gone.
    assert admin.delete("/v1/servers/" + server["id"]).status_code == 404


def test_errors_are_not_stored(admin, world):
    """A refused request changed nothing; the same key may carry the fix."""
    key = unique("key")
    r = admin.post("/v1/plans", json={"name": unique(), "vcpus": 0, "memory_mib": 64},
                   headers={"Idempotency-Key": key})
    assert r.status_code == 400
    r = admin.post("/v1/plans", json={"name": unique(), "vcpus": 0, "memory_mib": 64},
                   headers={"Idempotency-Key": key})
    assert r.status_code == 400 and "Idempotent-Replayed" not in r.headers


def test_token_secret_never_replayed(daemon, admin, world):
    t = world.make_tenant()
    key = unique("key")
    body = {"name": "panel", "scope": "customer", "tenant_id": t["id"]}
    first = admin.post("/v1/tokens", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and first.json()["secret"]
    again = admin.post("/v1/tokens", json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["secret"] is None
    assert again.json()["token"] == first.json()["token"]
    assert len(admin.list_all("/v1/tokens", params={"tenant_id": t["id"]})) == 1
    # The secret is not in the database either.
    import sqlite3
    db = sqlite3.connect("file:%s?mode=ro" % daemon.db, uri=True)
    try:
        dump = "\n".join(db.iterdump())
    finally:
        db.close()
    assert first.json()["secret"] not in dump


def test_bad_keys(admin):
    for key in ("has space", "x" * 256, "tab\tkey"):
        r = admin.post("/v1/tenants", json={"name": "k"}, headers={"Idempotency-Key": key})
        assert r.status_code == 400, key
        assert r.json()["error"]["field"] == "Idempotency-Key"
