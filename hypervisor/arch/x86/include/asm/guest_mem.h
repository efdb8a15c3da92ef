/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading guest memory by guest-virtual address, for instruction fetch. */
#ifndef ASM_GUEST_MEM_H
#define ASM_GUEST_MEM_H

#include <hv/vcpu.h>

/*
 * Translates gva through the vCPU's own page tables (long mode, or paging
 * off).  Every table the walk touches must be the domain's RAM.  Returns
 * false when the address is not mapped or the walk leaves the domain.
 */
bool guest_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa);

/* Copies up to size bytes of guest instruction stream at RIP; returns count. */
size_t guest_fetch_insn(struct vcpu *v, uint8_t *buf, size_t size);

#endif
