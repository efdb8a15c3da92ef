#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkimage.sh - build the customer domains' (domUs') Linux root image, an
# initramfs (gzip'd newc cpio), and overlays for it.
#
#   usage: mkimage.sh base OUTPUT [MODULE.ko...]
#          mkimage.sh overlay OUTPUT PROGRAM...
#
#   base     the image itself: static busybox and its applet links, /init
#            (dom0-image/domu/init) and the overlay tree dom0-image/domu/rootfs/,
#            the /dev/console node, and each MODULE.ko (a kernel module file
#            of the image's kernel) in /lib/modules/, which /init loads in
#            the order given here (a module after those it depends on).
#   overlay  an archive to append to the base image (Linux unpacks
#            concatenated archives one after the other): each PROGRAM, an
#            absolute path on the build host, with every shared library
#            `ldd` names for it (the dynamic loader included), all at the same
#            paths as on the build host, which is a Debian 12 amd64 like the
#            image's kernel.  The test image is base + overlay of stress-ng.
#
# Called by dom0-image/domu.mk; runs as any user (no device nodes are made
# on disk).  The staging tree is kept next to OUTPUT, named OUTPUT's name
# with -root instead of .img/.cpio.gz, for inspection.
set -euo pipefail

if [ $# -lt 2 ] || { [ "$1" != base ] && [ "$1" != overlay ]; } ||
   { [ "$1" = overlay ] && [ $# -lt 3 ]; }; then
    echo "usage: $0 base OUTPUT [MODULE.ko...] | overlay OUTPUT PROGRAM..." >&2
    exit 2
fi
kind=$1
output=$(realpath -m "$2")               # absolute: we cd into the staging dir
shift 2
args=()                                  # MODULEs or PROGRAMs, made absolute
for arg in "$@"; do                      # (-s: symlinks are not resolved)
    args+=("$(realpath -m -s "$arg")")
done
set -- "${args[@]}"
here=$(dirname "$(realpath "$0")")       # dom0-image/domu/

name=$(basename "$output")
stage=$(dirname "$output")/${name%%.*}-root
rm -rf "$stage"
mkdir -p "$stage"
cd "$stage"

# newc header of an entry without data (a device node or the trailer):
# "070701", 13 eight-digit hex fields, the name with its NUL, padded to a
# multiple of 4 bytes (the header is 110 bytes).
cpio_entry() {   # name mode rdevmajor rdevminor
    local name=$1 namesize=$((${#1} + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        0 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
    printf '%s\0' "$name"
    head -c $(( (4 - (110 + namesize) % 4) % 4 )) /dev/zero
}

if [ "$kind" = base ]; then
    mkdir -p bin sbin usr/bin usr/sbin etc dev proc sys run tmp root
    chmod 1777 tmp

    # --- busybox: the whole userland ------------------------------------------
    # busybox-static's binary needs no libraries.  Link every applet at the
    # path busybox itself reports (bin/sh, sbin/poweroff, usr/bin/free, ...).
    busybox=/bin/busybox
    if ldd "$busybox" >/dev/null 2>&1; then
        echo "$0: $busybox is dynamically linked; install busybox-static" >&2
        exit 1
    fi
    cp "$busybox" bin/busybox
    for applet in $(bin/busybox --list-full); do
        case "$applet" in
            bin/busybox) ;;
            bin/*)      ln -sf busybox "$applet" ;;
            sbin/*)     ln -sf ../bin/busybox "$applet" ;;
            usr/*bin/*) ln -sf ../../bin/busybox "$applet" ;;
            linuxrc)    ;;               # the old initrd entry point: unused
            *) echo "$0: unexpected applet path $applet" >&2; exit 1 ;;
        esac
    done

    # --- /init and the overlay tree --------------------------------------------
    cp "$here/init" init
    chmod 755 init
    cp -a "$here/rootfs/." .

    # --- kernel modules ----------------------------------------------------------
    # Flat in /lib/modules/, named NN-name.ko so that /init, which insmods
    # them in name order, loads them in the order given (domu.mk lists each
    # module after the ones it depends on).
    mkdir -p lib/modules
    n=10
    for module in "$@"; do
        if [ ! -f "$module" ]; then
            echo "$0: kernel module $module not found" >&2
            exit 1
        fi
        cp "$module" "lib/modules/$n-$(basename "$module")"
        n=$((n + 1))
    done
else
    # --- programs and their shared libraries -------------------------------------
    for prog in "$@"; do
        if [ ! -x "$prog" ]; then
            echo "$0: $prog not found (is its Debian package installed?)" >&2
            exit 1
        fi
        mkdir -p "./$(dirname "$prog")"
        cp "$prog" "./$prog"
        # ldd prints "libX.so => /path (addr)" and "/lib64/ld-linux... (addr)";
        # copy every absolute path it names, the loader included.  A library
        # it cannot find shows as "not found": refuse to build then.
        libs=$(ldd "$prog") || { echo "$0: ldd $prog failed" >&2; exit 1; }
        if echo "$libs" | grep -q 'not found'; then
            echo "$0: $prog: missing libraries:" >&2
            echo "$libs" | grep 'not found' >&2
            exit 1
        fi
        for lib in $(echo "$libs" | grep -o '/[^ ]*'); do
            mkdir -p "./$(dirname "$lib")"
            cp -L "$lib" "./$lib"        # -L: the file, not the soname link
        done
    done
fi

# --- pack ------------------------------------------------------------------------
# Same inputs, same image: fixed timestamps, sorted names, owner root and
# renumbered inodes make the archive independent of when, where and by whom
# it was built.  The base image also carries /dev/console (char 5:1), which
# the kernel opens for /init before anything is mounted: a second, hand-made
# archive holding just that node (making it with mknod would need root).
tmp=$output.tmp
find . -exec touch -h -d @0 {} +
{
    find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --renumber-inodes --ignore-devno
    if [ "$kind" = base ]; then
        cpio_entry dev/console $((0020600)) 5 1
        cpio_entry TRAILER!!! 0 0 0
    fi
} | gzip -9 -n > "$tmp"
mv "$tmp" "$output"

echo "domU $kind image: $output $(stat -c %s "$output") bytes" \
     "($(du -sk "$stage" | cut -f1) KiB unpacked)"
