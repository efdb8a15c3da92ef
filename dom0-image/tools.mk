# SPDX-License-Identifier: GPL-2.0-only
#
# dom0-image/tools.mk - dom0's tools for the hypervisor: the hvpriv.ko driver
# (/dev/hvpriv), libhv and the hvctl command.
#
# A GNU make fragment like dom0.mk: the top-level Makefile includes it after
# dom0.mk (for DOM0_KDIR, DOM0_HROOT) with BUILD := build; paths are relative
# to the repository root.  It also works on its own from the repository root:
#
#     make -f dom0-image/tools.mk dom0-tools
#
# Outputs:
#   build/dom0/hvpriv.ko        the driver, for the pinned dom0 kernel
#   build/dom0/hvctl            the CLI, static (dom0 has no C library)
#   build/dom0/tools/libhv.a    libhv, for other dom0 programs (provisiond):
#                               compile with $(LIBHV_CFLAGS), link $(LIBHV_A)
#   build/tests/unit/hvctl-tests  Check unit tests of hvctl and libhv
#
# Targets: dom0-tools (driver + hvctl), hvctl-unit-tests (build the tests),
# hvctl-unit-tests-run, hvpriv-direct-test (boots dom0 in QEMU WITHOUT the
# hypervisor: the driver must refuse to load), dom0-tools-clean.

# Keep the including Makefile's default goal (restored at the end).
DOM0_TOOLS_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

BUILD ?= build
PYTHON ?= /usr/bin/python3
ifndef DOM0_KDIR
include dom0-image/dom0.mk
endif
ifndef LIB_DIR
include lib/build.mk
endif

# The hypercall ABI: one header, shared with the hypervisor.
HVABI_DIR := hypervisor/include/public
HVABI_H   := $(HVABI_DIR)/hvabi.h

HVPRIV_DIR := dom0-image/driver
LIBHV_DIR  := dom0-image/libhv
HVCTL_DIR  := dom0-image/hvctl

HVPRIV_KO := $(BUILD)/dom0/hvpriv.ko
HVCTL     := $(BUILD)/dom0/hvctl
TOOLS_OUT := $(BUILD)/dom0/tools
LIBHV_A   := $(TOOLS_OUT)/libhv.a

DOM0_TOOLS := $(HVPRIV_KO) $(HVCTL)

.PHONY: dom0-tools hvctl-unit-tests hvctl-unit-tests-run hvpriv-direct-test \
	dom0-tools-clean

dom0-tools: $(DOM0_TOOLS)

# --- hvpriv.ko ----------------------------------------------------------------------
# kbuild (6.1) writes its objects next to the sources, so the sources are
# copied into a fresh build/dom0/driver/ and kbuild runs there; the source
# tree stays clean.  hvabi.h is not copied: Kbuild gets its directory as
# HVABI_INCLUDE.  Any change to these files rebuilds the module from scratch
# (two files: a few seconds).
HVPRIV_OUT   := $(BUILD)/dom0/driver
HVPRIV_FILES := $(HVPRIV_DIR)/Kbuild $(HVPRIV_DIR)/hvpriv_main.c \
		$(HVPRIV_DIR)/hvpriv_backend.c $(HVPRIV_DIR)/hvpriv.h \
		$(HVPRIV_DIR)/hvpriv_internal.h

# (Debian's headers already select gcc-12, the kernel's own compiler.)
$(HVPRIV_KO): $(HVPRIV_FILES) $(HVABI_H) $(DOM0_HROOT)/.extracted dom0-image/tools.mk
	rm -rf $(HVPRIV_OUT)
	mkdir -p $(HVPRIV_OUT)
	cp $(HVPRIV_FILES) $(HVPRIV_OUT)/
	$(MAKE) -C $(DOM0_KDIR) M=$(abspath $(HVPRIV_OUT)) \
		HVABI_INCLUDE=$(abspath $(HVABI_DIR)) modules
	cp $(HVPRIV_OUT)/hvpriv.ko $@

# --- libhv and hvctl -----------------------------------------------------------------
TOOLS_CC     := gcc
TOOLS_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -MMD -MP
# The ABI and the shared code's public headers only: dom0's tools never see
# the hypervisor's private headers.
LIBHV_CFLAGS := -I$(HVABI_DIR) -I$(HVPRIV_DIR) -I$(LIBHV_DIR) $(LIB_CFLAGS)
# libhv's sources: its own, and lib/'s ELF reader and Linux boot protocol
# code (one definition of how a kernel is read and placed, shared with the
# hypervisor) and its CPU sets (hvctl reads and prints affinities as the
# hypervisor does).
LIBHV_OBJS := $(TOOLS_OUT)/libhv.o $(TOOLS_OUT)/domain.o $(TOOLS_OUT)/backend.o \
	      $(TOOLS_OUT)/io.o \
	      $(patsubst $(LIB_DIR)/%.c,$(TOOLS_OUT)/lib/%.o,$(LIB_SRCS))

$(TOOLS_OUT)/%.o: $(LIBHV_DIR)/%.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(TOOLS_CFLAGS) $(LIBHV_CFLAGS) -c $< -o $@

