# SPDX-License-Identifier: GPL-2.0-only
"""Servers and their jobs against the fake hypervisor: create, stop, start,
reboot, suspend, unsuspend, change plan, reinstall, delete."""
import time

from conftest import unique
from pvd import error_of


def test_customer_lifecycle(daemon, admin, world, tenant):
    t, customer = tenant
    r = customer.post("/v1/servers", json={"plan_id": world.plan["id"],
                                            "image_id": world.image["id"],
                                            "hostname": "shop.example.org"})
    assert r.status_code == 202, r.text
    server, job = r.json()["server"], r.json()["job"]
    assert r.headers["Location"] == "/v1/jobs/" + job["id"]
    assert server["tenant_id"] == t["id"] and server["desired_state"] == "running"
    assert server["actual_state"] == "provisioning" and server["active_job_id"] == job["id"]
    assert job["kind"] == "create" and job["server_id"] == server["id"]

    job = customer.wait_job(job["id"])
    assert job["state"] == "succeeded" and job["error"] is None and job["attempts"] == 1
    server = customer.get("/v1/servers/" + server["id"]).json()
    assert server["actual_state"] == "running" and server["active_job_id"] is None

    # The domain exists in the (fake) hypervisor, named after the server,
    # built from the plan and the image.
    dom = daemon.domains()[server["id"]]
    assert server["domain_id"] == dom["domid"] and dom["state"] == 1
    assert (dom["vcpus"], dom["memory_mib"]) == (1, 256)
    assert dom["kernel"] == world.image["kernel_path"]
    assert dom["initrd"] == world.image["initrd_path"]
    assert dom["cmdline"] == world.image["cmdline"]

    job = world.action(server["id"], "stop", client=customer)
    assert job["state"] == "succeeded"
    server = customer.get("/v1/servers/" + server["id"]).json()
    assert server["desired_state"] == "stopped" and server["actual_state"] == "stopped"
    assert server["domain_id"] is None and server["id"] not in daemon.domains()

    r = customer.post("/v1/servers/%s/reboot" % server["id"])
    assert r.status_code == 409 and error_of(r)[0] == "invalid_state"

    assert world.action(server["id"], "start", client=customer)["state"] == "succeeded"
    server = customer.get("/v1/servers/" + server["id"]).json()
    assert server["actual_state"] == "running" and server["id"] in daemon.domains()

    assert world.action(server["id"], "reboot", client=customer)["state"] == "succeeded"
    assert daemon.domains()[server["id"]]["reboots"] == 1

    r = customer.delete("/v1/servers/" + server["id"])
    assert r.status_code == 202
    assert r.json()["server"]["desired_state"] == "deleted"
    assert customer.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    assert customer.get("/v1/servers/" + server["id"]).status_code == 404
    assert server["id"] not in daemon.domains()
    assert server["id"] not in {s["id"] for s in customer.list_all("/v1/servers")}
    # Deleting again: it is gone.
    assert customer.delete("/v1/servers/" + server["id"]).status_code == 404


def test_create_stopped(daemon, world):
    t = world.make_tenant()
    server, job = world.make_server(t["id"], start=False)
    assert server["desired_state"] == "stopped" and server["actual_state"] == "stopped"
    assert server["id"] not in daemon.domains()


def test_graceful_stop_falls_back_to_destroy(daemon, admin, world):
    t = world.make_tenant()
    server, _ = world.make_server(t["id"])
    daemon.set_faults("shutdown ignore")
    try:
        started = time.monotonic()
        job = world.action(server["id"], "stop")
        # The guest ignored the request: destroyed after stop_timeout (1 s).
        assert job["state"] == "succeeded"
        assert time.monotonic() - started >= 0.9
        assert server["id"] not in daemon.domains()
        # force skips the wait.
        world.action(server["id"], "start")
        started = time.monotonic()
        job = world.action(server["id"], "stop", body={"force": True})
        assert job["state"] == "succeeded" and job["params"] == {"force": True}
        assert time.monotonic() - started < 0.9
    finally:
        daemon.clear_faults()


def test_reboot_without_reset_in_place_restarts(daemon, admin, world):
    """A backend that cannot reset a guest in place (libhv: HV_ENOSYS) gets
    a restart: the guest is asked to shut down, and a fresh domain runs."""
    t = world.make_tenant()
    server, _ = world.make_server(t["id"])
    old = daemon.domains()[server["id"]]["domid"]
    daemon.set_faults("reboot fail HV_ENOSYS")
    try:
        job = world.action(server["id"], "reboot")
    finally:
        daemon.clear_faults()
    assert job["state"] == "succeeded", job
    dom = daemon.domains()[server["id"]]
    assert dom["domid"] != old and dom["state"] == 1 and dom["reboots"] == 0
    s = admin.get("/v1/servers/" + server["id"]).json()
    assert s["actual_state"] == "running" and s["domain_id"] == dom["domid"]
    log = daemon.log_text()
    assert "%s cannot be reset in place: restarting it" % server["id"] in log
    assert "asked %s (d%d) to shut down" % (server["id"], old) in log


