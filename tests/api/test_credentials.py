# SPDX-License-Identifier: GPL-2.0-only
"""
Root passwords and SSH keys for servers made from templates: checked
(400 naming the field), written into the NoCloud seed disk as a yescrypt
hash, never stored, logged, audited or returned in plain text; a password
reset writes a new seed with a new instance-id.
"""
import crypt
import subprocess
import uuid

from conftest import unique
from pvd import error_of
from test_volumes import make_template

KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICz/yi9dC0CXuj63d+TPmHnLiuVaVZn7V+zOvLZEOrPo"
       " alice@example")


def seed_file(daemon, server, name):
    seed = [v for v in server["volumes"] if v["kind"] == "seed"][0]
    path = daemon.pool / (seed["id"] + ".img")
    out = subprocess.run(["mtype", "-i", str(path), "::" + name], capture_output=True,
                         text=True, check=True)
    return out.stdout


def seed_label(daemon, server):
    seed = [v for v in server["volumes"] if v["kind"] == "seed"][0]
    out = subprocess.run(["mlabel", "-i", str(daemon.pool / (seed["id"] + ".img")), "-s", "::"],
                         capture_output=True, text=True, check=True)
    return out.stdout


def hashed_passwd(user_data):
    line = [l for l in user_data.splitlines() if "hashed_passwd:" in l][0]
    return line.split("'")[1]


def everything_stored(daemon):
    """Every byte provisiond wrote: database (and WAL), log, fake hv state."""
    data = b""
    for p in daemon.dir.iterdir():
        if p.is_file():
            data += p.read_bytes()
    return data


def test_seed_has_hostname_password_hash_and_keys(admin, world, daemon, tmp_path):
    template, _ = make_template(admin, tmp_path)
    plan = world.make_plan(root_disk_gib=1)
    tenant = world.make_tenant()
    password = "pw-" + uuid.uuid4().hex
    server, job = world.make_server(tenant["id"], plan_id=plan["id"],
                                    template_id=template["id"], hostname="Web-1.Example.com",
                                    root_password=password, ssh_keys=[KEY, KEY + "2"])
    assert "CIDATA" in seed_label(daemon, server)
    iid = "srv-%s-1" % server["id"]
    assert seed_file(daemon, server, "meta-data") == \
        "instance-id: '%s'\nlocal-hostname: 'web-1.example.com'\n" % iid
    user = seed_file(daemon, server, "user-data")
    assert user.startswith("#cloud-config\nhostname: 'web-1.example.com'\n")
    h = hashed_passwd(user)
    assert h.startswith("$y$") and crypt.crypt(password, h) == h
    assert "      - '%s'\n" % KEY in user and "      - '%s2'\n" % KEY in user
    # No interface yet (issue 14): no network-config, the guest keeps DHCP.
    r = subprocess.run(["mtype", "-i", str(daemon.pool / ([v for v in server["volumes"]
                        if v["kind"] == "seed"][0]["id"] + ".img")), "::network-config"],
                       capture_output=True)
    assert r.returncode != 0

    # The plain password is nowhere: answers, jobs, audit, database, log.
    assert password not in str(admin.get("/v1/servers/" + server["id"]).json())
    assert password not in str(admin.get("/v1/jobs/" + job["id"]).json())
    assert password not in str(admin.list_all("/v1/audit"))
    assert password.encode() not in everything_stored(daemon)
    assert "root_password" not in admin.get("/v1/servers/" + server["id"]).json()


def test_reset_password_writes_a_new_seed(admin, world, daemon, tmp_path):
    template, _ = make_template(admin, tmp_path)
    plan = world.make_plan(root_disk_gib=1)
    tenant = world.make_tenant()
    customer = world.customer(tenant["id"])
    server, _ = world.make_server(tenant["id"], plan_id=plan["id"],
                                  template_id=template["id"], ssh_keys=[KEY])
    user = seed_file(daemon, server, "user-data")
    assert "hashed_passwd" not in user		# no password: root's stays locked

    password = "new-" + uuid.uuid4().hex
    r = customer.post("/v1/servers/%s/reset-password" % server["id"],
                      json={"root_password": password})
    assert r.status_code == 200, r.text
    assert seed_file(daemon, server, "meta-data").startswith(
        "instance-id: 'srv-%s-2'\n" % server["id"])
    user = seed_file(daemon, server, "user-data")
    h = hashed_passwd(user)
    assert crypt.crypt(password, h) == h and KEY in user
    audit = admin.list_all("/v1/audit", params={"tenant_id": tenant["id"]})
    entry = [e for e in audit if e["action"] == "server.reset_password"]
    assert entry and entry[-1]["result"] == "ok"
    assert password.encode() not in everything_stored(daemon)

    # Bad passwords, other tenants, servers without a seed.
    for bad in ("short", "x" * 257, "tab\there!!"):
        r = customer.post("/v1/servers/%s/reset-password" % server["id"],
                          json={"root_password": bad})
        assert r.status_code == 400 and r.json()["error"]["field"] == "root_password", r.text
    other = world.customer(world.make_tenant()["id"])
    r = other.post("/v1/servers/%s/reset-password" % server["id"],
                   json={"root_password": password})
    assert r.status_code == 404
    plain, _ = world.make_server(tenant["id"])
    r = admin.post("/v1/servers/%s/reset-password" % plain["id"],
                   json={"root_password": password})
    assert r.status_code == 409 and error_of(r)[0] == "invalid_state"


