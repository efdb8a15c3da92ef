# SPDX-License-Identifier: GPL-2.0-only
"""Reaching a customer's server, as under `make run` (issue 14,
docs/networking.md): one Debian server from the template on one appliance
boot, its network driven through the API.

The appliance is started as packaging/run-qemu.sh starts it: QEMU's user
network forwards a host port to dom0's port 22000, and QEMU's fw_cfg tells
dom0 that 22000 is the first of make run's forwarded ports.  Then:
- the server's JSON shows its forward {"host_port": 22000, "port": 22};
- ssh from the host (this test process) through QEMU and dom0's port
  forward logs in with the customer's key;
- the customer's inbound firewall decides, applied live: default deny with
  only ICMP allowed, the same connection fails; tcp:22 from another
  prefix, it still fails; tcp:22 from QEMU's network (where the host's
  connections come from), it works again;
- the way out: the server reaches a socket on the host through dom0's NAT
  (10.0.2.2 is the host's loopback in QEMU's user network);
- DHCP and router advertisements answered in dom0 (hv-netd): the server is
  switched to DHCP (systemd-networkd), gets its own /32 with the default
  route via 169.254.0.1 from the lease, and its SLAAC address in its /64
  from the advertisement; ssh through the forward still works."""

import ipaddress
import re
import socket
import subprocess
import time

from conftest import DOM0_CMDLINE, DOM0_INITRD, DOM0_KERNEL, DOM0_TEST_OVERLAY, free_port
from machine import blank_data_disk
from pvd_dom0 import LOG, STARTED
from test_provisiond_linux import Api, admin_token
from template_image import TEMPLATE, import_template

FORWARD_BASE = 22000
DATA_DISK_BYTES = 12 << 30


def boot_appliance(boot, data, template):
    https, forward = free_port(), free_port()
    extra = [
        "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:%d-:443,"
        "hostfwd=tcp:127.0.0.1:%d-:%d" % (https, forward, FORWARD_BASE),
        "-fw_cfg", "name=opt/appliance/dev_port_forward_base,string=%d" % FORWARD_BASE,
        "-device", "virtio-net-pci,netdev=net0",
        "-drive", "file=%s,if=virtio,format=raw" % data,
        "-drive", "file=%s,if=virtio,format=raw" % template,
    ]
    m = boot(cmdline="debug_exit dom0_crash=halt", smp=2, mem_mib=2048, extra_args=extra,
             modules=[(DOM0_KERNEL, DOM0_CMDLINE), (DOM0_INITRD, ""),
                      (DOM0_TEST_OVERLAY, "")])
    m.https_port = https
    return m, forward


def host_ssh(key, port, command, timeout=60):
    """(status, output) of command run on the server by ssh from the host."""
    try:
        p = subprocess.run(
            ["ssh", "-i", key, "-p", str(port), "-o", "BatchMode=yes",
             "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
             "-o", "ConnectTimeout=15", "-o", "LogLevel=ERROR", "root@127.0.0.1", command],
            capture_output=True, text=True, timeout=timeout)
        return p.returncode, (p.stdout + p.stderr).strip()
    except subprocess.TimeoutExpired:
        return -1, "timed out"


def wait_ssh(key, port, command, deadline_s=180):
    """command's output once ssh through the forward works."""
    deadline = time.monotonic() + deadline_s
    while True:
        status, out = host_ssh(key, port, command)
        if status == 0:
            return out
        assert time.monotonic() < deadline, (status, out)
        time.sleep(3)