def test_suspend_locks_out_customer(daemon, admin, world, tenant):
    t, customer = tenant
    server, _ = world.make_server(t["id"], client=customer)
    # Only admins suspend.
    r = customer.post("/v1/servers/%s/suspend" % server["id"])
    assert r.status_code == 403 and error_of(r)[0] == "forbidden"

    job = world.action(server["id"], "suspend")
    assert job["state"] == "succeeded"
    s = admin.get("/v1/servers/" + server["id"]).json()
    assert s["suspended"] is True and s["actual_state"] == "stopped"
    assert s["desired_state"] == "running"		# what it returns to
    assert server["id"] not in daemon.domains()

    for action, body in (("start", None), ("stop", None), ("reboot", None),
                         ("change-plan", {"plan_id": world.big_plan["id"]}),
                         ("reinstall", None)):
        r = customer.post("/v1/servers/%s/%s" % (server["id"], action), json=body)
        assert r.status_code == 403, (action, r.text)
        code, message = error_of(r)
        assert code == "server_suspended" and "suspended" in message
    r = customer.delete("/v1/servers/" + server["id"])
    assert r.status_code == 403 and error_of(r)[0] == "server_suspended"
    r = customer.post("/v1/servers/%s/unsuspend" % server["id"])
    assert r.status_code == 403 and error_of(r)[0] in ("forbidden", "server_suspended")
    # Admins unsuspend before starting.
    r = admin.post("/v1/servers/%s/start" % server["id"])
    assert r.status_code == 409 and error_of(r)[0] == "server_suspended"
    r = admin.post("/v1/servers/%s/suspend" % server["id"])
    assert r.status_code == 409 and error_of(r)[0] == "invalid_state"

    job = world.action(server["id"], "unsuspend")
    assert job["state"] == "succeeded"
    s = customer.get("/v1/servers/" + server["id"]).json()
    assert s["suspended"] is False and s["actual_state"] == "running"
    assert server["id"] in daemon.domains()
    r = admin.post("/v1/servers/%s/unsuspend" % server["id"])
    assert r.status_code == 409 and error_of(r)[0] == "invalid_state"


