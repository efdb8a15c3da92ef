# SPDX-License-Identifier: GPL-2.0-only
# lib/: pure C shared by the hypervisor and dom0's tools (the ELF reader, the
# Linux boot protocol, CPU sets), with its public headers in lib/include/lib/.
# Each user compiles LIB_SRCS with its own flags (freestanding in the
# hypervisor, hosted in libhv, sanitized in the unit tests) and adds
# LIB_CFLAGS.  lib/ sees only the hypercall ABI (hypervisor/include/public),
# never the hypervisor's private headers.  quota/ is its sibling: the quota
# arithmetic, with its own build and tests.

LIB_DIR    := lib
LIB_SRCS   := $(LIB_DIR)/elf.c $(LIB_DIR)/linux_boot.c $(LIB_DIR)/cpuset.c
LIB_CFLAGS := -I$(LIB_DIR)/include -Ihypervisor/include/public
