# SPDX-License-Identifier: GPL-2.0-only
"""Plans and images: the hoster's catalogue."""
from conftest import unique
from pvd import error_of


def test_plan_create_get_update_delete(admin, world):
    r = admin.post("/v1/plans", json={
        "name": unique("plan"), "vcpus": 4, "memory_mib": 4096, "cpu_weight": 512,
        "cpu_cap_pct": 200, "disk_gib": 80, "disk_iops": None, "net_mbps": 1000,
        "transfer_gib": 2000, "available": True})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert r.headers["Location"] == "/v1/plans/" + plan["id"]
    assert (plan["vcpus"], plan["memory_mib"], plan["cpu_weight"], plan["cpu_cap_pct"]) == \
        (4, 4096, 512, 200)
    assert plan["disk_gib"] == 80 and plan["disk_iops"] is None and plan["disk_mbps"] is None
    assert admin.get("/v1/plans/" + plan["id"]).json() == plan

    r = admin.patch("/v1/plans/" + plan["id"], json={"name": plan["name"] + "-x",
                                                     "available": False})
    assert r.status_code == 200
    assert r.json()["name"] == plan["name"] + "-x" and r.json()["available"] is False
    # Resources are not for changing.
    r = admin.patch("/v1/plans/" + plan["id"], json={"vcpus": 8})
    assert r.status_code == 400 and error_of(r)[1] == "vcpus: unknown field"

    assert admin.delete("/v1/plans/" + plan["id"]).status_code == 204
    assert admin.get("/v1/plans/" + plan["id"]).status_code == 404
    assert admin.delete("/v1/plans/" + plan["id"]).status_code == 404
    assert admin.patch("/v1/plans/" + plan["id"], json={}).status_code == 404


def test_plan_defaults(admin):
    r = admin.post("/v1/plans", json={"name": unique("plan"), "vcpus": 1, "memory_mib": 128})
    assert r.status_code == 201
    p = r.json()
    assert p["cpu_weight"] == 256 and p["cpu_cap_pct"] == 0 and p["available"] is True
    for f in ("disk_gib", "disk_iops", "disk_mbps", "net_mbps", "transfer_gib"):
        assert p[f] is None


def test_plan_validation(admin):
    base = {"name": unique("plan"), "vcpus": 1, "memory_mib": 128}
    cases = [
        ({"vcpus": 0}, "vcpus"), ({"vcpus": 65}, "vcpus"), ({"vcpus": "2"}, "vcpus"),
        ({"vcpus": 1.5}, "vcpus"), ({"memory_mib": 15}, "memory_mib"),
        ({"cpu_weight": 0}, "cpu_weight"), ({"cpu_weight": 65536}, "cpu_weight"),
        ({"cpu_cap_pct": -1}, "cpu_cap_pct"), ({"cpu_cap_pct": 101}, "cpu_cap_pct"),
        ({"disk_gib": 0}, "disk_gib"), ({"available": "yes"}, "available"),
        ({"name": ""}, "name"), ({"name": "x" * 101}, "name"), ({"name": "a\tb"}, "name"),
        ({"name": None}, "name"), ({"cores": 2}, "cores"),
    ]
    for change, field in cases:
        r = admin.post("/v1/plans", json=dict(base, **change))
        assert r.status_code == 400, (change, r.text)
        err = r.json()["error"]
        assert err["code"] == "invalid_field" and err["field"] == field, (change, err)
        assert err["message"].startswith(field + ": "), err
    for missing in ("name", "vcpus", "memory_mib"):
        body = dict(base)
        del body[missing]
        r = admin.post("/v1/plans", json=body)
        assert r.status_code == 400 and error_of(r)[1] == missing + ": is required"


def test_plan_names_unique(admin, world):
    r = admin.post("/v1/plans", json={"name": world.plan["name"], "vcpus": 1,
                                       "memory_mib": 128})
    assert r.status_code == 409 and error_of(r)[0] == "conflict"
    other = world.make_plan()
    r = admin.patch("/v1/plans/" + other["id"], json={"name": world.plan["name"]})
    assert r.status_code == 409


