# SPDX-License-Identifier: GPL-2.0-only
#
# The appliance: one Makefile for the whole tree.
#
#   make            build the hypervisor and the bootable ISO (build/appliance.iso)
#   make run        install what is missing, build, boot the ISO under QEMU
#   make test       install what is missing, build, run every test
#   make test-unit  host unit tests only          make test-system  QEMU tests only
#   make test-api   provisiond's REST API tests (on the host, test-double hypervisor)
#   make bench      dom0's boot time             make bench-api  provisiond's API speed
#   make bench-sched  the scheduler's precision  make bench-domu customer domains' costs
#   make bench-io   customer domains' disks
#   make web        the web panel (build/web)    make test-browser  its browser tests
#   make bench-web  the panel's load times and asset sizes
#   make bench-console  the browser console's echo latency on the appliance
#   make bench-servers  servers from templates   make bench-net  their network
#
# Everything built lands in build/; `make clean` removes it.

VERSION := $(shell cat VERSION)
BUILD   := build
PYTHON  ?= /usr/bin/python3
# pytest arguments, e.g. make test-system PYTEST_ARGS='-k smp'
PYTEST_ARGS ?=

.PHONY: all iso run test test-unit test-api test-system deps deps-test bench \
	bench-api clean test-browser bench-web bench-console
all: iso

include hypervisor/build.mk
include dom0-image/domu.mk
# before dom0.mk, which ships the panel (WEB_OUT) in dom0's image
include web/web.mk
include dom0-image/dom0.mk
include dom0-image/tools.mk
include dom0-image/devices/devices.mk
include dom0-image/bootloader/build.mk
include dom0-image/netfilter/netfilter.mk
include dom0-image/netd/netd.mk
include dom0-image/templates/templates.mk
include quota/build.mk
include provisiond/build.mk
include tests/unit/build.mk
include tests/guests/build.mk
include tests/dom0/build.mk

ISO := $(BUILD)/appliance.iso
# The hypervisor's command line in the product image (see docs/boot-options.md).
HV_CMDLINE ?=
# dom0's kernel command line: one definition, read by the system tests too.
DOM0_CMDLINE := $(shell cat packaging/dom0-cmdline)

# The appliance's persistent data disk under `make run`: created empty on
# first run, kept across runs and `make clean` (it holds the hoster's state).
DATA_DISK ?= state/data.img
DATA_DISK_SIZE ?= 4G

iso: $(ISO)

$(ISO): $(HV_ELF) $(DOM0_VMLINUZ) $(DOM0_INITRD) packaging/mkiso.sh packaging/dom0-cmdline
	packaging/mkiso.sh -o $@ -k $(HV_ELF) -c "$(HV_CMDLINE)" -t 2 \
		-m $(DOM0_VMLINUZ) "$(DOM0_CMDLINE)" -m $(DOM0_INITRD) ""

deps:
	packaging/install-deps.sh build run -- $(DOM0_PACKAGES) $(BOOTLOADER_PACKAGES) \
		$(TEMPLATE_PACKAGES)

deps-test:
	packaging/install-deps.sh build run test -- $(DOM0_PACKAGES) $(PROVISIOND_PACKAGES) \
		$(BOOTLOADER_PACKAGES) $(TEMPLATE_PACKAGES)

$(DATA_DISK):
	@mkdir -p $(dir $@)
	truncate -s $(DATA_DISK_SIZE) $@

run: deps
	$(MAKE) iso $(DATA_DISK)
	packaging/run-qemu.sh $(ISO) -drive file=$(DATA_DISK),if=virtio,format=raw

test: deps-test
	$(MAKE) iso unit-tests hvctl-unit-tests quota-unit-tests provisiond-unit-tests \
		virtio-unit-tests blk-unit-tests transport-unit-tests bootloader-unit-tests \
		netfilter-unit-tests netd-unit-tests template-unit-tests \
		provisiond dom0-test-overlay guest-tests templates
	$(MAKE) test-unit
	$(MAKE) test-api
	$(MAKE) test-browser
	$(MAKE) test-system

