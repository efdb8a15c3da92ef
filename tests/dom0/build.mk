# SPDX-License-Identifier: GPL-2.0-only
# Test-only tools for dom0, packed as an initramfs overlay that test ISOs add
# as an extra boot module (the hypervisor concatenates every module after the
# kernel into dom0's initrd).  The product image never contains them.

DOM0_TEST_OVERLAY := $(BUILD)/tests/dom0-overlay.cpio.gz
DOM0_TEST_TOOLS   := $(patsubst tests/dom0/%.c,$(BUILD)/tests/dom0/usr/bin/%,$(wildcard tests/dom0/*.c))

$(BUILD)/tests/dom0/usr/bin/%: tests/dom0/%.c hypervisor/include/public/hvabi.h dom0-image/driver/hvpriv.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc -static -O2 -Wall -Wextra -Werror -Ihypervisor/include/public -Idom0-image/driver -o $@ $<

# hv-backend-check uses libhv (binding, mapping, domains): linked with it.
$(BUILD)/tests/dom0/usr/bin/hv-backend-check: tests/dom0/hv-backend-check.c $(LIBHV_A)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc -static -O2 -Wall -Wextra -Werror -pthread $(LIBHV_CFLAGS) -o $@ $< $(LIBHV_A)

# hv-virtio-guest builds and boots a domain through libhv (its ELF loader).
$(BUILD)/tests/dom0/usr/bin/hv-virtio-guest: tests/dom0/hv-virtio-guest.c $(LIBHV_A) hypervisor/include/public/hvabi.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc -static -O2 -Wall -Wextra -Werror $(LIBHV_CFLAGS) -o $@ $< $(LIBHV_A)

# hvtest.ko, built against the pinned dom0 kernel like hvpriv.ko: kbuild
# writes next to its sources, so they are copied to a build directory first.
HVTEST_OUT := $(BUILD)/tests/dom0-module
HVTEST_KO  := $(BUILD)/tests/dom0/lib/hvtest.ko

$(HVTEST_KO): tests/dom0/module/hvtest.c tests/dom0/module/Kbuild $(DOM0_HROOT)/.extracted
	rm -rf $(HVTEST_OUT) && mkdir -p $(HVTEST_OUT) $(dir $@)
	cp tests/dom0/module/hvtest.c tests/dom0/module/Kbuild $(HVTEST_OUT)/
	$(MAKE) -s -C $(DOM0_KDIR) M=$(abspath $(HVTEST_OUT)) modules
	cp $(HVTEST_OUT)/hvtest.ko $@

# The guest test kernels too, for hvctl create, and the domU test image
# (dom0-image/domu.mk: busybox and stress-ng) to boot with the product's
# /usr/share/domu/vmlinuz.
# OpenSSH's client, for the system tests that log in to a customer's server
# from dom0 as the customer would (test-only: the product image has no ssh
# client).  Its shared libraries come from the build host, a Debian 12 amd64
# like dom0; the C library and the loader are in dom0's image already.
DOM0_TEST_SSH := $(BUILD)/tests/dom0/usr/bin/ssh

$(DOM0_TEST_SSH): /usr/bin/ssh
	@mkdir -p $(dir $@)
	cp $< $@
	for lib in $$(ldd $< | awk '$$3 ~ /^\// {print $$3}'); do \
		case $$lib in */libc.so.*) continue ;; esac; \
		mkdir -p $(BUILD)/tests/dom0$$(dirname $$lib); \
		cp -L $$lib $(BUILD)/tests/dom0$$lib; \
	done

DOM0_TEST_GUESTS := $(BUILD)/tests/dom0/usr/share/guests

$(DOM0_TEST_OVERLAY): $(DOM0_TEST_TOOLS) $(DOM0_TEST_SSH) $(HVTEST_KO) $(GUEST_ELFS) \
		$(DOMU_TEST_INITRD)
	rm -rf $(DOM0_TEST_GUESTS) && mkdir -p $(DOM0_TEST_GUESTS)
	cp $(GUEST_ELFS) $(DOM0_TEST_GUESTS)/
	cp $(DOMU_TEST_INITRD) $(DOM0_TEST_GUESTS)/domu-test-initrd.img
	cd $(BUILD)/tests/dom0 && find usr lib | cpio --quiet -o -H newc -R 0:0 | gzip -9n > $(abspath $@)

.PHONY: dom0-test-overlay
dom0-test-overlay: $(DOM0_TEST_OVERLAY)
