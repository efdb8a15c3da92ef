# SPDX-License-Identifier: GPL-2.0-only
#
# provisiond/build.mk - the provisioning daemon, its unit tests (Check) and
# its API tests (pytest).
#
# A GNU make fragment like dom0-image/tools.mk: paths are relative to the
# repository root, BUILD := build.  The top-level Makefile can include it;
# it also works on its own from the repository root:
#
#     make -f provisiond/build.mk provisiond provisiond-unit-tests test-api
#
# Outputs:
#   build/provisiond/provisiond          the daemon dom0 ships: the real
#                                        hypervisor backend (libhv) only
#   build/provisiond/provisiond-testhv   the API tests' daemon: the same
#                                        sources plus the test-double
#                                        backend --hv=fake
#                                        (tests/api/testhv/); test-api
#                                        runs against it
#   build/provisiond/provisiond-testhv-asan  the same with ASan/UBSan
#                                        (test-api-asan)
#   build/tests/unit/provisiond-tests    Check unit tests: validation,
#                                        tokens, job state machine,
#                                        migrations, config
#
# For dom0 (no C library there; programs are static): a static link is not
# possible from Debian 12's packages, because provisiond serves HTTPS with
# libmicrohttpd over GnuTLS (tls.c), and GnuTLS needs p11-kit, which Debian
# ships as a shared library only.  So the dom0 image needs the shared
# libraries in PROVISIOND_SHARED_LIBS (what `ldd build/provisiond/provisiond`
# lists) and the dynamic loader.

# Keep the including Makefile's default goal.
PROVISIOND_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

BUILD ?= build
PYTHON ?= /usr/bin/python3
PYTEST_ARGS ?=

# Debian packages to build and test provisiond.
PROVISIOND_PACKAGES := gcc make pkg-config libsqlite3-dev libmicrohttpd-dev \
	libjansson-dev nettle-dev libgnutls28-dev check python3 python3-pytest \
	python3-requests python3-yaml python3-jsonschema python3-cryptography \
	libcrypt-dev dosfstools mtools e2fsprogs libcurl4-openssl-dev prometheus

# Shared libraries the daemon needs at run time, the loader included.
PROVISIOND_SHARED_LIBS := ld-linux-x86-64.so.2 libc.so.6 libm.so.6 \
	libmicrohttpd.so.12 libjansson.so.4 libsqlite3.so.0 libgnutls.so.30 \
	libp11-kit.so.0 libidn2.so.0 libunistring.so.2 libtasn1.so.6 \
	libnettle.so.8 libhogweed.so.6 libgmp.so.10 libffi.so.8 libcrypt.so.1 \
	libcurl.so.4 libnghttp2.so.14 librtmp.so.1 libssh2.so.1 libpsl.so.5 \
	libssl.so.3 libcrypto.so.3 libgssapi_krb5.so.2 libldap-2.5.so.0 \
	liblber-2.5.so.0 libzstd.so.1 libbrotlidec.so.1 libbrotlicommon.so.1 \
	libz.so.1 libkrb5.so.3 libk5crypto.so.3 libcom_err.so.2 \
	libkrb5support.so.0 libsasl2.so.2 libkeyutils.so.1 libresolv.so.2

# libhv (the real hypervisor backend, hv_libhv.c) comes from
# dom0-image/tools.mk, which the top-level Makefile includes before this
# file; on our own, include it here.
ifndef LIBHV_A
include dom0-image/tools.mk
endif

PVD_DIR  := provisiond
PVD_OUT  := $(BUILD)/provisiond
PROVISIOND := $(PVD_OUT)/provisiond
PROVISIOND_TESTHV := $(PVD_OUT)/provisiond-testhv
PROVISIOND_TESTHV_ASAN := $(PVD_OUT)/provisiond-testhv-asan
TESTHV_DIR := tests/api/testhv

