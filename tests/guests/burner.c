// SPDX-License-Identifier: GPL-2.0-only
/*
 * Burns CPU on every vCPU it is told to, for good: for the scheduler
 * benchmark (tests/bench/sched.py), whose figures come from the
 * hypervisor's accounting.  Once it burns nothing exits to the hypervisor
 * (one console line at the start, then no output, no timer, no HLT), so
 * only the scheduler's own timer ends its slices.  Its command line is the
 * number of vCPUs to burn on ("2": vCPU 0 starts vCPU 1 by INIT-SIPI; none
 * or "1": vCPU 0 only).  It never reports a result.
 */
#include "lib/guest.h"

#define MAX_BURNERS 8		/* the library has stacks for 8 vCPUs */

/*
 * Plain arithmetic, not PAUSE: QEMU's TCG leaves its execution loop at
 * every PAUSE "to let another CPU run", which would make the loop mostly
 * emulator overhead.
 */
static __attribute__((noreturn)) void burn(void)
{
	uint64_t x = 1;

	for (;;) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		__asm__ volatile("" : "+r"(x));
	}
}

void test_ap_main(unsigned int id)
{
	(void)id;
	burn();
}

static unsigned int vcpus_wanted(const struct hvm_start_info *si)
{
	const char *p = (const char *)si->cmdline_paddr;
	unsigned int n = 0;

	if (!p)
		return 1;
	while (*p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (unsigned int)(*p - '0');
	return n == 0 ? 1 : n > MAX_BURNERS ? MAX_BURNERS : n;
}

void test_main(const struct hvm_start_info *si)
{
	unsigned int i, n = vcpus_wanted(si);

	wrmsr_safe(X2APIC_SVR, 0x1ff);
	for (i = 1; i < n; i++)
		start_ap(i);
	printk("burner: burning on %u vCPU(s)\n", n);
	burn();
}
