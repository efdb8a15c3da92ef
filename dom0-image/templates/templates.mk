# SPDX-License-Identifier: GPL-2.0-only
#
# dom0-image/templates/templates.mk - the OS templates customers' servers
# boot (docs/templates.md).  A GNU make fragment, included by the top
# Makefile; paths are relative to the repository root.
#
#   make templates    build/templates/debian-12.img + debian-12.json
#
# The image is built from Debian's packages by mmdebstrap (as root: see
# build-debian-12.sh); the .debs are cached in build/templates/cache/.
# 40-60 s on the 2-core development machine (docs/templates.md).

TEMPLATES_DIR := build/templates
TEMPLATE_DEBIAN12_IMG  := $(TEMPLATES_DIR)/debian-12.img
TEMPLATE_DEBIAN12_JSON := $(TEMPLATES_DIR)/debian-12.json
TEMPLATE_DEBIAN12_INPUTS := dom0-image/templates/build-debian-12.sh \
	dom0-image/templates/customize-debian-12.sh \
	dom0-image/templates/firstboot \
	$(shell find dom0-image/templates/debian-12 -type f 2>/dev/null)

# Debian packages the build host needs: mmdebstrap builds the tree,
# e2fsprogs (mke2fs -d, already in DOM0_PACKAGES) makes the filesystem;
# dosfstools + mtools make NoCloud seed images in the tests.
TEMPLATE_PACKAGES := mmdebstrap e2fsprogs dosfstools mtools

.PHONY: templates template-unit-tests
templates: $(TEMPLATE_DEBIAN12_IMG) $(TEMPLATE_DEBIAN12_JSON)

# One run makes both; the JSON is written last.
$(TEMPLATE_DEBIAN12_JSON): $(TEMPLATE_DEBIAN12_IMG)
$(TEMPLATE_DEBIAN12_IMG): $(TEMPLATE_DEBIAN12_INPUTS) dom0-image/dom0.mk
	TEMPLATE_KVER=$(DOM0_KVER) TEMPLATE_KPKGVER=$(DOM0_KPKGVER) \
		dom0-image/templates/build-debian-12.sh $(TEMPLATES_DIR)

# The first-boot agent's host tests (pytest, no boot): a runner make
# test-unit calls like the Check runners; it prints pytest's summary line.
TEMPLATE_UNIT_TESTS := $(BUILD)/tests/templates/firstboot-tests
$(TEMPLATE_UNIT_TESTS): tests/templates/test_firstboot.py dom0-image/templates/firstboot
	@mkdir -p $(dir $@)
	@printf '#!/bin/sh\nexec %s -m pytest -q -p no:cacheprovider %s\n' \
		"$(PYTHON)" "$(abspath tests/templates/test_firstboot.py)" > $@
	@chmod +x $@
template-unit-tests: $(TEMPLATE_UNIT_TESTS)