def test_change_plan(daemon, admin, world, tenant):
    t, customer = tenant
    server, _ = world.make_server(t["id"], client=customer)
    old_domid = daemon.domains()[server["id"]]["domid"]
    # Customers change plans only where the hoster allows it (test_policy.py).
    r = admin.patch("/v1/tenants/%s/policy" % t["id"], json={"plan_changes": "any"})
    assert r.status_code == 200, r.text
    job = world.action(server["id"], "change-plan", client=customer,
                       body={"plan_id": world.big_plan["id"]})
    assert job["state"] == "succeeded" and job["params"] == {"plan_id": world.big_plan["id"]}
    s = customer.get("/v1/servers/" + server["id"]).json()
    assert s["plan_id"] == world.big_plan["id"] and s["actual_state"] == "running"
    dom = daemon.domains()[server["id"]]
    assert (dom["vcpus"], dom["memory_mib"], dom["cpu_weight"], dom["cpu_cap_pct"]) == \
        (2, 1024, 512, 150)
    assert dom["domid"] != old_domid and s["domain_id"] == dom["domid"]
    r = customer.post("/v1/servers/%s/change-plan" % server["id"],
                      json={"plan_id": world.big_plan["id"]})
    assert r.status_code == 409 and error_of(r)[0] == "invalid_state"
    r = customer.post("/v1/servers/%s/change-plan" % server["id"],
                      json={"plan_id": "pln_0000000000000000"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "plan_id"
    r = customer.post("/v1/servers/%s/change-plan" % server["id"], json={})
    assert r.status_code == 400 and error_of(r)[1] == "plan_id: is required"


def test_reinstall(daemon, admin, world, tenant):
    t, customer = tenant
    server, _ = world.make_server(t["id"], client=customer)
    image = world.make_image(kernel_path="/var/lib/images/alpine/vmlinuz", cmdline="ro")
    job = world.action(server["id"], "reinstall", client=customer,
                       body={"image_id": image["id"], "hostname": "fresh.example.org"})
    assert job["state"] == "succeeded"
    s = customer.get("/v1/servers/" + server["id"]).json()
    assert s["image_id"] == image["id"] and s["hostname"] == "fresh.example.org"
    assert s["actual_state"] == "running"
    dom = daemon.domains()[server["id"]]
    assert dom["kernel"] == "/var/lib/images/alpine/vmlinuz" and dom["cmdline"] == "ro"
    # Without a body: the same image again.
    job = world.action(server["id"], "reinstall", client=customer)
    assert job["state"] == "succeeded" and job["params"] == {"image_id": image["id"]}
    r = customer.post("/v1/servers/%s/reinstall" % server["id"],
                      json={"image_id": "img_0000000000000000"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "image_id"
    r = customer.post("/v1/servers/%s/reinstall" % server["id"], json={"hostname": "-x-"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "hostname"


def test_update_server(admin, world, tenant):
    t, customer = tenant
    server, _ = world.make_server(t["id"], client=customer, wait=False)
    r = customer.patch("/v1/servers/" + server["id"], json={"hostname": "renamed.example"})
    assert r.status_code == 200 and r.json()["hostname"] == "renamed.example"
    r = customer.patch("/v1/servers/" + server["id"], json={"external_id": "whmcs-1"})
    assert r.status_code == 403 and "external_id" in error_of(r)[1]
    ext = unique("svc")
    r = admin.patch("/v1/servers/" + server["id"], json={"external_id": ext})
    assert r.status_code == 200 and r.json()["external_id"] == ext
    found = admin.get("/v1/servers", params={"external_id": ext}).json()["items"]
    assert [s["id"] for s in found] == [server["id"]]
    r = admin.patch("/v1/servers/" + server["id"], json={"external_id": None})
    assert r.status_code == 200 and r.json()["external_id"] is None
    r = customer.patch("/v1/servers/" + server["id"], json={"hostname": "bad_host"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "hostname"


def test_external_id_unique_among_live_servers(admin, world):
    t = world.make_tenant()
    ext = unique("svc")
    server, _ = world.make_server(t["id"], external_id=ext)
    r = admin.post("/v1/servers", json={"tenant_id": t["id"], "plan_id": world.plan["id"],
                                         "image_id": world.image["id"], "hostname": "b",
                                         "external_id": ext})
    assert r.status_code == 409 and error_of(r)[0] == "conflict"
    assert "external_id" in error_of(r)[1]
    other, _ = world.make_server(t["id"])
    r = admin.patch("/v1/servers/" + other["id"], json={"external_id": ext})
    assert r.status_code == 409
    # Free again once the holder is deleted (billing reuses service ids).
    job = admin.delete("/v1/servers/" + server["id"]).json()["job"]
    assert admin.wait_job(job["id"])["state"] == "succeeded"
    server2, _ = world.make_server(t["id"], external_id=ext)
    assert server2["external_id"] == ext


def test_create_validation(admin, world, tenant):
    t, customer = tenant
    base = {"plan_id": world.plan["id"], "image_id": world.image["id"], "hostname": "a.b"}
    for change, field in (({"hostname": "has space"}, "hostname"),
                          ({"hostname": "x" * 254}, "hostname"),
                          ({"hostname": None}, "hostname"),
                          ({"plan_id": "pln_0000000000000000"}, "plan_id"),
                          ({"image_id": 5}, "image_id"),
                          ({"start": "yes"}, "start"),
                          ({"tenant_id": "ten_0000000000000000"}, "tenant_id"),
                          ({"ipv4": "10.0.0.1"}, "ipv4")):
        r = customer.post("/v1/servers", json=dict(base, **change))
        assert r.status_code == 400 and r.json()["error"]["field"] == field, (change, r.text)
    # An admin must say which tenant.
    r = admin.post("/v1/servers", json=base)
    assert r.status_code == 400 and r.json()["error"]["field"] == "tenant_id"
    # A customer may name its own tenant.
    r = customer.post("/v1/servers", json=dict(base, tenant_id=t["id"]))
    assert r.status_code == 202


def test_usage(daemon, admin, world, tenant):
    t, customer = tenant
    server, _ = world.make_server(t["id"], client=customer, external_id=unique("svc"))
    # The monitor samples every second; the fake counts one busy vCPU.
    deadline = time.monotonic() + 10
    while True:
        rows = customer.list_all("/v1/usage")
        row = next(r for r in rows if r["server_id"] == server["id"])
        if row["cpu_time_ns"] > 0 and row["sampled_at"]:
            break
        assert time.monotonic() < deadline, row
        time.sleep(0.3)
    assert row["tenant_id"] == t["id"] and row["external_id"] == server["external_id"]
    assert row["deleted_at"] is None
    # Stopping folds the domain's time into the total; it survives.
    world.action(server["id"], "stop", body={"force": True})
    after_stop = next(r for r in customer.list_all("/v1/usage")
                      if r["server_id"] == server["id"])
    assert after_stop["cpu_time_ns"] >= row["cpu_time_ns"]
    # Deleted servers stay in the usage list with their final figures.
    job = customer.delete("/v1/servers/" + server["id"]).json()["job"]
    assert customer.wait_job(job["id"])["state"] == "succeeded"
    final = next(r for r in admin.list_all("/v1/usage", params={"tenant_id": t["id"]})
                 if r["server_id"] == server["id"])
    assert final["deleted_at"] is not None
    assert final["cpu_time_ns"] == after_stop["cpu_time_ns"]
