# SPDX-License-Identifier: GPL-2.0-only
"""
A tenant's policy (/v1/tenants/{id}/policy): quotas, the plans its customers
may order and the plan changes they may make; every quota at its edge for
customers and admins, parallel creates, none/upgrade/any, disallowed plans,
the configured defaults, and the audit of every change and refusal.
"""
import concurrent.futures

import pytest

from conftest import unique
from pvd import error_of

QUOTAS = ["max_servers", "max_vcpus", "max_memory_mib", "max_disk_gib", "max_ips"]
NO_LIMITS = {q: None for q in QUOTAS}


def policy_path(tenant_id):
    return "/v1/tenants/%s/policy" % tenant_id


def set_policy(admin, tenant_id, **fields):
    r = admin.patch(policy_path(tenant_id), json=fields)
    assert r.status_code == 200, r.text
    return r.json()


def create(client, world, tenant_id, plan, admin=False):
    body = {"plan_id": plan["id"], "image_id": world.image["id"], "hostname": "q.example.com"}
    if admin:
        body["tenant_id"] = tenant_id
    return client.post("/v1/servers", json=body)


def audit(admin, r):
    """The audit entry of the request answered by r."""
    found = [e for e in admin.list_all("/v1/audit")
             if e["request_id"] == r.headers["X-Request-Id"]]
    assert len(found) == 1, found
    return found[0]


def test_new_tenant_follows_the_safe_defaults(admin, world, tenant):
    t, customer = tenant
    for client in (admin, customer):
        r = client.get(policy_path(t["id"]))
        assert r.status_code == 200, r.text
        p = r.json()
        assert (p["max_servers"], p["max_vcpus"], p["max_memory_mib"], p["max_disk_gib"],
                p["max_ips"]) == (2, 4, 8192, 200, 2)
        assert p["allowed_plan_ids"] is None and p["plan_changes"] == "none"
        assert p["is_default"] is True and p["updated_at"] is None
        assert p["usage"] == {"servers": 0, "vcpus": 0, "memory_mib": 0, "disk_gib": 0,
                              "ips": 0}
    # The default holds: a third server is refused to the customer.
    for _ in range(2):
        assert create(customer, world, t["id"], world.plan).status_code == 202
    r = create(customer, world, t["id"], world.plan)
    assert r.status_code == 403 and error_of(r)[0] == "quota_exceeded"
    assert "max_servers" in error_of(r)[1]


def test_policy_is_hidden_and_closed_to_customers(admin, world, tenant):
    t, customer = tenant
    other = world.make_tenant()
    r = customer.get(policy_path(other["id"]))
    assert r.status_code == 404 and error_of(r)[0] == "not_found"
    r = customer.patch(policy_path(other["id"]), json={"max_servers": 100})
    assert r.status_code == 404
    r = customer.patch(policy_path(t["id"]), json={"max_servers": 100})
    assert r.status_code == 403 and error_of(r)[0] == "forbidden"
    assert admin.get(policy_path(t["id"])).json()["max_servers"] == 2
    for client in (admin, customer):
        r = client.get(policy_path("ten_0000000000000000"))
        assert r.status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"max_servers": -1}, "max_servers"),
    ({"max_vcpus": "4"}, "max_vcpus"),
    ({"max_memory_mib": 1.5}, "max_memory_mib"),
    ({"max_disk_gib": 2 ** 41}, "max_disk_gib"),
    ({"max_ips": True}, "max_ips"),
    ({"plan_changes": "sometimes"}, "plan_changes"),
    ({"plan_changes": None}, "plan_changes"),
    ({"allowed_plan_ids": "pln_x"}, "allowed_plan_ids"),
    # An item is named by its index, as in every array of the contract.
    ({"allowed_plan_ids": [1]}, "allowed_plan_ids[0]"),
    ({"allowed_plan_ids": [""]}, "allowed_plan_ids[0]"),
    ({"allowed_plan_ids": ["pln_0000000000000000"]}, "allowed_plan_ids"),
    ({"max_server": 3}, "max_server"),
])
def test_bad_policy_is_refused_and_changes_nothing(admin, world, body, field):
    t = world.make_tenant()
    r = admin.patch(policy_path(t["id"]), json=body)
    assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text
    assert admin.get(policy_path(t["id"])).json()["is_default"] is True


# Each quota with a plan of its own: two servers fit exactly, a third does not.
EDGES = {
    "max_servers": ({"vcpus": 1, "memory_mib": 64}, 2),
    "max_vcpus": ({"vcpus": 3, "memory_mib": 64}, 6),
    "max_memory_mib": ({"vcpus": 1, "memory_mib": 96}, 192),
    "max_disk_gib": ({"vcpus": 1, "memory_mib": 64, "disk_gib": 7}, 14),
}


