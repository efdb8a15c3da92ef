# SPDX-License-Identifier: GPL-2.0-only
#
# The appliance: one Makefile for the whole tree.
#
#   make            build the hypervisor and the bootable ISO (build/appliance.iso)
#   make run        install what is missing, build, boot the ISO under QEMU
#   make test       install what is missing, build, run every test
#   make test-unit  host unit tests only          make test-system  QEMU tests only
#
# Everything built lands in build/; `make clean` removes it.

VERSION := $(shell cat VERSION)
BUILD   := build
PYTHON  ?= /usr/bin/python3
# pytest arguments, e.g. make test-system PYTEST_ARGS='-k smp'
PYTEST_ARGS ?=

.PHONY: all iso run test test-unit test-system deps deps-test clean
all: iso

include hypervisor/build.mk
include tests/unit/build.mk

ISO := $(BUILD)/appliance.iso
# The hypervisor's command line in the product image (see docs/boot-options.md).
HV_CMDLINE ?=

iso: $(ISO)

$(ISO): $(HV_ELF) packaging/mkiso.sh
	packaging/mkiso.sh -o $@ -k $(HV_ELF) -c "$(HV_CMDLINE)" -t 2

deps:
	packaging/install-deps.sh build run

deps-test:
	packaging/install-deps.sh build run test

run: deps
	$(MAKE) iso
	packaging/run-qemu.sh $(ISO)

test: deps-test
	$(MAKE) iso unit-tests
	$(MAKE) test-unit
	$(MAKE) test-system

test-unit: $(UNIT_TESTS)
	$(UNIT_TESTS)

test-system: $(ISO)
	$(PYTHON) -m pytest -v tests/system $(PYTEST_ARGS)

clean:
	rm -rf $(BUILD)
