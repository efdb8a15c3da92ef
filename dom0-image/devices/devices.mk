# SPDX-License-Identifier: GPL-2.0-only
# dom0's device backends (issue 12).  So far only their shared part: the
# split virtqueue library, devices/virtio/virtqueue.h, and its host unit
# tests.  No backend links it yet.
#
#   make virtio-unit-tests && build/tests/unit/virtio-tests
#
# The spec's structs and constants come from Debian's Linux UAPI headers
# (<linux/virtio_ring.h>, package linux-libc-dev).  Paths are relative to
# the repository root.

BUILD ?= build

DEVICES_DIR := dom0-image/devices
DEVICES_OUT := $(BUILD)/dom0-image/devices
VIRTIO_DIR  := $(DEVICES_DIR)/virtio
VIRTIO_SRCS := $(VIRTIO_DIR)/virtqueue.c
VIRTIO_UNIT_TESTS := $(BUILD)/tests/unit/virtio-tests

# The sanitizers turn a stray guest-memory access or an overflow into a
# failed test, as in quota/build.mk.
VIRTIO_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
VIRTIO_TEST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	-I$(VIRTIO_DIR) $(VIRTIO_SANITIZE) -MMD -MP
# Deferred (=, not :=): pkg-config only runs when a test is built.
VIRTIO_CHECK_CFLAGS = $(shell pkg-config --cflags check)
VIRTIO_CHECK_LIBS   = $(shell pkg-config --libs check)

VIRTIO_SAN_OBJS  := $(patsubst $(VIRTIO_DIR)/%.c,$(DEVICES_OUT)/virtio/sanitized/%.o,$(VIRTIO_SRCS))
VIRTIO_TEST_SRCS := $(wildcard $(VIRTIO_DIR)/tests/*.c)
VIRTIO_TEST_OBJS := $(patsubst $(VIRTIO_DIR)/tests/%.c,$(DEVICES_OUT)/virtio/tests/%.o,$(VIRTIO_TEST_SRCS))

.PHONY: virtio-unit-tests
virtio-unit-tests: $(VIRTIO_UNIT_TESTS)

$(VIRTIO_SAN_OBJS): $(DEVICES_OUT)/virtio/sanitized/%.o: $(VIRTIO_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (sanitized)"
	@gcc $(VIRTIO_TEST_CFLAGS) -c $< -o $@

$(VIRTIO_TEST_OBJS): $(DEVICES_OUT)/virtio/tests/%.o: $(VIRTIO_DIR)/tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(VIRTIO_TEST_CFLAGS) $(VIRTIO_CHECK_CFLAGS) -c $< -o $@

$(VIRTIO_UNIT_TESTS): $(VIRTIO_TEST_OBJS) $(VIRTIO_SAN_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc $(VIRTIO_SANITIZE) -o $@ $^ $(VIRTIO_CHECK_LIBS)

-include $(VIRTIO_SAN_OBJS:.o=.d) $(VIRTIO_TEST_OBJS:.o=.d)
