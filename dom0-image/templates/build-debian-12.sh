#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds the Debian 12 (bookworm) OS template a customer's server boots:
#
#   build-debian-12.sh OUTDIR
#
# writes OUTDIR/debian-12.img (a raw sparse 2 GiB image holding one ext4
# filesystem on the whole device, no partition table: the server's /dev/vda)
# and OUTDIR/debian-12.json (what provisiond needs to know about it).
# Downloaded .debs are kept in OUTDIR/cache/ so that a rebuild downloads
# nothing that has not changed.
#
# Everything comes from Debian's archive through mmdebstrap (apt checks the
# packages against the signed archive index).  The filesystem is made with
# `mke2fs -d ROOTDIR`: no loop mount.
#
# mmdebstrap runs in its root mode, so this script needs root.  Its unshare
# mode would not: but a directory it makes there belongs to the namespace's
# sub-uids, and mke2fs -d copies owners as it finds them; the tar output
# would fix that, but bookworm's mke2fs (1.47.0) cannot read a tarball.
#
# What goes into the image, besides the packages below:
#   debian-12/early/   copied in before any package is installed (the kernel's
#                      postinst must already see kernel-img.conf and the
#                      initramfs settings)
#   debian-12/rootfs/  copied over the finished tree (fstab, units, network)
#   firstboot          the first-boot agent, as /usr/lib/appliance/firstboot
set -euo pipefail

out=${1:?usage: $0 OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
# The kernel the rest of the appliance runs and tests domUs with
# (DOM0_KVER / DOM0_KPKGVER in dom0-image/dom0.mk, passed by templates.mk).
kver=${TEMPLATE_KVER:?TEMPLATE_KVER not set (see templates.mk)}
kpkgver=${TEMPLATE_KPKGVER:?TEMPLATE_KPKGVER not set (see templates.mk)}
size=${TEMPLATE_SIZE:-2G}
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security

[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (mmdebstrap's root mode, see the top of this file)" >&2; exit 1; }

# What a server needs on top of Debian's minbase, without Recommends:
#   the kernel + initramfs-tools (+ zstd, its default compressor)
#   systemd as init, udev, dbus (hostnamed/networkd talk over it)
#   openssh-server, iproute2, iputils-ping, netbase, procps
#   e2fsprogs (resize2fs: the agent grows the root filesystem)
packages="linux-image-$kver=$kpkgver initramfs-tools zstd systemd systemd-sysv \
udev dbus openssh-server iproute2 iputils-ping netbase procps e2fsprogs"

mkdir -p "$out/cache"
cache=$(cd "$out/cache" && pwd)
root="$out/debian-12.root"
img="$out/debian-12.img"
rm -rf "$root" "$img" "$img.tmp"
mkdir -p "$root"

# The hooks run on the build host with the new tree as $1.
mmdebstrap --mode=root --variant=minbase --arch=amd64 \
	--aptopt='APT::Install-Recommends "false"' \
	--include="${packages// /,}" \
	--skip=essential/unlink \
	--setup-hook="mkdir -p \"\$1/var/cache/apt/archives\" && \
		find '$cache' -name '*.deb' -exec cp -t \"\$1/var/cache/apt/archives/\" {} + && \
		cp -a '$here/debian-12/early/.' \"\$1/\"" \
	--customize-hook="find \"\$1/var/cache/apt/archives\" -maxdepth 1 -name '*.deb' -exec cp -u -t '$cache' {} +" \
	--customize-hook="'$here/customize-debian-12.sh' \"\$1\" '$here'" \
	bookworm "$root" \
	"deb $mirror bookworm main" \
	"deb $mirror bookworm-updates main" \
	"deb $security bookworm-security main"

# Keep only the newest version of each package in the cache.
(cd "$cache" && ls *.deb | sort -t_ -k1,1 -k2,2V | awk -F_ '{ if ($1 == p) print prev; p = $1; prev = $0 }' | xargs -r rm -f)

mke2fs -q -t ext4 -L root -d "$root" "$img.tmp" "$size"
mv "$img.tmp" "$img"
rm -rf "$root"

cat > "$out/debian-12.json.tmp" <<JSON
{
  "name": "debian-12",
  "os": "Debian 12 (bookworm)",
  "version": "$(date -u +%Y%m%d)",
  "kernel_version": "$kver",
  "size_bytes": $(stat -c %s "$img"),
  "sha256": "$(sha256sum "$img" | cut -d' ' -f1)",
  "cmdline": "root=/dev/vda ro console=ttyS0 net.ifnames=0"
}
JSON
mv "$out/debian-12.json.tmp" "$out/debian-12.json"
