# SPDX-License-Identifier: GPL-2.0-only
# hv-netfilter (issue 14): dom0's tool that isolates, counts and routes the
# domUs' tap interfaces with nftables (libnftnl + libmnl) and rtnetlink.
# docs/networking.md describes the design.
#
#   make hv-netfilter                 -> build/dom0/hv-netfilter (for dom0's
#                                        image; dom0.mk copies it and its two
#                                        shared libraries in)
#   make netfilter-unit-tests && build/tests/unit/netfilter-tests
#
# Paths are relative to the repository root.

BUILD ?= build

NETFILTER_DIR := dom0-image/netfilter
NETFILTER_OUT := $(BUILD)/dom0-image/netfilter
HV_NETFILTER  := $(BUILD)/dom0/hv-netfilter
NETFILTER_UNIT_TESTS := $(BUILD)/tests/unit/netfilter-tests

# Build-host packages (install-deps.sh reads DOM0_PACKAGES): the headers
# and libraries; dom0's image gets Debian's shared libraries themselves
# (DOM0_NETFILTER_LIBS in dom0.mk; Debian ships no libmnl.a).
DOM0_PACKAGES += libnftnl-dev libmnl-dev

NETFILTER_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -MMD -MP
NETFILTER_SRCS   := main.c config.c rules.c nft.c route.c
NETFILTER_OBJS   := $(patsubst %.c,$(NETFILTER_OUT)/%.o,$(NETFILTER_SRCS))

.PHONY: hv-netfilter netfilter-unit-tests
hv-netfilter: $(HV_NETFILTER)

$(NETFILTER_OBJS): $(NETFILTER_OUT)/%.o: $(NETFILTER_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(NETFILTER_CFLAGS) -c $< -o $@

$(HV_NETFILTER): $(NETFILTER_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc -o $@ $^ -lnftnl -lmnl

# Unit tests: the pure parts (parsing, the rules built for a server), with
# the sanitizers, as in devices.mk.
NETFILTER_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
NETFILTER_TEST_CFLAGS = -std=gnu11 -O1 -g -Wall -Wextra -Werror -MMD -MP \
	-I$(NETFILTER_DIR) $(NETFILTER_SANITIZE) $(shell pkg-config --cflags check)
NETFILTER_TEST_OBJS := $(NETFILTER_OUT)/tests/test_netfilter.o \
	$(NETFILTER_OUT)/tests/config.o $(NETFILTER_OUT)/tests/rules.o

netfilter-unit-tests: $(NETFILTER_UNIT_TESTS)

$(NETFILTER_OUT)/tests/%.o: $(NETFILTER_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (sanitized)"
	@gcc $(NETFILTER_TEST_CFLAGS) -c $< -o $@

$(NETFILTER_OUT)/tests/test_netfilter.o: $(NETFILTER_DIR)/tests/test_netfilter.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(NETFILTER_TEST_CFLAGS) -c $< -o $@

$(NETFILTER_UNIT_TESTS): $(NETFILTER_TEST_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@gcc $(NETFILTER_SANITIZE) -o $@ $^ $(shell pkg-config --libs check)

-include $(NETFILTER_OBJS:.o=.d) $(NETFILTER_TEST_OBJS:.o=.d)
