# SPDX-License-Identifier: GPL-2.0-only
"""The template's first-boot agent (dom0-image/templates/firstboot), on the
host: `firstboot apply --root FAKE_ROOT --seed-dir SEED` against seeds in the
format provisiond writes (docs/templates.md, "The seed"), and what it left
in the fake root.  No boot, no root privileges needed."""

import os
import stat
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AGENT = os.path.join(REPO, "dom0-image", "templates", "firstboot")

HASH = "$6$saltsalt$Jm8sdeN0uRbd1x0bN5CN6Sg2Zwg6r1E7X8zWTLnfvYQ6h0s6UYfDplm6D8wHcT9nkK0gz0vLxqQPZ4tCk1H1l."
KEY1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJx7Yk7m2yBvE0Vt2p8l8a1lQ0T4c3d5n6o7p8q9r0s1 alice@example"
KEY2 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob's laptop"
MAC = "52:54:00:12:34:56"

META = "instance-id: 'srv-7-1'\nlocal-hostname: 'web1'\n"


def quote(s):
    return "'" + s.replace("'", "''") + "'"


def user_data(hostname="web1", hash_=HASH, keys=(KEY1,)):
    lines = ["#cloud-config", "hostname: " + quote(hostname),
             "manage_etc_hosts: true", "disable_root: false",
             "ssh_pwauth: true", "users:", "  - name: root",
             "    lock_passwd: false"]
    if hash_ is not None:
        lines.append("    hashed_passwd: " + quote(hash_))
    if keys:
        lines.append("    ssh_authorized_keys:")
        lines += ["      - " + quote(k) for k in keys]
    return "\n".join(lines) + "\n"


NETWORK = """version: 2
ethernets:
  eth0:
    match:
      macaddress: '%s'
    set-name: 'eth0'
    addresses:
      - '192.0.2.10/24'
      - '2001:db8::10/64'
    gateway4: '192.0.2.1'
    gateway6: '2001:db8::1'
    nameservers:
      addresses:
        - '192.0.2.53'
""" % MAC


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "root"
    (r / "etc" / "systemd" / "network").mkdir(parents=True)
    (r / "etc" / "ssh" / "sshd_config.d").mkdir(parents=True)
    (r / "root").mkdir(mode=0o700)
    (r / "etc" / "shadow").write_text(
        "systemd-network:!*:20790::::::\nroot:*:20790:0:99999:7:::\n"
        "daemon:*:20790:0:99999:7:::\n")
    os.chmod(r / "etc" / "shadow", 0o640)
    (r / "etc" / "hostname").write_text("debian\n")
    (r / "etc" / "hosts").write_text("127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n")
    return r


def make_seed(tmp_path, meta=META, user=None, network=NETWORK, name="seed"):
    s = tmp_path / name
    s.mkdir()
    (s / "meta-data").write_text(meta)
    (s / "user-data").write_text(user_data() if user is None else user)
    if network is not None:
        (s / "network-config").write_text(network)
    return s


def run(root, seed, tmp_path, cmd="apply"):
    console = tmp_path / "console"
    args = [AGENT, cmd, "--root", str(root), "--console", str(console)]
    if cmd == "apply":
        args += ["--seed-dir", str(seed)]
    p = subprocess.run(args, capture_output=True, text=True, timeout=30)
    text = console.read_text() if console.exists() else ""
    return p.returncode, text + p.stdout + p.stderr