# Every Check runner, each printing its own summary line.
ALL_UNIT_TESTS = $(UNIT_TESTS) $(HVCTL_TESTS) $(QUOTA_UNIT_TESTS) \
		 $(PROVISIOND_UNIT_TESTS) $(VIRTIO_UNIT_TESTS) \
		 $(BLK_UNIT_TESTS) $(NET_UNIT_TESTS) $(TRANSPORT_UNIT_TESTS) \
		 $(BOOTLOADER_UNIT_TESTS) $(NETFILTER_UNIT_TESTS) $(TEMPLATE_UNIT_TESTS) \
		 $(NETD_UNIT_TESTS)

test-unit: $(ALL_UNIT_TESTS)
	@status=0; for t in $(ALL_UNIT_TESTS); do $$t || status=1; done; exit $$status

# The web panel in headless chromium against provisiond-testhv (tests/browser/);
# screenshots in build/test-logs/browser/.
test-browser: $(WEB_STAMP) $(PROVISIOND_TESTHV)
	PROVISIOND=$(abspath $(PROVISIOND_TESTHV)) WEB_ROOT=$(abspath $(WEB_OUT)) \
		$(PYTHON) -m pytest -v tests/browser $(PYTEST_ARGS)

test-system: $(ISO) $(DOM0_TEST_OVERLAY) $(GUEST_ELFS) $(TEMPLATE_DEBIAN12_JSON)
	$(PYTHON) -m pytest -v tests/system $(PYTEST_ARGS)

# Benchmarks print figures; they never pass or fail on speed.
# bench-sched: the CPU scheduler's precision, caps, weights and wake
# latency (2-3 minutes).
.PHONY: bench-sched
bench-sched: deps-test
	$(MAKE) iso dom0-test-overlay
	$(PYTHON) tests/bench/sched.py

# bench-domu: customer domains: a Linux domU's boot time against the same
# kernel booted directly, the cost of an exit, the exits of a boot, the
# hypervisor's memory per domain (docs/testing.md; 3-5 minutes).
.PHONY: bench-domu
bench-domu: deps-test
	$(MAKE) iso guest-tests $(DOMU_INITRD)
	$(PYTHON) tests/bench/domu.py

# bench-io: customer domains' virtio disks: W4 and 4 KiB random IOPS in a
# domU against the same kernel booted directly, the quotas' sustained rate
# and burst, exits per request, hv-backend's memory (docs/testing.md;
# about 10 minutes).
.PHONY: bench-io
bench-io: deps-test
	$(MAKE) iso dom0-test-overlay $(DOMU_TEST_INITRD)
	$(PYTHON) tests/bench/io.py

# bench-servers: customers' servers from the Debian template: create and
# reinstall to ssh-ready against the template booted directly under QEMU,
# a fresh server's disk space, a 10 GiB clone's time and CPU
# (docs/testing.md; about 15 minutes).
.PHONY: bench-servers
bench-servers: deps-test
	$(MAKE) iso dom0-test-overlay templates
	$(PYTHON) tests/bench/servers.py

# bench-net: the servers' network: TCP and ping domU <-> dom0 and domU <->
# domU against the same kernel directly under QEMU, dom0's API latency
# while a guest floods, the time to apply a server's rules
# (docs/testing.md; about 10 minutes).
.PHONY: bench-net
bench-net: deps-test
	$(MAKE) iso dom0-test-overlay $(DOMU_TEST_INITRD)
	$(PYTHON) tests/bench/net.py

bench: deps-test
	$(MAKE) iso
	$(PYTHON) tests/bench/boot_dom0.py

# provisiond on the host with 1,000 servers, under wrk (docs/testing.md).
bench-api: deps-test
	$(MAKE) provisiond-testhv
	$(PYTHON) tests/bench/api.py

# The web panel: first paint and an interactive list of 200 servers in
# chromium against provisiond-testhv, and the shipped assets' sizes.
bench-web: deps-test
	$(MAKE) web provisiond-testhv
	PROVISIOND=$(abspath $(PROVISIOND_TESTHV)) WEB_ROOT=$(abspath $(WEB_OUT)) \
		$(PYTHON) tests/bench/web.py

bench-console: deps-test
	$(MAKE) iso
	$(PYTHON) tests/bench/console.py

# provisiond's usage export (1,000 servers x 31 days of hourly buckets) and
# the CPU cost of usage sampling (docs/usage.md).
.PHONY: bench-usage
bench-usage: deps-test
	$(MAKE) provisiond-testhv
	$(PYTHON) tests/bench/usage.py

clean:
	rm -rf $(BUILD)