# The request validation and route tables, generated from the contract
# (provisiond/gen_contract.py; python3-yaml).
PVD_GEN := $(PVD_OUT)/gen
CONTRACT_H := $(PVD_GEN)/contract.h
CONTRACT_C := $(PVD_GEN)/contract.c
PVD_UT_OUT := $(BUILD)/tests/unit/provisiond
PROVISIOND_UNIT_TESTS := $(BUILD)/tests/unit/provisiond-tests

PVD_VERSION := $(shell cat VERSION 2>/dev/null || echo unknown)
PVD_CC   := gcc
PVD_PKGS := libmicrohttpd jansson sqlite3 nettle gnutls libcurl
# Deferred (=): pkg-config runs only when something is built.
PVD_PKG_CFLAGS = $(shell pkg-config --cflags $(PVD_PKGS))
PVD_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow \
	-Wno-missing-field-initializers -D_GNU_SOURCE \
	-DPROVISIOND_VERSION='"$(PVD_VERSION)"' \
	-Ihypervisor/include/public -I$(PVD_DIR) -I$(PVD_GEN) $(LIBHV_CFLAGS) \
	$(PVD_PKG_CFLAGS) -MMD -MP
PVD_LIBS = $(shell pkg-config --libs $(PVD_PKGS)) -lcrypt -lpthread

PVD_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

# One concern per file; main.c only wires them together.  Both binaries
# share these; the list of hypervisor backends is each binary's own:
# hv_backends.c (libhv) in the product, tests/api/testhv/ in the tests'.
PVD_COMMON_SRCS := $(addprefix $(PVD_DIR)/, \
	main.c config.c log.c util.c db.c migrations.c auth.c \
	validate.c http.c router.c idempotency.c audit.c api_common.c \
	api_tenants.c api_policy.c api_tokens.c api_plans.c api_images.c api_servers.c \
	api_templates.c api_volumes.c \
	api_jobs.c api_system.c job_state.c jobs.c job_exec.c reconcile.c \
	monitor.c hv_backend.c hv_libhv.c hv_libhv_devices.c tls.c \
	subprocess.c volume.c volume_reflink.c server_disks.c server_net.c seed.c credentials.c \
	api_credentials.c ipam.c api_ippools.c \
	session.c \
	api_sessions.c \
	static.c \
	websocket.c \
	console.c \
	console_ticket.c \
	api_console.c \
	firewall.c \
	api_firewall.c \
	dev_forward.c)
PVD_COMMON_SRCS += $(PVD_DIR)/events.c
PVD_COMMON_SRCS += $(PVD_DIR)/webhook_check.c
PVD_COMMON_SRCS += $(PVD_DIR)/webhook_delivery.c
PVD_COMMON_SRCS += $(PVD_DIR)/api_webhooks.c
PVD_COMMON_SRCS += $(PVD_DIR)/metrics.c
PVD_COMMON_SRCS += $(PVD_DIR)/api_metrics.c
PVD_COMMON_SRCS += $(PVD_DIR)/hv_libhv_io.c
PVD_COMMON_SRCS += $(PVD_DIR)/usage.c
PVD_COMMON_SRCS += $(PVD_DIR)/usage_store.c
PVD_COMMON_SRCS += $(PVD_DIR)/api_usage.c
PVD_COMMON_SRCS += $(PVD_DIR)/usage_allowance.c
PVD_COMMON_SRCS += $(PVD_DIR)/usage_recent.c
PVD_SRCS := $(PVD_COMMON_SRCS) $(PVD_DIR)/hv_backends.c $(PVD_DIR)/volume_stores.c
PVD_COMMON_OBJS := $(patsubst $(PVD_DIR)/%.c,$(PVD_OUT)/obj/%.o,$(PVD_COMMON_SRCS)) \
	$(PVD_OUT)/obj/contract.o
PVD_COMMON_ASAN_OBJS := $(patsubst $(PVD_DIR)/%.c,$(PVD_OUT)/asan/%.o,$(PVD_COMMON_SRCS)) \
	$(PVD_OUT)/asan/contract.o