def snapshot(root):
    """Every file under root with its content and mode."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = (fh.read(), os.stat(p).st_mode)
    return out


def root_hash(root):
    for line in (root / "etc" / "shadow").read_text().splitlines():
        if line.startswith("root:"):
            return line.split(":")[1]
    raise AssertionError("no root in shadow")


def test_good_seed(root, tmp_path):
    rc, out = run(root, make_seed(tmp_path, user=user_data(keys=(KEY1, KEY2))), tmp_path)
    assert rc == 0, out
    assert (root / "etc/hostname").read_text() == "web1\n"
    assert "127.0.1.1\tweb1" in (root / "etc/hosts").read_text()
    assert root_hash(root) == HASH
    shadow = (root / "etc/shadow").read_text().splitlines()
    assert shadow[0] == "systemd-network:!*:20790::::::"
    assert shadow[2] == "daemon:*:20790:0:99999:7:::"
    assert stat.S_IMODE(os.stat(root / "etc/shadow").st_mode) == 0o640
    keys = root / "root/.ssh/authorized_keys"
    assert keys.read_text() == KEY1 + "\n" + KEY2 + "\n"
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(root / "root/.ssh").st_mode) == 0o700
    net = (root / "etc/systemd/network/10-appliance-eth0.network").read_text()
    assert "MACAddress=%s" % MAC in net
    for want in ("Address=192.0.2.10/24", "Address=2001:db8::10/64",
                 "DNS=192.0.2.53",
                 "[Route]\nGateway=192.0.2.1\nGatewayOnLink=yes",
                 "[Route]\nGateway=2001:db8::1\nGatewayOnLink=yes"):
        assert want + "\n" in net
    link = (root / "etc/systemd/network/10-appliance-eth0.link").read_text()
    assert "Name=eth0" in link and MAC in link
    assert (root / "etc/resolv.conf").read_text() == "nameserver 192.0.2.53\n"
    assert "PermitRootLogin yes" in (root / "etc/ssh/sshd_config.d/50-appliance.conf").read_text()
    assert (root / "var/lib/appliance-firstboot/instance-id").read_text() == "srv-7-1\n"
    rc, out = run(root, None, tmp_path, "ready")
    assert rc == 0 and "appliance-firstboot: ready instance-id=srv-7-1\n" in out, out


def test_quotes_in_values(root, tmp_path):
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJx7 it's o''k"
    rc, out = run(root, make_seed(tmp_path, user=user_data(keys=(key,))), tmp_path)
    assert rc == 0, out
    assert (root / "root/.ssh/authorized_keys").read_text() == key + "\n"


def test_missing_password_keeps_root_locked(root, tmp_path):
    rc, out = run(root, make_seed(tmp_path, user=user_data(hash_=None)), tmp_path)
    assert rc == 0, out
    assert root_hash(root) == "*"
    assert (root / "root/.ssh/authorized_keys").exists()


def test_missing_keys(root, tmp_path):
    rc, out = run(root, make_seed(tmp_path, user=user_data(keys=())), tmp_path)
    assert rc == 0, out
    assert not (root / "root/.ssh/authorized_keys").exists()
    assert root_hash(root) == HASH


def test_no_network_config_leaves_dhcp(root, tmp_path):
    rc, out = run(root, make_seed(tmp_path, network=None), tmp_path)
    assert rc == 0, out
    assert not (root / "etc/systemd/network/10-appliance-eth0.network").exists()
    assert not (root / "etc/resolv.conf").exists()
    assert (root / "etc/hostname").read_text() == "web1\n"


@pytest.mark.parametrize("what,meta,user,network", [
    ("unknown key", META + "foo: 'bar'\n", None, NETWORK),
    ("unquoted value", "instance-id: srv-7-1\n", None, NETWORK),
    ("lone quote", "instance-id: 'srv-7-1'\nlocal-hostname: 'we'b1'\n", None, NETWORK),
    ("no instance-id", "local-hostname: 'web1'\n", None, NETWORK),
    ("not cloud-config", META, user_data().replace("#cloud-config", "#!/bin/sh"), NETWORK),
    ("another user", META, user_data().replace("name: root", "name: bob"), NETWORK),
    ("bad hash", META, user_data(hash_="x:y"), NETWORK),
    ("bad hostname", META, user_data(hostname="web_1;rm"), NETWORK),
    ("not a key", META, user_data(keys=("hello world",)), NETWORK),
    ("tab", META, user_data().replace("  - name", "\t- name"), NETWORK),
    ("bad mac", META, None, NETWORK.replace(MAC, "52:54:00:12:34:ZZ")),
    ("bad address", META, None, NETWORK.replace("192.0.2.10/24", "192.0.2.10; x")),
    ("wrong indent", META, None, NETWORK.replace("    gateway4", "  gateway4")),
    ("dhcp4 key", META, None, NETWORK + "    dhcp4: true\n"),
    ("no version", META, None, NETWORK.replace("version: 2\n", "")),
    ("version 1", META, None, NETWORK.replace("version: 2", "version: 1")),
])
def test_malformed_seed_fails_and_changes_nothing(root, tmp_path, what, meta, user, network):
    before = snapshot(root)
    rc, out = run(root, make_seed(tmp_path, meta=meta, user=user, network=network), tmp_path)
    assert rc != 0, what
    assert out.count("appliance-firstboot: failed: ") == 1, out
    assert snapshot(root) == before, what


def test_applied_instance_id_changes_nothing(root, tmp_path):
    rc, out = run(root, make_seed(tmp_path), tmp_path)
    assert rc == 0, out
    # The customer changed things since; the same seed must not undo them.
    (root / "etc/hostname").write_text("mine\n")
    (root / "root/.ssh/authorized_keys").write_text("")
    before = snapshot(root)
    other = user_data(hostname="other", hash_=None, keys=(KEY2,))
    rc, out = run(root, make_seed(tmp_path, user=other, name="seed2"), tmp_path)
    assert rc == 0, out
    assert snapshot(root) == before
    # A new instance-id (a password reset) is applied.
    rc, out = run(root, make_seed(tmp_path, meta=META.replace("srv-7-1", "srv-7-2"),
                                  user=other, name="seed3"), tmp_path)
    assert rc == 0, out
    assert (root / "etc/hostname").read_text() == "other\n"
    assert (root / "root/.ssh/authorized_keys").read_text() == KEY2 + "\n"


def test_ready_without_an_applied_seed_fails(root, tmp_path):
    rc, out = run(root, None, tmp_path, "ready")
    assert rc != 0
    assert "appliance-firstboot: failed: no seed was applied" in out, out
    assert "ready" not in out.replace("no seed was applied", "")


def test_network_without_addresses_is_dhcp(root, tmp_path):
    network = "\n".join(l for l in NETWORK.splitlines()
                        if "addresses" not in l and "- '" not in l
                        and "gateway" not in l and "nameservers" not in l) + "\n"
    rc, out = run(root, make_seed(tmp_path, network=network), tmp_path)
    assert rc == 0, out
    net = (root / "etc/systemd/network/10-appliance-eth0.network").read_text()
    assert "DHCP=yes\n" in net and "\nAddress=" not in net and "Gateway=" not in net
    assert not (root / "etc/resolv.conf").exists()



TEMPLATE_ROOTFS = os.path.join(REPO, "dom0-image", "templates", "debian-12", "rootfs")
CUSTOMIZE = os.path.join(REPO, "dom0-image", "templates", "customize-debian-12.sh")


def unit_file(name):
    return open(os.path.join(TEMPLATE_ROOTFS, "etc", "systemd", "system", name)).read()


def test_disks_grow_at_every_boot():
    """A change of plan grows a server's disks; the guest sees the space at
    its next boot, whichever boot that is: the agent's service runs at every
    boot (no first-boot condition) and grows the root filesystem outside
    the once-per-instance part; appliance-grow-data.service grows /data
    once it is mounted, enabled by the template build, and nothing in the
    boot waits for it (a server without a data disk boots as fast)."""
    unit = unit_file("appliance-firstboot.service")
    assert "ExecStart=/usr/lib/appliance/firstboot apply" in unit
    assert "ConditionFirstBoot" not in unit and "ConditionPathExists" not in unit
    agent = open(AGENT).read()
    body = agent[agent.index("\napply() {"):agent.index("\nready() {")]
    once = body[body.index('if [ "$last" != "$S_INSTANCE" ]'):]
    once = once[:once.index("\n\tfi\n")]
    assert "grow_fs /" in body and "grow_fs" not in once

    data = unit_file("appliance-grow-data.service")
    assert "ExecStart=/usr/lib/appliance/firstboot grow /data" in data
    assert "WantedBy=data.mount" in data and "After=data.mount" in data
    assert "local-fs.target" not in data and "sysinit.target" not in data
    assert "appliance-grow-data.service" in open(CUSTOMIZE).read()
    fstab = [line.split() for line in open(os.path.join(TEMPLATE_ROOTFS, "etc", "fstab"))
             if line.startswith("LABEL=data")]
    assert len(fstab) == 1 and fstab[0][1] == "/data"
    options = fstab[0][3].split(",")
    # x-systemd.growfs would hold local-fs.target until the device shows.
    assert "nofail" in options and "x-systemd.growfs" not in options


def test_grow_of_something_not_mounted_is_a_no_op(tmp_path):
    """No data disk (nothing mounted there): nothing to grow, no error, no
    first-boot line on the console (provisiond would read a failure)."""
    p = subprocess.run([AGENT, "grow", str(tmp_path / "nothing")], capture_output=True,
                       text=True, timeout=30)
    assert (p.returncode, p.stdout, p.stderr) == (0, "", "")
    p = subprocess.run([AGENT, "grow"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "grow MOUNTPOINT" in p.stderr
