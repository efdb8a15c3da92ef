# SPDX-License-Identifier: GPL-2.0-only
"""The daemon itself: the index, health, /v1/system, backends, settings."""
import subprocess
import time

import pvd
from conftest import World


def test_index_says_where_the_api_is(daemon):
    """GET / (what a browser opening the appliance's address gets): no
    token, the API's version and paths, and nothing private."""
    r = daemon.client().get("/")
    assert r.status_code == 200
    index = r.json()
    assert index == {"service": "provisiond", "api_version": "1", "api": "/v1",
                     "health": "/v1/health"}
    assert index["api_version"] == pvd.CONTRACT.doc["info"]["version"]
    assert daemon.client().get(index["health"]).json() == {"status": "ok"}
    # Only GET: other methods get 405 naming it; a query is refused.
    r = daemon.client().post("/")
    assert r.status_code == 405 and set(r.headers["Allow"].split(", ")) == {"GET", "HEAD"}
    r = daemon.client().get("/", params={"x": "1"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_query"


def test_health_needs_no_token(daemon):
    r = daemon.client().get("/v1/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_system_summary(admin, tenant):
    r = admin.get("/v1/system")
    assert r.status_code == 200
    s = r.json()
    assert s["hv_backend"] == "fake" and s["schema_version"] >= 1
    assert s["reconcile"]["orphan_policy"] == "report"
    _, customer = tenant
    r = customer.get("/v1/system")
    assert r.status_code == 403


def run(*args, timeout=20):
    return subprocess.run([str(pvd.BINARY)] + list(args), capture_output=True, text=True,
                          timeout=timeout)


def test_real_backend_refused_clearly(tmp_path):
    """--hv=libhv (the default) needs /dev/hvpriv, which only dom0 on the
    appliance hypervisor has: anywhere else it fails at startup, plainly."""
    for args in (["--hv=libhv"], []):
        out = run("--db", str(tmp_path / "db"), "--port", "0", *args)
        assert out.returncode == 1, out
        assert "hypervisor backend 'libhv' not available" in out.stderr
        assert "/dev/hvpriv" in out.stderr
        assert "listening" not in out.stderr


def test_unknown_backend_and_bad_settings(tmp_path):
    out = run("--db", str(tmp_path / "db"), "--hv=xen")
    assert out.returncode == 1 and "unknown hypervisor backend 'xen'" in out.stderr
    out = run("--port", "99999")
    assert out.returncode == 2 and "port" in out.stderr
    out = run("--frobnicate=1")
    assert out.returncode == 2 and "unknown setting 'frobnicate'" in out.stderr
    conf = tmp_path / "bad.conf"
    conf.write_text("port = 8080\nlisten\n")
    out = run("--config", str(conf))
    assert out.returncode == 2 and "bad.conf:2" in out.stderr
    out = run("--db", str(tmp_path / "missing-dir" / "db"), "--hv=fake")
    assert out.returncode == 1 and "database" in out.stderr


def test_help_and_version():
    out = run("--help")
    assert out.returncode == 0
    for flag in ("--listen", "--port", "--db", "--log-level", "--hv", "--max-body",
                 "--orphans", "--create-admin-token", "--config"):
        assert flag in out.stdout
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("provisiond ")


def test_config_file_and_flags(tmp_path, own_daemon):
    conf = tmp_path / "provisiond.conf"
    conf.write_text("# test settings\n"
                    "max_body = 2k\n"
                    "log_level = debug\n"
                    "long_poll_max = 1\n")
    d = own_daemon("--config", str(conf), "--long-poll-max", "2").start()
    admin = d.client(d.admin_token)
    r = admin.post("/v1/tenants", json={"name": "x" * 3000})
    assert r.status_code == 413				# max_body from the file
    # ?wait= takes the contract's 0..600; provisiond waits at most
    # long_poll_max: 2 s, the flag's, not the file's 1 s.
    world = World(d, admin)
    d.set_faults("create block")
    _, job = world.make_server(world.make_tenant()["id"], wait=False)
    start = time.monotonic()
    r = admin.get("/v1/jobs/" + job["id"], params={"wait": 600})
    waited = time.monotonic() - start
    assert r.status_code == 200 and r.json()["state"] in ("queued", "running")
    assert 2 <= waited < 30, waited
    r = admin.get("/v1/jobs/" + job["id"], params={"wait": 601})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_query"
    d.clear_faults()
    assert admin.wait_job(job["id"])["state"] == "succeeded"
    assert " debug: " in d.log_text()			# log_level from the file
    assert d.stop() == 0
