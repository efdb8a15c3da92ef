// SPDX-License-Identifier: GPL-2.0-only
/* The shared part of the PCI bus and virtio-pci tests (vpci_harness.h). */
#include "vpci_harness.h"

/* --- test doubles ---------------------------------------------------------- */

struct hv_backend_page page;
bool bound;
uint64_t posted_notify, posted_changed;
unsigned int notify_posts, changed_posts;

struct hv_backend_page *backend_page(struct domain *d)
{
	(void)d;
	return bound ? &page : NULL;
}

void backend_post_notify(struct domain *d, uint64_t bits)
{
	(void)d;
	posted_notify |= bits;
	notify_posts++;
}

void backend_post_changed(struct domain *d, uint64_t bits)
{
	(void)d;
	posted_changed |= bits;
	changed_posts++;
}

struct msi_record msis[MAX_MSIS];
unsigned int nr_msis;

void arch_msi_deliver(struct domain *d, uint64_t address, uint32_t data)
{
	(void)d;
	ck_assert_uint_lt(nr_msis, MAX_MSIS);
	msis[nr_msis].address = address;
	msis[nr_msis].data = data;
	nr_msis++;
}


struct domain dom;

int64_t add_device(uint32_t type, uint32_t nr_queues, uint64_t features)
{
	struct hv_device_add add;
	uint64_t capacity = 2048;

	memset(&add, 0, sizeof(add));
	add.domid = 1;
	add.type = type;
	add.nr_queues = nr_queues;
	add.queue_size = QUEUE_MAX;
	add.features = features;
	add.config_len = 8;
	memcpy(add.config, &capacity, 8);
	return virtio_pci_add(d, &add);
}

void vpci_setup(void)
{
	memset(&dom, 0, sizeof(dom));
	memset(&page, 0, sizeof(page));
	dom.id = 1;
	dom.nr_vcpus = 2;
	dom.ram_bytes = 64ULL << 20;
	bound = false;
	posted_notify = posted_changed = 0;
	notify_posts = changed_posts = 0;
	nr_msis = 0;
	ck_assert_int_eq(add_device(HV_VIRTIO_BLK, 2, FEATURES), 0);
}