@pytest.mark.parametrize("quota", sorted(EDGES))
def test_each_quota_at_its_edge(admin, world, tenant, quota):
    t, customer = tenant
    plan_fields, limit = EDGES[quota]
    plan = world.make_plan(**plan_fields)
    p = set_policy(admin, t["id"], **dict(NO_LIMITS, **{quota: limit}))
    assert p[quota] == limit and p["is_default"] is False and p["updated_at"]
    assert all(p[q] is None for q in QUOTAS if q != quota)
    for _ in range(2):
        assert create(customer, world, t["id"], plan).status_code == 202
    r = create(customer, world, t["id"], plan)
    assert r.status_code == 403 and error_of(r)[0] == "quota_exceeded", r.text
    assert error_of(r)[1].startswith(quota + ":") and r.json()["error"]["retryable"] is False
    used = admin.get(policy_path(t["id"])).json()["usage"]
    assert used["servers"] == 2
    # Admins are not held to the tenant's policy.
    assert create(admin, world, t["id"], plan, admin=True).status_code == 202
    assert admin.get(policy_path(t["id"])).json()["usage"]["servers"] == 3
    # Raising the quota lets the customer order again.
    set_policy(admin, t["id"], **{quota: limit * 3})
    assert create(customer, world, t["id"], plan).status_code == 202


def test_zero_quota_refuses_everything_and_ips_are_kept(admin, world, tenant):
    t, customer = tenant
    p = set_policy(admin, t["id"], max_servers=0, max_ips=5)
    assert p["max_servers"] == 0 and p["max_ips"] == 5 and p["usage"]["ips"] == 0
    r = create(customer, world, t["id"], world.plan)
    assert r.status_code == 403 and error_of(r)[1].startswith("max_servers:")


def test_deleted_servers_free_their_quota(admin, world, tenant):
    t, customer = tenant
    set_policy(admin, t["id"], max_servers=1)
    server, _ = world.make_server(t["id"], client=customer)
    assert create(customer, world, t["id"], world.plan).status_code == 403
    r = customer.delete("/v1/servers/" + server["id"])
    assert r.status_code == 202
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    assert create(customer, world, t["id"], world.plan).status_code == 202


def test_parallel_creates_do_not_overshoot(admin, world, daemon):
    t = world.make_tenant()
    set_policy(admin, t["id"], max_servers=3)
    clients = [world.customer(t["id"]) for _ in range(4)]

    def order(i):
        return create(clients[i % len(clients)], world, t["id"], world.plan).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(order, range(24)))
    assert sorted(codes) == [202] * 3 + [403] * 21, codes
    servers = admin.list_all("/v1/servers", params={"tenant_id": t["id"]})
    assert len(servers) == 3


def test_plan_changes_none_by_default(admin, world, tenant):
    t, customer = tenant
    server, _ = world.make_server(t["id"], client=customer)
    r = customer.post("/v1/servers/%s/change-plan" % server["id"],
                      json={"plan_id": world.big_plan["id"]})
    assert r.status_code == 403 and error_of(r)[0] == "plan_change_not_allowed"
    assert customer.get("/v1/servers/" + server["id"]).json()["plan_id"] == world.plan["id"]
    assert audit(admin, r)["error_code"] == "plan_change_not_allowed"
    # The hoster may still change it.
    job = world.action(server["id"], "change-plan", body={"plan_id": world.big_plan["id"]})
    assert job["state"] == "succeeded"


def test_plan_changes_upgrade_only(admin, world, tenant):
    t, customer = tenant
    small = world.make_plan(vcpus=1, memory_mib=128, cpu_weight=256, cpu_cap_pct=100)
    large = world.make_plan(vcpus=2, memory_mib=256, cpu_weight=256, cpu_cap_pct=200)
    uncapped = world.make_plan(vcpus=2, memory_mib=256, cpu_weight=256, cpu_cap_pct=0)
    more_cpu_less_ram = world.make_plan(vcpus=4, memory_mib=64, cpu_weight=256,
                                        cpu_cap_pct=400)
    set_policy(admin, t["id"], **dict(NO_LIMITS, plan_changes="upgrade"))
    server, _ = world.make_server(t["id"], client=customer, plan_id=small["id"])
    path = "/v1/servers/%s/change-plan" % server["id"]
    r = customer.post(path, json={"plan_id": more_cpu_less_ram["id"]})
    assert r.status_code == 403 and error_of(r)[0] == "plan_change_not_allowed"
    assert "MiB of memory" in error_of(r)[1]
    for plan in (large, uncapped):
        job = world.action(server["id"], "change-plan", client=customer,
                           body={"plan_id": plan["id"]})
        assert job["state"] == "succeeded"
    # Back down to a capped or smaller plan is not an upgrade.
    for plan in (large, small):
        r = customer.post(path, json={"plan_id": plan["id"]})
        assert r.status_code == 403 and error_of(r)[0] == "plan_change_not_allowed"


