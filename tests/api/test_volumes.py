# SPDX-License-Identifier: GPL-2.0-only
"""
Templates and servers with disks: root volumes cloned from a template
(here with the sparse-copy test double; the product uses reflink), data
volumes formatted ext4, capacity refused with 507 and nothing made, files
freed on delete, and the reconciler's clean-up of the pool.
"""
import hashlib
import json
import os
import struct
import threading

from conftest import unique
from pvd import error_of

GIB = 1024 ** 3
SEED = 2 * 1024 * 1024


def make_template_file(directory, content=b"ROOTFS", size=3 * 1024 * 1024, manifest=None):
    """A small sparse 'disk image' (content at 0 and at 2 MiB) and its manifest."""
    path = directory / ("%s.img" % unique("tpl"))
    with open(path, "wb") as f:
        f.write(content)
        f.seek(2 * 1024 * 1024)
        f.write(b"SECOND-EXTENT")
        f.truncate(size)
    if manifest is not None:
        path.with_suffix(".json").write_text(json.dumps(manifest))
    return path


def sha256_of(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_template(admin, directory, min_disk_gib=1, **kw):
    path = make_template_file(directory, **kw)
    r = admin.post("/v1/templates", json={"name": unique("debian"), "path": str(path),
                                          "os": "debian-12", "min_disk_gib": min_disk_gib,
                                          "cmdline": "root=/dev/vda1 console=ttyS0"})
    assert r.status_code == 201, r.text
    return r.json(), path


def pool_files(daemon):
    return sorted(p.name for p in daemon.pool.iterdir() if p.name.startswith("vol_"))


def test_template_create_get_list_delete(admin, world, daemon, tmp_path, tenant):
    path = make_template_file(tmp_path, manifest={"name": "debian-12", "version": "2026.12.1",
                                                  "cmdline": "root=/dev/vda1 quiet"})
    path.with_suffix(".json").write_text(json.dumps({
        "name": "debian-12", "os": "Debian 12 (bookworm)", "version": "2026.12.1",
        "kernel_version": "6.1.0-50-amd64", "cmdline": "root=/dev/vda1 quiet",
        "size_bytes": path.stat().st_size, "sha256": sha256_of(path)}))
    # os and min_disk_gib from the manifest and the file's size.
    r = admin.post("/v1/templates", json={"name": unique("debian"), "path": str(path)})
    assert r.status_code == 201, r.text
    assert r.json()["os"] == "Debian 12 (bookworm)" and r.json()["min_disk_gib"] == 1
    r = admin.post("/v1/templates", json={"name": unique("debian"), "path": str(path),
                                          "os": "debian-12", "min_disk_gib": 2})
    assert r.status_code == 201, r.text
    t = r.json()
    assert r.headers["Location"] == "/v1/templates/" + t["id"]
    assert t["size_bytes"] == path.stat().st_size and t["sha256"] == sha256_of(path)
    assert t["version"] == "2026.12.1" and t["cmdline"] == "root=/dev/vda1 quiet"
    assert t["min_disk_gib"] == 2 and t["available"] is True and t["os"] == "debian-12"
    assert admin.get("/v1/templates/" + t["id"]).json() == t
    assert t["id"] in [x["id"] for x in admin.list_all("/v1/templates")]

    # Customers read the available ones only.
    _, customer = tenant
    assert customer.get("/v1/templates/" + t["id"]).status_code == 200
    r = admin.post("/v1/templates", json={"name": unique("hidden"), "path": str(path),
                                          "os": "debian-12", "min_disk_gib": 1,
                                          "available": False})
    hidden = r.json()
    assert customer.get("/v1/templates/" + hidden["id"]).status_code == 404
    ids = [x["id"] for x in customer.list_all("/v1/templates")]
    assert t["id"] in ids and hidden["id"] not in ids
    assert customer.delete("/v1/templates/" + t["id"]).status_code == 403

    r = admin.post("/v1/templates", json={"name": t["name"], "path": str(path),
                                          "os": "x", "min_disk_gib": 1})
    assert r.status_code == 409

    assert admin.delete("/v1/templates/" + t["id"]).status_code == 204
    assert admin.get("/v1/templates/" + t["id"]).status_code == 404
    assert path.exists()		# its file is the hoster's


def test_template_bad_files_are_refused_naming_the_field(admin, tmp_path):
    base = {"name": unique("t"), "os": "debian-12", "min_disk_gib": 1}
    r = admin.post("/v1/templates", json=dict(base, path=str(tmp_path / "none.img")))
    assert r.status_code == 400 and r.json()["error"]["field"] == "path", r.text
    assert "none.img" in error_of(r)[1]
    r = admin.post("/v1/templates", json=dict(base, path=str(tmp_path)))
    assert r.status_code == 400 and "not a regular file" in error_of(r)[1]
    # A manifest whose digest is not the file's.
    path = make_template_file(tmp_path, manifest={"sha256": "0" * 64})
    r = admin.post("/v1/templates", json=dict(base, path=str(path)))
    assert r.status_code == 400 and r.json()["error"]["field"] == "path"
    assert "SHA-256" in error_of(r)[1]
    path = make_template_file(tmp_path, manifest={"size_bytes": 5})
    r = admin.post("/v1/templates", json=dict(base, path=str(path)))
    assert r.status_code == 400 and "size_bytes" in error_of(r)[1]
    path = make_template_file(tmp_path)
    r = admin.post("/v1/templates", json={"name": unique("t"), "path": str(path)})
    assert r.status_code == 400 and r.json()["error"]["field"] == "os", r.text
    path.with_suffix(".json").write_text("{not json")
    r = admin.post("/v1/templates", json=dict(base, path=str(path)))
    assert r.status_code == 400 and "manifest" in error_of(r)[1]
    for change, field in (({"path": "relative.img"}, "path"), ({"min_disk_gib": 0}, "min_disk_gib"),
                          ({"os": ""}, "os")):
        r = admin.post("/v1/templates", json=dict(dict(base, path=str(path)), **change))
        assert r.status_code == 400 and r.json()["error"]["field"] == field, (change, r.text)


def test_server_with_disks_is_made_and_deleted(admin, world, daemon, tmp_path):
    template, tpl_path = make_template(admin, tmp_path)
    plan = world.make_plan(root_disk_gib=3, data_disk_gib=1, disk_iops=500, disk_mbps=80)
    assert plan["root_disk_gib"] == 3 and plan["data_disk_gib"] == 1
    tenant = world.make_tenant()
    before = admin.get("/v1/system").json()["volume_pool"]
    server, job = world.make_server(tenant["id"], plan_id=plan["id"], 
                                    template_id=template["id"])
    assert server["template_id"] == template["id"] and server["image_id"] is None
    kinds = [(v["kind"], v["size_bytes"], v["state"]) for v in server["volumes"]]
    assert kinds == [("root", 3 * GIB, "ready"), ("data", 1 * GIB, "ready"),
                     ("seed", SEED, "ready")], kinds

    pool = admin.get("/v1/system").json()["volume_pool"]
    assert pool["usable"] is True and pool["store"] == "copy" and pool["problem"] is None
    assert pool["provisioned_bytes"] == before["provisioned_bytes"] + 4 * GIB + SEED

    # The files: named by the volumes' ids, the root a sparse clone grown to
    # the plan's size, the data disk ext4 labelled "data".
    root = daemon.pool / (server["volumes"][0]["id"] + ".img")
    data = daemon.pool / (server["volumes"][1]["id"] + ".img")
    seed = daemon.pool / (server["volumes"][2]["id"] + ".img")
    assert root.stat().st_size == 3 * GIB and data.stat().st_size == 1 * GIB
    with open(root, "rb") as f:
        assert f.read(6) == b"ROOTFS"
        f.seek(2 * 1024 * 1024)
        assert f.read(13) == b"SECOND-EXTENT"
    assert root.stat().st_blocks * 512 < 64 * 1024 * 1024		# sparse
    with open(data, "rb") as f:
        sb = f.read(2048)[1024:]
    assert struct.unpack("<H", sb[56:58])[0] == 0xEF53		# ext4's magic
    assert sb[120:136].rstrip(b"\0") == b"data"

    # The domain got the disks in order, and the kernel the bootloader
    # read from the root disk, with the template's command line.
    dom = daemon.domains()[server["id"]]
    assert [d["path"] for d in dom["disks"]] == [str(root), str(data), str(seed)]
    assert dom["disks"][0]["iops"] == 500 and dom["disks"][0]["bps"] == 10 * 1000 * 1000
    assert [d["read_only"] for d in dom["disks"]] == [False, False, True]
    assert dom["kernel"].startswith(str(daemon.pool / ("boot-" + server["id"])))
    assert open(dom["kernel"], "rb").read().startswith(b"ROOTFS")
    assert dom["cmdline"] == "root=/dev/vda1 console=ttyS0"

    # A template in use stays.
    assert admin.delete("/v1/templates/" + template["id"]).status_code == 409

    r = admin.delete("/v1/servers/" + server["id"])
    assert r.status_code == 202
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    assert not root.exists() and not data.exists() and not seed.exists()
    assert not (daemon.pool / ("boot-" + server["id"])).exists()
    assert admin.get("/v1/system").json()["volume_pool"]["provisioned_bytes"] == \
        before["provisioned_bytes"]
    assert admin.delete("/v1/templates/" + template["id"]).status_code == 204


def test_create_checks_template_and_plan(admin, world, tmp_path):
    template, _ = make_template(admin, tmp_path, min_disk_gib=10)
    small = world.make_plan(root_disk_gib=5)
    no_disk = world.make_plan()
    assert no_disk["root_disk_gib"] == 0 and no_disk["data_disk_gib"] == 0
    tenant = world.make_tenant()
    base = {"tenant_id": tenant["id"], "hostname": "a.example.com"}
    cases = [
        (dict(plan_id=small["id"], template_id=template["id"]), "template_id", "at least 10 GiB"),
        (dict(plan_id=no_disk["id"], template_id=template["id"]), "plan_id", "no root disk"),
        (dict(plan_id=small["id"], template_id="tpl_0000000000000000"), "template_id",
         "no such template"),
        (dict(plan_id=small["id"], template_id=template["id"], image_id=world.image["id"]),
         "template_id", "not both"),
        (dict(plan_id=small["id"]), "template_id", "required"),
    ]
    for body, field, words in cases:
        r = admin.post("/v1/servers", json=dict(base, **body))
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field and words in error_of(r)[1], r.text
    servers = admin.list_all("/v1/servers", params={"tenant_id": tenant["id"]})
    assert servers == []


def test_capacity_refused_with_507_and_nothing_made(admin, world, daemon, tmp_path):
    template, _ = make_template(admin, tmp_path)
    huge = world.make_plan(root_disk_gib=65536)		# more than the host's disk
    tenant = world.make_tenant()
    files, before = pool_files(daemon), admin.get("/v1/system").json()["volume_pool"]
    r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": huge["id"],
                                        "template_id": template["id"],
                                        "hostname": "big.example.com"})
    assert r.status_code == 507, r.text
    assert error_of(r)[0] == "insufficient_storage" and "volume pool" in error_of(r)[1]
    assert admin.list_all("/v1/servers", params={"tenant_id": tenant["id"]}) == []
    assert pool_files(daemon) == files
    assert admin.get("/v1/system").json()["volume_pool"]["provisioned_bytes"] == \
        before["provisioned_bytes"]


