#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkinitramfs.sh - build dom0's root image (an initramfs: gzip'd newc cpio).
#
#   usage: mkinitramfs.sh KERNEL_ROOT KVER OUTPUT [FILE=PATH ...]
#
#   KERNEL_ROOT  the unpacked linux-image package (has lib/modules/KVER/)
#   KVER         the kernel release, e.g. 6.1.0-50-amd64
#   OUTPUT       the initrd to write, e.g. build/dom0/initrd.img
#   FILE=PATH    our own built files to put into the image at PATH, e.g.
#                build/dom0/hvctl=usr/sbin/hvctl
#
# dom0 runs entirely from this image; persistent state lives on the data disk
# that /init mounts at /data.  The image holds:
#   - busybox (static) and its applet links: the whole userland;
#   - mke2fs/e2fsck (e2fsprogs) and blkid (util-linux) with their shared
#     libraries: busybox's mke2fs makes only ext2, it has no e2fsck, and
#     Debian's busybox has no blkid to tell a blank disk from a used one;
#     mkfs.vfat (dosfstools) and mcopy (mtools) for provisiond's seed disks;
#   - the kernel modules listed in rootfs/etc/dom0/modules, with everything
#     they depend on, from the pinned kernel package (not from the build host);
#   - dom0-image/init as /init, and the overlay tree dom0-image/rootfs/.
#
# Called by dom0.mk; runs as any user (no device nodes are created on disk).
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin         # depmod, modprobe for non-root users

