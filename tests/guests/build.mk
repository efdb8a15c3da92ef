# SPDX-License-Identifier: GPL-2.0-only
# Guest test kernels (XTF style): tiny PVH kernels, one per tests/guests/*.c,
# booted as boot-time domains; each prints "Test result: SUCCESS|FAILURE".
# Their printf is the hypervisor's own formatter (hypervisor/common/format.c)
# and their kvmclock arithmetic its own (hypervisor/common/pvclock.c).

GUEST_DIR    := tests/guests
GUEST_OUT    := $(BUILD)/tests/guests
GUEST_NAMES  := $(basename $(notdir $(wildcard $(GUEST_DIR)/*.c)))
GUEST_ELFS   := $(patsubst %,$(GUEST_OUT)/%.elf,$(GUEST_NAMES))
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding \
	-fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fcf-protection=none -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-I$(GUEST_DIR) -Ihypervisor/include -Ilib/include \
	-Ihypervisor/arch/x86/include -MMD -MP
GUEST_LIB_OBJS := $(GUEST_OUT)/lib/entry.o $(GUEST_OUT)/lib/stubs.o $(GUEST_OUT)/lib/ap.o \
	$(GUEST_OUT)/lib/guest.o $(GUEST_OUT)/lib/format.o $(GUEST_OUT)/lib/string.o \
	$(GUEST_OUT)/lib/pvclock.o

$(GUEST_OUT)/lib/%.o: $(GUEST_DIR)/lib/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@gcc $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/lib/%.o: $(GUEST_DIR)/lib/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/lib/%.o: hypervisor/common/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (for guests)"
	@gcc $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/lib/%.o: hypervisor/arch/x86/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (for guests)"
	@gcc $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@gcc $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/%.elf: $(GUEST_OUT)/%.o $(GUEST_LIB_OBJS) $(GUEST_DIR)/lib/guest.lds
	ld -n -nostdlib -z noexecstack --no-warn-rwx-segments -T $(GUEST_DIR)/lib/guest.lds -o $@ $< $(GUEST_LIB_OBJS)

.PHONY: guest-tests
guest-tests: $(GUEST_ELFS)

-include $(GUEST_LIB_OBJS:.o=.d) $(GUEST_ELFS:.elf=.d)
