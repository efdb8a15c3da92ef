# SPDX-License-Identifier: GPL-2.0-only
"""
Fixtures of the provisiond API tests.  One provisiond (fake hypervisor
backend, temporary database, free port) serves the tests that only talk to
it; tests that restart or kill it start their own (pvd.Daemon).
"""
import uuid
from pathlib import Path

import pytest

import pvd

# Tests that -k or -m left out: then the suite did not all run.
DESELECTED = []


def pytest_configure(config):
    for binary in (pvd.BINARY, pvd.PRODUCT):
        assert binary.exists(), (
            "%s not built: make -f provisiond/build.mk provisiond "
            "provisiond-testhv" % binary)


def pytest_deselected(items):
    DESELECTED.extend(items)


def pytest_sessionfinish(session, exitstatus):
    """The suite called every operation of the contract (each request went
    through pvd.Contract, which recorded its operation).  Checked when every
    test module ran and passed, whatever the order; a gap fails the run."""
    report = session.config.pluginmanager.get_plugin("terminalreporter")
    if report:
        report.write("\n")
    modules = {p.stem for p in Path(__file__).parent.glob("test_*.py")}
    ran = {item.module.__name__ for item in session.items}
    if exitstatus != 0 or DESELECTED or not modules <= ran:
        if report:
            report.write_line("contract coverage: not checked (only part of the "
                              "suite ran, or it failed)")
        return
    missing = pvd.uncalled_operations(pvd.CALLED)
    if missing:
        if report:
            report.write_line("contract coverage: operations no test called: %s"
                              % missing, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif report:
        report.write_line("contract coverage: every one of the %d operations was called"
                          % len(list(pvd.CONTRACT.operations())))


def unique(prefix="t"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


class World:
    """Makes tenants, tokens, plans, images and servers through the API."""

    def __init__(self, daemon, admin):
        self.daemon = daemon
        self.admin = admin
        self.plan = self.make_plan()
        self.big_plan = self.make_plan(vcpus=2, memory_mib=1024, cpu_weight=512,
                                       cpu_cap_pct=150)
        self.image = self.make_image()

    def make_tenant(self, **fields):
        body = dict({"name": unique("tenant")}, **fields)
        r = self.admin.post("/v1/tenants", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def make_token(self, tenant_id=None, client=None, **fields):
        body = dict({"name": unique("token"),
                     "scope": "customer" if tenant_id else "admin"}, **fields)
        if tenant_id:
            body["tenant_id"] = tenant_id
        r = (client or self.admin).post("/v1/tokens", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def customer(self, tenant_id):
        """A client with a new customer token of the tenant."""
        return self.daemon.client(self.make_token(tenant_id)["secret"])

    def make_plan(self, **fields):
        body = dict({"name": unique("plan"), "vcpus": 1, "memory_mib": 256}, **fields)
        r = self.admin.post("/v1/plans", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def make_image(self, **fields):
        body = dict({"name": unique("image"), "kernel_path": "/var/lib/images/vmlinuz",
                     "initrd_path": "/var/lib/images/initrd.gz",
                     "cmdline": "console=hvc0 quiet"}, **fields)
        r = self.admin.post("/v1/images", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def make_server(self, tenant_id, client=None, wait=True, **fields):
        body = dict({"plan_id": self.plan["id"], "hostname": "web-1.example.com"}, **fields)
        if "template_id" not in fields:		# a kernel-image server
            body.setdefault("image_id", self.image["id"])
        if client is None:
            body["tenant_id"] = tenant_id
        r = (client or self.admin).post("/v1/servers", json=body)
        assert r.status_code == 202, r.text
        server, job = r.json()["server"], r.json()["job"]
        if wait:
            job = self.admin.wait_job(job["id"])
            assert job["state"] == "succeeded", job
            server = self.admin.get("/v1/servers/" + server["id"]).json()
        return server, job

    def action(self, server_id, action, client=None, body=None, wait=True):
        r = (client or self.admin).post("/v1/servers/%s/%s" % (server_id, action), json=body)
        assert r.status_code == 202, r.text
        job = r.json()["job"]
        if wait:
            job = self.admin.wait_job(job["id"])
        return job


@pytest.fixture(scope="session")
def daemon(tmp_path_factory):
    d = pvd.Daemon(tmp_path_factory.mktemp("shared")).start()
    yield d
    rc = d.stop()
    assert rc == 0, "provisiond did not stop cleanly (%s):\n%s" % (rc, d.log_text()[-3000:])


@pytest.fixture(scope="session")
def admin(daemon):
    return daemon.client(daemon.admin_token)


@pytest.fixture(scope="session")
def world(daemon, admin):
    return World(daemon, admin)


@pytest.fixture
def tenant(world):
    """A fresh tenant and a customer client for it."""
    t = world.make_tenant()
    return t, world.customer(t["id"])


@pytest.fixture
def own_daemon(tmp_path):
    """A provisiond of the test's own, for restarts and kills."""
    daemons = []

    def make(*args, **kw):
        d = pvd.Daemon(tmp_path / ("d%d" % len(daemons)), *args, **kw)
        daemons.append(d)
        return d

    yield make
    for d in daemons:
        d.kill9()


# The web panel's files for the static-file tests (test_static.py): one of
# each type provisiond knows, a hashed asset, and what must never be
# served: a file next to web_root and symlinks (one pointing out of it).
WEB_FILES = {
    "index.html": b"<!doctype html><title>panel</title><script src=/assets/app-3f2a.js></script>",
    "assets/app-3f2a.js": b"console.log('panel');",
    "assets/app-3f2a.js.map": b'{"version":3}',
    "assets/mod.mjs": b"export default 1;",
    "assets/style-9c1d.css": b"body{margin:0}",
    "assets/font.woff2": b"wOF2\0\0",
    "logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "icon.png": b"\x89PNG\r\n\x1a\n",
    "favicon.ico": b"\0\0\1\0",
    "manifest.json": b'{"name":"panel"}',
    "notes": b"a file without an extension",
    "blob.bin": b"\0\1\2",
}
WEB_SECRET = b"SECRET-OUTSIDE-WEB-ROOT"


@pytest.fixture(scope="session")
def web_daemon(tmp_path_factory):
    """A provisiond serving a web panel from a temporary web_root."""
    base = tmp_path_factory.mktemp("web")
    root = base / "web"
    for name, data in WEB_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (base / "outside.txt").write_bytes(WEB_SECRET)
    (root / "escape.txt").symlink_to(base / "outside.txt")
    (root / "inner.js").symlink_to(root / "assets" / "app-3f2a.js")
    (root / "escapedir").symlink_to(base)
    (root / ".hidden").write_bytes(WEB_SECRET)
    d = pvd.Daemon(base / "pvd", "--web-root", str(root)).start()
    d.web_root = root
    yield d
    rc = d.stop()
    assert rc == 0, "provisiond did not stop cleanly (%s):\n%s" % (rc, d.log_text()[-3000:])
