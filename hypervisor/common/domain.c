// SPDX-License-Identifier: GPL-2.0-only
/*
 * Domains: creation, memory, lookup, console (see hv/domain.h).
 *
 * Customer domains live in a fixed table: MAX_DOMAINS slots, each
 * struct domain a few tens of KiB, so nothing is allocated at run time for
 * the bookkeeping itself.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/sched.h>
#include <hv/setup.h>
#include <hv/spinlock.h>
#include <hv/time.h>
#include <public/hvplatform.h>
#include <lib/string.h>

#define ECHO_BURST_BYTES	(32 * 1024)
#define ECHO_REFILL_NS		(16ULL * 1000000000)	/* 32 KiB in 16 s */
#define ECHO_RESUME_BYTES	(8 * 1024)

#define CHUNK (HV_DOMAIN_RAM_ALIGN_MIB * MiB)	/* the allocator's unit */

struct domain dom0;
static struct domain domains[MAX_DOMAINS];	/* slot i = domain id i + 1 */
static struct spinlock domains_lock = SPINLOCK_INIT;

struct domain *domain_get(uint32_t id)
{
	if (id == 0)
		return dom0.nr_vcpus ? &dom0 : NULL;
	if (id > MAX_DOMAINS || !domains[id - 1].in_use)
		return NULL;
	return &domains[id - 1];
}

unsigned int domain_count(void)
{
	unsigned int i, n = dom0.nr_vcpus ? 1 : 0;

	for (i = 0; i < MAX_DOMAINS; i++)
		n += domains[i].in_use;
	return n;
}

static void free_memory(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_ram; i++) {
		/* Scrubbed before anyone else can have it. */
		memset((void *)(uintptr_t)d->ram[i].hpa, 0,
		       d->ram[i].end - d->ram[i].start);
		frame_free_contig(&frames, d->ram[i].hpa,
				  (d->ram[i].end - d->ram[i].start) / PAGE_SIZE);
	}
	d->nr_ram = 0;
	d->ram_bytes = 0;
}

static bool add_chunk(struct domain *d, uint64_t gpa, uint64_t hpa)
{
	struct mem_extent *last = d->nr_ram ? &d->ram[d->nr_ram - 1] : NULL;

	if (last && last->end == gpa && last->hpa + (gpa - last->start) == hpa) {
		last->end += CHUNK;
	} else {
		if (d->nr_ram == DOMAIN_MAX_EXTENTS)
			return false;
		d->ram[d->nr_ram++] = (struct mem_extent){ gpa, gpa + CHUNK, hpa };
	}
	d->ram_bytes += CHUNK;
	return true;
}

struct domain *domain_create(const char *name, uint64_t mem_bytes,
			     const char **why)
{
	struct domain *d = NULL;
	uint64_t offset;
	unsigned int i;

	if (mem_bytes == 0 || mem_bytes % CHUNK) {
		*why = "memory must be a non-zero multiple of 2 MiB";
		return NULL;
	}
	spin_lock(&domains_lock);
	for (i = 0; i < MAX_DOMAINS; i++)
		if (!domains[i].in_use) {
			d = &domains[i];
			memset(d, 0, sizeof(*d));
			d->in_use = true;
			d->id = i + 1;
			break;
		}
	spin_unlock(&domains_lock);
	if (!d) {
		*why = "too many domains";
		return NULL;
	}
	for (i = 0; i + 1 < HV_NAME_LEN && name[i]; i++)
		d->name[i] = name[i];
	d->state = HV_DOMAIN_PAUSED;
	tb_init(&d->echo_budget, ECHO_BURST_BYTES, ECHO_REFILL_NS, 0,
		tsc_to_ns(arch_timestamp()));
	sched_domain_init(d);

	if (!arch_domain_memory_init(d))
		goto out_of_memory;
	/*
	 * Chunk by chunk at the GPAs of the PC layout (hvplatform.h): low RAM
	 * up to HVP_RAM_LOW_TOP, the rest from 4 GiB, so that the MMIO hole
	 * between is no one's RAM and a guest access there that is not a
	 * device faults as any access outside its memory does.
	 */
	for (offset = 0; offset < mem_bytes; offset += CHUNK) {
		uint64_t gpa = hvp_ram_gpa(offset);
		uint64_t hpa = frame_alloc_contig(&frames, CHUNK / PAGE_SIZE,
						  CHUNK, 0);

		if (!hpa)
			goto out_of_memory;
		memset((void *)(uintptr_t)hpa, 0, CHUNK);
		if (!add_chunk(d, gpa, hpa)) {
			frame_free_contig(&frames, hpa, CHUNK / PAGE_SIZE);
			goto out_of_memory;
		}
		if (!arch_domain_map_ram(d, gpa, hpa, CHUNK))
			goto out_of_memory;
	}
	return d;

out_of_memory:
	domain_discard(d);
	*why = "not enough free memory in 2 MiB chunks";
	return NULL;
}

