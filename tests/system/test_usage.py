# SPDX-License-Identifier: GPL-2.0-only
"""A server's usage meters in the appliance (issue 15, issue 14's traffic
accounting; docs/usage.md), one Debian server on one appliance, then the
appliance restarted on the same data disk:

- the server writes and reads 128 MiB on its data disk with O_DIRECT, and
  dom0 pings it with 300 frames of a known size each way: the hour's
  disk and network meters grow by that, within 1% (plus a little of the
  guest's own background I/O and traffic);
- the network meters match what dom0's own tap counters saw, within 1%;
- a guest reboot (a new domain), a provisiond kill -9 and restart, and an
  appliance power-off and boot: the totals never go down, nothing is
  counted twice (right after the kill, the totals move by no more than the
  background), and they keep counting (another ping is counted)."""

import subprocess
import time

from machine import blank_data_disk
from pvd_dom0 import LOG, STARTED, restart_provisiond, start_provisiond
from test_provisiond_linux import Api, admin_token
from test_servers import SSH, shell_quote, ssh
from template_image import TEMPLATE, import_template

DATA_DISK_BYTES = 16 << 30
MONITOR_S = 2
MIB = 1 << 20
DISK_BYTES = 128 * MIB
PINGS, PING_SIZE = 300, 1400
FRAME = 14 + 20 + 8 + PING_SIZE		# Ethernet + IPv4 + ICMP + payload
# What a Debian guest does by itself in a minute, at most (journal,
# timers, neighbour discovery): allowed beyond the 1%.
DISK_NOISE = 4 * MIB
NET_NOISE = 64 * 1024


def usage(api, server_id):
    """The server's totals over this month, from the hourly export."""
    items = api.ok("GET", "/v1/usage?granularity=month&server_id=%s" % server_id)["items"]
    total = {}
    for r in items:
        for k, v in r.items():
            if isinstance(v, int):
                total[k] = total.get(k, 0) + v
    return total


def settled(api, server_id):
    """The totals after two more samples than now."""
    time.sleep(3 * MONITOR_S)
    return usage(api, server_id)


