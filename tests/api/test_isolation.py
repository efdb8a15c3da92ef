# SPDX-License-Identifier: GPL-2.0-only
"""Tenant isolation: a customer of tenant A gets 404 for tenant B's objects
on every route of the contract, exactly as for ids that do not exist, sees
none of them in any list, and changes nothing of B's."""
import json

import pytest

import pvd

# A valid body for each operation that takes one, so that only the object
# (not the body) can be the reason for the answer.
def bodies(world):
    return {
        "updateTenant": {"name": "taken over"},
        "updateTenantPolicy": {"max_servers": 100},
        "updateServer": {"hostname": "taken.example"},
        "stopServer": {"force": True},
        "changeServerPlan": {"plan_id": world.big_plan["id"]},
        "reinstallServer": {"image_id": world.image["id"]},
        "addServerIp": {"family": 4},
        "setServerFirewall": {"default": "allow"},
        "resetServerPassword": {"root_password": "taken over!"},
    }


@pytest.fixture(scope="module")
def two_tenants(daemon, world):
    a, b = world.make_tenant(), world.make_tenant()
    customer_a = world.customer(a["id"])
    token_b = world.make_token(b["id"])
    server_b, job_b = world.make_server(b["id"], external_id="iso-" + b["id"])
    return {
        "a": a, "b": b, "customer_a": customer_a, "customer_b": daemon.client(token_b["secret"]),
        "ids": {
            "tenants": b["id"], "tokens": token_b["token"]["id"],
            "servers": server_b["id"], "jobs": job_b["id"],
        },
        "missing": {
            "tenants": "ten_0000000000000000", "tokens": "tok_0000000000000000",
            "servers": "srv_0000000000000000", "jobs": "job_0000000000000000",
        },
    }


def tenant_owned_operations():
    for method, template, op in pvd.CONTRACT.operations():
        if "{id}" not in template:
            continue
        family = template.split("/")[2]
        if family in ("plans", "images", "templates", "ip-pools", "webhooks"):
            continue		# the hoster's catalogue, pools, webhooks: not a tenant's
        yield pytest.param(method, template, op["operationId"], family, id=op["operationId"])


@pytest.mark.parametrize("method,template,operation,family", list(tenant_owned_operations()))
def test_other_tenants_objects_are_404(two_tenants, world, method, template, operation, family):
    customer = two_tenants["customer_a"]
    body = bodies(world).get(operation)
    answers = []
    for key in ("ids", "missing"):
        object_id = two_tenants[key][family]
        path = template.replace("{id}", object_id).replace("{address}", "192.0.2.1")
        r = customer.request(method, path, json_body=body)
        assert r.status_code == 404, (operation, key, r.text)
        err = r.json()["error"]
        assert err["code"] == "not_found" and err["retryable"] is False
        answers.append(err["message"].replace(object_id, "<id>"))
    # Indistinguishable from an id that does not exist.
    assert answers[0] == answers[1], answers


def test_lists_show_nothing_of_other_tenants(two_tenants):
    customer = two_tenants["customer_a"]
    a, b = two_tenants["a"]["id"], two_tenants["b"]["id"]
    b_ids = set(two_tenants["ids"].values()) | {b}
    for method, template, op in pvd.CONTRACT.operations():
        if method != "GET" or "{id}" in template or template in (
                "/", "/v1/health", "/v1/system", "/v1/ip-pools", "/v1/webhooks",
                "/v1/metrics", "/v1/sessions/current", "/v1/console"):	# not lists
            continue
        for item in customer.list_all(template):
            # Whatever the list, only A's things (the audit log also shows
            # A's own refused attempts on B's ids, filed under A).
            if "tenant_id" in item:
                assert item["tenant_id"] == a, (template, item)
            assert item.get("id") not in b_ids and item.get("server_id") not in b_ids, \
                (template, item)
            if template == "/v1/tenants":
                assert item["id"] == a
        params = [p.get("name") for p in
                  (pvd.CONTRACT.resolve(x) for x in op.get("parameters", []))]
        if "tenant_id" in params:
            assert customer.list_all(template, params={"tenant_id": b}) == [], template
    assert customer.list_all("/v1/jobs", params={"server_id": two_tenants["ids"]["servers"]}) == []
    for entry in customer.list_all("/v1/audit", params={"target_id": two_tenants["ids"]["servers"]}):
        assert entry["tenant_id"] == a and entry["actor_tenant_id"] == a
        assert entry["result"] == "error" and entry["status"] == 404
    assert customer.list_all("/v1/servers",
                             params={"external_id": "iso-" + b}) == []
    # The admin-only summary is not for customers at all.
    assert customer.get("/v1/system").status_code == 403


def test_bodies_naming_other_tenants_are_refused_as_unknown(two_tenants, world):
    customer = two_tenants["customer_a"]
    b = two_tenants["b"]["id"]
    for tenant_id in (b, "ten_0000000000000000"):
        r = customer.post("/v1/servers", json={"tenant_id": tenant_id,
                                                "plan_id": world.plan["id"],
                                                "image_id": world.image["id"],
                                                "hostname": "x"})
        assert r.status_code == 400 and r.json()["error"]["message"] == "tenant_id: no such tenant"
        r = customer.post("/v1/tokens", json={"name": "x", "scope": "customer",
                                               "tenant_id": tenant_id})
        assert r.status_code == 400 and r.json()["error"]["message"] == "tenant_id: no such tenant"


def test_other_tenant_unchanged(daemon, admin, two_tenants):
    """Runs after the attempts above: nothing of B's changed."""
    ids = two_tenants["ids"]
    server = admin.get("/v1/servers/" + ids["servers"]).json()
    assert server["hostname"] == "web-1.example.com"
    assert server["desired_state"] == "running" and server["actual_state"] == "running"
    assert server["suspended"] is False and server["id"] in daemon.domains()
    jobs = admin.list_all("/v1/jobs", params={"server_id": ids["servers"]})
    assert [j["kind"] for j in jobs] == ["create"]
    assert admin.get("/v1/tokens/" + ids["tokens"]).json()["revoked_at"] is None
    assert admin.get("/v1/tenants/" + ids["tenants"]).json()["name"] == two_tenants["b"]["name"]
    assert two_tenants["customer_b"].get("/v1/servers/" + ids["servers"]).status_code == 200
