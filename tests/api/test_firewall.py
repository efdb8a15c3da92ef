# SPDX-License-Identifier: GPL-2.0-only
"""A server's inbound firewall (GET/PUT /v1/servers/{id}/firewall,
provisiond/api_firewall.c, docs/networking.md): validation, storage, the
rules handed to dom0 (the fake hypervisor keeps each domain's interface as
provisiond gives it to create and nic_apply: what hv-netfilter would be
told), a failed apply that changes nothing, re-application at every start,
who may change them, and the audit log.

Every test runs its own provisiond: the server needs an address (an IP
pool) to have an interface at all."""
import pytest

from pvd import error_of

V4 = {"name": "v4", "family": 4, "network": "192.0.2.0/24", "gateway": "192.0.2.1",
      "dns": ["192.0.2.53"]}


@pytest.fixture
def env(own_daemon):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128}).json()
    image = admin.post("/v1/images", json={"name": "i", "kernel_path": "/k"}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    assert admin.post("/v1/ip-pools", json=V4).status_code == 201
    token = admin.post("/v1/tokens", json={"name": "c", "scope": "customer",
                                           "tenant_id": tenant["id"]}).json()
    customer = d.client(token["secret"])

    def make_server():
        r = customer.post("/v1/servers", json={"plan_id": plan["id"], "image_id": image["id"],
                                               "hostname": "fw.example"})
        assert r.status_code == 202, r.text
        job = admin.wait_job(r.json()["job"]["id"])
        assert job["state"] == "succeeded", job
        return r.json()["server"]["id"]

    return d, admin, customer, make_server


def url(sid):
    return "/v1/servers/%s/firewall" % sid


def nic(d, sid):
    return d.domains()[sid]["nic"]


def test_default_is_allow_everything(env):
    d, admin, customer, make_server = env
    sid = make_server()
    fw = customer.get(url(sid)).json()
    assert fw == {"server_id": sid, "default": "allow", "inbound": [], "updated_at": None}
    # The interface the server started with lets everything in.
    n = nic(d, sid)
    assert n["inbound"] == "allow" and n["allow"] == [] and n["addrs"] == ["192.0.2.2/32"]


def test_put_stores_canonical_rules_and_applies_them(env):
    d, admin, customer, make_server = env
    sid = make_server()
    before = d.domains()[sid]["nic_applies"]
    rules = ["tcp:22", "tcp:8000-8100@198.51.100.7", "udp:53-53@2001:DB8:0::/32", "icmp"]
    r = customer.put(url(sid), json={"default": "deny", "inbound": rules})
    assert r.status_code == 200, r.text
    want = ["tcp:22", "tcp:8000-8100@198.51.100.7/32", "udp:53@2001:db8::/32", "icmp"]
    fw = r.json()
    assert fw["default"] == "deny" and fw["inbound"] == want and fw["updated_at"]
    assert customer.get(url(sid)).json() == fw
    # In force at once: one apply with the rules, the addresses unchanged.
    dom = d.domains()[sid]
    assert dom["nic_applies"] == before + 1
    assert dom["nic"]["inbound"] == "deny" and dom["nic"]["allow"] == want
    assert dom["nic"]["addrs"] == ["192.0.2.2/32"]

    # Deny with no rule at all: only replies come in.
    r = customer.put(url(sid), json={"default": "deny"})
    assert r.status_code == 200 and r.json()["inbound"] == []
    assert nic(d, sid)["inbound"] == "deny" and nic(d, sid)["allow"] == []
    # And back to allow.
    r = customer.put(url(sid), json={"default": "allow", "inbound": []})
    assert r.status_code == 200
    assert nic(d, sid)["inbound"] == "allow" and d.domains()[sid]["nic_applies"] == before + 3


@pytest.mark.parametrize("body, field", [
    ({"inbound": ["tcp:22"]}, "default"),			# default is required
    ({"default": "maybe"}, "default"),
    ({"default": "deny", "inbound": "tcp:22"}, "inbound"),
    ({"default": "allow", "inbound": ["tcp:22"]}, "inbound"),	# contradictory
    ({"default": "deny", "inbound": ["tcp:22"] * 1 + ["udp:%d" % p for p in range(1, 17)]},
     "inbound"),						# 17 rules
    ({"default": "deny", "inbound": ["tcp:22", "tcp:22-22"]}, "inbound[1]"),	# the same
    ({"default": "deny", "inbound": ["sctp:22"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:0"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:65536"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:90-80"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:80-"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:+80"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:22,80"]}, "inbound[0]"),	# one port or range
    ({"default": "deny", "inbound": ["icmp:8"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["icmp@"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:22@10.0.0.1/8"]}, "inbound[0]"),	# host bits
    ({"default": "deny", "inbound": ["tcp:22@10.0.0.0/33"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:22@10.0.0.0/-1"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:22@300.0.0.0/8"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:22@2001:db8::1/32"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:22@@10.0.0.0/8"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:22 --inbound allow"]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["tcp:22\n"]}, "inbound[0]"),
    ({"default": "deny", "inbound": [22]}, "inbound[0]"),
    ({"default": "deny", "inbound": ["x" * 64]}, "inbound[0]"),
    ({"default": "deny", "extra": 1}, "extra"),
])
def test_bad_rules_are_400_naming_the_field(env, body, field):
    d, admin, customer, make_server = env
    sid = make_server()
    applies = d.domains()[sid]["nic_applies"]
    r = customer.put(url(sid), json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"].startswith(field.split("[")[0]), r.text
    if "[" in field:
        assert r.json()["error"]["field"] == field, r.text
    # Nothing stored, nothing applied.
    assert customer.get(url(sid)).json()["default"] == "allow"
    assert d.domains()[sid]["nic_applies"] == applies


def test_failed_apply_changes_nothing(env):
    d, admin, customer, make_server = env
    sid = make_server()
    assert customer.put(url(sid), json={"default": "deny", "inbound": ["tcp:22"]}).status_code == 200
    d.set_faults("nic_apply fail EIO")
    r = customer.put(url(sid), json={"default": "deny", "inbound": ["tcp:80"]})
    d.clear_faults()
    assert r.status_code == 503, r.text
    code, message = error_of(r)
    assert code == "unavailable" and "previous rules" in message
    assert r.json()["error"]["retryable"] is True
    assert customer.get(url(sid)).json()["inbound"] == ["tcp:22"]
    assert nic(d, sid)["allow"] == ["tcp:22"]


def test_rules_are_reapplied_at_every_start_and_survive_a_restart(env):
    d, admin, customer, make_server = env
    sid = make_server()
    job = customer.post("/v1/servers/%s/stop" % sid, json={"force": True}).json()["job"]
    assert admin.wait_job(job["id"])["state"] == "succeeded"
    assert sid not in d.domains()
    # Stopped: stored, nothing to apply to.
    r = customer.put(url(sid), json={"default": "deny", "inbound": ["tcp:443", "icmp"]})
    assert r.status_code == 200, r.text
    d.restart()
    admin = d.client(d.admin_token)
    assert admin.get(url(sid)).json()["inbound"] == ["tcp:443", "icmp"]
    job = admin.post("/v1/servers/%s/start" % sid).json()["job"]
    assert admin.wait_job(job["id"])["state"] == "succeeded"
    # The new domain was created with the stored rules.
    dom = d.domains()[sid]
    assert dom["nic_applies"] == 0
    assert dom["nic"]["inbound"] == "deny" and dom["nic"]["allow"] == ["tcp:443", "icmp"]


def test_who_may_change_the_rules_and_the_audit_log(env):
    d, admin, customer, make_server = env
    sid = make_server()
    other_tenant = admin.post("/v1/tenants", json={"name": "other"}).json()
    other = d.client(admin.post("/v1/tokens", json={
        "name": "o", "scope": "customer", "tenant_id": other_tenant["id"]}).json()["secret"])
    assert other.get(url(sid)).status_code == 404
    assert other.put(url(sid), json={"default": "deny"}).status_code == 404
    assert admin.get(url("srv_0000000000000000")).status_code == 404
    # The owner and an admin may.
    assert customer.put(url(sid), json={"default": "deny"}).status_code == 200
    assert admin.put(url(sid), json={"default": "deny", "inbound": ["tcp:22"]}).status_code == 200
    # Suspended: the customer may not, an admin still may.
    job = admin.post("/v1/servers/%s/suspend" % sid).json()["job"]
    assert admin.wait_job(job["id"])["state"] == "succeeded"
    r = customer.put(url(sid), json={"default": "allow"})
    assert r.status_code == 403 and error_of(r)[0] == "server_suspended"
    assert customer.get(url(sid)).json()["inbound"] == ["tcp:22"]
    audit = [(e["action"], e["result"], e["target_id"])
             for e in admin.list_all("/v1/audit") if e["action"] == "server.firewall_update"]
    assert [a[1] for a in audit].count("ok") == 2
    assert all(a[2] == sid for a in audit)
    assert "error" in [a[1] for a in audit]		# the refusal is audited too


def test_a_job_in_progress_is_409(env):
    d, admin, customer, make_server = env
    sid = make_server()
    d.set_faults("destroy block")
    try:
        r = customer.post("/v1/servers/%s/stop" % sid, json={"force": True})
        assert r.status_code == 202
        d.wait_blocked("destroy")
        r = customer.put(url(sid), json={"default": "deny"})
        assert r.status_code == 409 and error_of(r)[0] == "job_in_progress"
    finally:
        d.clear_faults()
    assert admin.wait_job(r.json()["error"]["message"].split()[4])["state"] == "succeeded"


# --- make run's port forwards (provisiond/dev_forward.c) -------------------

def forwards_env(own_daemon, *args):
    d = own_daemon(*args).start()
    admin = d.client(d.admin_token)
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128}).json()
    image = admin.post("/v1/images", json={"name": "i", "kernel_path": "/k"}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()

    def make_server(wait=True):
        r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                            "image_id": image["id"], "hostname": "f.example"})
        assert r.status_code == 202, r.text
        job = admin.wait_job(r.json()["job"]["id"])
        assert job["state"] == "succeeded", job
        return admin.get("/v1/servers/" + r.json()["server"]["id"]).json()

    return d, admin, make_server


def test_forwards_are_given_shown_applied_and_freed(own_daemon):
    d, admin, make_server = forwards_env(own_daemon, "--dev-port-forward-base", "22000",
                                         "--default-max-servers", "-1",
                                         "--default-max-ips", "-1", "--ip-quarantine", "0")
    # No IPv4 pool yet: no address, so no forward.
    s0 = make_server()
    assert s0["forwards"] == []
    assert admin.post("/v1/ip-pools", json=V4).status_code == 201
    s1, s2 = make_server(), make_server()
    assert s1["forwards"] == [{"host_port": 22000, "port": 22}]
    assert s2["forwards"] == [{"host_port": 22001, "port": 22}]
    n = d.domains()[s1["id"]]["nic"]
    assert (n["forward_host_port"], n["forward_port"]) == (22000, 22)
    # Kept across a stop and start.
    job = admin.post("/v1/servers/%s/stop" % s1["id"], json={"force": True}).json()["job"]
    assert admin.wait_job(job["id"])["state"] == "succeeded"
    job = admin.post("/v1/servers/%s/start" % s1["id"]).json()["job"]
    assert admin.wait_job(job["id"])["state"] == "succeeded"
    assert admin.get("/v1/servers/" + s1["id"]).json()["forwards"][0]["host_port"] == 22000
    assert d.domains()[s1["id"]]["nic"]["forward_host_port"] == 22000
    # The firewall's re-apply keeps it.
    r = admin.put("/v1/servers/%s/firewall" % s2["id"], json={"default": "deny",
                                                               "inbound": ["tcp:22"]})
    assert r.status_code == 200
    assert d.domains()[s2["id"]]["nic"]["forward_host_port"] == 22001
    # Deleting s1 frees 22000 for the next server.
    r = admin.delete("/v1/servers/" + s1["id"])
    assert admin.wait_job(r.json()["job"]["id"])["state"] == "succeeded"
    s3 = make_server()
    assert s3["forwards"] == [{"host_port": 22000, "port": 22}]
    # 16 ports in all: the 17th server with an address gets none, and runs.
    servers = [make_server() for _ in range(14)]
    ports = sorted(f["host_port"] for s in servers + [s2, s3] for f in s["forwards"])
    assert ports == list(range(22000, 22016))
    extra = make_server()
    assert extra["forwards"] == [] and extra["actual_state"] == "running"
    assert d.domains()[extra["id"]]["nic"]["forward_host_port"] == 0


def test_no_forwards_unless_configured(own_daemon):
    d, admin, make_server = forwards_env(own_daemon)
    assert admin.post("/v1/ip-pools", json=V4).status_code == 201
    s = make_server()
    assert s["forwards"] == []
    assert d.domains()[s["id"]]["nic"]["forward_host_port"] == 0
