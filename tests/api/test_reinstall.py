# SPDX-License-Identifier: GPL-2.0-only
"""
Reinstall of a server made from a template: a new root disk cloned into a
new file and swapped in only once made, the data disk kept (or formatted),
a new seed with the new credentials; a failure leaves the old root.
"""
import crypt
import os
import struct
import uuid

from test_credentials import KEY, hashed_passwd, seed_file
from test_volumes import make_template, pool_files


def volumes_by_kind(server):
    return {v["kind"]: v for v in server["volumes"]}


def test_reinstall_swaps_the_root_and_keeps_data(own_daemon, tmp_path):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    old_tpl, _ = make_template(admin, tmp_path, content=b"OLDROOT")
    new_tpl, _ = make_template(admin, tmp_path, content=b"NEWROOT")
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128,
                                         "root_disk_gib": 2, "data_disk_gib": 1}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    customer = d.client(admin.post("/v1/tokens", json={
        "name": "c", "scope": "customer", "tenant_id": tenant["id"]}).json()["secret"])
    r = customer.post("/v1/servers", json={"plan_id": plan["id"], "template_id": old_tpl["id"],
                                           "hostname": "old.example.com",
                                           "root_password": "first password"})
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    server = admin.get("/v1/servers/" + r.json()["server"]["id"]).json()
    old = volumes_by_kind(server)
    data_path = d.pool / (old["data"]["id"] + ".img")
    with open(data_path, "r+b") as f:		# the customer's data
        f.seek(100 * 1024 * 1024)
        f.write(b"CUSTOMER-DATA")

    password = "second-" + uuid.uuid4().hex
    r = customer.post("/v1/servers/%s/reinstall" % server["id"], json={
        "template_id": new_tpl["id"], "root_password": password, "ssh_keys": [KEY],
        "hostname": "new.example.com"})
    assert r.status_code == 202, r.text
    job = admin.wait_job(r.json()["job"]["id"])
    assert job["state"] == "succeeded", job
    assert password not in str(job) and set(job["params"]) == {
        "template_id", "root_volume_id", "format_data", "hostname"}

    server = admin.get("/v1/servers/" + server["id"]).json()
    new = volumes_by_kind(server)
    assert server["template_id"] == new_tpl["id"] and server["hostname"] == "new.example.com"
    assert new["root"]["id"] != old["root"]["id"] and new["root"]["state"] == "ready"
    assert not (d.pool / (old["root"]["id"] + ".img")).exists()
    assert (d.pool / (new["root"]["id"] + ".img")).read_bytes()[:7] == b"NEWROOT"
    assert new["data"]["id"] == old["data"]["id"]
    with open(data_path, "rb") as f:
        f.seek(100 * 1024 * 1024)
        assert f.read(13) == b"CUSTOMER-DATA"
    assert seed_file(d, server, "meta-data") == \
        "instance-id: 'srv-%s-2'\nlocal-hostname: 'new.example.com'\n" % server["id"]
    user = seed_file(d, server, "user-data")
    h = hashed_passwd(user)
    assert crypt.crypt(password, h) == h and KEY in user
    dom = d.domains()[server["id"]]
    assert dom["disks"][0]["path"] == str(d.pool / (new["root"]["id"] + ".img"))
    assert "instance-id=srv-%s-2" % server["id"] in dom["console"]
    assert len(pool_files(d)) == 3
    audit = admin.list_all("/v1/audit")
    assert any(e["action"] == "server.reinstall" and e["result"] == "ok" for e in audit)

    # format_data: an empty ext4 again; credentials not given stay.
    r = admin.post("/v1/servers/%s/reinstall" % server["id"], json={"format_data": True})
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    with open(data_path, "rb") as f:
        sb = f.read(2048)[1024:]
        f.seek(100 * 1024 * 1024)
        assert f.read(13) != b"CUSTOMER-DATA"
    assert struct.unpack("<H", sb[56:58])[0] == 0xEF53
    server = admin.get("/v1/servers/" + server["id"]).json()
    assert server["template_id"] == new_tpl["id"]
    user = seed_file(d, server, "user-data")
    assert hashed_passwd(user) == h and KEY in user
    assert seed_file(d, server, "meta-data").startswith("instance-id: 'srv-%s-3'" % server["id"])
    assert len(pool_files(d)) == 3


