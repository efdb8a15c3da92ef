// SPDX-License-Identifier: GPL-2.0-only
/* What guests may write to EFER, the PAT and MTRRs (see hv/msr_policy.h). */
#include <asm/msr_policy.h>

/* Memory types the PAT may hold: 2 and 3 are reserved, 8 and up do not exist. */
#define PAT_TYPE_RESERVED_2	2
#define PAT_TYPE_RESERVED_3	3
#define PAT_TYPE_LAST		7

/* MTRRdefType: the default type (bits 0-7), FE (10) and E (11). */
#define MTRR_DEF_TYPE_BITS	0xcffULL

uint64_t efer_guest_view(uint64_t efer)
{
	return efer & ~EFER_SVME;
}

bool efer_guest_write(uint64_t efer, uint64_t cr0, uint64_t value,
		      uint64_t writable, uint64_t *next)
{
	if (value & ~writable)
		return false;
	/* LME cannot change while paging is on (AMD APM vol. 2, 14.6.1). */
	if ((cr0 & X86_CR0_PG) && ((value ^ efer) & EFER_LME))
		return false;
	/* LMA follows paging, not writes; SVME must stay set. */
	*next = (value & ~EFER_LMA) | (efer & EFER_LMA) | EFER_SVME;
	return true;
}

bool pat_valid(uint64_t pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		uint8_t t = (pat >> (8 * i)) & 0xff;

		if (t == PAT_TYPE_RESERVED_2 || t == PAT_TYPE_RESERVED_3 ||
		    t > PAT_TYPE_LAST)
			return false;
	}
	return true;
}

bool mtrr_def_type_valid(uint64_t value)
{
	return !(value & ~MTRR_DEF_TYPE_BITS);
}