def test_parallel_creates_never_overshoot_and_leak_nothing(own_daemon, tmp_path):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    size = admin.get("/v1/system").json()["volume_pool"]["size_bytes"]
    # Four such roots fit the pool, a fifth does not.
    root_gib = (size - 64 * 1024 * 1024) // GIB // 4		# room for the seeds
    assert 5 * root_gib * GIB > size
    template, _ = make_template(admin, tmp_path)
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128,
                                         "root_disk_gib": root_gib}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    answers = []

    def create(i):
        answers.append(admin.post("/v1/servers", json={
            "tenant_id": tenant["id"], "plan_id": plan["id"], "template_id": template["id"],
            "hostname": "s%d.example.com" % i}))

    threads = [threading.Thread(target=create, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in answers)
    assert codes == [202] * 4 + [507] * 6, [r.text for r in answers]
    for r in answers:
        if r.status_code == 202:
            assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    servers = admin.list_all("/v1/servers")
    assert len(servers) == 4 and len(pool_files(d)) == 8		# root and seed each
    for s in servers:
        r = admin.delete("/v1/servers/" + s["id"])
        assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    assert pool_files(d) == []
    assert admin.get("/v1/system").json()["volume_pool"]["provisioned_bytes"] == 0


def test_kernel_not_found_fails_the_job(admin, world, tmp_path):
    template, _ = make_template(admin, tmp_path, content=b"NOKERNEL")
    plan = world.make_plan(root_disk_gib=1)
    tenant = world.make_tenant()
    server, job = world.make_server(tenant["id"], plan_id=plan["id"], 
                                    template_id=template["id"], wait=False)
    job = admin.wait_job(job["id"])
    assert job["state"] == "failed"
    assert job["error"]["code"] == "server.boot_failed"
    assert "no kernel" in job["error"]["message"]


def test_reconciler_removes_stray_files_and_marks_missing_volumes(own_daemon, tmp_path):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    template, _ = make_template(admin, tmp_path)
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128,
                                         "root_disk_gib": 1}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                        "template_id": template["id"],
                                        "hostname": "a.example.com", "start": False})
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    server = admin.get("/v1/servers/" + r.json()["server"]["id"]).json()
    root = server["volumes"][0]
    d.kill9()
    # A crash between a file and its row, one while a file was being made,
    # and a volume whose file vanished.
    stray = d.pool / "vol_00000000deadbeef.img"
    stray.write_bytes(b"x")
    partial = d.pool / "vol_00000000feedf00d.img.tmp"
    partial.write_bytes(b"x")
    unrelated = d.pool / "notes.txt"
    unrelated.write_bytes(b"x")
    os.unlink(d.pool / (root["id"] + ".img"))
    d.start()
    admin = d.client(d.admin_token)
    assert not stray.exists() and not partial.exists() and unrelated.exists()
    rep = admin.get("/v1/system").json()["reconcile"]
    assert sorted(rep["volume_files_removed"]) == sorted([stray.name, partial.name])
    assert rep["volumes_missing"] == [root["id"]]
    server = admin.get("/v1/servers/" + server["id"]).json()
    assert server["volumes"][0]["state"] == "missing"
    audit = admin.list_all("/v1/audit")
    assert any(e["action"] == "reconcile.volume_missing" for e in audit)
    # Deleting the server still frees what is left.
    r = admin.delete("/v1/servers/" + server["id"])
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    assert pool_files(d) == []


