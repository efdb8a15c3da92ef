#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""
TEST DOUBLE of hv-bootloader for the API tests (provisiond --hv-bootloader):
`fake_bootloader.py ROOT_IMAGE OUT_DIR` answers as the real one does.  A
root image whose first bytes are NOKERNEL has no kernel (exit 1, one error
line on stderr); any other gets OUT_DIR/vmlinuz and OUT_DIR/initrd.img
holding the image's first 64 bytes, and one JSON line on stdout.  Like
the real one (dom0-image/bootloader), it refuses to replace files a
previous run left in OUT_DIR.
"""
import json
import os
import sys


def main():
    root, out = sys.argv[1], sys.argv[2]
    with open(root, "rb") as f:
        head = f.read(64)
    if head.startswith(b"NOKERNEL"):
        sys.stderr.write("no kernel in /boot of %s\n" % root)
        return 1
    kernel = os.path.join(out, "vmlinuz")
    initrd = os.path.join(out, "initrd.img")
    for path in (kernel, initrd):
        # As the real one: never replaces what a previous run left.
        if os.path.lexists(path):
            sys.stderr.write("hv-bootloader: %s already exists; not replacing it\n" % path)
            return 1
    for path in (kernel, initrd):
        with open(path, "wb") as f:
            f.write(head)
    print(json.dumps({"kernel": kernel, "initrd": initrd, "kernel_bytes": len(head),
                      "initrd_bytes": len(head), "kernel_version": "6.1.0-50-amd64"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
