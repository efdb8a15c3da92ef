#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mmdebstrap's customize hook for the Debian 12 template (build-debian-12.sh):
#   customize-debian-12.sh ROOTDIR TEMPLATES_DIR
# Runs on the build host, after every package is installed.
set -euo pipefail
root=$1
here=$2

cp -a "$here/debian-12/rootfs/." "$root/"
install -D -m 755 "$here/firstboot" "$root/usr/lib/appliance/firstboot"
# The data volume's mount point (/etc/fstab: LABEL=data, nofail).
mkdir -p "$root/data"

# Every server gets its own identity: no ssh host keys (the agent makes them
# at boot), an empty machine-id (systemd makes one at boot).
rm -f "$root"/etc/ssh/ssh_host_*
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
echo debian > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"

# root's password is locked until a seed gives one.
chroot "$root" usermod -p '*' root

# The apt configuration mmdebstrap used to build is not the server's.
rm -f "$root/etc/apt/apt.conf.d/99mmdebstrap"
cat > "$root/etc/apt/sources.list" <<SOURCES
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES

chroot "$root" systemctl enable systemd-networkd.service \
	appliance-firstboot.service appliance-firstboot-ready.service \
	appliance-grow-data.service
# No interactive questions on the console at a first boot.
chroot "$root" systemctl mask systemd-firstboot.service
