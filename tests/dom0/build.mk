# SPDX-License-Identifier: GPL-2.0-only
# Test-only tools for dom0, packed as an initramfs overlay that test ISOs add
# as an extra boot module (the hypervisor concatenates every module after the
# kernel into dom0's initrd).  The product image never contains them.

DOM0_TEST_OVERLAY := $(BUILD)/tests/dom0-overlay.cpio.gz
DOM0_TEST_TOOLS   := $(patsubst tests/dom0/%.c,$(BUILD)/tests/dom0/usr/bin/%,$(wildcard tests/dom0/*.c))

$(BUILD)/tests/dom0/usr/bin/%: tests/dom0/%.c hypervisor/include/public/hvabi.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc -static -O2 -Wall -Wextra -Werror -Ihypervisor/include/public -o $@ $<

$(DOM0_TEST_OVERLAY): $(DOM0_TEST_TOOLS)
	cd $(BUILD)/tests/dom0 && find usr | cpio --quiet -o -H newc -R 0:0 | gzip -9n > $(abspath $@)

.PHONY: dom0-test-overlay
dom0-test-overlay: $(DOM0_TEST_OVERLAY)
