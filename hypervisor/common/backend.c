// SPDX-License-Identifier: GPL-2.0-only
/*
 * A customer domain's device backend in dom0 (see hv/backend.h, hvabi.h's
 * HVCALL_BACKEND_BIND and HVCALL_EVENT_VECTOR, docs/virtio.md).
 *
 * What a binding promises:
 *  - dom0 sees exactly the bound domain's RAM, at its host-physical
 *    addresses (dom0's nested page tables are 1:1), and nothing else that
 *    is not its own: BIND maps each of the domain's extents, replacing any
 *    read-only sink page dom0_exit.c installed there earlier, and UNBIND
 *    removes them and flushes dom0's TLB before dom0 runs again.
 *  - while bound, the domain's memory is never scrubbed or given to
 *    another domain: a destroy stops the domain (DYING) but leaves its
 *    memory and slot to backend_unbind(), which finishes the destroy.  So
 *    a backend never reads or writes memory that belongs to someone else,
 *    even if it is slow to notice the domain is gone.
 *  - an event (a bit posted into notify or changed) wakes dom0 at most
 *    once per 0-to-non-zero change of the word: the post is an atomic
 *    fetch-or, and only the poster that found the word 0 sends the
 *    vector.  A backend that takes both words (atomic exchange with 0)
 *    before it sleeps therefore misses nothing.
 *
 * The page is dom0 RAM, which the hypervisor reaches through its direct
 * map (domain_map(&dom0, ...)), from any CPU.
 */
#include <hv/arch.h>
#include <hv/backend.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/virtio_pci.h>
#include <lib/string.h>

/*
 * Where events go: vector in bits 0-7 (0 = nowhere), the local APIC ID of
 * dom0's CPU in bits 32-63.  One word, so a post on another CPU never sees
 * a vector with the wrong CPU.
 */
static uint64_t event_target;

struct hv_backend_page *backend_page(struct domain *d)
{
	return d->backend.page;
}

static void send_event(void)
{
	uint64_t target = __atomic_load_n(&event_target, __ATOMIC_ACQUIRE);
	uint8_t vector = (uint8_t)target;

	if (vector)
		arch_send_vector((uint32_t)(target >> 32), vector);
}

/* ORs bits into a word of the bound page; the vector when it was 0. */
static void post(uint64_t *word, uint64_t bits)
{
	if (bits && __atomic_fetch_or(word, bits, __ATOMIC_SEQ_CST) == 0)
		send_event();
}

void backend_post_notify(struct domain *d, uint64_t bits)
{
	if (d->backend.page)
		post(&d->backend.page->notify, bits);
}

void backend_post_changed(struct domain *d, uint64_t bits)
{
	if (d->backend.page)
		post(&d->backend.page->changed, bits);
}

int64_t backend_set_event_vector(const struct hv_event_vector *req)
{
	uint32_t vector = req->vector, apic_id = req->apic_id;
	bool dom0_cpu = false;
	unsigned int i;

	if (vector != 0 && (vector < 0x20 || vector > 0xff))
		return -HV_EINVAL;
	for (i = 0; i < dom0.nr_vcpus; i++)
		if (arch_cpu_apic_id(dom0.vcpus[i]->pcpu) == apic_id)
			dom0_cpu = true;
	if (vector != 0 && !dom0_cpu)
		return -HV_EINVAL;
	__atomic_store_n(&event_target,
			 vector ? (uint64_t)apic_id << 32 | vector : 0,
			 __ATOMIC_RELEASE);
	if (vector)
		printk("hv: backend events go to dom0 on vector 0x%x, apic %u\n",
		       vector, apic_id);
	else
		printk("hv: backend events are not sent to dom0 (no vector)\n");
	return 0;
}

/* Takes d's extents [0, n) out of dom0's tables again. */
static void unmap_from_dom0(const struct domain *d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!arch_domain_unmap_ram(&dom0, d->ram[i].hpa,
					   d->ram[i].end - d->ram[i].start))
			/* Extents are whole 2 MiB chunks: cannot happen. */
			printk("d%u: could not unmap %lx from dom0\n", d->id,
			       d->ram[i].hpa);
	arch_domain_flush_tlb(&dom0);
}