def test_failed_reinstall_leaves_the_old_root(own_daemon, tmp_path):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    tpl, _ = make_template(admin, tmp_path, content=b"OLDROOT")
    broken, broken_path = make_template(admin, tmp_path, content=b"BROKEN")
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128,
                                         "root_disk_gib": 1}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                        "template_id": tpl["id"], "hostname": "a.example.com"})
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    server = admin.get("/v1/servers/" + r.json()["server"]["id"]).json()
    old_root = volumes_by_kind(server)["root"]
    os.unlink(broken_path)		# the clone will fail

    r = admin.post("/v1/servers/%s/reinstall" % server["id"],
                   json={"template_id": broken["id"]})
    job = admin.wait_job(r.json()["job"]["id"])
    assert job["state"] == "failed" and job["error"]["code"] == "volume_error", job
    server = admin.get("/v1/servers/" + server["id"]).json()
    assert server["template_id"] == tpl["id"]
    roots = [v for v in server["volumes"] if v["kind"] == "root"]
    assert {(v["id"], v["state"]) for v in roots} >= {(old_root["id"], "ready")}
    assert (d.pool / (old_root["id"] + ".img")).read_bytes()[:7] == b"OLDROOT"

    # It still starts from its old root; a reinstall that works cleans up.
    r = admin.post("/v1/servers/%s/start" % server["id"])
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    assert d.domains()[server["id"]]["disks"][0]["path"] == \
        str(d.pool / (old_root["id"] + ".img"))
    r = admin.post("/v1/servers/%s/reinstall" % server["id"], json={})
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    server = admin.get("/v1/servers/" + server["id"]).json()
    assert [v["state"] for v in server["volumes"]] == ["ready", "ready"]
    assert len(pool_files(d)) == 2


def test_reinstall_checks(admin, world, tmp_path):
    tpl, _ = make_template(admin, tmp_path)
    big, _ = make_template(admin, tmp_path, min_disk_gib=50)
    plan = world.make_plan(root_disk_gib=1)
    tenant = world.make_tenant()
    server, _ = world.make_server(tenant["id"], plan_id=plan["id"], template_id=tpl["id"])
    plain, _ = world.make_server(tenant["id"])
    for body, field in (({"template_id": big["id"]}, "template_id"),
                        ({"image_id": world.image["id"]}, "image_id"),
                        ({"root_password": "short"}, "root_password")):
        r = admin.post("/v1/servers/%s/reinstall" % server["id"], json=body)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text
    r = admin.post("/v1/servers/%s/reinstall" % plain["id"], json={"format_data": True})
    assert r.status_code == 400 and r.json()["error"]["field"] == "format_data"
    # Refused requests leave nothing staged.
    assert [v["state"] for v in admin.get("/v1/servers/" + server["id"]).json()["volumes"]] \
        == ["ready", "ready"]


def test_reinstall_that_does_not_fit_is_refused_with_507(own_daemon, tmp_path):
    """The new root is staged beside the old one until the swap, so it must
    fit the pool too: when it does not, 507 and the server is as it was."""
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    size = admin.get("/v1/system").json()["volume_pool"]["size_bytes"]
    root_gib = (size - 64 * 1024 * 1024) // (1 << 30) // 2 + 1	# one fits, two do not
    template, _ = make_template(admin, tmp_path)
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128,
                                         "root_disk_gib": root_gib}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                        "template_id": template["id"],
                                        "hostname": "full.example.com"})
    assert r.status_code == 202, r.text
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    server_id = r.json()["server"]["id"]
    before = admin.get("/v1/servers/" + server_id).json()
    files = pool_files(d)
    r = admin.post("/v1/servers/%s/reinstall" % server_id, json={})
    assert r.status_code == 507, r.text
    assert r.json()["error"]["code"] == "insufficient_storage"
    after = admin.get("/v1/servers/" + server_id).json()
    assert after["volumes"] == before["volumes"] and pool_files(d) == files
