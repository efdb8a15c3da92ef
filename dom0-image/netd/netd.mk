# SPDX-License-Identifier: GPL-2.0-only
# hv-netd (issue 14): dom0's DHCPv4 and router-advertisement daemon, one
# per server tap, started by provisiond.  docs/networking.md.
#
#   make hv-netd                 -> build/dom0/hv-netd (static; dom0.mk
#                                   copies it into dom0's image)
#   make netd-unit-tests && build/tests/unit/netd-tests
#
# Paths are relative to the repository root.

BUILD ?= build

NETD_DIR := dom0-image/netd
NETD_OUT := $(BUILD)/dom0-image/netd
HV_NETD  := $(BUILD)/dom0/hv-netd
NETD_UNIT_TESTS := $(BUILD)/tests/unit/netd-tests

NETD_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -MMD -MP
NETD_SRCS   := main.c config.c dhcp4.c ra.c
NETD_OBJS   := $(patsubst %.c,$(NETD_OUT)/%.o,$(NETD_SRCS))

.PHONY: hv-netd netd-unit-tests
hv-netd: $(HV_NETD)

$(NETD_OBJS): $(NETD_OUT)/%.o: $(NETD_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(NETD_CFLAGS) -c $< -o $@

$(HV_NETD): $(NETD_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc -static -o $@ $^

# Unit tests: the parsers and the answers, hostile packets included, with
# the sanitizers.
NETD_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
NETD_TEST_CFLAGS = -std=gnu11 -O1 -g -Wall -Wextra -Werror -MMD -MP \
	-I$(NETD_DIR) $(NETD_SANITIZE) $(shell pkg-config --cflags check)
NETD_TEST_OBJS := $(NETD_OUT)/tests/test_netd.o $(NETD_OUT)/tests/config.o \
	$(NETD_OUT)/tests/dhcp4.o $(NETD_OUT)/tests/ra.o

netd-unit-tests: $(NETD_UNIT_TESTS)

$(NETD_OUT)/tests/%.o: $(NETD_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (sanitized)"
	@gcc $(NETD_TEST_CFLAGS) -c $< -o $@

$(NETD_OUT)/tests/test_netd.o: $(NETD_DIR)/tests/test_netd.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(NETD_TEST_CFLAGS) -c $< -o $@

$(NETD_UNIT_TESTS): $(NETD_TEST_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc $(NETD_SANITIZE) -o $@ $^ $(shell pkg-config --libs check)

-include $(NETD_OBJS:.o=.d) $(NETD_TEST_OBJS:.o=.d)