def test_bad_credentials_are_refused_naming_the_field(admin, world, tmp_path):
    template, _ = make_template(admin, tmp_path)
    plan = world.make_plan(root_disk_gib=1)
    tenant = world.make_tenant()
    base = {"tenant_id": tenant["id"], "plan_id": plan["id"], "template_id": template["id"],
            "hostname": "a.example.com"}
    cases = [
        ({"root_password": "1234567"}, "root_password"),
        ({"root_password": "a\u0001bcdefgh"}, "root_password"),
        ({"ssh_keys": ["ssh-dss AAAAB3NzaC1kc3M="]}, "ssh_keys"),
        ({"ssh_keys": [KEY.replace("ssh-ed25519", "ssh-rsa")]}, "ssh_keys"),
        ({"ssh_keys": [KEY + "\nssh-ed25519 AAAA"]}, "ssh_keys"),
        ({"ssh_keys": [KEY] * 33}, "ssh_keys"),
        ({"ssh_keys": "not a list"}, "ssh_keys"),
        ({"hostname": "-bad-.example.com"}, "hostname"),
    ]
    for change, field in cases:
        r = admin.post("/v1/servers", json=dict(base, **change))
        assert r.status_code == 400, (change, r.text)
        assert r.json()["error"]["field"].startswith(field), (change, r.text)
    # Credentials need a template.
    r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                        "image_id": world.image["id"], "hostname": "b.c",
                                        "root_password": "long enough"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "root_password"
    assert admin.list_all("/v1/servers", params={"tenant_id": tenant["id"]}) == []


def test_seed_network_config_from_the_servers_addresses(own_daemon, tmp_path):
    """With address pools, the seed's network-config gives the guest its
    MAC, its primary addresses as /32 and (for a /64 assignment) P::1/64,
    dom0's on-link gateways and the pools' resolvers (server_net.h)."""
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    template, _ = make_template(admin, tmp_path)
    plan = admin.post("/v1/plans", json={"name": "p", "vcpus": 1, "memory_mib": 128,
                                         "root_disk_gib": 1}).json()
    tenant = admin.post("/v1/tenants", json={"name": "t"}).json()
    for fields in ({"name": "v4", "family": 4, "network": "192.0.2.0/24",
                    "gateway": "192.0.2.1", "dns": ["192.0.2.53", "2001:db8::53"]},
                   {"name": "v6", "family": 6, "network": "2001:db8:100::/48",
                    "gateway": "2001:db8:100::1", "assign_prefix_len": 64}):
        r = admin.post("/v1/ip-pools", json=fields)
        assert r.status_code == 201, r.text
    r = admin.post("/v1/servers", json={"tenant_id": tenant["id"], "plan_id": plan["id"],
                                        "template_id": template["id"], "hostname": "net-1",
                                        "ssh_keys": [KEY]})
    assert r.status_code == 202, r.text
    job = admin.wait_job(r.json()["job"]["id"])
    assert job["state"] == "succeeded", job
    server = admin.get("/v1/servers/" + r.json()["server"]["id"]).json()
    v4 = [a["address"] for a in server["addresses"] if a["family"] == 4][0]
    v6 = [a["address"] for a in server["addresses"] if a["family"] == 6][0]
    assert v6.endswith("::"), v6
    assert seed_file(d, server, "network-config") == (
        "version: 2\n"
        "ethernets:\n"
        "  eth0:\n"
        "    match:\n"
        "      macaddress: '%s'\n"
        "    set-name: 'eth0'\n"
        "    addresses:\n"
        "      - '%s/32'\n"
        "      - '%s1/64'\n"
        "    gateway4: '169.254.0.1'\n"
        "    gateway6: 'fe80::1'\n"
        "    nameservers:\n"
        "      addresses:\n"
        "        - '192.0.2.53'\n"
        "        - '2001:db8::53'\n" % (server["mac"], v4, v6))
