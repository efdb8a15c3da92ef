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
# host side).  Servers: localhost:22000 to 22015 reach dom0's same ports,
# which dom0 forwards to the servers' port 22, one port per server, shown
# in the server's JSON as "forwards" (docs/networking.md, "Under make
# run"); QEMU's fw_cfg tells dom0 the first port.  FORWARD_BASE moves the
# range; FORWARD_BASE=0 turns it off.
# QEMU_CPUS and QEMU_MEM (MiB) size the machine.
set -euo pipefail

iso=${1:?usage: $0 ISO [qemu args]}
shift

# One host port per server, as many as provisiond's DEV_FORWARD_SLOTS.
forward_base=${FORWARD_BASE:-22000}
forward_slots=16
netdev="user,id=net0,hostfwd=tcp:127.0.0.1:${HTTPS_PORT:-8443}-:443,hostfwd=tcp:127.0.0.1:${SSH_PORT:-2222}-:22"
forward_cfg=()
if [ "$forward_base" != 0 ]; then
	for ((i = 0; i < forward_slots; i++)); do
		port=$((forward_base + i))
		netdev+=",hostfwd=tcp:127.0.0.1:$port-:$port"
	done
	forward_cfg=(-fw_cfg "name=opt/appliance/dev_port_forward_base,string=$forward_base")
fi

# thread=single: QEMU 7.2's multi-threaded TCG crashes now and then
# (memory_region_dispatch_write on a NULL region) with SVM guests on several
# CPUs; one TCG thread does not (see docs/testing.md).
exec qemu-system-x86_64 \
	-accel tcg,thread=single -cpu qemu64,+svm,+npt \
	-smp "${QEMU_CPUS:-2}" -m "${QEMU_MEM:-2048}" \
	-cdrom "$iso" -boot d \
	-netdev "$netdev" "${forward_cfg[@]}" \
	-device virtio-net-pci,netdev=net0 \
	-nographic -no-reboot \
	"$@"
