# SPDX-License-Identifier: GPL-2.0-only
#
# dom0-image/dom0.mk - build the control domain (dom0) kernel and root image.
#
# This is a GNU make fragment: the top-level Makefile includes it, and every
# path below is relative to the repository root (make's working directory).
# It also works on its own from the repository root:
#
#     make -f dom0-image/dom0.mk dom0
#
# dom0 is a stock Debian kernel, taken from Debian's own packages:
#   - the .debs are fetched with `apt-get download` (apt checks them against
#     the signed archive index) into build/dom0/debs/ and kept there as a cache;
#   - they are unpacked with `dpkg-deb -x`, never installed on the build host.
#
# Outputs:
#   build/dom0/vmlinuz      the kernel, byte for byte Debian's
#   build/dom0/initrd.img   gzip'd newc cpio: busybox, a few modules, /init
#   $(DOM0_KDIR)            the matching linux-headers tree, for out-of-tree
#                           modules:  make -C $(DOM0_KDIR) M=$(abspath dir) modules
#
# Targets: dom0 (all of the above), dom0-headers (only DOM0_KDIR), dom0-clean.

# Remember the including Makefile's default goal, so that the targets below do
# not become the default by accident (restored at the end of this file).
DOM0_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

# --- The pin ------------------------------------------------------------------
# One exact Debian kernel: ABI name + package version.  The build never looks
# at the kernel the build host runs.  Debian keeps only the newest kernel of a
# release in its archive, so when a point release drops this one, bump both
# lines together (`apt-cache policy linux-image-<abi>-amd64-unsigned`).
DOM0_KVER    := 6.1.0-50-amd64
DOM0_KPKGVER := 6.1.176-1

# The packages that carry that kernel.  The -unsigned image has the same
# vmlinuz as the signed one, without the Secure Boot signature we don't need.
DOM0_KCOMMON    := $(patsubst %-amd64,%-common,$(DOM0_KVER))
DOM0_IMAGE_PKG  := linux-image-$(DOM0_KVER)-unsigned
DOM0_HEADER_PKG := linux-headers-$(DOM0_KVER)
DOM0_COMMON_PKG := linux-headers-$(DOM0_KCOMMON)
DOM0_KBUILD_PKG := linux-kbuild-6.1

# Debian packages the build host needs for all this (read by the installer
# script; this file installs nothing).
#   apt, dpkg          apt-get download, dpkg-deb -x
#   busybox-static     the whole dom0 userland (must be static: copied as is)
#   cpio, gzip         pack the initrd
#   kmod               depmod/modprobe -d to resolve module dependencies
#   e2fsprogs          mke2fs/e2fsck copied into dom0 (busybox can't make ext4)
#   util-linux         blkid copied into dom0 (probes for any signature)
#   xfsprogs           mkfs.xfs/xfs_repair copied into dom0 (the data disk)
#   dosfstools, mtools mkfs.vfat and mcopy copied into dom0 (provisiond's
#                      NoCloud seed disks)
#   libc-bin           ldd, to find the shared libraries of those tools
#   gcc-12, make       out-of-tree modules against DOM0_KDIR (Debian's 6.1
#                      kernels are built with gcc-12)
#   libelf1, libssl3   run-time libraries of the prebuilt linux-kbuild tools
#   qemu-system-x86    dom0-image/run-direct.sh
DOM0_PACKAGES := apt dpkg busybox-static cpio gzip kmod e2fsprogs util-linux xfsprogs \
                 dosfstools mtools \
                 libc-bin gcc-12 make libelf1 libssl3 qemu-system-x86

# --- Paths ----------------------------------------------------------------------
DOM0_DIR      := build/dom0
DOM0_DEBDIR   := $(DOM0_DIR)/debs
DOM0_KROOT    := $(DOM0_DIR)/kernel
DOM0_HROOT    := $(DOM0_DIR)/headers
DOM0_VMLINUZ  := $(DOM0_DIR)/vmlinuz
DOM0_INITRD   := $(DOM0_DIR)/initrd.img

# Absolute, because kbuild is run with `make -C $(DOM0_KDIR)`.
DOM0_KDIR := $(abspath $(DOM0_HROOT))/usr/src/linux-headers-$(DOM0_KVER)

