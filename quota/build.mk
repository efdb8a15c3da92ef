# SPDX-License-Identifier: GPL-2.0-only
# The quota library: weighted fair sharing, CPU caps and I/O token buckets
# (quota/*.h say what each promises).  Pure, freestanding C:
# the hypervisor compiles QUOTA_SRCS with its own flags, dom0's backends
# link $(BUILD)/quota/libquota.a; both add QUOTA_CFLAGS.
#
#   make -f quota/build.mk quota-unit-tests && build/tests/unit/quota-tests
#
# quota-unit-tests also checks that the library builds freestanding and
# needs nothing from outside itself (no libgcc helpers, no memset/memcpy).
# Paths are relative to the repository root.

BUILD ?= build

# Keep the includer's default goal: this fragment's first rule must not
# become `make`'s default when it is included before the includer's own.
# Read alone (make -f quota/build.mk), the default is the library.
QUOTA_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)
QUOTA_MAKEFILES_BEFORE   := $(words $(MAKEFILE_LIST))

QUOTA_DIR    := quota
QUOTA_OUT    := $(BUILD)/quota
QUOTA_SRCS   := $(QUOTA_DIR)/fairshare.c $(QUOTA_DIR)/cap.c \
		$(QUOTA_DIR)/token_bucket.c \
		$(QUOTA_DIR)/div128.c
QUOTA_CFLAGS := -I$(QUOTA_DIR)
QUOTA_LIB    := $(QUOTA_OUT)/libquota.a
QUOTA_UNIT_TESTS := $(BUILD)/tests/unit/quota-tests

QUOTA_CC := gcc
QUOTA_LD := ld
QUOTA_HOST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror $(QUOTA_CFLAGS) -MMD -MP
# What the hypervisor's build demands, and nothing to fall back on.
QUOTA_FREESTANDING_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -mno-red-zone -mgeneral-regs-only -nostdlib \
	$(QUOTA_CFLAGS) -MMD -MP
# AddressSanitizer and UBSan turn a stray read or an overflow into a failed
# test; -fno-sanitize-recover makes UBSan stop the test, not warn and pass.
QUOTA_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
QUOTA_TEST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror $(QUOTA_CFLAGS) \
	$(QUOTA_SANITIZE) -MMD -MP
# Deferred (=, not :=): pkg-config only runs when a test is built.
QUOTA_CHECK_CFLAGS = $(shell pkg-config --cflags check)
QUOTA_CHECK_LIBS   = $(shell pkg-config --libs check)

QUOTA_HOST_OBJS := $(patsubst $(QUOTA_DIR)/%.c,$(QUOTA_OUT)/host/%.o,$(QUOTA_SRCS))
QUOTA_SAN_OBJS  := $(patsubst $(QUOTA_DIR)/%.c,$(QUOTA_OUT)/sanitized/%.o,$(QUOTA_SRCS))
QUOTA_FS_OBJS   := $(patsubst $(QUOTA_DIR)/%.c,$(QUOTA_OUT)/freestanding/%.o,$(QUOTA_SRCS))
QUOTA_FS_LINKED := $(QUOTA_OUT)/freestanding/quota-linked.o
QUOTA_TEST_SRCS := $(wildcard $(QUOTA_DIR)/tests/*.c)
QUOTA_TEST_OBJS := $(patsubst $(QUOTA_DIR)/tests/%.c,$(QUOTA_OUT)/tests/%.o,$(QUOTA_TEST_SRCS))

.PHONY: quota-lib quota-unit-tests quota-freestanding-check
quota-lib: $(QUOTA_LIB)
quota-unit-tests: $(QUOTA_UNIT_TESTS) quota-freestanding-check
quota-freestanding-check: $(QUOTA_FS_LINKED)

$(QUOTA_HOST_OBJS): $(QUOTA_OUT)/host/%.o: $(QUOTA_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (host)"
	@$(QUOTA_CC) $(QUOTA_HOST_CFLAGS) -c $< -o $@

$(QUOTA_LIB): $(QUOTA_HOST_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

$(QUOTA_SAN_OBJS): $(QUOTA_OUT)/sanitized/%.o: $(QUOTA_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (sanitized)"
	@$(QUOTA_CC) $(QUOTA_TEST_CFLAGS) -c $< -o $@

$(QUOTA_TEST_OBJS): $(QUOTA_OUT)/tests/%.o: $(QUOTA_DIR)/tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(QUOTA_CC) $(QUOTA_TEST_CFLAGS) $(QUOTA_CHECK_CFLAGS) -c $< -o $@

$(QUOTA_UNIT_TESTS): $(QUOTA_TEST_OBJS) $(QUOTA_SAN_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(QUOTA_CC) $(QUOTA_SANITIZE) -o $@ $^ $(QUOTA_CHECK_LIBS)

$(QUOTA_FS_OBJS): $(QUOTA_OUT)/freestanding/%.o: $(QUOTA_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (freestanding)"
	@$(QUOTA_CC) $(QUOTA_FREESTANDING_CFLAGS) -c $< -o $@

# All objects linked into one: any symbol still undefined would have to
# come from outside the library (libgcc's __udivti3, memset, ...).
$(QUOTA_FS_LINKED): $(QUOTA_FS_OBJS)
	@echo "  LD      $@ (nm -u must be empty)"
	@$(QUOTA_LD) -r -o $@ $^
	@undefined="$$(nm -u $@)"; \
	if [ -n "$$undefined" ]; then \
		echo "quota: the freestanding build needs symbols from outside:"; \
		echo "$$undefined"; rm -f $@; exit 1; \
	fi

-include $(QUOTA_HOST_OBJS:.o=.d) $(QUOTA_SAN_OBJS:.o=.d) \
	 $(QUOTA_FS_OBJS:.o=.d) $(QUOTA_TEST_OBJS:.o=.d)

ifeq ($(QUOTA_MAKEFILES_BEFORE),1)
.DEFAULT_GOAL := quota-lib
else
.DEFAULT_GOAL := $(QUOTA_SAVED_DEFAULT_GOAL)
endif
