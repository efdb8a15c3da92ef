/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domains: a guest's memory, nested page tables, vCPUs and state.
 *
 * Memory is a list of physical extents.  For dom0 guest-physical equals
 * host-physical (it drives real devices with real DMA), so its extents are
 * both at once.
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <public/hvabi.h>
#include <hv/types.h>
#include <hv/vcpu.h>

#define DOMAIN_MAX_EXTENTS	64
#define DOMAIN_MAX_VCPUS	8

struct mem_extent {
	uint64_t start;		/* first byte */
	uint64_t end;		/* one past the last byte */
};

struct domain {
	uint32_t id;
	char name[HV_NAME_LEN];
	uint32_t state;			/* HV_DOMAIN_* */
	bool privileged;		/* may make HVCALL_* calls (dom0) */
	struct mem_extent ram[DOMAIN_MAX_EXTENTS];
	unsigned int nr_ram;
	uint64_t ram_bytes;
	uint64_t npt_root;		/* nested page table root (PML4) */
	struct vcpu *vcpus[DOMAIN_MAX_VCPUS];
	unsigned int nr_vcpus;
};

extern struct domain dom0;

/* True when [gpa, gpa + size) lies wholly inside the domain's RAM. */
bool domain_owns(const struct domain *d, uint64_t gpa, uint64_t size);

/*
 * A pointer to the hypervisor's view of guest memory [gpa, gpa + size), or
 * NULL when any of it is not the domain's RAM.  Every guest pointer a
 * hypercall or exit handler dereferences goes through here.
 */
void *domain_map(const struct domain *d, uint64_t gpa, uint64_t size);

#endif