def test_plan_changes_any_and_their_quota(admin, world, tenant):
    t, customer = tenant
    set_policy(admin, t["id"], **dict(NO_LIMITS, plan_changes="any", max_vcpus=2))
    server, _ = world.make_server(t["id"], client=customer, plan_id=world.big_plan["id"])
    job = world.action(server["id"], "change-plan", client=customer,
                       body={"plan_id": world.plan["id"]})
    assert job["state"] == "succeeded"
    world.make_server(t["id"], client=customer)
    # 1 + 1 vCPUs held; the big plan's 2 would make 3 of 2.
    r = customer.post("/v1/servers/%s/change-plan" % server["id"],
                      json={"plan_id": world.big_plan["id"]})
    assert r.status_code == 403 and error_of(r)[1].startswith("max_vcpus:"), r.text
    assert audit(admin, r)["error_code"] == "quota_exceeded"


def test_plans_a_tenant_may_use(admin, world, tenant):
    t, customer = tenant
    offered, other = world.make_plan(), world.make_plan()
    p = set_policy(admin, t["id"], allowed_plan_ids=[offered["id"]], plan_changes="any")
    assert p["allowed_plan_ids"] == [offered["id"]]
    # A customer is offered only the plans it may use.
    seen = {plan["id"] for plan in customer.list_all("/v1/plans")}
    assert offered["id"] in seen and other["id"] not in seen
    assert customer.get("/v1/plans/" + other["id"]).status_code == 404
    assert customer.get("/v1/plans/" + offered["id"]).status_code == 200
    r = create(customer, world, t["id"], other)
    assert r.status_code == 403 and error_of(r)[0] == "plan_not_allowed"
    r = create(customer, world, t["id"], offered)
    assert r.status_code == 202
    server = r.json()["server"]
    admin.wait_job(r.json()["job"]["id"])
    r = customer.post("/v1/servers/%s/change-plan" % server["id"],
                      json={"plan_id": other["id"]})
    assert r.status_code == 403 and error_of(r)[0] == "plan_not_allowed"
    # Admins may use any plan; null opens every plan again.
    assert create(admin, world, t["id"], other, admin=True).status_code == 202
    p = set_policy(admin, t["id"], allowed_plan_ids=None, max_servers=None)
    assert p["allowed_plan_ids"] is None
    assert other["id"] in {plan["id"] for plan in customer.list_all("/v1/plans")}
    assert create(customer, world, t["id"], other).status_code == 202


def test_policy_changes_are_audited(admin, world, daemon, tenant):
    t, customer = tenant
    r = admin.patch(policy_path(t["id"]), json={"max_servers": 7})
    e = audit(admin, r)
    assert (e["action"], e["result"], e["target_type"], e["target_id"], e["tenant_id"]) == \
        ("tenant.policy_update", "ok", "tenant", t["id"], t["id"])
    assert e["actor"] == "tok_" + daemon.admin_token[4:20]
    assert '"max_servers":7' in e["detail"] and '"plan_changes":"none"' in e["detail"]
    r = customer.patch(policy_path(t["id"]), json={"max_servers": 70})
    e = audit(admin, r)
    assert (e["action"], e["result"], e["error_code"]) == \
        ("tenant.policy_update", "error", "forbidden")
    set_policy(admin, t["id"], max_servers=0)
    r = create(customer, world, t["id"], world.plan)
    e = audit(admin, r)
    assert (e["action"], e["result"], e["status"], e["error_code"]) == \
        ("server.create", "error", 403, "quota_exceeded")


def test_configured_defaults(own_daemon):
    d = own_daemon("--default-max-servers", "1", "--default-max-vcpus", "-1",
                   "--default-plan-changes", "upgrade").start()
    admin = d.client(d.admin_token)
    t = admin.post("/v1/tenants", json={"name": unique("tenant")}).json()
    p = admin.get(policy_path(t["id"])).json()
    assert (p["max_servers"], p["max_vcpus"], p["plan_changes"], p["is_default"]) == \
        (1, None, "upgrade", True)
    # Setting one field keeps the others as the defaults had them.
    p = set_policy(admin, t["id"], max_ips=9)
    assert (p["max_servers"], p["max_vcpus"], p["max_ips"], p["is_default"]) == \
        (1, None, 9, False)
    assert d.stop() == 0


def test_bad_default_setting_is_refused(own_daemon):
    d = own_daemon("--default-plan-changes", "sometimes")
    with pytest.raises(AssertionError, match="none, upgrade or any"):
        d.start()