def stable(api, server_id, timeout=300):
    """The totals once the guest's disk and network are quiet: two
    readings MONITOR_S x 3 apart that differ by little."""
    deadline = time.monotonic() + timeout
    last = settled(api, server_id)
    while True:
        now = settled(api, server_id)
        if all(now[k] - last[k] <= DISK_NOISE // 8 for k in
               ("disk_read_bytes", "disk_write_bytes")) and \
           all(now[k] - last[k] <= NET_NOISE // 8 for k in ("net_rx_bytes", "net_tx_bytes")):
            return now
        assert time.monotonic() < deadline, ("never quiet", last, now)
        last = now


def tap_bytes(m, tap):
    """dom0's view of the server's interface: (to the guest, from it)."""
    out = m.check("cat /sys/class/net/%s/statistics/tx_bytes "
                  "/sys/class/net/%s/statistics/rx_bytes" % (tap, tap))
    to_guest, from_guest = (int(x) for x in out.split())
    return to_guest, from_guest


def near(got, want, noise, what):
    assert want <= got <= want * 1.01 + noise, "%s: %d, wanted %d (1%% + %d)" % (
        what, got, want, noise)


def test_usage_exact_across_reboots_and_kill(boot_dom0, tmp_path):
    template = str(tmp_path / "debian-12.img")
    subprocess.run(["cp", "--sparse=always", TEMPLATE, template], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    str(tmp_path / "key")], check=True)
    data = blank_data_disk(str(tmp_path / "data.img"), DATA_DISK_BYTES)
    m = boot_dom0(smp=2, mem_mib=2048, data_disk=data, extra_drives=[template])
    assert "listening" in m.wait_for(STARTED, timeout=150).group(1)
    restart_provisiond(m, ["monitor_interval = %d" % MONITOR_S])
    base = "https://127.0.0.1:%d" % m.https_port
    admin = Api(base, admin_token(m))
    m.check("printf '%%s' %s > /tmp/key && chmod 600 /tmp/key"
            % shell_quote((tmp_path / "key").read_text()))

    tpl = import_template(m, admin)
    plan = admin.ok("POST", "/v1/plans", {
        "name": "metered", "vcpus": 1, "memory_mib": 512,
        "root_disk_gib": 2, "data_disk_gib": 1}, status=201)
    admin.ok("POST", "/v1/ip-pools", {"name": "v4", "family": 4,
                                      "network": "10.78.0.0/24",
                                      "gateway": "10.78.0.1"}, status=201)
    tenant = admin.ok("POST", "/v1/tenants", {"name": "metered"}, status=201)
    answer = admin.ok("POST", "/v1/servers", {
        "tenant_id": tenant["id"], "plan_id": plan["id"], "template_id": tpl["id"],
        "hostname": "metered", "ssh_keys": [(tmp_path / "key.pub").read_text().strip()]},
        status=202)
    sid = answer["server"]["id"]
    job = admin.wait_job(answer["job"]["id"], timeout=900)
    assert job["state"] == "succeeded", (job, m.check("tail -n 30 " + LOG))
    server = admin.ok("GET", "/v1/servers/" + sid)
    v4 = [a["address"] for a in server["addresses"] if a["family"] == 4][0]
    tap = "v" + sid.split("_")[-1][:14]
    m.run("%s root@%s 'for i in $(seq 90); do findmnt /data >/dev/null && break;"
          " sleep 1; done'" % (SSH, v4), timeout=120)

    # --- Known disk I/O and traffic; the meters grow by it. ---
    before = settled(admin, sid)
    tap0 = tap_bytes(m, tap)
    ssh(m, v4, "dd if=/dev/zero of=/data/big bs=1M count=%d oflag=direct conv=fsync"
        " 2>/dev/null && dd if=/data/big of=/dev/null bs=1M iflag=direct 2>/dev/null"
        % (DISK_BYTES // MIB), timeout=600)
    m.check("ping -q -c %d -s %d -i 0.02 %s" % (PINGS, PING_SIZE, v4), timeout=120)
    tap1 = tap_bytes(m, tap)
    after = settled(admin, sid)
    near(after["disk_write_bytes"] - before["disk_write_bytes"], DISK_BYTES,
         DISK_NOISE, "disk_write_bytes")
    near(after["disk_read_bytes"] - before["disk_read_bytes"], DISK_BYTES,
         DISK_NOISE, "disk_read_bytes")
    # Both ways: pings and replies, plus ssh's own traffic.
    rx, tx = (after[k] - before[k] for k in ("net_rx_bytes", "net_tx_bytes"))
    assert rx >= PINGS * FRAME and tx >= PINGS * FRAME, (rx, tx)
    # The same frames dom0's tap counted over the same time, both ways.
    near(rx, tap1[0] - tap0[0], NET_NOISE, "net_rx_bytes vs dom0's tap")
    near(tx, tap1[1] - tap0[1], NET_NOISE, "net_tx_bytes vs dom0's tap")
    assert after["cpu_ns"] > before["cpu_ns"] and after["existed_seconds"] > 0

    # --- A guest reboot: a new domain; nothing lost, and it counts on. ---
    assert admin.job("POST", "/v1/servers/%s/reboot" % sid)["state"] == "succeeded"
    rebooted = settled(admin, sid)
    for k in ("disk_write_bytes", "disk_read_bytes", "net_rx_bytes", "net_tx_bytes",
              "cpu_ns"):
        assert rebooted[k] >= after[k], (k, rebooted[k], after[k])

    # --- provisiond kill -9 and restart: nothing counted twice (a double
    # count would add all the new domain counted since its boot). ---
    # Booted: ssh answers (until then, no route: the guest's ARP is silent).
    m.check("for i in $(seq 150); do %s root@%s true && break; sleep 2; done; "
            "%s root@%s true" % (SSH, v4, SSH, v4), timeout=900)
    quiet = stable(admin, sid)
    m.check("kill -KILL $(pidof provisiond)")
    time.sleep(MONITOR_S)
    start_provisiond(m)
    again = settled(admin, sid)
    for k in ("disk_write_bytes", "disk_read_bytes"):
        assert quiet[k] <= again[k] <= quiet[k] + DISK_NOISE, (k, quiet[k], again[k])
    for k in ("net_rx_bytes", "net_tx_bytes"):
        assert quiet[k] <= again[k] <= quiet[k] + NET_NOISE, (k, quiet[k], again[k])

    # --- The appliance powers off and boots on the same data disk. ---
    m.send("poweroff\n")
    assert m.wait_exit(timeout=300) == 0, m.tail()
    m = boot_dom0(smp=2, mem_mib=2048, data_disk=data)
    assert "listening" in m.wait_for(STARTED, timeout=150).group(1)
    restart_provisiond(m, ["monitor_interval = %d" % MONITOR_S])
    base = "https://127.0.0.1:%d" % m.https_port
    admin = Api(base, admin.token)
    deadline = time.monotonic() + 600
    while admin.ok("GET", "/v1/servers/" + sid)["actual_state"] != "running":
        assert time.monotonic() < deadline, m.check("tail -n 30 " + LOG)
        time.sleep(5)
    m.check("printf '%%s' %s > /tmp/key && chmod 600 /tmp/key"
            % shell_quote((tmp_path / "key").read_text()))
    booted = settled(admin, sid)
    for k in ("disk_write_bytes", "disk_read_bytes", "net_rx_bytes", "net_tx_bytes"):
        assert booted[k] >= again[k], (k, booted[k], again[k])
    m.check("for i in $(seq 60); do ping -c 1 -W 2 %s >/dev/null && break; done" % v4,
            timeout=200)
    base_rx = settled(admin, sid)["net_rx_bytes"]
    m.check("ping -q -c %d -s %d -i 0.02 %s" % (PINGS // 3, PING_SIZE, v4), timeout=120)
    assert settled(admin, sid)["net_rx_bytes"] - base_rx >= (PINGS // 3) * FRAME