def test_pool_that_cannot_reflink_is_refused_at_create(own_daemon, tmp_path):
    """The product's store on a pool that cannot share extents: GET
    /v1/system says why, and a create with disks is refused (503) with
    nothing made.  (Skipped where the test host's filesystem can reflink.)"""
    d = own_daemon("--volume-store", "reflink").start()
    admin = d.client(d.admin_token)
    pool = admin.get("/v1/system").json()["volume_pool"]
    if pool["usable"]:
        import pytest
        pytest.skip("the host's filesystem can reflink")
    assert pool["store"] == "reflink" and "cannot share extents" in pool["problem"]
    template, _ = make_template(admin, tmp_path)
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128,
                                         "root_disk_gib": 1}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                        "template_id": template["id"],
                                        "hostname": "a.example.com"})
    assert r.status_code == 503 and error_of(r)[0] == "storage_unavailable", r.text
    assert "XFS with reflink=1" in error_of(r)[1]
    assert admin.list_all("/v1/servers") == [] and pool_files(d) == []
    # Kernel-image servers still work.
    img = admin.post("/v1/images", json={"name": "i", "kernel_path": "/k"}).json()
    r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                        "image_id": img["id"], "hostname": "b.example.com"})
    assert r.status_code == 202


def test_create_waits_for_the_first_boot(own_daemon, tmp_path):
    """The create job of a server with a template ends when the guest says on
    its console that it applied the seed (the fake guest reads the seed's
    instance-id as the first-boot agent does); silence fails it after
    boot_timeout (retryable), a failed first boot fails it with the reason."""
    d = own_daemon("--boot-timeout", "1").start()
    admin = d.client(d.admin_token)
    template, _ = make_template(admin, tmp_path)
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128,
                                         "root_disk_gib": 1}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()

    def create(name):
        r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                            "template_id": template["id"], "hostname": name})
        assert r.status_code == 202, r.text
        return r.json()["server"]["id"], admin.wait_job(r.json()["job"]["id"])

    sid, job = create("ok.example.com")
    assert job["state"] == "succeeded", job
    assert "appliance-firstboot: ready instance-id=srv-%s-1\r\n" % sid in \
        d.domains()[sid]["console"]

    d.set_faults("unpause firstboot-silent")
    sid, job = create("silent.example.com")
    assert job["state"] == "failed" and job["error"]["code"] == "server.boot_failed"
    assert job["error"]["retryable"] is True
    assert "srv-%s-1" % sid in job["error"]["message"] and "within 1 s" in job["error"]["message"]

    d.set_faults("unpause firstboot-fail")
    sid, job = create("fail.example.com")
    assert job["state"] == "failed" and job["error"]["code"] == "server.boot_failed"
    assert job["error"]["retryable"] is False
    assert "cannot resize the root filesystem" in job["error"]["message"]
    d.clear_faults()


