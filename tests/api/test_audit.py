# SPDX-License-Identifier: GPL-2.0-only
"""The audit log: who did what, when, with what result."""
import requests

from pvd import error_of


def entries(client, **params):
    return client.list_all("/v1/audit", params=params)


def test_successful_write_is_audited(daemon, admin):
    r = admin.post("/v1/tenants", json={"name": "Audited Ltd"})
    t = r.json()
    found = entries(admin, target_id=t["id"])
    assert len(found) == 1
    e = found[0]
    assert e["action"] == "tenant.create" and e["result"] == "ok" and e["status"] == 201
    assert e["actor"] == "tok_" + daemon.admin_token[4:20] and e["actor_scope"] == "admin"
    assert e["target_type"] == "tenant" and e["tenant_id"] == t["id"]
    assert e["request_id"] == r.headers["X-Request-Id"]
    assert e["error_code"] is None and e["at"].endswith("Z")


def test_refused_write_is_audited(daemon, admin, world, tenant):
    t, customer = tenant
    r = customer.post("/v1/plans", json={"name": "free", "vcpus": 64, "memory_mib": 65536})
    assert r.status_code == 403
    found = [e for e in entries(admin, action="plan.create")
             if e["request_id"] == r.headers["X-Request-Id"]]
    assert len(found) == 1
    e = found[0]
    assert e["result"] == "error" and e["status"] == 403 and e["error_code"] == "forbidden"
    assert e["actor_scope"] == "customer" and e["actor_tenant_id"] == t["id"]
    # Bad input is recorded too, with the code.
    r = customer.post("/v1/servers", json={"hostname": 1})
    e = [x for x in entries(customer, action="server.create")
         if x["request_id"] == r.headers["X-Request-Id"]][0]
    assert e["status"] == 400 and e["error_code"] == "invalid_field"


def test_job_outcomes_are_audited(admin, world, tenant):
    t, customer = tenant
    server, job = world.make_server(t["id"], client=customer)
    found = entries(customer, target_id=server["id"])
    actions = [(e["action"], e["result"], e["actor"]) for e in found]
    assert actions[0][:2] == ("server.create", "ok")
    assert ("job.create", "ok", "worker") in actions
    worker = [e for e in found if e["action"] == "job.create"][0]
    assert job["id"] in worker["detail"] and worker["actor_scope"] == "system"


def test_customer_sees_own_tenant_entries(admin, world):
    a, b = world.make_tenant(), world.make_tenant()
    ca = world.customer(a["id"])
    world.make_server(b["id"])
    seen = entries(ca)
    assert seen and all(e["tenant_id"] == a["id"] for e in seen)
    assert entries(ca, tenant_id=b["id"]) == []
    assert entries(admin, tenant_id=b["id"])


def test_unauthenticated_requests_are_not_audited(daemon, admin):
    before = len(entries(admin, action="tenant.create"))
    r = requests.post(daemon.url + "/v1/tenants", json={"name": "anon"}, timeout=10)
    assert r.status_code == 401
    assert len(entries(admin, action="tenant.create")) == before


def test_audit_filters(admin):
    r = admin.get("/v1/audit", params={"actor": "me"})
    assert r.status_code == 400 and error_of(r)[0] == "invalid_query"
    assert admin.get("/v1/audit", params={"action": "no.such"}).json()["items"] == []
