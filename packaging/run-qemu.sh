#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boots the appliance ISO under QEMU: the product's embedded default for a
# machine without a spare server.  TCG emulates an AMD CPU with SVM and
# nested paging; the serial console is this terminal (Ctrl-A X quits).
#
#   run-qemu.sh ISO [extra QEMU arguments]
#
# Host localhost:8443 reaches the appliance's port 443 (the REST API over
# HTTPS) and localhost:2222 its port 22 (HTTPS_PORT and SSH_PORT change the
# host side).
# QEMU_CPUS and QEMU_MEM (MiB) size the machine.
set -euo pipefail

iso=${1:?usage: $0 ISO [qemu args]}
shift

# thread=single: QEMU 7.2's multi-threaded TCG crashes now and then
# (memory_region_dispatch_write on a NULL region) with SVM guests on several
# CPUs; one TCG thread does not (see docs/testing.md).
exec qemu-system-x86_64 \
	-accel tcg,thread=single -cpu qemu64,+svm,+npt \
	-smp "${QEMU_CPUS:-2}" -m "${QEMU_MEM:-2048}" \
	-cdrom "$iso" -boot d \
	-netdev user,id=net0,hostfwd=tcp:127.0.0.1:${HTTPS_PORT:-8443}-:443,hostfwd=tcp:127.0.0.1:${SSH_PORT:-2222}-:22 \
	-device virtio-net-pci,netdev=net0 \
	-nographic -no-reboot \
	"$@"