def test_reach_a_server_from_the_host_firewall_way_out_dhcp(boot, tmp_path):
    template = str(tmp_path / "debian-12.img")
    subprocess.run(["cp", "--sparse=always", TEMPLATE, template], check=True)
    key = str(tmp_path / "key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    public_key = open(key + ".pub").read().strip()
    data = blank_data_disk(str(tmp_path / "data.img"), DATA_DISK_BYTES)
    m, host_port = boot_appliance(boot, data, template)
    started = m.wait_for(STARTED, timeout=150)
    assert "listening" in started.group(1), m.check("cat " + LOG)
    base = "https://127.0.0.1:%d" % m.https_port
    admin = Api(base, admin_token(m))

    tpl = import_template(m, admin)
    plan = admin.ok("POST", "/v1/plans", {
        "name": "vps-s", "vcpus": 1, "memory_mib": 512, "root_disk_gib": 3}, status=201)
    admin.ok("POST", "/v1/ip-pools", {
        "name": "v4", "family": 4, "network": "10.77.0.0/24",
        "gateway": "10.77.0.1", "dns": ["10.77.0.53"]}, status=201)
    admin.ok("POST", "/v1/ip-pools", {
        "name": "v6", "family": 6, "network": "fd00:77::/48", "gateway": "fd00:77::1",
        "assign_prefix_len": 64}, status=201)
    tenant = admin.ok("POST", "/v1/tenants", {"name": "acme"}, status=201)
    token = admin.ok("POST", "/v1/tokens", {
        "name": "acme-panel", "scope": "customer", "tenant_id": tenant["id"]}, status=201)
    customer = Api(base, token["secret"])

    answer = customer.ok("POST", "/v1/servers", {
        "plan_id": plan["id"], "template_id": tpl["id"], "hostname": "web-one",
        "ssh_keys": [public_key]}, status=202)
    server_id = answer["server"]["id"]
    job = customer.wait_job(answer["job"]["id"], timeout=900)
    assert job["state"] == "succeeded", (job, m.check("tail -n 30 " + LOG))
    server = customer.ok("GET", "/v1/servers/" + server_id)
    assert server["forwards"] == [{"host_port": FORWARD_BASE, "port": 22}], server
    v4 = [a["address"] for a in server["addresses"] if a["family"] == 4][0]
    prefix6 = [a["address"] for a in server["addresses"] if a["family"] == 6][0]
    tap = "v" + server_id.split("_")[1][:14]

    # --- From the host, through QEMU and dom0's forward, with the key. ---
    assert wait_ssh(key, host_port, "hostname") == "web-one"

    # --- The customer's firewall, applied live. ---
    fw = "/v1/servers/%s/firewall" % server_id
    assert customer.ok("PUT", fw, {"default": "deny", "inbound": ["icmp"]})["default"] == "deny"
    status, out = host_ssh(key, host_port, "hostname")
    assert status != 0, out
    customer.ok("PUT", fw, {"default": "deny", "inbound": ["tcp:22@192.0.2.0/24"]})
    status, out = host_ssh(key, host_port, "hostname")
    assert status != 0, out
    # The refused connection attempts were dropped by the allow list.
    counters = m.check("hv-netfilter counters --if %s --json" % tap)
    assert re.search(r'"rx_dropped_packets": *[1-9]', counters), counters
    customer.ok("PUT", fw, {"default": "deny", "inbound": ["tcp:22@10.0.2.0/24", "icmp"]})
    assert wait_ssh(key, host_port, "hostname", deadline_s=60) == "web-one"

    # --- The way out: a socket on the host, through dom0's NAT. ---
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(120)
        port = listener.getsockname()[1]
        status, out = host_ssh(key, host_port, "echo hello-from-server > /dev/tcp/10.0.2.2/%d"
                               % port)
        assert status == 0, out
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(60)
            assert conn.recv(64).startswith(b"hello-from-server")

    # --- DHCP and router advertisements from dom0's hv-netd. ---
    assert "serving: DHCP on, router advertisements on" in m.check(
        "cat /run/hv-netd/%s.log" % tap)
    # The switch to DHCP drops the static address for a moment, so it runs
    # two seconds after this ssh session has closed, outside it (a
    # transient systemd timer): a session still open across the switch
    # can lose its last packets and hang until its timeout.
    status, out = host_ssh(key, host_port,
                           "printf '[Match]\\nName=eth0\\n\\n[Network]\\nDHCP=yes\\n' > "
                           "/etc/systemd/network/10-appliance-eth0.network && "
                           "systemd-run --quiet --on-active=2 --unit=appliance-dhcp-switch "
                           "sh -c 'networkctl reload && networkctl reconfigure eth0'")
    assert status == 0, out
    deadline = time.monotonic() + 120
    while True:
        time.sleep(5)
        status, routes = host_ssh(key, host_port, "ip -4 route show proto dhcp; "
                                  "ip -4 addr show dev eth0; ip -6 addr show dev eth0")
        slaac = [a for a in re.findall(r"inet6 ([0-9a-f:]+)/64 scope global", routes)
                 if ipaddress.ip_address(a) in ipaddress.ip_network(prefix6 + "/64")
                 and ipaddress.ip_address(a) != ipaddress.ip_address(prefix6 + "1")]
        if status == 0 and "default via 169.254.0.1" in routes and slaac:
            break
        assert time.monotonic() < deadline, (status, routes,
                                             m.check("cat /run/hv-netd/%s.log" % tap))
    assert "inet %s/32" % v4 in routes, routes
    assert "dynamic" in routes.split("inet %s/32" % v4)[1].split("\n")[0], routes