void domain_discard(struct domain *d)
{
	free_memory(d);
	arch_domain_memory_free(d);
	d->in_use = false;
}

uint64_t domain_overhead_bytes(const struct domain *d)
{
	/* Its slot in the domain table, its vCPUs' slots in the vCPU pool,
	 * and the architecture's share (on x86, the VMCBs and nested page
	 * tables; the MSR and I/O permission maps are shared by every
	 * customer domain). */
	return sizeof(*d) + d->nr_vcpus * sizeof(struct vcpu) +
	       arch_domain_overhead_bytes(d);
}

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
	unsigned int i;

	if (size == 0 || gpa + size < gpa)
		return NULL;
	for (i = 0; i < d->nr_ram; i++)
		if (gpa >= d->ram[i].start && gpa + size <= d->ram[i].end)
			return (void *)(uintptr_t)(d->ram[i].hpa +
						   (gpa - d->ram[i].start));
	return NULL;
}

bool domain_write(const struct domain *d, uint64_t gpa, const void *src,
		  uint64_t size)
{
	const uint8_t *p = src;

	while (size) {
		/* At most up to the next 2 MiB boundary: extents end there. */
		uint64_t chunk = MIN(size, CHUNK - (gpa % CHUNK));
		void *dst = domain_map(d, gpa, chunk);

		if (!dst)
			return false;
		memcpy(dst, p, chunk);
		p += chunk;
		gpa += chunk;
		size -= chunk;
	}
	return true;
}

/*
 * Echoes one whole line of d's console to our log, marked with its id, if
 * its echo budget allows.  The log goes out on the serial line that the
 * hypervisor, dom0 and every domain share at 115200 baud (about 11 KiB/s):
 * a guest that writes without pause must not drown the others' lines nor
 * keep CPUs waiting on the port.  So each domain may echo a burst of
 * ECHO_BURST_BYTES, refilled over ECHO_REFILL_NS (2 KiB/s); lines beyond
 * that are only kept in its console ring (`hvctl console` shows its last
 * 16 KiB), and echoing resumes, with a count of the lines left out, once
 * ECHO_RESUME_BYTES of budget are back.
 */
static void echo_line(struct domain *d)
{
	uint64_t now = tsc_to_ns(arch_timestamp());

	d->line[d->line_len] = '\0';
	/*
	 * Once lines were left out, wait until ECHO_RESUME_BYTES are back, so
	 * that the log gets runs of lines, not a line and a notice in turn.
	 * A line costs its length plus the marker and the newline.
	 */
	if ((d->echo_left_out &&
	     tb_wait_ns(&d->echo_budget, ECHO_RESUME_BYTES, now) != 0) ||
	    !tb_consume(&d->echo_budget, d->line_len + 8, now)) {
		d->echo_left_out++;
		return;
	}
	if (d->echo_left_out) {
		printk("(d%u) [%lu lines not echoed: too much output; its "
		       "console keeps the latest]\n", d->id, d->echo_left_out);
		d->echo_left_out = 0;
	}
	printk("(d%u) %s\n", d->id, d->line);
}

void domain_console_putc(struct domain *d, char c)
{
	d->console[d->console_head % DOMAIN_CONSOLE_SIZE] = c;
	d->console_head++;
	if (c == '\n' || d->line_len == sizeof(d->line) - 1) {
		echo_line(d);
		d->line_len = 0;
		if (c == '\n')
			return;
	}
	if (c != '\r')
		d->line[d->line_len++] = c;
}
