// SPDX-License-Identifier: GPL-2.0-only
/*
 * MADT parsing (see hv/acpi.h).  Every table is checked for its signature,
 * length and checksum before use: firmware tables are input like any other.
 */
#include <asm/acpi.h>
#include <asm/acpi_defs.h>
#include <hv/console.h>
#include <lib/string.h>

/* The largest table we agree to read: MADTs are a few KiB. */
#define SDT_MAX_LENGTH		(1024 * 1024)

static bool checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

static const struct rsdp *rsdp_valid(const void *p)
{
	const struct rsdp *r = p;

	if (memcmp(r->signature, "RSD PTR ", 8) || !checksum_ok(r, 20))
		return NULL;
	if (r->revision >= 2 && !checksum_ok(r, sizeof(*r)))
		return NULL;
	return r;
}

static const struct rsdp *scan_bios_area(void)
{
	uint64_t a;

	for (a = 0xe0000; a < 0x100000; a += 16) {
		const struct rsdp *r = rsdp_valid((const void *)(uintptr_t)a);

		if (r)
			return r;
	}
	return NULL;
}

/* GRUB passes a copy of the RSDP; without one, search the BIOS area. */
static const struct rsdp *find_rsdp(const struct boot_info *bi)
{
	if (bi->acpi_rsdp && bi->acpi_rsdp_len >= 20)
		return rsdp_valid(bi->acpi_rsdp);
	return scan_bios_area();
}

static const struct madt *the_madt;
uint64_t acpi_ioapic_base[ACPI_MAX_IOAPICS];
unsigned int acpi_nr_ioapics;

uint64_t acpi_rsdp_address(void)
{
	return (uint64_t)(uintptr_t)scan_bios_area();
}

static const struct sdt_header *sdt_valid(uint64_t pa, const char *sig)
{
	const struct sdt_header *h = (const void *)(uintptr_t)pa;

	if (pa == 0 || memcmp(h->signature, sig, 4) ||
	    h->length < sizeof(*h) || h->length > SDT_MAX_LENGTH ||
	    !checksum_ok(h, h->length))
		return NULL;
	return h;
}

static const struct madt *find_madt(const struct rsdp *r)
{
	const struct sdt_header *root;
	size_t entry_size, n, i;
	bool xsdt = r->revision >= 2 && r->xsdt_address;

	root = xsdt ? sdt_valid(r->xsdt_address, "XSDT")
		    : sdt_valid(r->rsdt_address, "RSDT");
	if (!root)
		return NULL;
	entry_size = xsdt ? 8 : 4;
	n = (root->length - sizeof(*root)) / entry_size;
	for (i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * entry_size;
		uint64_t pa = 0;
		const struct sdt_header *t;

		memcpy(&pa, e, entry_size);
		t = sdt_valid(pa, "APIC");
		if (t && t->length >= sizeof(struct madt))
			return (const struct madt *)t;
	}
	return NULL;
}

unsigned int acpi_find_cpus(const struct boot_info *bi, uint32_t *apic_ids,
			    unsigned int max)
{
	const struct rsdp *r = find_rsdp(bi);
	const struct madt *m;
	const uint8_t *p, *end;
	unsigned int n = 0, skipped = 0;

	if (!r) {
		printk("acpi: no RSDP found\n");
		return 0;
	}
	m = find_madt(r);
	if (!m) {
		printk("acpi: no valid MADT\n");
		return 0;
	}
	the_madt = m;

	p = (const uint8_t *)(m + 1);
	end = (const uint8_t *)m + m->h.length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t id = UINT32_MAX, flags = 0;

		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			id = p[3];
			memcpy(&flags, p + 4, 4);
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
		}
		if (p[0] == MADT_IOAPIC && p[1] >= 12 &&
		    acpi_nr_ioapics < ACPI_MAX_IOAPICS) {
			uint32_t base;

			memcpy(&base, p + 4, 4);
			acpi_ioapic_base[acpi_nr_ioapics++] = base;
		}
		if (id != UINT32_MAX && (flags & MADT_ENABLED)) {
			if (n < max)
				apic_ids[n++] = id;
			else
				skipped++;
		}
		p += p[1];
	}
	if (skipped)
		printk("acpi: %u CPUs beyond the limit of %u are left off\n",
		       skipped, max);
	return n;
}

unsigned int acpi_madt_keep_only(uint32_t apic_id)
{
	struct madt *m = (struct madt *)the_madt;
	uint8_t *p, *end, sum = 0;
	unsigned int hidden = 0;
	uint32_t i;

	if (!m)
		return 0;
	p = (uint8_t *)(m + 1);
	end = (uint8_t *)m + m->h.length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t id = UINT32_MAX, zero = 0;
		unsigned int flags_off = 0;

		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			id = p[3];
			flags_off = 4;
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			flags_off = 8;
		}
		/* Flags 0: neither enabled nor online-capable. */
		if (flags_off && id != apic_id && memcmp(p + flags_off, &zero, 4)) {
			memcpy(p + flags_off, &zero, 4);
			hidden++;
		}
		p += p[1];
	}
	m->h.checksum = 0;
	for (i = 0; i < m->h.length; i++)
		sum += ((uint8_t *)m)[i];
	m->h.checksum = (uint8_t)-sum;
	return hidden;
}