# The .deb files, named as apt-get download names them: package_version_arch.deb
DOM0_IMAGE_DEB   := $(DOM0_DEBDIR)/$(DOM0_IMAGE_PKG)_$(DOM0_KPKGVER)_amd64.deb
DOM0_HEADER_DEBS := $(DOM0_DEBDIR)/$(DOM0_HEADER_PKG)_$(DOM0_KPKGVER)_amd64.deb \
                    $(DOM0_DEBDIR)/$(DOM0_COMMON_PKG)_$(DOM0_KPKGVER)_all.deb \
                    $(DOM0_DEBDIR)/$(DOM0_KBUILD_PKG)_$(DOM0_KPKGVER)_amd64.deb

# Everything the initrd is made from: a change to any of them rebuilds it.
# rootfs/'s directories are listed too (removing a file changes its
# directory's time); symlinks are not, as make would look at their targets.
DOM0_INITRD_INPUTS := dom0-image/mkinitramfs.sh dom0-image/init \
                      $(shell find dom0-image/rootfs ! -type l)

.PHONY: dom0 dom0-headers dom0-clean

dom0: $(DOM0_VMLINUZ) $(DOM0_INITRD) dom0-headers

dom0-headers: $(DOM0_HROOT)/.extracted

# --- Download (cached) ------------------------------------------------------------
# One rule for every .deb: the file name package_version_arch.deb says what to
# fetch (package=version).  Nothing is downloaded if the file already exists.
# apt-get download writes into the current directory, so it runs in a private
# temporary directory and the file is moved into place only once complete:
# an interrupted download never leaves a truncated .deb that looks cached.
# As root, apt downloads as its unprivileged user _apt, which must be able to
# write there (else it warns and downloads as root).
$(DOM0_DEBDIR)/%.deb:
	rm -rf $@.tmp && mkdir -p $@.tmp
	if [ "$$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt $@.tmp; fi
	cd $@.tmp && apt-get download -q $(word 1,$(subst _, ,$*))=$(word 2,$(subst _, ,$*))
	mv $@.tmp/$(@F) $@
	rmdir $@.tmp

# --- Kernel -----------------------------------------------------------------------
# The image package holds /boot/vmlinuz-* and /lib/modules/<kver>/ (4000
# modules, of which mkinitramfs.sh copies a handful).  Unpack it afresh into
# its own directory; the stamp file records that it is complete.
$(DOM0_KROOT)/.extracted: $(DOM0_IMAGE_DEB)
	rm -rf $(DOM0_KROOT)
	dpkg-deb -x $< $(DOM0_KROOT)
	touch $@

$(DOM0_VMLINUZ): $(DOM0_KROOT)/.extracted
	cp $(DOM0_KROOT)/boot/vmlinuz-$(DOM0_KVER) $@

# --- Root image (initrd) ---------------------------------------------------------
# Our own programs in the image, as FILE=PATH-in-image; tools.mk builds them.
# provisiond (provisiond/build.mk) is linked dynamically against Debian's
# libraries (see the note there), so the image also gets its shared
# libraries, copied from the build host (a Debian 12 amd64 too) to the same
# paths; the loader and libc are already there for e2fsprogs.  Keep this
# list in step with `ldd build/provisiond/provisiond`.
# The customer domains' Linux (dom0-image/domu.mk, read before this file):
# this same kernel, their root image and its command line, in
# /usr/share/domu/ for dom0 to start domains from.
# provisiond's webhook deliveries use libcurl (Debian's libcurl4-openssl-dev
# to build), which brings these with it (`ldd /lib/x86_64-linux-gnu/libcurl.so.4`).
DOM0_CURL_LIBS := libcurl.so.4 libnghttp2.so.14 librtmp.so.1 libssh2.so.1 \
                    libpsl.so.5 libssl.so.3 libcrypto.so.3 libgssapi_krb5.so.2 \
                    libldap-2.5.so.0 liblber-2.5.so.0 libzstd.so.1 \
                    libbrotlidec.so.1 libbrotlicommon.so.1 libz.so.1 \
                    libkrb5.so.3 libk5crypto.so.3 libcom_err.so.2 \
                    libkrb5support.so.0 libsasl2.so.2 libkeyutils.so.1 \
                    libresolv.so.2
DOM0_PROVISIOND_LIBS := libmicrohttpd.so.12 libjansson.so.4 libsqlite3.so.0 \
                    libgnutls.so.30 libp11-kit.so.0 libidn2.so.0 \
                    libunistring.so.2 libtasn1.so.6 libnettle.so.8 \
                    libhogweed.so.6 libgmp.so.10 libffi.so.8 libcrypt.so.1 \
                    libm.so.6 libc.so.6 \
                    $(DOM0_CURL_LIBS)
# hv-netfilter (dom0-image/netfilter/) links libnftnl and libmnl the same way.
DOM0_NETFILTER_LIBS := libnftnl.so.11 libmnl.so.0
DOM0_IMAGE_FILES := $(BUILD)/dom0/hvctl=usr/sbin/hvctl \
                    $(BUILD)/dom0/hv-backend=usr/sbin/hv-backend \
                    $(BUILD)/dom0/hv-bootloader=usr/sbin/hv-bootloader \
                    $(BUILD)/dom0/hvpriv.ko=lib/hvpriv.ko \
                    $(BUILD)/dom0/hv-netfilter=usr/sbin/hv-netfilter \
                    $(BUILD)/dom0/hv-netd=usr/sbin/hv-netd \
                    $(BUILD)/provisiond/provisiond=usr/sbin/provisiond \
                    $(WEB_OUT)=usr/share/provisiond/web \
                    $(DOM0_VMLINUZ)=usr/share/domu/vmlinuz \
                    $(DOMU_INITRD)=usr/share/domu/initrd.img \
                    $(DOMU_CMDLINE_FILE)=usr/share/domu/cmdline \
                    $(foreach l,$(DOM0_PROVISIOND_LIBS) $(DOM0_NETFILTER_LIBS),/lib/x86_64-linux-gnu/$(l)=lib/x86_64-linux-gnu/$(l)) \
                    /etc/ssl/certs/ca-certificates.crt=etc/ssl/certs/ca-certificates.crt
# (the CA bundle, Debian's ca-certificates: libcurl checks https webhook
# receivers' certificates against it)

$(DOM0_INITRD): $(DOM0_KROOT)/.extracted $(DOM0_INITRD_INPUTS) \
		$(foreach f,$(DOM0_IMAGE_FILES),$(firstword $(subst =, ,$(f))))
	bash dom0-image/mkinitramfs.sh $(DOM0_KROOT) $(DOM0_KVER) $@ $(DOM0_IMAGE_FILES)

# --- Headers for out-of-tree modules ----------------------------------------------
# linux-headers-<kver> (config, Module.symvers, arch headers) includes the
# generic tree linux-headers-<abi>-common, and links scripts/ and tools/ to
# ../../lib/linux-kbuild-6.1 (relative links: they stay inside this tree).
# Its Makefile names the -common tree by its absolute installed path
# (/usr/src/...); point that line at the unpacked copy next to it instead,
# relative to the Makefile itself so the tree still works if moved.
$(DOM0_HROOT)/.extracted: $(DOM0_HEADER_DEBS)
	rm -rf $(DOM0_HROOT)
	for deb in $^; do dpkg-deb -x $$deb $(DOM0_HROOT) || exit 1; done
	sed -i 's|^include /usr/src/\(.*\)$$|include $$(dir $$(lastword $$(MAKEFILE_LIST)))../\1|' \
		$(DOM0_KDIR)/Makefile
	grep -q '^include $$(dir ' $(DOM0_KDIR)/Makefile
	touch $@

# Keeps the downloaded .debs (build/dom0/debs/); rm -rf build/dom0 drops them too.
dom0-clean:
	rm -rf $(DOM0_KROOT) $(DOM0_HROOT) $(DOM0_DIR)/initramfs-root \
		$(DOM0_VMLINUZ) $(DOM0_INITRD)

# Restore the including Makefile's default goal (see the top of this file).
.DEFAULT_GOAL := $(DOM0_SAVED_DEFAULT_GOAL)
