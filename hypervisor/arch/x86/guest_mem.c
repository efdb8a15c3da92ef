// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest page-table walks (see hv/guest_mem.h).  The guest controls every
 * entry, so each table address is checked to be the domain's own RAM before
 * it is read: a hostile guest cannot point the walk at hypervisor memory.
 */
#include <hv/domain.h>
#include <asm/guest_mem.h>
#include <lib/string.h>
#include <asm/x86.h>

bool guest_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
	const struct vmcb_save *s = &v->arch.vmcb->save;
	uint64_t table = s->cr3 & PTE_ADDR;
	int level;

	if (!(s->cr0 & X86_CR0_PG)) {
		*gpa = gva;
		return true;
	}
	if (!(s->efer & EFER_LMA))
		return false;	/* 32-bit paging: not needed by our guests yet */

	for (level = 3; level >= 0; level--) {
		unsigned int idx = (gva >> (12 + 9 * level)) & 511;
		uint64_t *t = domain_map(v->dom, table, PAGE_SIZE);
		uint64_t e;

		if (!t)
			return false;
		e = t[idx];
		if (!(e & PTE_P))
			return false;
		if (level > 0 && level < 3 && (e & PTE_PS)) {
			uint64_t page = 1ULL << (12 + 9 * level);

			*gpa = (e & PTE_ADDR & ~(page - 1)) | (gva & (page - 1));
			return true;
		}
		table = e & PTE_ADDR;
	}
	*gpa = table | (gva & 0xfff);
	return true;
}

size_t guest_fetch_insn(struct vcpu *v, uint8_t *buf, size_t size)
{
	uint64_t rip = v->arch.vmcb->save.rip + v->arch.vmcb->save.cs.base;
	size_t got = 0;

	/* The instruction may cross a page boundary: translate each page. */
	while (got < size) {
		uint64_t gpa, chunk = PAGE_SIZE - ((rip + got) & 0xfff);
		const uint8_t *p;

		if (chunk > size - got)
			chunk = size - got;
		if (!guest_virt_to_phys(v, rip + got, &gpa))
			break;
		p = domain_map(v->dom, gpa, chunk);
		if (!p)
			break;
		memcpy(buf + got, p, chunk);
		got += chunk;
	}
	return got;
}
