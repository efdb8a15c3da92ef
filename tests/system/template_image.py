# SPDX-License-Identifier: GPL-2.0-only
"""The Debian 12 template (build/templates/, docs/templates.md) as the
system tests and benchmarks use it: the hoster's import into the pool,
and, for a boot without provisiond (make bench-servers' direct VM), a
NoCloud seed made as provisiond makes it and a file taken out of the
image.  What the template does when it boots as a customer's server is
tests/system/test_servers.py's."""

import json
import os
import subprocess

from machine import BUILD

TEMPLATE = os.path.join(BUILD, "templates", "debian-12.img")
TEMPLATE_JSON = os.path.join(BUILD, "templates", "debian-12.json")
PASSWORD = "Tr0ub4dor&3"
HOSTNAME = "web-test1"
INSTANCE = "srv-1-1"


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
