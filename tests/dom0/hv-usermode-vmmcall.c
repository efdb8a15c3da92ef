// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test tool for dom0: issues a hypercall straight from user mode, bypassing
 * the driver, and prints what came back in RAX.  The hypervisor must refuse
 * it with -HV_EPERM (privileged calls are for dom0's kernel only) and must
 * not crash, hang or hurt dom0.
 */
#include <inttypes.h>
#include <stdio.h>

#include "hvabi.h"

int main(void)
{
	int64_t rax = HVCALL_PHYSINFO;

	/* Pointer and size that would be valid from the kernel. */
	__asm__ volatile("vmmcall"
			 : "+a"(rax)
			 : "b"(0x1000), "c"(sizeof(struct hv_physinfo)), "d"(0), "S"(0)
			 : "memory");
	/* -1 means -HV_EPERM: the result in units of that code. */
	printf("%" PRId64 "\n", rax / HV_EPERM);
	return 0;
}
