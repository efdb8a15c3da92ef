# SPDX-License-Identifier: GPL-2.0-only
"""Tenants: the hoster's customers."""
from conftest import unique
from pvd import error_of


def test_tenant_lifecycle(admin, world):
    ext = unique("cust")
    r = admin.post("/v1/tenants", json={"name": "Acme GmbH", "external_id": ext})
    assert r.status_code == 201
    t = r.json()
    assert r.headers["Location"] == "/v1/tenants/" + t["id"]
    assert t["name"] == "Acme GmbH" and t["external_id"] == ext
    assert admin.get("/v1/tenants/" + t["id"]).json() == t
    found = admin.get("/v1/tenants", params={"external_id": ext}).json()["items"]
    assert [x["id"] for x in found] == [t["id"]]

    r = admin.patch("/v1/tenants/" + t["id"], json={"name": "Acme AG"})
    assert r.status_code == 200 and r.json()["name"] == "Acme AG"
    assert r.json()["external_id"] == ext
    r = admin.patch("/v1/tenants/" + t["id"], json={"external_id": None})
    assert r.status_code == 200 and r.json()["external_id"] is None

    token = world.make_token(t["id"])
    assert admin.delete("/v1/tenants/" + t["id"]).status_code == 204
    assert admin.get("/v1/tenants/" + t["id"]).status_code == 404
    # Its tokens went with it.
    assert admin.get("/v1/tokens/" + token["token"]["id"]).status_code == 404


def test_external_id_unique(admin, world):
    ext = unique("cust")
    world.make_tenant(external_id=ext)
    r = admin.post("/v1/tenants", json={"name": "x", "external_id": ext})
    assert r.status_code == 409 and error_of(r)[0] == "conflict"
    other = world.make_tenant()
    r = admin.patch("/v1/tenants/" + other["id"], json={"external_id": ext})
    assert r.status_code == 409


def test_tenant_with_servers_cannot_be_deleted(admin, world):
    t = world.make_tenant()
    server, _ = world.make_server(t["id"])
    r = admin.delete("/v1/tenants/" + t["id"])
    assert r.status_code == 409 and error_of(r)[0] == "in_use"
    job = admin.delete("/v1/servers/" + server["id"]).json()["job"]
    assert admin.wait_job(job["id"])["state"] == "succeeded"
    assert admin.delete("/v1/tenants/" + t["id"]).status_code == 204


def test_customer_sees_own_tenant_only(world, tenant):
    t, customer = tenant
    assert customer.get("/v1/tenants/" + t["id"]).status_code == 200
    listed = customer.list_all("/v1/tenants")
    assert [x["id"] for x in listed] == [t["id"]]
    r = customer.patch("/v1/tenants/" + t["id"], json={"name": "mine now"})
    assert r.status_code == 403 and error_of(r)[0] == "forbidden"
    r = customer.delete("/v1/tenants/" + t["id"])
    assert r.status_code == 403
    r = customer.post("/v1/tenants", json={"name": "another"})
    assert r.status_code == 403


def test_tenant_validation(admin):
    for body, field in (({}, "name"), ({"name": ""}, "name"), ({"name": 7}, "name"),
                        ({"name": "a", "external_id": ""}, "external_id"),
                        ({"name": "a", "external_id": 12}, "external_id"),
                        ({"name": "a", "plan": "gold"}, "plan")):
        r = admin.post("/v1/tenants", json=body)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, (body, r.text)