if [ $# -lt 3 ]; then
    echo "usage: $0 KERNEL_ROOT KVER OUTPUT [FILE=PATH ...]" >&2
    exit 2
fi
kroot=$(realpath "$1")
kver=$2
output=$(realpath -m "$3")               # absolute: we cd into the staging dir
shift 3
extra=()                                 # FILE=PATH, FILE made absolute
for spec in "$@"; do
    extra+=("$(realpath "${spec%%=*}")=${spec#*=}")
done
here=$(dirname "$(realpath "$0")")       # dom0-image/

# Build in a fresh staging directory next to the output; it is kept after the
# build so that the image's contents can be inspected.
stage=$(dirname "$output")/initramfs-root
rm -rf "$stage"
mkdir -p "$stage"
cd "$stage"
mkdir -p bin sbin usr/bin usr/sbin etc lib lib64 dev proc sys run tmp \
         root data var/log
chmod 1777 tmp

# --- busybox -----------------------------------------------------------------------
# busybox-static's binary needs no libraries.  Link every applet at the path
# busybox itself reports (bin/sh, sbin/ifconfig, usr/bin/wget, ...).
busybox=/bin/busybox
if ldd "$busybox" >/dev/null 2>&1; then
    echo "$0: $busybox is dynamically linked; install busybox-static" >&2
    exit 1
fi
cp "$busybox" bin/busybox
for applet in $(bin/busybox --list-full); do
    # Relative link from the applet's directory to /bin/busybox.
    case "$applet" in
        bin/busybox) ;;                  # the binary itself
        bin/*)     ln -sf busybox "$applet" ;;
        sbin/*)    ln -sf ../bin/busybox "$applet" ;;
        usr/*bin/*) ln -sf ../../bin/busybox "$applet" ;;
        linuxrc)   ;;                    # the old initrd entry point: unused
        *) echo "$0: unexpected applet path $applet" >&2; exit 1 ;;
    esac
done

# --- e2fsprogs, xfsprogs, blkid and the seed tools, with their shared libraries --------
# These replace busybox's mke2fs (which makes only ext2); mkfs.xfs and
# xfs_repair are for the data disk, XFS since the volume pool needs reflinks
# (docs/volumes.md); e2image copies an ext4 template from a device into
# the pool without its free blocks (docs/templates.md); mkfs.vfat
# (dosfstools) and mcopy (mtools): provisiond writes servers' NoCloud seed
# disks with them (provisiond/seed.c).
# Libraries are copied to the same paths as on the build host, which is
# also a Debian 12 amd64.
tools="/sbin/mke2fs /sbin/e2fsck /sbin/e2image /sbin/blkid /sbin/mkfs.xfs /sbin/xfs_repair /sbin/mkfs.vfat /usr/bin/mcopy"
for tool in $tools; do
    mkdir -p "./$(dirname "$tool")"
    rm -f "./$tool"                      # may be a busybox link
    cp "$tool" "./$tool"
    # ldd prints "libX.so => /path (addr)" and "/lib64/ld-linux... (addr)";
    # copy every absolute path it names (this includes the dynamic loader).
    for lib in $(ldd "$tool" | grep -o '/[^ ]*'); do
        mkdir -p "./$(dirname "$lib")"
        cp -L "$lib" "./$lib"            # -L: the file, not the soname link
    done
done
# mcopy converts names to FAT's codepage 850 through iconv: glibc's gconv
# module for it and its lines of the module list (without them every mcopy
# fails: "Error converting to codepage 850").
gconv=/usr/lib/x86_64-linux-gnu/gconv
mkdir -p ".$gconv"
cp "$gconv/IBM850.so" ".$gconv/"
grep -hE '^(alias|module)[[:space:]].*IBM850//' "$gconv/gconv-modules" \
    "$gconv"/gconv-modules.d/*.conf > ".$gconv/gconv-modules" 2>/dev/null || true
grep -q '^module[[:space:]]*IBM850//' ".$gconv/gconv-modules" ||
    { echo "$0: no IBM850 in $gconv's module list (mcopy needs it)" >&2; exit 1; }
ln -sf mke2fs sbin/mkfs.ext4
ln -sf e2fsck sbin/fsck.ext4
cp /etc/mke2fs.conf etc/mke2fs.conf      # same defaults as mkfs.ext4 on Debian

# --- kernel modules ------------------------------------------------------------------
# The wanted modules are named, one a line, in rootfs/etc/dom0/modules (the
# same file /init reads at boot to load them).  kmod resolves what each needs,
# soft dependencies included: `modprobe --show-depends` prints one
# "insmod /path/x.ko" line per module to load, in order.  That needs
# modules.dep for the whole package first (dpkg would run depmod on install).
moddir=lib/modules/$kver
depmod -b "$kroot" "$kver"
wanted=$(sed -e 's/#.*//' "$here/rootfs/etc/dom0/modules")
mkdir -p "$moddir"
count=0
for mod in $wanted; do
    # (A module built into the kernel shows as "builtin NAME": nothing to copy.)
    deps=$(modprobe -d "$kroot" -S "$kver" --show-depends "$mod") || {
        echo "$0: module $mod not found in $kroot for $kver" >&2
        exit 1
    }
    paths=$(echo "$deps" | sed -n 's|^insmod \([^ ]*\).*|\1|p')
    for path in $paths; do
        rel=${path#"$kroot"/}                # lib/modules/KVER/kernel/...
        rel=${rel#./}
        if [ ! -e "$rel" ]; then
            mkdir -p "$(dirname "$rel")"
            cp "$kroot/$rel" "$rel"
            count=$((count + 1))
        fi
    done
done
# modules.builtin/.order let modprobe treat built-in drivers as present;
# depmod then writes modules.dep/.alias for just the modules in the image.
for f in modules.builtin modules.builtin.modinfo modules.order; do
    cp "$kroot/$moddir/$f" "$moddir/"
done
depmod -b "$stage" "$kver"
echo "dom0 image: $count kernel modules"

# --- /init and the overlay tree -------------------------------------------------------
# rootfs/ holds the configuration and the services (etc/dom0/services.d/...).
cp "$here/init" init
chmod 755 init
cp -a "$here/rootfs/." .
# e2fsck and mount look in /etc/mtab for what is mounted.  (Made here, not
# kept in rootfs/: make would see the link's target /proc/self/mounts as
# always new and rebuild the image every time.)
ln -sf /proc/self/mounts etc/mtab

# --- our own programs --------------------------------------------------------------
# hvctl, the hypervisor driver (hvpriv.ko) and later provisiond, built by make.
for spec in ${extra[@]+"${extra[@]}"}; do
    mkdir -p "$(dirname "${spec#*=}")"
    cp -R "${spec%%=*}" "${spec#*=}"       # -R: the web panel is a directory
done

# --- pack --------------------------------------------------------------------------
# The kernel opens /dev/console for /init before anything is mounted, so the
# archive must carry that device node (char 5:1).  Creating it with mknod
# would need root; instead append a second, hand-made cpio archive holding
# just that node (the kernel unpacks concatenated archives one after the
# other).  newc format: "070701", 13 eight-digit hex fields, the name with its
# NUL, padded to a multiple of 4 bytes (header is 110 bytes).
cpio_entry() {   # name mode rdevmajor rdevminor
    local name=$1 namesize=$((${#1} + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        0 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
    printf '%s\0' "$name"
    # pad header (110) + name to a multiple of 4
    local pad=$(( (4 - (110 + namesize) % 4) % 4 ))
    head -c "$pad" /dev/zero
}
tmp=$output.tmp
# Same inputs, same image: fixed timestamps, sorted names, owner root and
# renumbered inodes make the archive independent of when, where and by whom
# it was built.
find . -exec touch -h -d @0 {} +
{
    find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --renumber-inodes --ignore-devno
    cpio_entry dev/console $((0020600)) 5 1
    cpio_entry TRAILER!!! 0 0 0
} | gzip -9 -n > "$tmp"
mv "$tmp" "$output"

echo "dom0 image: $output $(stat -c %s "$output") bytes" \
     "($(du -sk "$stage" | cut -f1) KiB unpacked)"
