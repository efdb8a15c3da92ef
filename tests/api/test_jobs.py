# SPDX-License-Identifier: GPL-2.0-only
"""Jobs: long-poll, one job per server (409), failures with reasons."""
import threading
import time

from pvd import error_of


def test_long_poll_returns_when_the_job_finishes(daemon, admin, world):
    t = world.make_tenant()
    daemon.set_faults("create delay 700")
    try:
        server, job = world.make_server(t["id"], wait=False)
        started = time.monotonic()
        r = admin.get("/v1/jobs/" + job["id"], params={"wait": 10})
        took = time.monotonic() - started
    finally:
        daemon.clear_faults()
    assert r.status_code == 200 and r.json()["state"] == "succeeded"
    assert 0.3 < took < 5, took


def test_long_poll_times_out_with_the_current_state(daemon, admin, world):
    t = world.make_tenant()
    daemon.set_faults("create block")
    try:
        server, job = world.make_server(t["id"], wait=False)
        daemon.wait_blocked("create")
        started = time.monotonic()
        r = admin.get("/v1/jobs/" + job["id"], params={"wait": 1})
        took = time.monotonic() - started
        assert r.status_code == 200 and r.json()["state"] == "running"
        assert 0.9 <= took < 3, took
        # wait=0 (and no wait) answer at once.
        started = time.monotonic()
        assert admin.get("/v1/jobs/" + job["id"], params={"wait": 0}).json()["state"] == "running"
        assert admin.get("/v1/jobs/" + job["id"]).json()["state"] == "running"
        assert time.monotonic() - started < 0.5
    finally:
        daemon.clear_faults()
    assert admin.wait_job(job["id"])["state"] == "succeeded"


def test_many_long_polls_do_not_hold_http_threads(daemon, admin, world):
    """More parked long-polls than HTTP threads (4): others are still served."""
    t = world.make_tenant()
    daemon.set_faults("create block")
    results = []
    try:
        server, job = world.make_server(t["id"], wait=False)
        daemon.wait_blocked("create")

        def poll():
            c = daemon.client(daemon.admin_token)
            results.append(c.get("/v1/jobs/" + job["id"], params={"wait": 20}).json()["state"])

        pollers = [threading.Thread(target=poll) for _ in range(12)]
        for p in pollers:
            p.start()
        time.sleep(0.3)
        started = time.monotonic()
        assert admin.get("/v1/health").status_code == 200
        assert admin.get("/v1/servers/" + server["id"]).status_code == 200
        assert time.monotonic() - started < 1
    finally:
        daemon.clear_faults()
    for p in pollers:
        p.join(30)
    assert results == ["succeeded"] * 12


def test_second_job_on_a_server_is_409(daemon, admin, world):
    t = world.make_tenant()
    customer = world.customer(t["id"])
    daemon.set_faults("create block")
    try:
        server, job = world.make_server(t["id"], wait=False)
        daemon.wait_blocked("create")
        for action in ("start", "stop", "reboot", "suspend"):
            r = admin.post("/v1/servers/%s/%s" % (server["id"], action))
            if action == "reboot":
                # Not running yet: the state refuses it first.
                assert r.status_code == 409
                continue
            assert r.status_code == 409, (action, r.text)
            code, message = error_of(r)
            assert code == "job_in_progress" and job["id"] in message
            assert r.json()["error"]["retryable"] is True
        r = customer.delete("/v1/servers/" + server["id"])
        assert r.status_code == 409 and error_of(r)[0] == "job_in_progress"
        r = admin.post("/v1/servers/%s/change-plan" % server["id"],
                       json={"plan_id": world.big_plan["id"]})
        assert r.status_code == 409 and error_of(r)[0] == "job_in_progress"
        s = admin.get("/v1/servers/" + server["id"]).json()
        assert s["active_job_id"] == job["id"] and s["desired_state"] == "running"
    finally:
        daemon.clear_faults()
    assert admin.wait_job(job["id"])["state"] == "succeeded"
    # Once it is done, the retry goes through.
    assert world.action(server["id"], "stop")["state"] == "succeeded"


def test_concurrent_requests_get_one_job(daemon, admin, world):
    """Parallel stop requests: exactly one 202, the rest 409."""
    t = world.make_tenant()
    server, _ = world.make_server(t["id"])
    daemon.set_faults("shutdown delay 300")
    statuses = []
    try:
        def stop():
            c = daemon.client(daemon.admin_token)
            statuses.append(c.post("/v1/servers/%s/stop" % server["id"]).status_code)

        threads = [threading.Thread(target=stop) for _ in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sorted(statuses) == [202] + [409] * 7, statuses
        jobs = admin.list_all("/v1/jobs", params={"server_id": server["id"]})
        assert [j["kind"] for j in jobs] == ["create", "stop"]
        assert admin.wait_job(jobs[1]["id"])["state"] == "succeeded"
    finally:
        daemon.clear_faults()


def test_failed_create_reports_the_reason(daemon, admin, world):
    t = world.make_tenant()
    daemon.set_faults("create fail HV_ENOSPC")
    try:
        server, job = world.make_server(t["id"], wait=False)
        job = admin.wait_job(job["id"])
    finally:
        daemon.clear_faults()
    assert job["state"] == "failed"
    assert job["error"]["code"] == "hv_error"
    assert "create domain" in job["error"]["message"] and "HV_ENOSPC" in job["error"]["message"]
    assert job["error"]["retryable"] is True		# memory may free up
    s = admin.get("/v1/servers/" + server["id"]).json()
    assert s["active_job_id"] is None and s["domain_id"] is None
    assert server["id"] not in daemon.domains()
    # The hoster retries with start.
    assert world.action(server["id"], "start")["state"] == "succeeded"
    assert server["id"] in daemon.domains()


def test_failed_job_not_retryable(daemon, admin, world):
    t = world.make_tenant()
    server, _ = world.make_server(t["id"])
    daemon.set_faults("reboot fail HV_EPERM")
    try:
        job = world.action(server["id"], "reboot")
    finally:
        daemon.clear_faults()
    assert job["state"] == "failed" and job["error"]["retryable"] is False
    assert job["error"]["code"] == "hv_error"


def test_job_list_filters(admin, world, tenant):
    t, customer = tenant
    server, job = world.make_server(t["id"], client=customer)
    world.action(server["id"], "reboot", client=customer)
    jobs = customer.list_all("/v1/jobs", params={"server_id": server["id"]})
    assert [j["kind"] for j in jobs] == ["create", "reboot"]
    assert all(j["state"] == "succeeded" for j in jobs)
    assert customer.list_all("/v1/jobs", params={"server_id": server["id"],
                                                 "state": "failed"}) == []
    mine = admin.list_all("/v1/jobs", params={"tenant_id": t["id"]})
    assert {j["id"] for j in mine} == {j["id"] for j in jobs}
    r = admin.get("/v1/jobs", params={"state": "done"})
    assert r.status_code == 400 and error_of(r)[0] == "invalid_query"
    r = admin.get("/v1/jobs/" + job["id"], params={"wait": 601})
    assert r.status_code == 400 and "wait" in error_of(r)[1]
    r = admin.get("/v1/jobs/" + job["id"], params={"wait": "soon"})
    assert r.status_code == 400
    assert admin.get("/v1/jobs/job_0000000000000000").status_code == 404
