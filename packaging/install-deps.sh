#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Installs the Debian 12 packages a purpose needs, when any is missing.
#
#   install-deps.sh build|run|test ... [-- package ...]
#
# Packages after -- are wanted as well (the Makefile passes the lists that
# component fragments such as dom0-image/dom0.mk define).
# Checks with dpkg first, so a machine that has everything does not touch
# apt at all.  Needs root or sudo for the install itself.
set -euo pipefail

declare -A packages=(
	# compile the hypervisor and host tools, assemble the ISO; linux-libc-dev
	# (also pulled in by build-essential) has <linux/virtio_ring.h>, which
	# dom0's virtio backends include directly; liburing-dev for their
	# asynchronous disk I/O; libcurl4-openssl-dev for provisiond's webhook
	# deliveries, ca-certificates for the CA bundle dom0 checks them with;
	# npm (with nodejs) runs the web panel's build (web/web.mk: npm ci, esbuild)
	[build]="build-essential linux-libc-dev liburing-dev grub-pc-bin grub-common xorriso mtools libcurl4-openssl-dev ca-certificates npm"
	# boot the appliance
	[run]="qemu-system-x86"
	# unit tests (Check) and system tests (pytest); stress-ng goes into the
	# domU test image (dom0-image/domu.mk); wrk drives make bench-api;
	# prometheus has promtool, which checks provisiond's /v1/metrics;
	# chromium, its WebDriver and selenium run the web panel's browser tests
	[test]="check pkg-config python3 python3-pytest stress-ng wrk openssh-client prometheus chromium chromium-driver python3-selenium"
)

wanted=()
while [ $# -gt 0 ]; do
	if [ "$1" = -- ]; then
		shift
		wanted+=("$@")
		break
	fi
	[ -n "${packages[$1]+x}" ] || { echo "$0: unknown purpose '$1'" >&2; exit 2; }
	wanted+=(${packages[$1]})
	shift
done

missing=()
for p in "${wanted[@]}"; do
	# npm may come from elsewhere than Debian (nodesource, nvm): a working
	# command is enough.
	if [ "$p" = npm ] && command -v npm >/dev/null; then
		continue
	fi
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "$0: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
