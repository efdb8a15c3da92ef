# SPDX-License-Identifier: GPL-2.0-only
"""
Admin tokens are invisible to customers: no answer a customer can get, on
any GET route of the contract, names an admin token's id (audit actors,
created_by of tokens and jobs), while the admin still sees them.
"""
from pvd import CONTRACT


def admin_token_ids(admin):
    return {t["id"] for t in admin.list_all("/v1/tokens", params={"scope": "admin"})}


def every_answer(client, ids):
    """The text of every GET route's answer, all pages of the lists."""
    texts = []
    for method, template, _ in CONTRACT.operations():
        if method != "GET":
            continue
        if "{id}" in template:
            resource = template.split("/")[2]
            for obj_id in ids.get(resource, []):
                r = client.get(template.replace("{id}", obj_id))
                texts.append((template, r.text))
        else:
            r = client.get(template)
            if r.status_code == 200 and "next_cursor" in r.json():
                texts.append((template, str(client.list_all(template))))
            else:
                texts.append((template, r.text))
    return texts


def test_customers_never_see_an_admin_tokens_id(daemon, admin, world):
    # A panel's own admin token does the hoster's work on a tenant.
    panel = daemon.client(world.make_token()["secret"])
    t = panel.post("/v1/tenants", json={"name": "Watched"}).json()
    made = panel.post("/v1/tokens", json={"name": "c", "scope": "customer",
                                          "tenant_id": t["id"]}).json()
    customer = daemon.client(made["secret"])
    server = world.make_server(t["id"], client=None)[0]
    for action in ("stop", "start", "suspend", "unsuspend"):
        r = panel.post("/v1/servers/%s/%s" % (server["id"], action), json=None)
        assert r.status_code == 202, r.text
        assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    assert panel.patch("/v1/tenants/" + t["id"], json={"name": "Renamed"}).status_code == 200
    # A refusal by an admin is audited too.
    assert panel.delete("/v1/tenants/" + t["id"]).status_code == 409
    # The customer's own writes, next to the admin's.
    child = customer.post("/v1/tokens", json={"name": "d", "scope": "customer"}).json()
    r = customer.post("/v1/servers/%s/stop" % server["id"], json={"force": True})
    assert r.status_code == 202
    admin.wait_job(r.json()["job"]["id"])

    secret_ids = admin_token_ids(admin)
    assert secret_ids
    jobs = [j["id"] for j in admin.list_all("/v1/jobs", params={"server_id": server["id"]})]
    ids = {"tenants": [t["id"]], "tokens": [made["token"]["id"], child["token"]["id"]],
           "servers": [server["id"]], "jobs": jobs,
           "plans": [world.plan["id"]], "images": [world.image["id"]]}

    seen = every_answer(customer, ids)
    for template, text in seen:
        for tok in secret_ids:
            assert tok not in text, "%s shows admin token %s to a customer" % (template, tok)
    # What they see instead: "admin", and their own tokens as they are.
    audit = customer.list_all("/v1/audit")
    by_admin = [e for e in audit if e["actor_scope"] == "admin"]
    assert by_admin and all(e["actor"] == "admin" for e in by_admin)
    mine = [e for e in audit if e["actor_scope"] == "customer"]
    assert mine and all(e["actor"] == made["token"]["id"] for e in mine)
    assert customer.get("/v1/tokens/" + made["token"]["id"]).json()["created_by"] == "admin"
    assert customer.get("/v1/tokens/" + child["token"]["id"]).json()["created_by"] \
        == made["token"]["id"]
    creators = {j["created_by"] for j in customer.list_all("/v1/jobs")}
    assert creators == {"admin", made["token"]["id"]}

    # The admin sees every id.
    panel_id = made["token"]["created_by"]
    assert panel_id in secret_ids
    assert admin.get("/v1/tokens/" + made["token"]["id"]).json()["created_by"] == panel_id
    admin_audit = admin.list_all("/v1/audit", params={"tenant_id": t["id"]})
    assert panel_id in {e["actor"] for e in admin_audit}
    assert panel_id in {j["created_by"] for j in admin.list_all("/v1/jobs",
                                                                 params={"tenant_id": t["id"]})}
