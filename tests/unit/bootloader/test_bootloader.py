#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""hv-bootloader's tests: build small ext4 volumes, run the binary on them.

    test_bootloader.py --binary build/dom0/hv-bootloader \
                       --kernel build/dom0/vmlinuz [NAME-SUBSTRING ...]

Images are made with `mke2fs -t ext4 -d DIR` (symlinks, fifos and files
copied from a directory tree) and `debugfs -w` (device nodes, edits), never
mounted, so no root is needed.  The kernel is Debian's real bzImage.  Each
case checks the exit status, the single stderr line, what OUT_DIR holds
afterwards (nothing at all after a failure) and, on success, that the files
are byte-identical and the JSON line is right.

`make test-unit` runs this through build/tests/unit/bootloader-tests; the
last line is a summary in Check's format ("100%: Checks: N, Failures: N,
Errors: N").  Exits 1 if any case fails.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

BINARY = None
KERNEL = None
BLOCK = 4096


def kernel_release(data):
    """The release the bzImage header's kernel_version points at."""
    off = 0x200 + struct.unpack_from("<H", data, 0x20E)[0]
    return data[off:data.index(b"\0", off)].split(b" ")[0].decode()


class Volume:
    """A directory tree that becomes an ext4 image."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.root = os.path.join(tmp, "root")
        self.image = os.path.join(tmp, "volume.img")
        os.makedirs(self.root)

    def file(self, path, data):
        full = os.path.join(self.root, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)

    def kernel(self, path):
        with open(KERNEL, "rb") as f:
            self.file(path, f.read())

    def link(self, path, target):
        full = os.path.join(self.root, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        os.symlink(target, full)

    def dir(self, path):
        os.makedirs(os.path.join(self.root, path.lstrip("/")), exist_ok=True)

    def fifo(self, path):
        full = os.path.join(self.root, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        os.mkfifo(full)

    def build(self, size="64M", debugfs=()):
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", str(BLOCK),
                        "-d", self.root, self.image, size],
                       check=True, capture_output=True)
        if debugfs:
            # One session: debugfs's mknod takes a name in the cwd only.
            cmds = os.path.join(self.tmp, "debugfs.cmds")
            with open(cmds, "w") as f:
                f.write("".join(c + "\n" for c in debugfs))
            subprocess.run(["debugfs", "-w", "-f", cmds, self.image],
                           check=True, capture_output=True)
        return self.image


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class BootloaderTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hv-bootloader-test.")
        self.vol = Volume(self.tmp)
        self.out = os.path.join(self.tmp, "out")
        os.mkdir(self.out)
        with open(KERNEL, "rb") as f:
            self.kernel_bytes = f.read()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_bootloader(self, image, *options, out=None):
        return subprocess.run([BINARY, *options, image, out or self.out],
                              capture_output=True, text=True, timeout=120)

    def succeeds(self, image, *options, initrd=None):
        """Runs it, expects success; returns the JSON."""
        before = sha256(image)
        r = self.run_bootloader(image, *options)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1, r.stdout)
        info = json.loads(lines[0])
        self.assertEqual(set(info), {"kernel", "initrd", "kernel_bytes",
                                     "initrd_bytes", "kernel_version"})
        out = os.path.realpath(self.out)
        self.assertEqual(info["kernel"], os.path.join(out, "vmlinuz"))
        with open(info["kernel"], "rb") as f:
            self.assertEqual(f.read(), self.kernel_bytes)
        self.assertEqual(info["kernel_bytes"], len(self.kernel_bytes))
        self.assertEqual(info["kernel_version"],
                         kernel_release(self.kernel_bytes))
        self.assertRegex(info["kernel_version"], r"^\d+\.\d+\.\d+-")
        if initrd is None:
            self.assertIsNone(info["initrd"])
            self.assertEqual(info["initrd_bytes"], 0)
            self.assertEqual(os.listdir(self.out), ["vmlinuz"])
        else:
            self.assertEqual(info["initrd"], os.path.join(out, "initrd.img"))
            with open(info["initrd"], "rb") as f:
                self.assertEqual(f.read(), initrd)
            self.assertEqual(info["initrd_bytes"], len(initrd))
            self.assertEqual(sorted(os.listdir(self.out)),
                             ["initrd.img", "vmlinuz"])
        self.assertEqual(sha256(image), before, "the volume was modified")
        return info

    def fails(self, image, message, *options, status=1, out_files=()):
        """Runs it, expects one clear line on stderr and OUT_DIR intact."""
        r = self.run_bootloader(image, *options)
        self.assertEqual(r.returncode, status, r.stderr)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("hv-bootloader: "), lines[0])
        self.assertNotIn("crashed", lines[0])
        self.assertIn(message, lines[0])
        self.assertEqual(sorted(os.listdir(self.out)), sorted(out_files),
                         "a failure left files behind")
        return lines[0]

    # --- what a Debian volume looks like -------------------------------------
    def test_good_debian_layout(self):
        initrd = random.Random(1).randbytes(300000)
        self.vol.kernel("/boot/vmlinuz-6.1.0-50-amd64")
        self.vol.file("/boot/initrd.img-6.1.0-50-amd64", initrd)
        self.vol.link("/boot/vmlinuz", "vmlinuz-6.1.0-50-amd64")
        self.vol.link("/boot/initrd.img", "initrd.img-6.1.0-50-amd64")
        self.succeeds(self.vol.build(), initrd=initrd)

    def test_root_links_when_no_boot_links(self):
        # link_in_boot = no: the links are /vmlinuz and /initrd.img.
        initrd = b"initrd" * 1000
        self.vol.kernel("/boot/vmlinuz-6.1.0-50-amd64")
        self.vol.file("/boot/initrd.img-6.1.0-50-amd64", initrd)
        self.vol.link("/vmlinuz", "boot/vmlinuz-6.1.0-50-amd64")
        self.vol.link("/initrd.img", "boot/initrd.img-6.1.0-50-amd64")
        self.succeeds(self.vol.build(), initrd=initrd)

    def test_boot_link_wins_over_root_link(self):
        self.vol.kernel("/boot/vmlinuz")
        self.vol.file("/vmlinuz", b"not this one")
        self.succeeds(self.vol.build())

    def test_no_initrd(self):
        self.vol.kernel("/boot/vmlinuz")
        self.succeeds(self.vol.build())

    def test_absolute_symlink_stays_in_volume(self):
        # /kernels does not exist on the host: only the volume's counts.
        self.vol.kernel("/kernels/vmlinuz-real")
        self.vol.link("/boot/vmlinuz", "/kernels/vmlinuz-real")
        self.succeeds(self.vol.build())

    def test_dotdot_escape_stops_at_volume_root(self):
        self.vol.kernel("/vmlinuz-real")
        self.vol.link("/boot/vmlinuz", "../../../../../../../vmlinuz-real")
        self.succeeds(self.vol.build())

    def test_escape_to_host_file_is_dangling(self):
        self.vol.dir("/boot")
        self.vol.link("/boot/vmlinuz", "../../../../../../../.." + KERNEL)
        self.fails(self.vol.build(), "dangling symlink")

    def test_slow_symlink_and_symlinked_directory(self):
        # A target over 60 bytes lives in a data block (a "slow" symlink).
        longdir = "/k" + "d" * 100
        self.vol.kernel(longdir + "/vmlinuz-real")
        self.vol.link("/realboot/vmlinuz", longdir + "/vmlinuz-real")
        self.vol.link("/boot", "realboot")
        self.succeeds(self.vol.build())

    def chain(self, links):
        """/boot/vmlinuz -> /c1 -> ... : links symlinks in all."""
        self.vol.kernel("/vmlinuz-real")
        self.vol.link("/boot/vmlinuz", "/c1" if links > 1 else "/vmlinuz-real")
        for i in range(1, links):
            self.vol.link("/c%d" % i,
                          "/c%d" % (i + 1) if i + 1 < links else "/vmlinuz-real")
        return self.vol.build()

    def test_eight_symlinks_are_followed(self):
        self.succeeds(self.chain(8))

    def test_nine_symlinks_are_too_many(self):
        self.fails(self.chain(9), "more than 8 symlinks")

    def test_symlink_loop(self):
        self.vol.link("/boot/vmlinuz", "/a")
        self.vol.link("/a", "/b")
        self.vol.link("/b", "a")
        self.fails(self.vol.build(), "more than 8 symlinks")

    # --- what the name must end at -------------------------------------------
    def test_kernel_is_a_directory(self):
        self.vol.dir("/boot/vmlinuz")
        self.fails(self.vol.build(), "not a regular file (a directory)")

    def test_kernel_link_to_root_directory(self):
        self.vol.link("/boot/vmlinuz", "/")
        self.fails(self.vol.build(), "not a regular file (a directory)")

    def test_kernel_is_a_fifo(self):
        self.vol.fifo("/boot/vmlinuz")
        self.fails(self.vol.build(), "not a regular file (a fifo)")

    def test_kernel_is_a_device_node(self):
        self.vol.dir("/boot")
        image = self.vol.build(debugfs=["cd /boot", "mknod vmlinuz c 1 3"])
        self.fails(image, "not a regular file (a character device)")

    def test_path_through_a_file(self):
        self.vol.file("/boot", b"a file, not a directory")
        self.vol.kernel("/vmlinuz")
        # /boot/vmlinuz: /boot exists but is no directory; that is an error,
        # not "absent".
        self.fails(self.vol.build(), "is not a directory")

    def test_missing_kernel(self):
        self.vol.file("/boot/config", b"x")
        self.fails(self.vol.build(),
                   "neither /boot/vmlinuz nor /vmlinuz exists")

    def test_missing_boot_entirely(self):
        self.vol.file("/etc/hostname", b"x\n")
        self.fails(self.vol.build(),
                   "neither /boot/vmlinuz nor /vmlinuz exists")

    def test_dangling_kernel_link(self):
        self.vol.dir("/boot")
        self.vol.link("/boot/vmlinuz", "vmlinuz-gone")
        self.vol.kernel("/vmlinuz")
        self.fails(self.vol.build(), "dangling symlink")

    def test_dangling_initrd_link(self):
        self.vol.kernel("/boot/vmlinuz")
        self.vol.link("/boot/initrd.img", "initrd.img-gone")
        self.fails(self.vol.build(), "initrd /boot/initrd.img is a dangling")

    # --- sizes and contents ---------------------------------------------------
    def test_kernel_is_a_block_device(self):
        self.vol.dir("/boot")
        image = self.vol.build(debugfs=["cd /boot", "mknod vmlinuz b 8 0"])
        self.fails(image, "not a regular file (a block device)")

    def test_dangling_link_through_directory_link(self):
        # /boot -> realboot: names inside it are still the names as written,
        # so a missing /boot/initrd.img is absent, not dangling.
        self.vol.kernel("/realboot/vmlinuz")
        self.vol.link("/boot", "realboot")
        self.vol.link("/boot-gone", "nowhere")
        self.vol.link("/realboot/initrd.img", "/boot-gone/initrd.img")
        self.fails(self.vol.build(), "initrd /boot/initrd.img is a dangling")

    def test_kernel_too_big(self):
        self.vol.kernel("/boot/vmlinuz")
        self.fails(self.vol.build(), "more than the limit of 1000000",
                   "--max-kernel", "1000000")

    def test_initrd_too_big(self):
        self.vol.kernel("/boot/vmlinuz")
        self.vol.file("/boot/initrd.img", b"x" * 5000)
        self.fails(self.vol.build(), "initrd /boot/initrd.img is 5000 bytes",
                   "--max-initrd", "4096")

    def test_empty_kernel(self):
        self.vol.file("/boot/vmlinuz", b"")
        self.fails(self.vol.build(), "kernel /boot/vmlinuz is empty")

    def test_empty_initrd(self):
        self.vol.kernel("/boot/vmlinuz")
        self.vol.file("/boot/initrd.img", b"")
        self.fails(self.vol.build(), "initrd /boot/initrd.img is empty")

    def test_kernel_random_bytes(self):
        self.vol.file("/boot/vmlinuz", random.Random(2).randbytes(200000))
        self.fails(self.vol.build(), "not a bzImage")

    def test_kernel_is_an_elf(self):
        with open(sys.executable, "rb") as f:
            elf = f.read(300000)
        self.assertEqual(elf[:4], b"\x7fELF")
        self.vol.file("/boot/vmlinuz", elf)
        self.fails(self.vol.build(), "not a bzImage")

    def test_kernel_too_old_protocol(self):
        old = bytearray(self.kernel_bytes)
        struct.pack_into("<H", old, 0x206, 0x0206)
        self.vol.file("/boot/vmlinuz", bytes(old))
        self.fails(self.vol.build(), "boot protocol older than 2.12")

    def test_hole_reads_as_zeros(self):
        # A sparse tail is part of the file (Linux reads zeros), not an error.
        self.vol.kernel("/boot/vmlinuz")
        image = self.vol.build()
        info = subprocess.run(["debugfs", "-R", "stat /boot/vmlinuz", image],
                              capture_output=True, text=True, check=True)
        self.assertIn("Size: %d" % len(self.kernel_bytes), info.stdout)
        subprocess.run(["debugfs", "-w", "-R",
                        "sif /boot/vmlinuz size %d" % (len(self.kernel_bytes) + 8192),
                        image], check=True, capture_output=True)
        self.kernel_bytes += bytes(8192)
        self.succeeds(image)

    # --- broken images --------------------------------------------------------
    def test_truncated_image(self):
        # The filesystem says the kernel has blocks the image does not hold.
        self.vol.kernel("/boot/vmlinuz")
        image = self.vol.build()
        bmap = subprocess.run(["debugfs", "-R", "bmap /boot/vmlinuz 100", image],
                              capture_output=True, text=True, check=True)
        block = int(bmap.stdout.split()[0])
        os.truncate(image, block * BLOCK)
        self.fails(image, "kernel /boot/vmlinuz is truncated")

    def test_superblock_overwritten(self):
        self.vol.kernel("/boot/vmlinuz")
        image = self.vol.build()
        with open(image, "r+b") as f:
            f.seek(1024)
            f.write(random.Random(3).randbytes(1024))
        self.fails(image, "holds no ext4 filesystem")

    def test_superblock_corrupt_but_magic_kept(self):
        self.vol.kernel("/boot/vmlinuz")
        image = self.vol.build()
        with open(image, "r+b") as f:
            f.seek(1024)
            sb = bytearray(f.read(1024))
            sb[0:0x38] = random.Random(4).randbytes(0x38)
            f.seek(1024)
            f.write(sb)
        self.fails(image, "corrupt or unsupported ext4 filesystem")

    def test_zeros_are_not_ext4(self):
        image = os.path.join(self.tmp, "zeros.img")
        with open(image, "wb") as f:
            f.truncate(16 << 20)
        self.fails(image, "holds no ext4 filesystem")

    def test_tiny_file_is_not_ext4(self):
        image = os.path.join(self.tmp, "tiny.img")
        with open(image, "wb") as f:
            f.write(b"tiny")
        self.fails(image, "holds no ext4 filesystem")

    # --- the caller's side ----------------------------------------------------
    def test_out_dir_has_kernel_already(self):
        self.vol.kernel("/boot/vmlinuz")
        with open(os.path.join(self.out, "vmlinuz"), "w") as f:
            f.write("keep me")
        self.fails(self.vol.build(), "vmlinuz already exists",
                   out_files=["vmlinuz"])
        with open(os.path.join(self.out, "vmlinuz")) as f:
            self.assertEqual(f.read(), "keep me")

    def test_out_dir_has_initrd_already(self):
        self.vol.kernel("/boot/vmlinuz")
        os.symlink("/etc/passwd", os.path.join(self.out, "initrd.img"))
        self.fails(self.vol.build(), "initrd.img already exists",
                   out_files=["initrd.img"])
        self.assertEqual(os.readlink(os.path.join(self.out, "initrd.img")),
                         "/etc/passwd")

    def test_missing_image(self):
        self.fails(os.path.join(self.tmp, "nope.img"), "cannot open")

    def test_image_is_a_directory(self):
        self.fails(self.tmp, "is not a volume")

    def test_bad_usage(self):
        for args in ([], ["only-one"], ["--max-kernel"],
                     ["--max-kernel", "12x", "a", "b"],
                     ["--max-kernel", "0", "a", "b"],
                     ["--max-initrd", "-5", "a", "b"],
                     ["--bogus", "1", "a", "b"], ["a", "b", "c"]):
            r = subprocess.run([BINARY, *args], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertEqual(r.stdout, "")


def main():
    global BINARY, KERNEL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--kernel", required=True)
    parser.add_argument("names", nargs="*", help="run cases whose name has one")
    args = parser.parse_args()
    BINARY, KERNEL = os.path.abspath(args.binary), os.path.abspath(args.kernel)

    suite = unittest.TestSuite()
    for test in unittest.defaultTestLoader.loadTestsFromTestCase(BootloaderTest):
        if not args.names or any(n in test.id() for n in args.names):
            suite.addTest(test)
    result = unittest.TextTestRunner(verbosity=0, stream=sys.stdout).run(suite)
    total = result.testsRun
    failures, errors = len(result.failures), len(result.errors)
    passed = total - failures - errors
    print("%d%%: Checks: %d, Failures: %d, Errors: %d" %
          (100 * passed // total if total else 0, total, failures, errors))
    return 0 if result.wasSuccessful() and total else 1


if __name__ == "__main__":
    sys.exit(main())
