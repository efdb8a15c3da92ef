# SPDX-License-Identifier: GPL-2.0-only
"""GET /v1/metrics (docs/metrics.md): Prometheus's text format, checked by
promtool; what it reports against what the API and the fake hypervisor
say; labels from route templates, never raw paths; admin only."""
import re
import shutil
import subprocess
import uuid

FAKE_RAM = 16 << 30            # tests/api/testhv/hv_fake.c
FAKE_DOM0_RAM = 1 << 30


def scrape(admin):
    r = admin.get("/v1/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
    return r.text


def samples(text):
    """{(name, labels text): value} of every sample line."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$', line)
        assert m, "not a sample line: %r" % line
        out[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return out


def value(s, name, **labels):
    want = "{" + ",".join('%s="%s"' % kv for kv in labels.items()) + "}" if labels else ""
    return s[(name, want)]


def test_promtool_accepts_it(admin, world, tenant):
    world.make_server(tenant[0]["id"])
    promtool = shutil.which("promtool")
    assert promtool, "promtool not installed (Debian package prometheus; packaging/install-deps.sh)"
    text = scrape(admin)
    out = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                         capture_output=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr


def test_what_it_reports(admin, daemon, world, tenant):
    server, _ = world.make_server(tenant[0]["id"])
    # A request on a path with an id, and ones no route matches.
    assert admin.get("/v1/servers/" + server["id"]).status_code == 200
    for _ in range(5):
        assert admin.get("/v1/nothing-here-" + uuid.uuid4().hex).status_code == 404
    s = samples(scrape(admin))

    cpu = value(s, "provisiond_server_cpu_seconds_total", server_id=server["id"],
                tenant_id=tenant[0]["id"])
    assert cpu >= 0
    servers = admin.list_all("/v1/servers")
    running = sum(1 for x in servers if x["actual_state"] == "running")
    assert value(s, "provisiond_servers", state="running") == running
    assert sum(v for (n, _), v in s.items() if n == "provisiond_servers") == len(servers)

    # The fake's memory: 16 GiB, 1 GiB dom0's, each domain its own.
    used = sum(d["memory_mib"] << 20 for d in daemon.read_state()["domains"])
    assert value(s, "provisiond_memory_total_bytes") == FAKE_RAM
    # (the shared daemon may hold more domains than that by now: then 0)
    assert value(s, "provisiond_memory_free_bytes") == max(0, FAKE_RAM - FAKE_DOM0_RAM - used)
    assert value(s, "provisiond_volume_pool_free_bytes") > 0
    assert value(s, "provisiond_volume_pool_size_bytes") >= \
        value(s, "provisiond_volume_pool_free_bytes")

    jobs = admin.list_all("/v1/jobs")
    created = sum(1 for j in jobs if j["kind"] == "create" and j["state"] == "succeeded")
    assert value(s, "provisiond_jobs", kind="create", state="succeeded") == created
    assert value(s, "provisiond_jobs", kind="delete", state="running") >= 0
    assert value(s, "provisiond_job_duration_seconds_count", kind="create",
                 outcome="succeeded") >= 1

    # Route templates, never the raw path; unmatched paths are one series.
    assert value(s, "provisiond_http_requests_total", method="GET",
                 route="/v1/servers/{id}", status="200") >= 1
    assert value(s, "provisiond_http_requests_total", method="",
                 route="unmatched", status="404") >= 5
    routes = {re.search(r'route="([^"]*)"', lbl).group(1)
              for (n, lbl) in s if n == "provisiond_http_requests_total"}
    assert not [r for r in routes if "srv_" in r or "nothing-here" in r], routes
    assert value(s, "provisiond_http_request_duration_seconds_count", method="POST",
                 route="/v1/servers") >= 1
    assert value(s, "provisiond_db_write_seconds_count") > 0
    assert value(s, "provisiond_start_time_seconds") > 1.6e9


def test_admin_only(admin, tenant, daemon):
    _, customer = tenant
    r = customer.get("/v1/metrics")
    assert r.status_code == 403
    assert daemon.client().get("/v1/metrics").status_code == 401
    # Customers' requests are counted like anyone's, under the route.
    s = samples(scrape(admin))
    assert value(s, "provisiond_http_requests_total", method="GET", route="/v1/metrics",
                 status="403") >= 1
