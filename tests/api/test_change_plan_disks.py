# SPDX-License-Identifier: GPL-2.0-only
"""
change-plan and a server's disks (here with the sparse-copy test double):
a plan with bigger disks grows the volume files (never down) and reserves
the pool's capacity with the request (507 and nothing changed when it does
not fit); a smaller disk is refused with 400 naming plan_id (shrinking
would destroy data); a plan that brings a data disk makes one; the plan's
I/O quotas reach the new domain.
"""
import struct

from pvd import error_of
from test_volumes import GIB, SEED, make_template, pool_files


def volumes(admin, server_id):
    s = admin.get("/v1/servers/" + server_id).json()
    return {v["kind"]: v for v in s["volumes"]}, s


def provisioned(admin):
    return admin.get("/v1/system").json()["volume_pool"]["provisioned_bytes"]


def is_ext4_labelled_data(path):
    with open(path, "rb") as f:
        sb = f.read(2048)[1024:]
    return struct.unpack("<H", sb[56:58])[0] == 0xEF53 and sb[120:136].rstrip(b"\0") == b"data"


def test_bigger_plan_grows_the_files_and_keeps_their_contents(admin, world, daemon, tmp_path):
    template, _ = make_template(admin, tmp_path)
    small = world.make_plan(root_disk_gib=3, data_disk_gib=1, disk_iops=500)
    big = world.make_plan(root_disk_gib=5, data_disk_gib=2, disk_iops=900, disk_mbps=40)
    server, _ = world.make_server(world.make_tenant()["id"], plan_id=small["id"],
                                  template_id=template["id"])
    vols, _ = volumes(admin, server["id"])
    root = daemon.pool / (vols["root"]["id"] + ".img")
    data = daemon.pool / (vols["data"]["id"] + ".img")
    # Something the customer wrote at the end of each disk.
    for path, size in ((root, 3 * GIB), (data, 1 * GIB)):
        with open(path, "r+b") as f:
            f.seek(size - 4096)
            f.write(b"CUSTOMER-DATA")
    before = provisioned(admin)

    job = world.action(server["id"], "change-plan", body={"plan_id": big["id"]})
    assert job["state"] == "succeeded", job
    vols, s = volumes(admin, server["id"])
    assert s["plan_id"] == big["id"] and s["actual_state"] == "running"
    assert (vols["root"]["size_bytes"], vols["data"]["size_bytes"]) == (5 * GIB, 2 * GIB)
    assert vols["seed"]["size_bytes"] == SEED
    assert provisioned(admin) == before + 3 * GIB
    # The same files, longer, nothing lost, still sparse.
    assert root.stat().st_size == 5 * GIB and data.stat().st_size == 2 * GIB
    with open(root, "rb") as f:
        assert f.read(6) == b"ROOTFS"
        f.seek(3 * GIB - 4096)
        assert f.read(13) == b"CUSTOMER-DATA"
        f.seek(5 * GIB - 4096)
        assert f.read(4096) == bytes(4096)
    with open(data, "rb") as f:
        f.seek(1 * GIB - 4096)
        assert f.read(13) == b"CUSTOMER-DATA"
    assert is_ext4_labelled_data(data)
    assert root.stat().st_blocks * 512 < 64 * 1024 * 1024
    # The new domain has them, with the new plan's quotas.
    dom = daemon.domains()[server["id"]]
    assert [d["path"] for d in dom["disks"]][:2] == [str(root), str(data)]
    assert dom["disks"][0]["iops"] == 900 and dom["disks"][1]["bps"] == 5 * 1000 * 1000

    # Back to the smaller plan: refused, naming the field, nothing changed.
    r = admin.post("/v1/servers/%s/change-plan" % server["id"], json={"plan_id": small["id"]})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "plan_id"
    assert "root_disk_gib 3" in error_of(r)[1] and "never shrunk" in error_of(r)[1]
    vols, s = volumes(admin, server["id"])
    assert s["plan_id"] == big["id"] and s["active_job_id"] is None
    assert vols["root"]["size_bytes"] == 5 * GIB and root.stat().st_size == 5 * GIB
    assert provisioned(admin) == before + 3 * GIB

    r = admin.delete("/v1/servers/" + server["id"])
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    assert provisioned(admin) == before - 4 * GIB - SEED