$(TOOLS_OUT)/lib/%.o: $(LIB_DIR)/%.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(TOOLS_CFLAGS) $(LIBHV_CFLAGS) -c $< -o $@

$(TOOLS_OUT)/hvctl-%.o: $(HVCTL_DIR)/%.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(TOOLS_CFLAGS) $(LIBHV_CFLAGS) -c $< -o $@

$(LIBHV_A): $(LIBHV_OBJS)
	rm -f $@
	ar rcs $@ $^

# Static: dom0's root image has busybox but no shared C library.
$(HVCTL): $(TOOLS_OUT)/hvctl-hvctl.o $(TOOLS_OUT)/hvctl-domains.o \
	  $(TOOLS_OUT)/hvctl-sched.o $(TOOLS_OUT)/hvctl-io.o $(LIBHV_A)
	$(TOOLS_CC) -static -O2 -o $@ $^

# --- unit tests (host, Check) ----------------------------------------------------------
# hvctl.c without its main(), libhv.c, and test_hvctl.c, which stands in for
# the driver and the hypervisor (it defines ioctl()).  With AddressSanitizer
# and UBSan, like the hypervisor's unit tests.
HVCTL_TESTS     := $(BUILD)/tests/unit/hvctl-tests
HVCTL_TESTS_OUT := $(BUILD)/tests/unit/hvctl
HVCTL_TESTS_CFLAGS = -std=gnu11 -O1 -g -Wall -Wextra -Werror -MMD -MP \
	-fsanitize=address,undefined -fno-omit-frame-pointer \
	$(LIBHV_CFLAGS) -I$(HVCTL_DIR) $(shell pkg-config --cflags check)
HVCTL_TESTS_OBJS := $(HVCTL_TESTS_OUT)/test_hvctl.o $(HVCTL_TESTS_OUT)/hvctl.o \
	$(HVCTL_TESTS_OUT)/domains.o $(HVCTL_TESTS_OUT)/sched.o \
	$(HVCTL_TESTS_OUT)/libhv.o $(HVCTL_TESTS_OUT)/domain.o \
	$(HVCTL_TESTS_OUT)/backend.o \
	$(HVCTL_TESTS_OUT)/io.o $(HVCTL_TESTS_OUT)/hvctl-io.o \
	$(patsubst $(LIB_DIR)/%.c,$(HVCTL_TESTS_OUT)/lib/%.o,$(LIB_SRCS))

$(HVCTL_TESTS_OUT)/test_hvctl.o: $(HVCTL_DIR)/test_hvctl.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(HVCTL_TESTS_CFLAGS) -c $< -o $@

$(HVCTL_TESTS_OUT)/hvctl.o: $(HVCTL_DIR)/hvctl.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(HVCTL_TESTS_CFLAGS) -DHVCTL_NO_MAIN -c $< -o $@

$(HVCTL_TESTS_OUT)/domains.o: $(HVCTL_DIR)/domains.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(HVCTL_TESTS_CFLAGS) -c $< -o $@

$(HVCTL_TESTS_OUT)/sched.o: $(HVCTL_DIR)/sched.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(HVCTL_TESTS_CFLAGS) -c $< -o $@

$(HVCTL_TESTS_OUT)/hvctl-io.o: $(HVCTL_DIR)/io.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(HVCTL_TESTS_CFLAGS) -c $< -o $@

$(HVCTL_TESTS_OUT)/%.o: $(LIBHV_DIR)/%.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(HVCTL_TESTS_CFLAGS) -c $< -o $@

$(HVCTL_TESTS_OUT)/lib/%.o: $(LIB_DIR)/%.c
	@mkdir -p $(dir $@)
	$(TOOLS_CC) $(HVCTL_TESTS_CFLAGS) -c $< -o $@

$(HVCTL_TESTS): $(HVCTL_TESTS_OBJS)
	$(TOOLS_CC) -fsanitize=address,undefined -o $@ $^ $(shell pkg-config --libs check)

hvctl-unit-tests: $(HVCTL_TESTS)

hvctl-unit-tests-run: $(HVCTL_TESTS)
	$(HVCTL_TESTS)

# --- boot test without the hypervisor ---------------------------------------------------
hvpriv-direct-test: $(DOM0_TOOLS) $(DOM0_VMLINUZ) $(DOM0_INITRD)
	$(PYTHON) $(HVPRIV_DIR)/direct-test.py

dom0-tools-clean:
	rm -rf $(HVPRIV_OUT) $(HVPRIV_KO) $(TOOLS_OUT) $(HVCTL) \
		$(HVCTL_TESTS_OUT) $(HVCTL_TESTS)

# Header dependencies of the tools (the kernel module's are kbuild's own).
-include $(TOOLS_OUT)/*.d $(TOOLS_OUT)/lib/*.d $(HVCTL_TESTS_OUT)/*.d \
	 $(HVCTL_TESTS_OUT)/lib/*.d

.DEFAULT_GOAL := $(DOM0_TOOLS_SAVED_DEFAULT_GOAL)
