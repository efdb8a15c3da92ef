# SPDX-License-Identifier: GPL-2.0-only
# Host unit tests (Check): the hypervisor's pure-logic files, lib/'s and the
# quota arithmetic the scheduler uses, compiled for the host from the very
# sources that boot, linked with the tests in tests/unit/ (test_sched.c is
# the scheduler's architecture: it implements include/hv/arch.h).
# AddressSanitizer and UBSan turn a stray read or an overflow into a failed
# test; -fno-sanitize-recover makes UBSan stop the test instead of printing a
# warning and carrying on to a pass.

UT_DIR     := tests/unit
UT_OUT     := $(BUILD)/tests/unit
UNIT_TESTS := $(UT_OUT)/unit-tests

UT_CC      := gcc
UT_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
UT_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Ihypervisor/include \
	-Ihypervisor/arch/x86/include \
	$(LIB_CFLAGS) -Iquota $(UT_SANITIZE) -MMD -MP
# Deferred (=, not :=): pkg-config only runs when a unit test is built, so
# `make deps` on a machine without pkg-config or Check stays quiet.
UT_CHECK_CFLAGS = $(shell pkg-config --cflags check)
UT_CHECK_LIBS   = $(shell pkg-config --cflags --libs check)

# The hypervisor files under test, the shared code (lib/), and the tests.
UT_HV_SRCS := hypervisor/common/frame.c hypervisor/common/mb2.c \
	      hypervisor/common/cmdline.c hypervisor/common/format.c \
	      hypervisor/arch/x86/decode.c hypervisor/arch/x86/acpi_build.c \
	      hypervisor/arch/x86/steal_time.c hypervisor/arch/x86/msr_policy.c \
	      hypervisor/arch/x86/dom0_filter.c hypervisor/common/sched.c \
	      hypervisor/arch/x86/npt.c \
	      hypervisor/common/vpci.c hypervisor/common/virtio_pci.c \
	      hypervisor/arch/x86/domu_memmap.c
# The scheduler's quota arithmetic, as the hypervisor links it.
UT_QUOTA_SRCS := quota/fairshare.c quota/cap.c quota/div128.c
UT_SRCS    := $(wildcard $(UT_DIR)/*.c)
UT_HV_OBJS := $(patsubst hypervisor/%.c,$(UT_OUT)/hv/%.o,$(UT_HV_SRCS)) \
	      $(patsubst $(LIB_DIR)/%.c,$(UT_OUT)/lib/%.o,$(LIB_SRCS)) \
	      $(patsubst quota/%.c,$(UT_OUT)/quota/%.o,$(UT_QUOTA_SRCS))
UT_OBJS    := $(patsubst $(UT_DIR)/%.c,$(UT_OUT)/%.o,$(UT_SRCS))

define UT_COMPILE_FOR_HOST
	@mkdir -p $(dir $@)
	@echo "  CC      $< (host)"
	@$(UT_CC) $(UT_CFLAGS) -c $< -o $@
endef

$(UT_OUT)/hv/%.o: hypervisor/%.c
	$(UT_COMPILE_FOR_HOST)

$(UT_OUT)/lib/%.o: $(LIB_DIR)/%.c
	$(UT_COMPILE_FOR_HOST)

$(UT_OUT)/quota/%.o: quota/%.c
	$(UT_COMPILE_FOR_HOST)

# Some tests also read what the build made (the dom0 kernel, the guest test
# kernels): UT_BUILD_DIR tells them where to look, and they fail when it is
# missing, so the runner is never built without them.
$(UT_OBJS): $(UT_OUT)/%.o: $(UT_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(UT_CC) $(UT_CFLAGS) $(UT_CHECK_CFLAGS) -DUT_BUILD_DIR='"$(BUILD)"' \
		-c $< -o $@

$(UNIT_TESTS): $(UT_OBJS) $(UT_HV_OBJS) | $(DOM0_VMLINUZ) guest-tests
	@echo "  LD      $@"
	@$(UT_CC) $(UT_SANITIZE) -o $@ $^ $(UT_CHECK_LIBS)

.PHONY: unit-tests
unit-tests: $(UNIT_TESTS)

-include $(UT_OBJS:.o=.d) $(UT_HV_OBJS:.o=.d)
