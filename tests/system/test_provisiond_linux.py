# SPDX-License-Identifier: GPL-2.0-only
"""A hoster's and a customer's whole story with provisiond, in the appliance:
Linux servers (Debian's kernel and the domU image dom0 ships in
/usr/share/domu/, docs/domu-image.md) made, stopped, started, suspended,
unsuspended and deleted through the REST API, each step checked against
the hypervisor; then provisiond killed with SIGKILL during a create.

The API is driven from the host through the forwarded port (m.https_port
reaches dom0's port 443, HTTPS), as a control panel would; dom0's console is used
for what only dom0 can see or do (hvctl list, provisiond's log, killing and
restarting the service).  The hypervisor echoes each guest console line as
"(hv) (dN) LINE", which is how the guests are watched."""

import json
import re
import time
import urllib.error
import urllib.request

from machine import HV
from pvd_dom0 import (LOG, STARTED, restart_provisiond, start_provisiond,
                      tls_context, wait_provisiond_gone)

TOKEN = r"pvd_[0-9a-f]{16}_[0-9a-f]{64}"
# Generous: a Linux guest powers off in a few seconds even under TCG.
STOP_TIMEOUT = 120


class Api:
    """A client of provisiond's API with one token."""

    def __init__(self, base, token):
        self.base, self.token = base, token

    def call(self, method, path, body=None):
        """(status, decoded JSON answer)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=90, context=tls_context()) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def ok(self, method, path, body=None, status=200):
        got, answer = self.call(method, path, body)
        assert got == status, (method, path, got, answer)
        return answer

    def job(self, method, path, body=None):
        """A request that answers 202 with a job; waits for the job to end
        and returns it."""
        job = self.ok(method, path, body, status=202)["job"]
        return self.wait_job(job["id"])

    def wait_job(self, job_id, timeout=400):
        deadline = time.monotonic() + timeout
        while True:
            job = self.ok("GET", "/v1/jobs/%s?wait=60" % job_id)
            if job["state"] not in ("queued", "running"):
                return job
            assert time.monotonic() < deadline, job


def domains(m, name):
    """The domains called name in hvctl list, as (domid, state) pairs."""
    found = []
    for line in m.check("hvctl list").splitlines():
        f = line.split()
        if len(f) >= 3 and f[0].isdigit() and f[1] == name:
            found.append((int(f[0]), f[2]))
    return found


def admin_token(m):
    """The first admin token, made at first boot.  Read over the console,
    where a hypervisor line may cut into it: read again until it is whole."""
    for _ in range(5):
        found = re.search(TOKEN, m.check("cat /data/provisiond/admin-token"))
        if found:
            return found.group(0)
    raise AssertionError("no admin token in /data/provisiond/admin-token")


def wait_after(m, pattern, since, timeout=30):
    """Waits for the console to match pattern after position since (domain
    ids are reused, so an earlier domain's lines must not count)."""
    regex = re.compile(pattern, re.M)
    deadline = time.monotonic() + timeout
    while not regex.search(m.output, since):
        assert time.monotonic() < deadline, \
            "no %r; console tail:\n%s" % (pattern, m.tail())
        time.sleep(0.5)


def guest_ready(m, domid, since):
    """Waits for the guest in domain domid to say its userspace is up."""
    wait_after(m, HV + r"\(d%d\) domU: userspace ready$" % domid, since,
               timeout=300)


def running_domain(m, admin, server_id):
    """The server's domain id, after checking that it is the only domain of
    that name, that it runs, and that the API says so too."""
    doms = domains(m, server_id)
    assert len(doms) == 1, doms
    domid, state = doms[0]
    assert state in ("running", "blocked"), doms
    s = admin.ok("GET", "/v1/servers/" + server_id)
    assert s["actual_state"] == "running" and s["domain_id"] == domid, s
    return domid


def stopped_gracefully(m, admin, server_id, domid, since):
    """The server's guest powered itself off on the power button (not
    destroyed by the fallback), and its domain is gone."""
    wait_after(m, HV + r"d%d: power button pressed$" % domid, since)
    # (After the shell's prompt, on the same line.)
    wait_after(m, HV + r"\(d%d\) .*domU: power button pressed: powering off$"
               % domid, since)
    wait_after(m, HV + r"d%d: shut down: powered off$" % domid, since)
    assert domains(m, server_id) == []
    s = admin.ok("GET", "/v1/servers/" + server_id)
    assert s["actual_state"] == "stopped" and s["domain_id"] is None, s
    assert m.run("grep -q '%s did not shut down' %s" % (server_id, LOG))[0] == 1, \
        m.check("tail -n 20 " + LOG)


def test_linux_server_life_and_crash_during_create(boot_dom0):
    m = boot_dom0(smp=2, mem_mib=1024)
    started = m.wait_for(STARTED, timeout=150)
    assert "listening" in started.group(1), m.check("cat " + LOG)
    # A guest gets STOP_TIMEOUT seconds to power off.
    restart_provisiond(m, ["stop_timeout = %d" % STOP_TIMEOUT])

    base = "https://127.0.0.1:%d" % m.https_port
    admin = Api(base, admin_token(m))

    # --- The hoster: a customer, a plan and the Linux image. ---
    tenant = admin.ok("POST", "/v1/tenants", {"name": "acme"}, status=201)
    token = admin.ok("POST", "/v1/tokens", {"name": "acme-panel",
                                             "scope": "customer",
                                             "tenant_id": tenant["id"]},
                     status=201)
    customer = Api(base, token["secret"])
    plan = admin.ok("POST", "/v1/plans", {"name": "linux-128",
                                          "vcpus": 1, "memory_mib": 128},
                    status=201)
    cmdline = m.check("cat /usr/share/domu/cmdline").strip()
    image = admin.ok("POST", "/v1/images", {
        "name": "debian-busybox",
        "kernel_path": "/usr/share/domu/vmlinuz",
        "initrd_path": "/usr/share/domu/initrd.img",
        "cmdline": cmdline}, status=201)

    # --- The customer orders a server: it boots Linux to its userspace. ---
    mark = len(m.output)
    status, created = customer.call("POST", "/v1/servers", {
        "plan_id": plan["id"], "image_id": image["id"], "hostname": "web-1"})
    assert status == 202, created
    sid = created["server"]["id"]
    job = customer.wait_job(created["job"]["id"])
    assert job["state"] == "succeeded", (job, m.check("tail -n 20 " + LOG))
    domid = running_domain(m, admin, sid)
    guest_ready(m, domid, mark)

    # --- Stop: the power button, and the guest powers off by itself. ---
    mark = len(m.output)
    assert customer.job("POST", "/v1/servers/%s/stop" % sid)["state"] == "succeeded"
    stopped_gracefully(m, admin, sid, domid, mark)

    # --- Start: a fresh domain boots again. ---
    mark = len(m.output)
    assert customer.job("POST", "/v1/servers/%s/start" % sid)["state"] == "succeeded"
    domid = running_domain(m, admin, sid)
    guest_ready(m, domid, mark)

    # --- Reboot: the hypervisor cannot reset a guest in place, so the
    # guest is stopped as above and a fresh domain boots. ---
    mark = len(m.output)
    assert customer.job("POST", "/v1/servers/%s/reboot" % sid)["state"] == "succeeded"
    wait_after(m, HV + r"d%d: shut down: powered off$" % domid, mark)
    domid = running_domain(m, admin, sid)
    guest_ready(m, domid, mark)
    assert "%s cannot be reset in place: restarting it" % sid in \
        m.check("grep -F '%s cannot be reset' %s" % (sid, LOG))

    # --- Suspended by the hoster: stopped, and the customer locked out. ---
    mark = len(m.output)
    assert admin.job("POST", "/v1/servers/%s/suspend" % sid)["state"] == "succeeded"
    stopped_gracefully(m, admin, sid, domid, mark)
    for action in ("start", "stop", "reboot"):
        status, answer = customer.call("POST", "/v1/servers/%s/%s" % (sid, action))
        assert status == 403, (action, status, answer)
        assert answer["error"]["code"] == "server_suspended", answer
    assert customer.ok("GET", "/v1/servers/" + sid)["suspended"] is True

    # --- Unsuspended: it runs again.  Deleted: its domain is gone. ---
    assert admin.job("POST", "/v1/servers/%s/unsuspend" % sid)["state"] == "succeeded"
    running_domain(m, admin, sid)
    assert customer.job("DELETE", "/v1/servers/" + sid)["state"] == "succeeded"
    assert domains(m, sid) == []
    assert customer.call("GET", "/v1/servers/" + sid)[0] == 404

    # --- provisiond killed (SIGKILL) while a create job runs. ---
    # A watcher in dom0, started before the order, kills it the moment a
    # worker says it started a create job: in the middle of building the
    # domain (reading Linux and its initrd and writing them into the domain
    # takes a second or two).  Typing the kill on the console once the order
    # is in came too late: the job had finished.
    m.check("s=$(wc -c < %s); (n=0; until tail -c +$((s + 1)) %s | "
            "grep -q '(create srv_[0-9a-f]*): running$'; do usleep 10000;"
            " n=$((n + 1)); [ $n -lt 3000 ] || exit; done;"
            " kill -9 $(pidof provisiond)) >/dev/null 2>&1 & true" % (LOG, LOG))
    status, created = customer.call("POST", "/v1/servers", {
        "plan_id": plan["id"], "image_id": image["id"], "hostname": "web-2"})
    assert status == 202, created
    sid, job_id = created["server"]["id"], created["job"]["id"]
    wait_provisiond_gone(m)
    at_kill = domains(m, sid)
    mark = len(m.output)
    start_provisiond(m)

    # The interrupted job was resumed and finished: one domain, running,
    # and the API says the same.
    job = customer.wait_job(job_id)
    log = m.check("grep -e %s -e reconcile %s" % (sid, LOG))
    assert job["state"] == "succeeded", (job, at_kill, log)
    assert job["attempts"] == 2, job
    domid = running_domain(m, admin, sid)     # one domain of that name
    guest_ready(m, domid, mark)
    assert "job %s (create %s): running" % (job_id, sid) in log
    assert "resuming it" in log, log
