# SPDX-License-Identifier: GPL-2.0-only
# dom0-image/bootloader/build.mk - hv-bootloader: copies the kernel and
# initrd a server's root volume names out of its ext4 filesystem, in a
# sandboxed child (docs/boot-from-disk.md).
#
#   make hv-bootloader            -> build/dom0/hv-bootloader (static, for dom0)
#   make bootloader-unit-tests    -> build/tests/unit/bootloader-tests, which
#                                    `make test-unit` runs
#
# The test runner is tests/unit/bootloader/test_bootloader.py: it builds
# ext4 images with mke2fs -d and debugfs (e2fsprogs) and runs the binary on
# them; the build's runner script only passes it the paths.  It prints a
# closing "NN%: Checks: N, Failures: N, Errors: N" line like the Check ones.
#
# Included from the top Makefile after lib/build.mk (LIB_SRCS, LIB_CFLAGS)
# and dom0.mk (DOM0_VMLINUZ, the real kernel the tests copy); paths are
# relative to the repository root.

BUILD ?= build
PYTHON ?= /usr/bin/python3

# Debian packages to build it: libext2fs (e2fsprogs' library, with
# libcom_err) and libseccomp, both as static libraries.
BOOTLOADER_PACKAGES := libext2fs-dev comerr-dev libseccomp-dev e2fsprogs

BOOTLOADER_DIR  := dom0-image/bootloader
BOOTLOADER_OUT  := $(BUILD)/dom0/bootloader
HV_BOOTLOADER   := $(BUILD)/dom0/hv-bootloader
BOOTLOADER_SRCS := $(BOOTLOADER_DIR)/main.c $(BOOTLOADER_DIR)/bootfs.c \
		   $(BOOTLOADER_DIR)/fd_io.c $(BOOTLOADER_DIR)/sandbox.c
BOOTLOADER_OBJS := $(patsubst $(BOOTLOADER_DIR)/%.c,$(BOOTLOADER_OUT)/%.o,$(BOOTLOADER_SRCS)) \
		   $(BOOTLOADER_OUT)/lib/linux_boot.o
BOOTLOADER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP \
		     -D_GNU_SOURCE $(LIB_CFLAGS)

BOOTLOADER_UNIT_TESTS := $(BUILD)/tests/unit/bootloader-tests
BOOTLOADER_TEST_PY    := tests/unit/bootloader/test_bootloader.py

.PHONY: hv-bootloader bootloader-unit-tests
hv-bootloader: $(HV_BOOTLOADER)
bootloader-unit-tests: $(BOOTLOADER_UNIT_TESTS)

$(BOOTLOADER_OUT)/%.o: $(BOOTLOADER_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(BOOTLOADER_CFLAGS) -c $< -o $@

# lib/'s bzImage checks: the hypervisor's loader and hv-bootloader accept
# the same kernels.
$(BOOTLOADER_OUT)/lib/linux_boot.o: $(LIB_DIR)/linux_boot.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(BOOTLOADER_CFLAGS) -c $< -o $@

# Static like hvctl: no shared libext2fs or libseccomp in dom0's image.
$(HV_BOOTLOADER): $(BOOTLOADER_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc -static -o $@ $^ -lext2fs -lcom_err -lseccomp

# The runner: absolute paths, so it runs from anywhere.
$(BOOTLOADER_UNIT_TESTS): $(HV_BOOTLOADER) $(BOOTLOADER_TEST_PY) $(DOM0_VMLINUZ) \
			  $(BOOTLOADER_DIR)/build.mk
	@mkdir -p $(dir $@)
	@printf '#!/bin/sh\nexec %s %s --binary %s --kernel %s "$$@"\n' \
		"$(PYTHON)" "$(abspath $(BOOTLOADER_TEST_PY))" \
		"$(abspath $(HV_BOOTLOADER))" "$(abspath $(DOM0_VMLINUZ))" > $@.tmp
	@chmod +x $@.tmp
	@mv $@.tmp $@

-include $(BOOTLOADER_OBJS:.o=.d)
