# SPDX-License-Identifier: GPL-2.0-only
# dom0's device backends (issue 12): the split virtqueue library
# (devices/virtio/), the hv-backend process (devices/backend/) and its
# virtio-blk and virtio-net devices (devices/blk/, devices/net/), with
# their host unit tests.
#
#   make virtio-unit-tests && build/tests/unit/virtio-tests
#   make blk-unit-tests && build/tests/unit/blk-tests
#   make net-unit-tests && build/tests/unit/net-tests
#   make hv-backend         -> build/dom0/hv-backend (static, for dom0's image;
#                              needs libhv's backend calls, hv_backend_bind...)
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

# --- hv-backend and virtio-blk ------------------------------------------------------
# The device code and what it shares with hvctl (libhv/io.c: the --disk
# syntax) and with the hypervisor (quota/: token buckets).  liburing is
# Debian's liburing-dev (packaging/install-deps.sh, build purpose).
BACKEND_DIR := $(DEVICES_DIR)/backend
BLK_DIR     := $(DEVICES_DIR)/blk
NET_DIR     := $(DEVICES_DIR)/net
HV_BACKEND  := $(BUILD)/dom0/hv-backend
BLK_UNIT_TESTS := $(BUILD)/tests/unit/blk-tests

# Everything but main and the transport glue, which call libhv's hypercalls
# (libhv_backend.h): those two are not in the unit tests.
DEVICE_CORE_SRCS := $(BACKEND_DIR)/vdev.c $(BACKEND_DIR)/aio.c \
	$(BACKEND_DIR)/log.c $(BACKEND_DIR)/control.c $(BACKEND_DIR)/options.c \
	$(BACKEND_DIR)/rate_bucket.c $(BLK_DIR)/blk.c $(BLK_DIR)/blk_req.c \
	$(NET_DIR)/net.c $(NET_DIR)/net_hdr.c \
	$(VIRTIO_DIR)/virtqueue.c quota/token_bucket.c quota/div128.c \
	dom0-image/libhv/io.c
HV_BACKEND_SRCS := $(DEVICE_CORE_SRCS) $(BACKEND_DIR)/main.c \
	$(BACKEND_DIR)/transport.c

DEVICE_INCLUDES := -I$(VIRTIO_DIR) -I$(BACKEND_DIR) -I$(BLK_DIR) -I$(NET_DIR) -Iquota \
	-Idom0-image/libhv -Idom0-image/driver -Ihypervisor/include/public
DEVICE_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror $(DEVICE_INCLUDES) -MMD -MP
DEVICE_TEST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror $(DEVICE_INCLUDES) \
	$(VIRTIO_SANITIZE) -MMD -MP

HV_BACKEND_OBJS := $(patsubst %.c,$(DEVICES_OUT)/obj/%.o,$(HV_BACKEND_SRCS))
BLK_SAN_OBJS    := $(patsubst %.c,$(DEVICES_OUT)/sanitized/%.o,$(DEVICE_CORE_SRCS))
BLK_TEST_OBJS   := $(patsubst $(BLK_DIR)/tests/%.c,$(DEVICES_OUT)/blk/tests/%.o,\
	$(wildcard $(BLK_DIR)/tests/*.c))

.PHONY: hv-backend blk-unit-tests
hv-backend: $(HV_BACKEND)
blk-unit-tests: $(BLK_UNIT_TESTS)

$(HV_BACKEND_OBJS): $(DEVICES_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(DEVICE_CFLAGS) -c $< -o $@

# Static like hvctl: dom0's image has no shared C library for it.  libhv.a
# (tools.mk) has the hypercalls.
$(HV_BACKEND): $(HV_BACKEND_OBJS) $(LIBHV_A)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc -static -o $@ $(HV_BACKEND_OBJS) $(LIBHV_A) -luring

$(BLK_SAN_OBJS): $(DEVICES_OUT)/sanitized/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (sanitized)"
	@gcc $(DEVICE_TEST_CFLAGS) -c $< -o $@

$(BLK_TEST_OBJS): $(DEVICES_OUT)/blk/tests/%.o: $(BLK_DIR)/tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(DEVICE_TEST_CFLAGS) $(VIRTIO_CHECK_CFLAGS) -c $< -o $@

$(BLK_UNIT_TESTS): $(BLK_TEST_OBJS) $(BLK_SAN_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc $(VIRTIO_SANITIZE) -o $@ $^ $(VIRTIO_CHECK_LIBS) -luring -lpthread

# virtio-net's tests: a socketpair stands in for the tap.
NET_UNIT_TESTS := $(BUILD)/tests/unit/net-tests
NET_TEST_OBJS  := $(patsubst $(NET_DIR)/tests/%.c,$(DEVICES_OUT)/net/tests/%.o,\
	$(wildcard $(NET_DIR)/tests/*.c))

.PHONY: net-unit-tests
net-unit-tests: $(NET_UNIT_TESTS)

$(NET_TEST_OBJS): $(DEVICES_OUT)/net/tests/%.o: $(NET_DIR)/tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(DEVICE_TEST_CFLAGS) $(VIRTIO_CHECK_CFLAGS) -c $< -o $@

$(NET_UNIT_TESTS): $(NET_TEST_OBJS) $(BLK_SAN_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc $(VIRTIO_SANITIZE) -o $@ $^ $(VIRTIO_CHECK_LIBS) -luring -lpthread

# The transport glue's tests, with a test double of libhv's backend calls.
# They need libhv_backend.h (libhv's backend API): until that header is in
# the tree, TRANSPORT_UNIT_TESTS is empty and nothing is built.
TRANSPORT_UNIT_TESTS := $(if $(wildcard dom0-image/libhv/libhv_backend.h),\
	$(BUILD)/tests/unit/transport-tests)
TRANSPORT_TEST_OBJS := $(DEVICES_OUT)/backend/tests/test_transport.o \
	$(DEVICES_OUT)/sanitized/$(BACKEND_DIR)/transport.o

.PHONY: transport-unit-tests
transport-unit-tests: $(TRANSPORT_UNIT_TESTS)

$(DEVICES_OUT)/backend/tests/%.o: $(BACKEND_DIR)/tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(DEVICE_TEST_CFLAGS) $(VIRTIO_CHECK_CFLAGS) -c $< -o $@

$(DEVICES_OUT)/sanitized/$(BACKEND_DIR)/transport.o: $(BACKEND_DIR)/transport.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (sanitized)"
	@gcc $(DEVICE_TEST_CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/transport-tests: $(TRANSPORT_TEST_OBJS) $(BLK_SAN_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc $(VIRTIO_SANITIZE) -o $@ $^ $(VIRTIO_CHECK_LIBS) -luring

-include $(HV_BACKEND_OBJS:.o=.d) $(BLK_SAN_OBJS:.o=.d) $(BLK_TEST_OBJS:.o=.d) \
	$(TRANSPORT_TEST_OBJS:.o=.d) $(NET_TEST_OBJS:.o=.d)
