# SPDX-License-Identifier: GPL-2.0-only
"""The Debian 12 template (docs/templates.md) boots as a customer's server.

One rich case, because a Debian boot under TCG takes minutes: dom0 gets a
scratch copy of build/templates/debian-12.img and a NoCloud seed image made
here (the format provisiond writes) as block devices, `hvctl create` boots
the template's own kernel and initramfs (taken out of the image with
debugfs; the product uses hv-bootloader) with the two disks, and then:
- the first-boot agent prints its ready line with the seed's instance-id
  (the boot's host seconds are printed: docs/templates.md quotes them);
- root logs in on the console with the seed's password;
- the hostname, root's authorized_keys and a fresh ssh host key are there;
- the root filesystem was grown to its disk, made bigger than the template;
- systemd reports running (or degraded: the failed units are printed)."""

import json
import os
import re
import shutil
import subprocess
import time

import pytest

from machine import BUILD, HV
from test_linux_domu import guest_line, type_line

TEMPLATE = os.path.join(BUILD, "templates", "debian-12.img")
TEMPLATE_JSON = os.path.join(BUILD, "templates", "debian-12.json")
PASSWORD = "Tr0ub4dor&3"
HOSTNAME = "web-test1"
INSTANCE = "srv-1-1"
DISK_BYTES = 3 << 30


def import_template(m, admin):
    """The hoster's way to add the template: dom0 copies the build's image
    (its second disk, /dev/vdb) into the pool's filesystem with e2image,
    which copies the filesystem's blocks, not its free space (nor the
    backup superblocks, so the copy is not byte for byte the build's image
    and the manifest's sha256 stays behind); then POST /v1/templates with
    the manifest's os and cmdline.  The template's JSON."""
    meta = json.load(open(TEMPLATE_JSON))
    m.check("mkdir -p /data/templates && "
            "e2image -ra /dev/vdb /data/templates/debian-12.img", timeout=600)
    return admin.ok("POST", "/v1/templates", {
        "name": "debian-12", "path": "/data/templates/debian-12.img",
        "os": meta["os"], "cmdline": meta["cmdline"], "min_disk_gib": 2}, status=201)


def quote(s):
    return "'" + s.replace("'", "''") + "'"


def make_seed(path, tmp_path, key):
    """A 2 MiB FAT image labelled CIDATA with meta-data and user-data."""
    pw_hash = subprocess.run(["openssl", "passwd", "-6", PASSWORD],
                             check=True, capture_output=True,
                             text=True).stdout.strip()
    files = {
        "meta-data": "instance-id: %s\nlocal-hostname: %s\n"
                     % (quote(INSTANCE), quote(HOSTNAME)),
        "user-data": "\n".join([
            "#cloud-config", "hostname: " + quote(HOSTNAME),
            "manage_etc_hosts: true", "disable_root: false",
            "ssh_pwauth: true", "users:", "  - name: root",
            "    lock_passwd: false", "    hashed_passwd: " + quote(pw_hash),
            "    ssh_authorized_keys:", "      - " + quote(key)]) + "\n",
    }
    subprocess.run(["mkfs.vfat", "-C", "-n", "CIDATA", path, "2048"],
                   check=True, capture_output=True)
    for name, text in files.items():
        src = tmp_path / name
        src.write_text(text)
        subprocess.run(["mcopy", "-i", path, str(src), "::" + name], check=True)