def test_smaller_data_disk_or_none_is_refused(admin, world, daemon, tmp_path):
    template, _ = make_template(admin, tmp_path)
    with_data = world.make_plan(root_disk_gib=2, data_disk_gib=2)
    less_data = world.make_plan(root_disk_gib=4, data_disk_gib=1)
    no_data = world.make_plan(root_disk_gib=4)
    server, _ = world.make_server(world.make_tenant()["id"], plan_id=with_data["id"],
                                  template_id=template["id"])
    files, before = pool_files(daemon), provisioned(admin)
    for plan, words in ((less_data, "data_disk_gib 1"), (no_data, "data_disk_gib 0")):
        r = admin.post("/v1/servers/%s/change-plan" % server["id"],
                       json={"plan_id": plan["id"]})
        assert r.status_code == 400, r.text
        assert r.json()["error"]["field"] == "plan_id" and words in error_of(r)[1], r.text
    vols, s = volumes(admin, server["id"])
    assert s["plan_id"] == with_data["id"]
    assert (vols["root"]["size_bytes"], vols["data"]["size_bytes"]) == (2 * GIB, 2 * GIB)
    assert pool_files(daemon) == files and provisioned(admin) == before


def test_plan_with_a_data_disk_adds_one(admin, world, daemon, tmp_path):
    template, _ = make_template(admin, tmp_path)
    plain = world.make_plan(root_disk_gib=2)
    with_data = world.make_plan(root_disk_gib=2, data_disk_gib=1)
    server, _ = world.make_server(world.make_tenant()["id"], plan_id=plain["id"],
                                  template_id=template["id"])
    vols, _ = volumes(admin, server["id"])
    assert sorted(vols) == ["root", "seed"]
    before = provisioned(admin)

    job = world.action(server["id"], "change-plan", body={"plan_id": with_data["id"]})
    assert job["state"] == "succeeded", job
    vols, s = volumes(admin, server["id"])
    assert (vols["data"]["size_bytes"], vols["data"]["state"]) == (1 * GIB, "ready")
    data = daemon.pool / (vols["data"]["id"] + ".img")
    assert data.stat().st_size == 1 * GIB and is_ext4_labelled_data(data)
    assert provisioned(admin) == before + 1 * GIB
    # The guest's order: root, data, seed.
    dom = daemon.domains()[server["id"]]
    assert [d["path"] for d in dom["disks"]] == [
        str(daemon.pool / (vols[k]["id"] + ".img")) for k in ("root", "data", "seed")]


def test_growth_that_does_not_fit_is_507_and_changes_nothing(admin, world, daemon, tmp_path):
    template, _ = make_template(admin, tmp_path)
    plan = world.make_plan(root_disk_gib=2, data_disk_gib=1)
    huge = world.make_plan(root_disk_gib=65536, data_disk_gib=1)	# beyond the host's disk
    huge_data = world.make_plan(root_disk_gib=2, data_disk_gib=65536)
    server, _ = world.make_server(world.make_tenant()["id"], plan_id=plan["id"],
                                  template_id=template["id"])
    files, before = pool_files(daemon), provisioned(admin)
    for big in (huge, huge_data):
        r = admin.post("/v1/servers/%s/change-plan" % server["id"], json={"plan_id": big["id"]})
        assert r.status_code == 507, r.text
        assert error_of(r)[0] == "insufficient_storage" and "volume pool" in error_of(r)[1]
    vols, s = volumes(admin, server["id"])
    assert s["plan_id"] == plan["id"] and s["active_job_id"] is None
    assert (vols["root"]["size_bytes"], vols["data"]["size_bytes"]) == (2 * GIB, 1 * GIB)
    assert pool_files(daemon) == files and provisioned(admin) == before


def test_stopped_server_grows_and_stays_stopped(admin, world, daemon, tmp_path):
    template, _ = make_template(admin, tmp_path)
    small = world.make_plan(root_disk_gib=2)
    big = world.make_plan(root_disk_gib=3, data_disk_gib=1)
    server, _ = world.make_server(world.make_tenant()["id"], plan_id=small["id"],
                                  template_id=template["id"])
    assert world.action(server["id"], "stop")["state"] == "succeeded"
    job = world.action(server["id"], "change-plan", body={"plan_id": big["id"]})
    assert job["state"] == "succeeded", job
    vols, s = volumes(admin, server["id"])
    assert s["actual_state"] == "stopped" and server["id"] not in daemon.domains()
    assert (daemon.pool / (vols["root"]["id"] + ".img")).stat().st_size == 3 * GIB
    assert (daemon.pool / (vols["data"]["id"] + ".img")).stat().st_size == 1 * GIB
    assert world.action(server["id"], "start")["state"] == "succeeded"
    assert len(daemon.domains()[server["id"]]["disks"]) == 3


def test_kernel_image_server_changes_plan_without_volumes(admin, world, daemon):
    """A server without volumes: the plan's disk sizes make none."""
    plan = world.make_plan(root_disk_gib=2, data_disk_gib=1)
    server, _ = world.make_server(world.make_tenant()["id"])
    job = world.action(server["id"], "change-plan", body={"plan_id": plan["id"]})
    assert job["state"] == "succeeded", job
    s = admin.get("/v1/servers/" + server["id"]).json()
    assert s["plan_id"] == plan["id"] and s.get("volumes", []) == []