PVD_OBJS := $(PVD_COMMON_OBJS) $(PVD_OUT)/obj/hv_backends.o \
	$(PVD_OUT)/obj/volume_stores.o

# The test double and the test binary's backend list.
TESTHV_SRCS := $(TESTHV_DIR)/hv_fake.c $(TESTHV_DIR)/hv_fake_io.c $(TESTHV_DIR)/testhv_backends.c \
	$(TESTHV_DIR)/volume_copy.c $(TESTHV_DIR)/testhv_volume_stores.c
TESTHV_OBJS := $(patsubst $(TESTHV_DIR)/%.c,$(PVD_OUT)/testhv/obj/%.o,$(TESTHV_SRCS))
TESTHV_ASAN_OBJS := $(patsubst $(TESTHV_DIR)/%.c,$(PVD_OUT)/testhv/asan/%.o,$(TESTHV_SRCS))

# The unit tests link the pure and database parts, built with sanitizers.
PVD_UT_LIB_SRCS := $(addprefix $(PVD_DIR)/, \
	config.c log.c util.c db.c migrations.c auth.c validate.c \
	job_state.c idempotency.c tls.c subprocess.c volume.c volume_reflink.c \
	volume_stores.c seed.c credentials.c ipam.c \
	websocket.c \
	static.c \
	session.c)