def dump(image, inside, out):
    """A file out of the ext4 image, padded to whole sectors for a disk."""
    subprocess.run(["debugfs", "-R", "dump %s %s" % (inside, out), image],
                   check=True, capture_output=True)
    size = os.path.getsize(out)
    assert size > 0, inside
    with open(out, "ab") as f:
        f.truncate((size + 511) // 512 * 512)
    return size


def wait_prompt(m, name, prompt, timeout=120):
    """Waits until the domain's console ends with prompt."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tail = m.check("hvctl console %s | tail -c 64" % name)
        if tail.rstrip().endswith(prompt.rstrip()):
            return
        time.sleep(2)
    raise AssertionError("no %r prompt on %s's console; it ends with %r"
                         % (prompt, name, tail))


def ask(m, domid, name, command, tag, timeout=120):
    """What command printed, on one line, in the logged-in root shell."""
    # TAG""= so that the echo of the typed line does not match.
    type_line(m, name, 'echo %s""=$(%s) END' % (tag, command))
    # Terminal escapes (bash's bracketed paste) may come first on the line.
    return m.wait_for(guest_line(domid, r"[^\n]*?%s=(.*) END" % tag),
                      timeout=timeout).group(1)


def test_template_boots_applies_seed_and_takes_login(boot_dom0, tmp_path):
    for path in (TEMPLATE, TEMPLATE_JSON):
        if not os.path.exists(path):
            pytest.fail("%s is missing: run `make templates`" % path)
    meta = json.load(open(TEMPLATE_JSON))
    disk = str(tmp_path / "root.img")
    subprocess.run(["cp", "--sparse=always", TEMPLATE, disk], check=True)
    # The plan's disk is bigger than the template: the agent grows the
    # filesystem to it.
    os.truncate(disk, DISK_BYTES)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                    "test@appliance", "-f", str(tmp_path / "key")], check=True)
    key = (tmp_path / "key.pub").read_text().strip()
    seed = str(tmp_path / "seed.img")
    make_seed(seed, tmp_path, key)
    kernel = str(tmp_path / "vmlinuz")
    initrd = str(tmp_path / "initrd.img")
    kernel_size = dump(disk, "/boot/vmlinuz-" + meta["kernel_version"], kernel)
    initrd_size = dump(disk, "/boot/initrd.img-" + meta["kernel_version"], initrd)

    # dom0: vda its data disk, vdb the server's root, vdc the seed, vdd the
    # kernel, vde the initramfs.
    m = boot_dom0(smp=2, mem_mib=1536,
                  extra_drives=[disk, seed, kernel, initrd])
    m.wait_for(r"^dom0: userspace ready$")
    m.check("head -c %d /dev/vdd > /tmp/vmlinuz" % kernel_size)
    m.check("head -c %d /dev/vde > /tmp/initrd.img" % initrd_size)

    since = len(m.output)
    started = time.monotonic()
    out = m.check("hvctl create srv 512 1 /tmp/vmlinuz --initrd /tmp/initrd.img "
                  "--disk /dev/vdb --disk /dev/vdc,ro '%s'" % meta["cmdline"])
    domid = int(out.strip().splitlines()[-1])
    m.wait_for(guest_line(domid, r"appliance-firstboot: ready instance-id=%s$"
                          % INSTANCE), timeout=900, since=since)
    print("\ntemplate boot to ready: %.0f host seconds"
          % (time.monotonic() - started))
    assert "appliance-firstboot: failed" not in m.output[since:]

    # Log in on the serial getty with the seed's password.
    # The prompts end no line, so the hypervisor does not echo them: read
    # the domain's console buffer instead.
    wait_prompt(m, "srv", "login: ")
    type_line(m, "srv", "root")
    wait_prompt(m, "srv", "Password: ")
    type_line(m, "srv", PASSWORD)
    assert ask(m, domid, "srv", "id -un", "WHO") == "root"

    assert ask(m, domid, "srv", "hostname", "HOST") == HOSTNAME
    assert ask(m, domid, "srv", "cat /root/.ssh/authorized_keys", "KEYS") == key
    assert ask(m, domid, "srv", "stat -c %a /root/.ssh/authorized_keys",
               "MODE") == "600"
    assert ask(m, domid, "srv", "ls /etc/ssh/ssh_host_ed25519_key",
               "HOSTKEY") == "/etc/ssh/ssh_host_ed25519_key"
    assert ask(m, domid, "srv", "systemctl is-active ssh", "SSHD") == "active"
    assert ask(m, domid, "srv", "cat /var/lib/appliance-firstboot/instance-id",
               "APPLIED") == INSTANCE
    assert ask(m, domid, "srv", "findmnt -n -o SOURCE,FSTYPE /",
               "ROOT") == "/dev/vda ext4"
    # The root filesystem was grown to its 3 GiB disk (the template's is 2).
    fs_bytes = int(ask(m, domid, "srv", "findmnt -bn -o SIZE /", "FSSIZE"))
    assert DISK_BYTES * 0.95 < fs_bytes <= DISK_BYTES, fs_bytes
    state = ask(m, domid, "srv", "systemctl is-system-running --wait", "STATE",
                timeout=300)
    failed = ask(m, domid, "srv",
                 "systemctl --failed --plain --no-legend | cut -d' ' -f1 | tr '\\n' ' '",
                 "FAILED")
    print("systemctl is-system-running: %s; failed units: %s"
          % (state, failed or "none"))
    assert state in ("running", "degraded"), state
