// SPDX-License-Identifier: GPL-2.0-only
/* Domain memory ownership checks (see hv/domain.h). */
#include <hv/domain.h>

struct domain dom0;

bool domain_owns(const struct domain *d, uint64_t gpa, uint64_t size)
{
	unsigned int i;

	if (size == 0 || gpa + size < gpa)
		return false;
	for (i = 0; i < d->nr_ram; i++)
		if (gpa >= d->ram[i].start && gpa + size <= d->ram[i].end)
			return true;
	return false;
}

void *domain_map(const struct domain *d, uint64_t gpa, uint64_t size)
{
	/* Only dom0 exists so far, and its guest-physical is host-physical. */
	if (!domain_owns(d, gpa, size))
		return NULL;
	return (void *)(uintptr_t)gpa;
}