static bool map_into_dom0(const struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_ram; i++)
		if (!arch_domain_map_ram(&dom0, d->ram[i].hpa, d->ram[i].hpa,
					 d->ram[i].end - d->ram[i].start)) {
			/* What was mapped of this extent goes too. */
			unmap_from_dom0(d, i + 1);
			return false;
		}
	/* dom0 may hold a translation to the sink page for one of them. */
	arch_domain_flush_tlb(&dom0);
	return true;
}

int64_t backend_bind(struct domain *d, struct hv_backend_bind *req,
		     uint64_t buf_size)
{
	uint64_t page_gpa = req->page_gpa;
	uint64_t room = (buf_size - sizeof(*req)) / sizeof(req->extents[0]);
	uint32_t max = (uint32_t)MIN((uint64_t)req->max, room);
	struct hv_backend_page *page;
	struct hv_ram_extent e;
	int64_t ret = 0;
	unsigned int i;

	if (d == &dom0 || d->state == HV_DOMAIN_DYING)
		return -HV_ESRCH;
	spin_lock(&d->arch.platform_lock);
	if (d->backend.page) {
		ret = -HV_EBUSY;
	} else if (page_gpa % PAGE_SIZE) {
		ret = -HV_EINVAL;
	} else if (!domain_owns(&dom0, page_gpa, PAGE_SIZE)) {
		ret = -HV_EFAULT;
	} else if (d->nr_ram > max) {
		req->count = d->nr_ram;
		ret = -HV_ENOSPC;
	} else if (!map_into_dom0(d)) {
		ret = -HV_ENOMEM;
	}
	if (ret) {
		spin_unlock(&d->arch.platform_lock);
		return ret;
	}

	page = domain_map(&dom0, page_gpa, PAGE_SIZE);
	memset(page, 0, PAGE_SIZE);
	page->domain_state = d->state;
	page->nr_devices = d->vpci.nr_devices;
	d->backend.page = page;
	d->backend.page_gpa = page_gpa;
	virtio_pci_publish_all(d);
	for (i = 0; i < d->nr_ram; i++) {
		e.gpa = d->ram[i].start;
		e.hpa = d->ram[i].hpa;
		e.len = d->ram[i].end - d->ram[i].start;
		memcpy(&req->extents[i], &e, sizeof(e));
	}
	req->count = d->nr_ram;
	spin_unlock(&d->arch.platform_lock);
	printk("d%u: bound to its backend in dom0: %lu MiB in %u extent(s), page at %lx\n",
	       d->id, d->ram_bytes / MiB, d->nr_ram, page_gpa);
	return 0;
}

int64_t backend_unbind(struct domain *d)
{
	bool dying;

	spin_lock(&d->arch.platform_lock);
	if (!d->backend.page) {
		spin_unlock(&d->arch.platform_lock);
		return -HV_EINVAL;
	}
	virtio_pci_backend_gone(d);
	d->backend.page = NULL;
	d->backend.page_gpa = 0;
	unmap_from_dom0(d, d->nr_ram);
	dying = d->state == HV_DOMAIN_DYING;
	spin_unlock(&d->arch.platform_lock);

	if (!dying) {
		printk("d%u: unbound from its backend\n", d->id);
		return 0;
	}
	/* Destroyed while bound (backend_domain_dying()): finish it now. */
	printk("d%u: unbound from its backend; destroyed, %lu MiB scrubbed and returned\n",
	       d->id, d->ram_bytes / MiB);
	domain_discard(d);
	return 0;
}

/* Under platform_lock: the page tells of d's state, if bound. */
static bool publish_state(struct domain *d, uint32_t state)
{
	struct hv_backend_page *page = d->backend.page;

	if (!page)
		return false;
	__atomic_store_n(&page->domain_state, state, __ATOMIC_RELEASE);
	backend_post_changed(d, HV_BACKEND_DOMAIN_BIT);
	return true;
}

void backend_domain_state(struct domain *d)
{
	spin_lock(&d->arch.platform_lock);
	publish_state(d, d->state);
	spin_unlock(&d->arch.platform_lock);
}

bool backend_domain_dying(struct domain *d)
{
	bool bound;

	spin_lock(&d->arch.platform_lock);
	bound = publish_state(d, HV_DOMAIN_DYING);
	spin_unlock(&d->arch.platform_lock);
	return bound;
}
