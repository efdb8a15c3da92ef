#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-direct.sh - boot dom0 DIRECTLY in QEMU, without our hypervisor.
#
#   usage: dom0-image/run-direct.sh DATA_IMAGE [KERNEL_OPTION...]
#
# Boots build/dom0/vmlinuz + build/dom0/initrd.img (make dom0) on an
# emulated (TCG) PC.  This is the baseline that boots under the hypervisor
# are compared with, so the machine matches what the hypervisor gets:
# qemu64 CPU with AMD SVM and nested paging, 1 GiB, 2 CPUs.
#
#   DATA_IMAGE      raw disk image for dom0's /data, attached as the first
#                   virtio disk (/dev/vda).  Created empty (256 MiB, sparse)
#                   if missing; dom0 formats it on its first boot.
#   KERNEL_OPTION   appended to the kernel command line
#                   "console=ttyS0 quiet", e.g. dom0.datadisk=/dev/vdb.
#
# The serial console is on stdin/stdout (-nographic): type at the dom0
# shell; Ctrl-A x quits QEMU; `poweroff` in dom0 makes QEMU exit.
# Host ports (override with the environment variables):
#   127.0.0.1:${DOM0_HTTP_PORT:-8080} -> dom0 port 80 (provisiond's REST API;
#                                        it needs the hypervisor, so nothing
#                                        answers there in a direct boot)
#   127.0.0.1:${DOM0_SSH_PORT:-2222}  -> dom0 port 22
# Extra QEMU arguments may be given in $QEMU_EXTRA_ARGS (split on spaces).
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 DATA_IMAGE [KERNEL_OPTION...]" >&2
    exit 2
fi
data_image=$1
shift

# Paths relative to the repository root, wherever this is run from.
top=$(cd "$(dirname "$0")/.." && pwd)
kernel=$top/build/dom0/vmlinuz
initrd=$top/build/dom0/initrd.img
for f in "$kernel" "$initrd"; do
    if [ ! -f "$f" ]; then
        echo "$0: $f missing; run 'make dom0' first" >&2
        exit 1
    fi
done

if [ ! -e "$data_image" ]; then
    truncate -s 256M "$data_image"
    echo "$0: created empty data disk $data_image (256 MiB)" >&2
fi

http_port=${DOM0_HTTP_PORT:-8080}
ssh_port=${DOM0_SSH_PORT:-2222}

# -no-reboot: a reboot in dom0 ends QEMU too, like poweroff (for tests).
# romfile= (empty): no iPXE boot ROM on the NIC; we boot with -kernel, and
# the ROM would only print a banner and wait for Ctrl-B.
# shellcheck disable=SC2086  # QEMU_EXTRA_ARGS is meant to be split
exec qemu-system-x86_64 \
    -accel tcg -cpu qemu64,+svm,+npt -m 1024 -smp 2 \
    -nographic -no-reboot \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 quiet $*" \
    -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$http_port-:80,hostfwd=tcp:127.0.0.1:$ssh_port-:22" \
    -device virtio-net-pci,netdev=net0,romfile= \
    -drive "file=$data_image,format=raw,if=virtio" \
    ${QEMU_EXTRA_ARGS:-}
