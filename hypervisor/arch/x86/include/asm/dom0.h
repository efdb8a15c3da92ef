/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dom0, the control domain: a stock Linux that owns the machine's devices.
 *
 * Its guest-physical addresses equal host-physical ones for the RAM it is
 * given and for everything that is not RAM (device MMIO, firmware tables),
 * so its own drivers do real DMA.  RAM it was not given (the hypervisor's,
 * the customer domains' pool) is neither in its e820 map nor in its nested
 * page tables: a touch there is logged and answered from a page of 0xff.
 */
#ifndef ASM_DOM0_H
#define ASM_DOM0_H

#include <lib/types.h>
#include <hv/vcpu.h>

/*
 * Builds dom0 from the boot modules and runs it on this CPU, never to
 * return: module 0 is its kernel (a bzImage; the module's command line is
 * the kernel's), modules 1..n, concatenated, its initrd.  Halts the machine
 * with a reason when it cannot.
 */
__noreturn void dom0_start(void);

/* True when the boot modules include a dom0 kernel. */
bool dom0_present(void);

/* Exit handling specific to dom0. */
void dom0_npf(struct vcpu *v);
void dom0_ioio_exit(struct vcpu *v);	/* its serial port's data register */
__noreturn void dom0_crash(struct vcpu *v, const char *why);

#endif
