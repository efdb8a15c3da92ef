# SPDX-License-Identifier: GPL-2.0-only
"""Crashes and restarts: kill -9 at any moment loses no server and
duplicates none; startup reconciliation finishes or fails interrupted jobs,
restarts missing domains and reports (or destroys) orphans."""
import random
import threading
import time

import requests

from conftest import unique


def catalogue(admin):
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128}).json()
    image = admin.post("/v1/images", json={"name": "i", "kernel_path": "/k"}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    return plan, image, tenant


def server_body(plan, image, tenant, **kw):
    return dict({"tenant_id": tenant["id"], "plan_id": plan["id"], "image_id": image["id"],
                 "hostname": "crash.example"}, **kw)


def assert_consistent(d, admin):
    """Every server has at most one domain, every provisiond domain a server,
    no job is left queued or running, domain ids match."""
    servers = admin.list_all("/v1/servers")
    domains = d.domains()
    by_id = {s["id"]: s for s in servers}
    for name, dom in domains.items():
        assert name in by_id, "orphan domain %s" % name
    for s in servers:
        assert s["active_job_id"] is None, s
        if s["desired_state"] == "running":
            assert s["id"] in domains and s["actual_state"] == "running", s
            assert s["domain_id"] == domains[s["id"]]["domid"], s
        else:
            assert s["id"] not in domains, s
    for j in admin.list_all("/v1/jobs"):
        assert j["state"] in ("succeeded", "failed"), j
        if j["state"] == "failed":
            assert j["error"]["message"], j
    names = [dom["name"] for dom in d.read_state()["domains"]]
    assert len(names) == len(set(names)), "duplicate domains: %s" % names


def wait_idle(admin, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        busy = [j for j in admin.list_all("/v1/jobs") if j["state"] in ("queued", "running")]
        if not busy:
            return
        assert time.monotonic() < deadline, busy
        admin.wait_job(busy[0]["id"], timeout=timeout)


def test_kill9_before_the_domain_exists(own_daemon):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    plan, image, tenant = catalogue(admin)
    d.set_faults("create block")
    r = admin.post("/v1/servers", json=server_body(plan, image, tenant))
    assert r.status_code == 202
    server, job = r.json()["server"], r.json()["job"]
    d.wait_blocked("create")
    d.kill9()
    d.clear_faults()
    d.blocked.unlink()

    d.start()
    admin = d.client(d.admin_token)
    job = admin.wait_job(job["id"])
    # Finished by the restarted daemon: resumed, not run twice in parallel.
    assert job["state"] == "succeeded" and job["attempts"] == 2
    servers = admin.list_all("/v1/servers")
    assert [s["id"] for s in servers] == [server["id"]]
    assert list(d.domains()) == [server["id"]]
    assert servers[0]["actual_state"] == "running"
    assert_consistent(d, admin)
    assert "resuming it" in d.log_text()


def test_kill9_after_the_domain_was_created(own_daemon):
    """The hypervisor made the domain, provisiond died before recording it:
    the resumed job finds it by name instead of making a second one."""
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    plan, image, tenant = catalogue(admin)
    d.set_faults("create block-after")
    r = admin.post("/v1/servers", json=server_body(plan, image, tenant))
    server, job = r.json()["server"], r.json()["job"]
    d.wait_blocked("create")
    assert list(d.domains()) == [server["id"]]
    first_domid = d.domains()[server["id"]]["domid"]
    d.kill9()
    d.clear_faults()

    d.start()
    admin = d.client(d.admin_token)
    job = admin.wait_job(job["id"])
    assert job["state"] == "succeeded"
    assert list(d.domains()) == [server["id"]]
    assert d.domains()[server["id"]]["domid"] == first_domid
    assert admin.get("/v1/servers/" + server["id"]).json()["domain_id"] == first_domid
    # Resumed, found by name, unpaused: never created twice.
    assert "resuming it" in d.log_text()
    assert job["attempts"] == 2
    assert_consistent(d, admin)


def test_job_interrupted_too_often_fails_with_a_reason(own_daemon):
    d = own_daemon("--max-job-attempts", "2").start()
    admin = d.client(d.admin_token)
    plan, image, tenant = catalogue(admin)
    d.set_faults("create block")
    r = admin.post("/v1/servers", json=server_body(plan, image, tenant))
    server, job = r.json()["server"], r.json()["job"]
    for _ in range(2):
        d.wait_blocked("create")
        d.kill9()
        d.blocked.unlink()
        d.start()
    d.clear_faults()
    admin = d.client(d.admin_token)
    failed = admin.get("/v1/jobs/" + job["id"]).json()
    assert failed["state"] == "failed" and failed["attempts"] == 2
    assert failed["error"]["code"] == "interrupted" and failed["error"]["retryable"] is True
    assert "stopped 2 times" in failed["error"]["message"]
    # The reconciler queued a start, since the server should run.
    report = admin.get("/v1/system").json()["reconcile"]
    assert report["jobs_failed"] == 1
    queued = [q for q in report["jobs_queued"] if q["server_id"] == server["id"]]
    assert [q["kind"] for q in queued] == ["start"]
    assert admin.wait_job(queued[0]["job_id"])["state"] == "succeeded"
    assert list(d.domains()) == [server["id"]]
    assert_consistent(d, admin)


def test_kill9_at_random_moments(own_daemon):
    """Creates, stops and deletes under repeated kill -9: every acknowledged
    create exists exactly once; retries with the same Idempotency-Key never
    duplicate; after the last restart everything converges."""
    rng = random.Random(6)
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    plan, image, tenant = catalogue(admin)
    d.set_faults("create delay 30", "unpause delay 20", "destroy delay 20")
    keys = []
    acknowledged = {}

    for round_ in range(4):
        stop = threading.Event()

        def load():
            c = d.client(d.admin_token)
            while not stop.is_set():
                key = unique("k")
                keys.append(key)
                try:
                    r = c.post("/v1/servers", json=server_body(plan, image, tenant,
                                                               external_id=key),
                               headers={"Idempotency-Key": key}, timeout=5, check=False)
                    if r.status_code == 202:
                        acknowledged[key] = r.json()["server"]["id"]
                        victim = r.json()["server"]["id"]
                        if rng.random() < 0.5:
                            c.post("/v1/servers/%s/stop" % victim, timeout=5, check=False)
                except requests.RequestException:
                    return		# killed mid-request: retried below

        t = threading.Thread(target=load)
        t.start()
        time.sleep(rng.uniform(0.2, 0.6))
        d.kill9()
        stop.set()
        t.join()
        d.start()

    # Retry every request, acknowledged or not, with its key: the
    # acknowledged ones replay, the others are created now (once).
    admin = d.client(d.admin_token)
    for key in keys:
        r = admin.post("/v1/servers", json=server_body(plan, image, tenant, external_id=key),
                       headers={"Idempotency-Key": key})
        if r.status_code == 202:
            if key in acknowledged:
                assert r.json()["server"]["id"] == acknowledged[key]
                assert r.headers.get("Idempotent-Replayed") == "true"
        else:
            # A request that committed but whose answer was lost (the
            # replay is then in the key table) never gets here; one that
            # never committed is created by this retry.
            raise AssertionError(r.text)
    d.clear_faults()
    wait_idle(admin)
    servers = admin.list_all("/v1/servers")
    ext = [s["external_id"] for s in servers]
    assert len(ext) == len(set(ext)) == len(set(keys))
    for key, sid in acknowledged.items():
        assert sid in {s["id"] for s in servers}
    assert_consistent(d, admin)


def test_graceful_stop_interrupts_and_resumes_a_job(own_daemon):
    d = own_daemon(stop_timeout=60).start()
    admin = d.client(d.admin_token)
    plan, image, tenant = catalogue(admin)
    r = admin.post("/v1/servers", json=server_body(plan, image, tenant))
    server = r.json()["server"]
    admin.wait_job(r.json()["job"]["id"])
    d.set_faults("shutdown ignore")		# the guest will not stop by itself
    job = admin.post("/v1/servers/%s/stop" % server["id"]).json()["job"]
    time.sleep(0.3)
    started = time.monotonic()
    assert d.stop() == 0			# SIGTERM: does not wait 60 s
    assert time.monotonic() - started < 5
    assert "interrupted by shutdown" in d.log_text()
    d.clear_faults()
    d.start()
    admin = d.client(d.admin_token)
    job = admin.wait_job(job["id"])
    assert job["state"] == "succeeded" and job["attempts"] == 2
    assert server["id"] not in d.domains()
    assert_consistent(d, admin)


def daemon_with_running_server(own_daemon):
    """A started provisiond with one running server: (daemon, admin client,
    (plan, image, tenant), server)."""
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    catalog = catalogue(admin)
    r = admin.post("/v1/servers", json=server_body(*catalog))
    admin.wait_job(r.json()["job"]["id"])
    return d, admin, catalog, r.json()["server"]


def start_after_hypervisor_change(own_daemon, change):
    """A running server and a stopped one; provisiond stopped, change(state)
    applied to the fake hypervisor's state, provisiond started again: its
    reconciliation must queue a start job for the running one only.
    Returns the daemon, an admin client and the server, once idle."""
    d, admin, (plan, image, tenant), server = daemon_with_running_server(own_daemon)
    stopped = admin.post("/v1/servers", json=server_body(plan, image, tenant, start=False))
    admin.wait_job(stopped.json()["job"]["id"])
    d.stop()

    state = d.read_state()
    change(state)
    d.write_state(state)
    d.start()
    admin = d.client(d.admin_token)
    report = admin.get("/v1/system").json()["reconcile"]
    assert [(q["server_id"], q["kind"]) for q in report["jobs_queued"]] == \
        [(server["id"], "start")]
    wait_idle(admin)
    return d, admin, server


def test_missing_domain_is_restarted(own_daemon):
    # The hypervisor lost the running one (host reboot): it comes back.
    def lose_all(state):
        state["domains"] = []

    d, admin, server = start_after_hypervisor_change(own_daemon, lose_all)
    assert list(d.domains()) == [server["id"]]
    assert_consistent(d, admin)


def test_domain_whose_guest_rebooted_itself_is_made_afresh(own_daemon):
    # The guest wrote the reset register (HV_DOMAIN_REBOOT, 7): its domain
    # cannot run again, so the start job replaces it with a new one.
    old = []

    def reboot_guest(state):
        old.append(state["domains"][0]["domid"])
        state["domains"][0]["state"] = 7

    d, admin, server = start_after_hypervisor_change(own_daemon, reboot_guest)
    dom = d.domains()[server["id"]]
    assert dom["state"] == 1 and dom["domid"] != old[0]
    assert_consistent(d, admin)


def test_domain_that_should_not_run_is_stopped(own_daemon):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    plan, image, tenant = catalogue(admin)
    r = admin.post("/v1/servers", json=server_body(plan, image, tenant, start=False))
    server = r.json()["server"]
    admin.wait_job(r.json()["job"]["id"])
    d.stop()
    state = d.read_state()
    state["domains"].append({"domid": 41, "name": server["id"], "state": 1, "vcpus": 1,
                             "memory_mib": 128, "cpu_weight": 256, "cpu_cap_pct": 0,
                             "kernel": "/k", "initrd": "", "cmdline": "", "cpu_time_ns": 0,
                             "running_since_ms": 0, "reboots": 0})
    d.write_state(state)
    d.start()
    admin = d.client(d.admin_token)
    wait_idle(admin)
    assert d.domains() == {}
    assert_consistent(d, admin)


def orphan(domid, name):
    return {"domid": domid, "name": name, "state": 1, "vcpus": 1, "memory_mib": 64,
            "cpu_weight": 256, "cpu_cap_pct": 0, "kernel": "/k", "initrd": "",
            "cmdline": "", "cpu_time_ns": 0, "running_since_ms": 0, "reboots": 0}


def test_orphans_reported_by_default(own_daemon):
    d = own_daemon()
    d.write_state({"next_domid": 50, "domains": [orphan(7, "srv_00000000000000aa"),
                                                 orphan(8, "test-guest")]})
    d.start()
    admin = d.client(d.admin_token)
    report = admin.get("/v1/system").json()["reconcile"]
    assert report["orphans"] == [{"domain_id": 7, "name": "srv_00000000000000aa",
                                  "action": "reported"}]
    assert report["foreign_domains"] == [{"domain_id": 8, "name": "test-guest"}]
    assert set(d.domains()) == {"srv_00000000000000aa", "test-guest"}
    audit = admin.list_all("/v1/audit", params={"action": "reconcile.orphan_domain"})
    assert len(audit) == 1 and "srv_00000000000000aa" in audit[0]["detail"]
    assert "has no server in the database: reported" in d.log_text()


def test_orphans_destroyed_by_policy(own_daemon):
    d = own_daemon(orphans="destroy")
    d.write_state({"next_domid": 50, "domains": [orphan(7, "srv_00000000000000aa"),
                                                 orphan(8, "test-guest")]})
    d.start()
    admin = d.client(d.admin_token)
    report = admin.get("/v1/system").json()["reconcile"]
    assert report["orphan_policy"] == "destroy"
    assert report["orphans"][0]["action"] == "destroyed"
    # Domains that are not provisiond's are never touched.
    assert set(d.domains()) == {"test-guest"}


def test_everything_survives_a_restart(own_daemon):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    plan, image, tenant = catalogue(admin)
    token = admin.post("/v1/tokens", json={"name": "c", "scope": "customer",
                                            "tenant_id": tenant["id"]}).json()
    r = admin.post("/v1/servers", json=server_body(plan, image, tenant))
    admin.wait_job(r.json()["job"]["id"])
    before = {p: admin.list_all(p) for p in ("/v1/tenants", "/v1/plans", "/v1/images",
                                             "/v1/servers", "/v1/jobs")}
    audit_before = len(admin.list_all("/v1/audit"))
    d.restart()
    admin = d.client(d.admin_token)
    for path, items in before.items():
        after = admin.list_all(path)
        if path == "/v1/servers":
            for a, b in zip(after, items):
                a.pop("updated_at")
                b.pop("updated_at")
        assert after == items, path
    assert len(admin.list_all("/v1/audit")) >= audit_before
    assert d.client(token["secret"]).get("/v1/servers").status_code == 200
    # No work to do after a clean restart.
    report = admin.get("/v1/system").json()["reconcile"]
    assert (report["jobs_resumed"], report["jobs_failed"], report["jobs_queued"]) == (0, 0, [])


def test_shutdown_answers_parked_long_polls(own_daemon):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    plan, image, tenant = catalogue(admin)
    d.set_faults("create delay 1500")
    job = admin.post("/v1/servers", json=server_body(plan, image, tenant)).json()["job"]
    answers = []

    def poll():
        c = d.client(d.admin_token)
        answers.append(c.get("/v1/jobs/" + job["id"], params={"wait": 30}))

    pollers = [threading.Thread(target=poll) for _ in range(3)]
    for p in pollers:
        p.start()
    time.sleep(0.3)
    assert d.stop() == 0
    for p in pollers:
        p.join(10)
    # Answered with the job as it was, not dropped.
    assert [r.status_code for r in answers] == [200] * 3
    assert {r.json()["state"] for r in answers} == {"running"}
    # The hypervisor call under way was finished before provisiond exited.
    d.clear_faults()
    d.start()
    assert d.client(d.admin_token).wait_job(job["id"])["state"] == "succeeded"


def test_running_server_whose_guest_reboots_is_started_again(own_daemon):
    # A customer typed `reboot` in the guest: the hypervisor ends its domain
    # in state "reboot" and cannot restart it; provisiond's monitor sees it
    # and queues a start job, which boots a fresh domain.
    d, admin, _, server = daemon_with_running_server(own_daemon)
    old = d.domains()[server["id"]]["domid"]

    # The rule fires once (the next list); the start job may have booted the
    # fresh domain before we could see the old one in state 7, so watch jobs.
    d.set_faults("list reboot-guests")
    deadline = time.monotonic() + 30
    while True:
        jobs = admin.list_all("/v1/jobs", params={"server_id": server["id"]})
        if len(jobs) == 2 and jobs[1]["state"] in ("succeeded", "failed"):
            break
        assert time.monotonic() < deadline, jobs
        time.sleep(0.1)
    d.clear_faults()
    assert [j["kind"] for j in jobs] == ["create", "start"]
    assert jobs[1]["state"] == "succeeded", jobs[1]
    assert jobs[1]["created_by"] == "monitor", jobs[1]
    dom = d.domains()[server["id"]]
    assert dom["state"] == 1 and dom["domid"] != old
    audit = admin.list_all("/v1/audit", params={"action": "server.guest_rebooted"})
    assert len(audit) == 1 and jobs[1]["id"] in audit[0]["detail"]
    assert_consistent(d, admin)