def test_disk_quota_counts_root_and_data_disks(admin, world, tmp_path):
    """A tenant's max_disk_gib holds its servers' root and data disks."""
    template, _ = make_template(admin, tmp_path)
    plan = world.make_plan(root_disk_gib=3, data_disk_gib=2)
    tenant = world.make_tenant()
    r = admin.patch("/v1/tenants/%s/policy" % tenant["id"], json={"max_disk_gib": 9})
    assert r.status_code == 200, r.text
    customer = world.customer(tenant["id"])
    world.make_server(tenant["id"], client=customer, plan_id=plan["id"],
                      template_id=template["id"])
    r = customer.post("/v1/servers", json={"plan_id": plan["id"], "hostname": "b.example.com",
                                           "template_id": template["id"]})
    assert r.status_code == 403 and error_of(r)[0] == "quota_exceeded", r.text
    assert "max_disk_gib" in error_of(r)[1]


def test_missing_pool_directory_is_made(own_daemon, tmp_path):
    pool = tmp_path / "data" / "volumes"
    (tmp_path / "data").mkdir()
    d = own_daemon("--volume-pool", str(pool)).start()
    admin = d.client(d.admin_token)
    assert pool.is_dir() and oct(pool.stat().st_mode & 0o777) == "0o700"
    assert admin.get("/v1/system").json()["volume_pool"]["usable"] is True
