/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domains: a guest's memory, vCPUs and state; `arch` (asm/arch_domain.h)
 * holds the architecture's part (on x86 the nested page tables, the ASID,
 * a customer domain's virtual UART and IOAPIC).
 *
 * Memory is a list of extents, each a run of guest-physical addresses and
 * the host-physical run behind it.  For dom0 the two are equal (it drives
 * real devices with real DMA); a customer domain's memory comes from the
 * pool in 2 MiB chunks, laid out as on a PC (hvplatform.h): from
 * guest-physical 0 up to HVP_RAM_LOW_TOP, the rest from 4 GiB.  ram_bytes
 * is its size, never the span of addresses it covers.
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <public/hvabi.h>
#include <cap.h>
#include <token_bucket.h>
#include <hv/spinlock.h>
#include <lib/types.h>
#include <hv/vcpu.h>
#include <hv/backend.h>
#include <hv/virtio_pci.h>
#include <asm/arch_domain.h>

#define DOMAIN_MAX_EXTENTS	64

struct mem_extent {
	uint64_t start;		/* first guest-physical byte */
	uint64_t end;		/* one past the last */
	uint64_t hpa;		/* host-physical address of start */
};

#define MAX_DOMAINS		32
#define DOMAIN_CONSOLE_SIZE	(16 * 1024)	/* a power of two */

struct domain {
	uint32_t id;
	char name[HV_NAME_LEN];
	volatile uint32_t state;	/* HV_DOMAIN_* */
	bool privileged;		/* may make HVCALL_* calls (dom0) */
	bool in_use;			/* slot taken */
	bool booted;			/* its kernel was started */
	struct mem_extent ram[DOMAIN_MAX_EXTENTS];
	unsigned int nr_ram;
	uint64_t ram_bytes;
	struct vcpu *vcpus[HV_DOMAIN_VCPUS_MAX];
	unsigned int nr_vcpus;

	/*
	 * Its clocks: every vCPU's TSC reads 0 at host TSC tsc_zero, and its
	 * kvmclock converts with the TSC rate known when it was made, so all
	 * its vCPUs keep one time.
	 */
	uint64_t tsc_zero;
	uint64_t tsc_khz;

	/* CPU quota (common/sched.c): share under contention and ceiling. */
	uint32_t weight;		/* HV_SCHED_WEIGHT_* */
	struct cpu_cap cap;		/* cap_pct 0 = none; guarded by: */
	struct spinlock sched_lock;

	/* The console: what the guest wrote to its UART, kept after it ends. */
	char console[DOMAIN_CONSOLE_SIZE];
	uint64_t console_head;		/* bytes ever written */
	char line[128];			/* the line being echoed to our log */
	unsigned int line_len;
	struct token_bucket echo_budget; /* bytes it may echo (domain.c) */
	uint64_t echo_left_out;		/* lines not echoed since the last */

	/* Paravirtual devices, guarded by arch.platform_lock. */
	struct vpci vpci;		/* its PCI bus: hv/virtio_pci.h */
	struct backend_binding backend;	/* its backend in dom0: hv/backend.h */

	struct arch_domain arch;	/* asm/arch_domain.h */
};

extern struct domain dom0;

/* Customer domains; domain_get(0) is dom0.  NULL when no such domain. */
struct domain *domain_get(uint32_t id);

/* How many domains exist (dom0 included once it is built). */
unsigned int domain_count(void);

/*
 * A new customer domain with mem_bytes of RAM (a multiple of 2 MiB, taken
 * from the pool and zeroed) mapped at guest-physical 0 in fresh nested page
 * tables.  Returns NULL and sets *why when it cannot.
 */
struct domain *domain_create(const char *name, uint64_t mem_bytes,
			     const char **why);

/*
 * Frees a domain that never ran and has no vCPUs (its build failed): its
 * memory is scrubbed and returned, its slot freed.
 */
void domain_discard(struct domain *d);

/* Copies into guest memory, across extents; false if not all the domain's. */
bool domain_write(const struct domain *d, uint64_t gpa, const void *src,
		  uint64_t size);

/* Appends guest console output (from the virtual UART). */
void domain_console_putc(struct domain *d, char c);

/*
 * What the domain costs the hypervisor beyond its RAM, in bytes: its
 * domain and vCPU slots, VMCBs and nested page tables (HVCALL_DOMAIN_LIST).
 */
uint64_t domain_overhead_bytes(const struct domain *d);

/* True when [gpa, gpa + size) lies wholly inside the domain's RAM. */
bool domain_owns(const struct domain *d, uint64_t gpa, uint64_t size);

/*
 * A pointer to the hypervisor's view of guest memory [gpa, gpa + size), or
 * NULL when any of it is not the domain's RAM.  Every guest pointer a
 * hypercall or exit handler dereferences goes through here.
 */
void *domain_map(const struct domain *d, uint64_t gpa, uint64_t size);

#endif