def test_image_create_get_update_delete(admin):
    r = admin.post("/v1/images", json={"name": unique("image"),
                                        "kernel_path": "/var/lib/images/debian/vmlinuz"})
    assert r.status_code == 201, r.text
    image = r.json()
    assert image["initrd_path"] is None and image["cmdline"] == "" and image["available"]
    assert admin.get("/v1/images/" + image["id"]).json() == image
    r = admin.patch("/v1/images/" + image["id"], json={"available": False})
    assert r.status_code == 200 and r.json()["available"] is False
    assert admin.delete("/v1/images/" + image["id"]).status_code == 204
    assert admin.get("/v1/images/" + image["id"]).status_code == 404


def test_image_validation(admin, world):
    base = {"name": unique("image"), "kernel_path": "/boot/vmlinuz"}
    cases = [
        ({"kernel_path": "boot/vmlinuz"}, "kernel_path"),
        ({"kernel_path": "/boot/../etc/shadow"}, "kernel_path"),
        ({"kernel_path": "/"}, "kernel_path"), ({"kernel_path": 5}, "kernel_path"),
        ({"initrd_path": "initrd"}, "initrd_path"), ({"cmdline": "a\nb"}, "cmdline"),
        ({"cmdline": "x" * 2049}, "cmdline"), ({"format": "qcow2"}, "format"),
    ]
    for change, field in cases:
        r = admin.post("/v1/images", json=dict(base, **change))
        assert r.status_code == 400 and r.json()["error"]["field"] == field, (change, r.text)
    r = admin.post("/v1/images", json={"name": world.image["name"], "kernel_path": "/k"})
    assert r.status_code == 409


def test_catalogue_is_admin_written_customer_read(world, tenant):
    _, customer = tenant
    r = customer.post("/v1/plans", json={"name": "x", "vcpus": 1, "memory_mib": 128})
    assert r.status_code == 403 and error_of(r)[0] == "forbidden"
    r = customer.post("/v1/images", json={"name": "x", "kernel_path": "/k"})
    assert r.status_code == 403
    for path in ("/v1/plans/", "/v1/images/"):
        obj = world.plan if path == "/v1/plans/" else world.image
        assert customer.get(path + obj["id"]).status_code == 200
        assert customer.patch(path + obj["id"], json={"name": "mine"}).status_code == 403
        assert customer.delete(path + obj["id"]).status_code == 403
    plans = {p["id"] for p in customer.list_all("/v1/plans")}
    assert world.plan["id"] in plans


def test_unavailable_catalogue_hidden_from_customers(admin, world, tenant):
    t, customer = tenant
    plan = world.make_plan(available=False)
    image = world.make_image(available=False)
    assert plan["id"] not in {p["id"] for p in customer.list_all("/v1/plans")}
    assert image["id"] not in {i["id"] for i in customer.list_all("/v1/images")}
    assert customer.get("/v1/plans/" + plan["id"]).status_code == 404
    assert customer.get("/v1/images/" + image["id"]).status_code == 404
    assert plan["id"] in {p["id"] for p in admin.list_all("/v1/plans")}
    # Nobody creates servers on them.
    r = customer.post("/v1/servers", json={"plan_id": plan["id"], "image_id": world.image["id"],
                                            "hostname": "a"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "plan_id"
    r = admin.post("/v1/servers", json={"tenant_id": t["id"], "plan_id": world.plan["id"],
                                         "image_id": image["id"], "hostname": "a"})
    assert r.status_code == 400 and "not available" in error_of(r)[1]


def test_in_use_catalogue_cannot_be_deleted(admin, world):
    t = world.make_tenant()
    plan, image = world.make_plan(), world.make_image()
    server, _ = world.make_server(t["id"], plan_id=plan["id"], image_id=image["id"])
    r = admin.delete("/v1/plans/" + plan["id"])
    assert r.status_code == 409 and error_of(r)[0] == "in_use"
    r = admin.delete("/v1/images/" + image["id"])
    assert r.status_code == 409 and error_of(r)[0] == "in_use"
    r = admin.delete("/v1/servers/" + server["id"])
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    assert admin.delete("/v1/plans/" + plan["id"]).status_code == 204
    assert admin.delete("/v1/images/" + image["id"]).status_code == 204
