# SPDX-License-Identifier: GPL-2.0-only
# The hypervisor: freestanding x86-64 C and assembly, linked at 1 MiB.

include lib/build.mk

HV_DIR   := hypervisor
HV_OUT   := $(BUILD)/hypervisor
HV_ELF   := $(HV_OUT)/hypervisor.elf

# Headers: include/hv/ (arch-neutral, with include/hv/arch.h the interface
# common code calls), arch/x86/include/asm/ (x86 only), include/public/
# (the ABI), lib/ and quota/ (shared with dom0).
HV_INCLUDES := -I$(HV_DIR)/include -I$(HV_DIR)/arch/x86/include \
	$(LIB_CFLAGS) -Iquota

HV_CC    := gcc
HV_LD    := ld
HV_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-fcf-protection=none -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	$(HV_INCLUDES) -DHV_VERSION='"$(VERSION)"' -MMD -MP
HV_ASFLAGS := $(HV_INCLUDES) -MMD -MP

HV_C_SRCS := $(wildcard $(HV_DIR)/common/*.c $(HV_DIR)/arch/x86/*.c)
HV_S_SRCS := $(wildcard $(HV_DIR)/arch/x86/*.S)
# The quota arithmetic (quota/) and the code shared with dom0's tools (lib/),
# compiled freestanding into the hypervisor.
HV_QUOTA_SRCS := quota/fairshare.c quota/cap.c quota/token_bucket.c quota/div128.c
HV_OBJS   := $(patsubst $(HV_DIR)/%.c,$(HV_OUT)/%.o,$(HV_C_SRCS)) \
	     $(patsubst $(HV_DIR)/%.S,$(HV_OUT)/%.o,$(HV_S_SRCS)) \
	     $(patsubst quota/%.c,$(HV_OUT)/quota/%.o,$(HV_QUOTA_SRCS)) \
	     $(patsubst $(LIB_DIR)/%.c,$(HV_OUT)/lib/%.o,$(LIB_SRCS))

$(HV_OUT)/%.o: $(HV_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HV_CC) $(HV_CFLAGS) -c $< -o $@

$(HV_OUT)/quota/%.o: quota/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HV_CC) $(HV_CFLAGS) -Iquota -c $< -o $@

$(HV_OUT)/lib/%.o: $(LIB_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HV_CC) $(HV_CFLAGS) -c $< -o $@

$(HV_OUT)/%.o: $(HV_DIR)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(HV_CC) $(HV_ASFLAGS) -c $< -o $@

$(HV_ELF): $(HV_OBJS) $(HV_DIR)/hypervisor.lds
	$(HV_LD) -n -nostdlib -z noexecstack --no-warn-rwx-segments -T $(HV_DIR)/hypervisor.lds -o $@ $(HV_OBJS)

.PHONY: hypervisor
hypervisor: $(HV_ELF)

-include $(HV_OBJS:.o=.d)