PVD_UT_LIB_SRCS += $(PVD_DIR)/webhook_check.c
PVD_UT_LIB_SRCS += $(PVD_DIR)/metrics.c
PVD_UT_LIB_SRCS += $(PVD_DIR)/usage.c $(PVD_DIR)/usage_store.c $(PVD_DIR)/usage_recent.c
PVD_UT_SRCS := $(wildcard $(PVD_DIR)/tests/*.c)
PVD_UT_OBJS := $(patsubst $(PVD_DIR)/%.c,$(PVD_UT_OUT)/%.o,$(PVD_UT_LIB_SRCS)) \
	$(patsubst $(PVD_DIR)/tests/%.c,$(PVD_UT_OUT)/tests/%.o,$(PVD_UT_SRCS))
PVD_CHECK_CFLAGS = $(shell pkg-config --cflags check)
PVD_CHECK_LIBS = $(shell pkg-config --libs check)

.PHONY: provisiond provisiond-testhv provisiond-testhv-asan \
	provisiond-unit-tests provisiond-unit-tests-run test-api test-api-asan \
	provisiond-clean

provisiond: $(PROVISIOND)
provisiond-testhv: $(PROVISIOND_TESTHV)
provisiond-testhv-asan: $(PROVISIOND_TESTHV_ASAN)
provisiond-unit-tests: $(PROVISIOND_UNIT_TESTS)

# Every change of the contract remakes both tables (grouped target).
$(CONTRACT_H) $(CONTRACT_C) &: api/openapi.yaml $(PVD_DIR)/gen_contract.py
	@mkdir -p $(PVD_GEN)
	@echo "  GEN     $(CONTRACT_H) $(CONTRACT_C)"
	@$(PYTHON) $(PVD_DIR)/gen_contract.py api/openapi.yaml $(CONTRACT_H) $(CONTRACT_C)

# The generated header first: the handlers' files include it (api.h).
$(PVD_OUT)/obj/%.o: $(PVD_DIR)/%.c | $(CONTRACT_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(PVD_CC) $(PVD_CFLAGS) -c $< -o $@

$(PVD_OUT)/obj/contract.o: $(CONTRACT_C) $(CONTRACT_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(PVD_CC) $(PVD_CFLAGS) -c $< -o $@

$(PVD_OUT)/asan/contract.o: $(CONTRACT_C) $(CONTRACT_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (asan)"
	@$(PVD_CC) $(PVD_CFLAGS) -O1 $(PVD_SANITIZE) -c $< -o $@

$(PVD_OUT)/asan/%.o: $(PVD_DIR)/%.c | $(CONTRACT_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (asan)"
	@$(PVD_CC) $(PVD_CFLAGS) -O1 $(PVD_SANITIZE) -c $< -o $@

$(PVD_OUT)/testhv/obj/%.o: $(TESTHV_DIR)/%.c | $(CONTRACT_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(PVD_CC) $(PVD_CFLAGS) -I$(TESTHV_DIR) -c $< -o $@

$(PVD_OUT)/testhv/asan/%.o: $(TESTHV_DIR)/%.c | $(CONTRACT_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (asan)"
	@$(PVD_CC) $(PVD_CFLAGS) -I$(TESTHV_DIR) -O1 $(PVD_SANITIZE) -c $< -o $@

$(PROVISIOND): $(PVD_OBJS) $(LIBHV_A)
	@echo "  LD      $@"
	@$(PVD_CC) -o $@ $^ $(PVD_LIBS)

$(PROVISIOND_TESTHV): $(PVD_COMMON_OBJS) $(TESTHV_OBJS) $(LIBHV_A)
	@echo "  LD      $@"
	@$(PVD_CC) -o $@ $^ $(PVD_LIBS)

$(PROVISIOND_TESTHV_ASAN): $(PVD_COMMON_ASAN_OBJS) $(TESTHV_ASAN_OBJS) $(LIBHV_A)
	@echo "  LD      $@"
	@$(PVD_CC) $(PVD_SANITIZE) -o $@ $^ $(PVD_LIBS)

$(PVD_UT_OUT)/%.o: $(PVD_DIR)/%.c | $(CONTRACT_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (unit tests)"
	@$(PVD_CC) $(PVD_CFLAGS) -O1 $(PVD_SANITIZE) $(PVD_CHECK_CFLAGS) -c $< -o $@

$(PROVISIOND_UNIT_TESTS): $(PVD_UT_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(PVD_CC) $(PVD_SANITIZE) -o $@ $^ $(PVD_CHECK_LIBS) $(PVD_LIBS)

provisiond-unit-tests-run: $(PROVISIOND_UNIT_TESTS)
	$(PROVISIOND_UNIT_TESTS)

# The API tests start their own provisiond-testhv (PROVISIOND names it)
# with --hv=fake on a free port and a temporary database; they also check
# that the product binary (PROVISIOND_PRODUCT) has no test double.
test-api: $(PROVISIOND_TESTHV) $(PROVISIOND)
	PROVISIOND=$(abspath $(PROVISIOND_TESTHV)) \
	PROVISIOND_PRODUCT=$(abspath $(PROVISIOND)) \
		$(PYTHON) -m pytest -q tests/api $(PYTEST_ARGS)

test-api-asan: $(PROVISIOND_TESTHV_ASAN) $(PROVISIOND)
	PROVISIOND=$(abspath $(PROVISIOND_TESTHV_ASAN)) \
	PROVISIOND_PRODUCT=$(abspath $(PROVISIOND)) \
		$(PYTHON) -m pytest -q tests/api $(PYTEST_ARGS)

# GET /v1/metrics's scrape time with 200 servers (docs/metrics.md).
.PHONY: bench-metrics
bench-metrics: $(PROVISIOND_TESTHV)
	PROVISIOND=$(abspath $(PROVISIOND_TESTHV)) $(PYTHON) tests/bench/metrics.py

provisiond-clean:
	rm -rf $(PVD_OUT) $(PVD_UT_OUT) $(PROVISIOND_UNIT_TESTS)

-include $(PVD_OBJS:.o=.d) $(PVD_COMMON_ASAN_OBJS:.o=.d) $(PVD_UT_OBJS:.o=.d) \
	$(TESTHV_OBJS:.o=.d) $(TESTHV_ASAN_OBJS:.o=.d)

# Restore the includer's default goal; on our own, build the daemon.
ifeq ($(PROVISIOND_SAVED_DEFAULT_GOAL),)
.DEFAULT_GOAL := provisiond
else
.DEFAULT_GOAL := $(PROVISIOND_SAVED_DEFAULT_GOAL)
endif
