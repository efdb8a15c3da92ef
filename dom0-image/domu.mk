# SPDX-License-Identifier: GPL-2.0-only
#
# dom0-image/domu.mk - build the Linux image customer domains (domUs) boot.
#
# A GNU make fragment included by the top-level Makefile, before dom0.mk,
# which puts these images into dom0's (every path here is relative to the
# repository root).  See docs/domu-image.md.
#
# The kernel is dom0's: the pinned Debian vmlinuz, build/dom0/vmlinuz
# (DOM0_VMLINUZ, built by dom0.mk).  The root image is built from Debian
# packages on the build host, as dom0's is:
#   busybox-static, cpio, gzip   the image (in DOM0_PACKAGES already)
#   stress-ng                    the test image only (install-deps.sh's
#                                "test" purpose)
#
# Modules of that kernel go into the image (DOMU_MODULES), from the
# unpacked kernel package (dom0.mk's DOM0_KROOT): the ACPI power button and
# the event devices through which busybox acpid sees it, the virtio drivers
# for the domain's disks and network (docs/virtio.md), and ext4.
#
# Outputs:
#   build/domu/initrd.img              gzip'd newc cpio: busybox, /init,
#                                      the modules
#   build/tests/domu-test-initrd.img   the same + stress-ng and its shared
#                                      libraries, and the static test tools
#                                      (the base image with two overlay
#                                      archives appended)
#   dom0-image/domu/cmdline            (a source file) the kernel command
#                                      line these images are booted with
#
# Targets: domu-image (both images), domu-clean.

DOMU_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

DOMU_DIR          := $(BUILD)/domu
DOMU_INITRD       := $(DOMU_DIR)/initrd.img
DOMU_TEST_OVERLAY := $(BUILD)/tests/domu-test-overlay.cpio.gz
DOMU_TEST_INITRD  := $(BUILD)/tests/domu-test-initrd.img
DOMU_CMDLINE_FILE := dom0-image/domu/cmdline

# Kernel modules the image loads, under lib/modules/<kver>/kernel/ of the
# unpacked kernel package, in this order: each after those it depends on
# (the kernel's modules.dep).  Debian builds all of them as modules.
#   button.ko  the ACPI power button (PNP0C0C), which hvctl shutdown and
#              provisiond's stop press: it reports KEY_POWER
#   evdev.ko   /dev/input/event*, where acpid reads that key
#   virtio*    the virtio core and its PCI transport (modern and the legacy
#              helpers it links against), then the disk and network drivers
#   failover   what virtio_net links against (standby NICs: unused here)
#   ext4       with what it needs: crc16, mbcache, jbd2 and a crc32c
#              implementation for the crypto API (the generic one: the
#              vCPU may lack SSE4.2)
DOMU_MODULES := drivers/acpi/button.ko drivers/input/evdev.ko \
	drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko \
	drivers/virtio/virtio_pci_legacy_dev.ko \
	drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci.ko \
	drivers/block/virtio_blk.ko \
	net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko \
	lib/crc16.ko crypto/crc32c_generic.ko fs/mbcache.ko fs/jbd2/jbd2.ko \
	fs/ext4/ext4.ko

# Programs the test image adds, with the libraries ldd finds for them:
# stress-ng, and mke2fs (e2fsprogs) to make ext4 on a virtio disk.
DOMU_TEST_PROGRAMS := /usr/bin/stress-ng /sbin/mke2fs

# Everything the image is made from: a change to any of them rebuilds it
# (rootfs/'s directories too: removing a file changes its directory's time).
DOMU_INITRD_INPUTS := dom0-image/domu/mkimage.sh dom0-image/domu/init \
                      $(shell find dom0-image/domu/rootfs ! -type l)

.PHONY: domu-image domu-clean

# With the kernel, dom0.mk's DOM0_VMLINUZ (named by its path: dom0.mk is
# read after this file).
domu-image: $(DOMU_INITRD) $(DOMU_TEST_INITRD) build/dom0/vmlinuz

# The kernel package is named by its path (dom0.mk's DOM0_KROOT, which the
# recipe may use: recipes are expanded after every file is read).
$(DOMU_INITRD): $(DOMU_INITRD_INPUTS) build/dom0/kernel/.extracted
	@mkdir -p $(dir $@)
	bash dom0-image/domu/mkimage.sh base $@ \
		$(addprefix $(DOM0_KROOT)/lib/modules/$(DOM0_KVER)/kernel/,$(DOMU_MODULES))

# Rebuilt when the programs change (a Debian update of stress-ng); a library
# updated alone is picked up by `make domu-clean`.
$(DOMU_TEST_OVERLAY): dom0-image/domu/mkimage.sh $(DOMU_TEST_PROGRAMS)
	@mkdir -p $(dir $@)
	bash dom0-image/domu/mkimage.sh overlay $@ $(DOMU_TEST_PROGRAMS)

# Static test tools shared with dom0's test overlay (tests/dom0/build.mk
# builds them): tscclock, for the clock tests, randio, for the I/O
# benchmark (tests/bench/io.py), and rawpkt, for the network isolation test.
DOMU_TEST_TOOLS := $(BUILD)/tests/domu-test-tools.cpio.gz

$(DOMU_TEST_TOOLS): $(BUILD)/tests/dom0/usr/bin/tscclock $(BUILD)/tests/dom0/usr/bin/randio \
		    $(BUILD)/tests/dom0/usr/bin/rawpkt
	rm -rf $@.root && mkdir -p $@.root/usr/bin
	cp $^ $@.root/usr/bin/
	cd $@.root && find usr | cpio --quiet -o -H newc -R 0:0 | gzip -9n > $(abspath $@)
	rm -rf $@.root

$(DOMU_TEST_INITRD): $(DOMU_INITRD) $(DOMU_TEST_OVERLAY) $(DOMU_TEST_TOOLS)
	cat $^ > $@.tmp
	mv $@.tmp $@

domu-clean:
	rm -rf $(DOMU_DIR) $(DOMU_TEST_OVERLAY) $(DOMU_TEST_INITRD) $(DOMU_TEST_TOOLS) \
		$(BUILD)/tests/domu-test-overlay-root

.DEFAULT_GOAL := $(DOMU_SAVED_DEFAULT_GOAL)
