// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for hypervisor/arch/x86/acpi_build.c, a customer domain's
 * ACPI tables.  Checked: every checksum, the pointers from the RSDP down
 * (as guest-physical addresses from the base), the FADT's hardware-reduced
 * flags and registers, one MADT local APIC entry per vCPU plus the IOAPIC,
 * and that the DSDT's AML is well formed where a parser would look first
 * (the \_SB scope's PkgLength ends exactly at the end of the table, and
 * the names the platform promises are there, the PCI host bridge with its
 * exact _CRS).  Refusals: no vCPUs, a
 * buffer too small.
 */
#include <string.h>
#include <check.h>

#include <public/hvplatform.h>
#include <asm/acpi_build.h>
#include <asm/acpi_defs.h>

#include "suites.h"

#define BASE 0xe0000ULL

static uint8_t buf[ACPI_BUILD_MAX];

static uint8_t sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

/* The table at guest-physical address gpa, inside buf. */
static const struct sdt_header *at(uint64_t gpa, size_t used)
{
	ck_assert_uint_ge(gpa, BASE);
	ck_assert_uint_lt(gpa - BASE + sizeof(struct sdt_header), used + 1);
	return (const struct sdt_header *)(buf + (gpa - BASE));
}

static bool contains(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (!memcmp(p + i, s, k))
			return true;
	return false;
}

START_TEST(tables_chain_and_checksums)
{
	size_t used = acpi_build_tables(buf, sizeof(buf), BASE, 3);
	const struct rsdp *r = (const struct rsdp *)buf;
	const struct sdt_header *xsdt, *fadt, *madt, *dsdt;
	uint64_t entries[2];
	uint32_t dsdt32;
	uint64_t x_dsdt;

	ck_assert_uint_gt(used, 0);
	ck_assert(!memcmp(r->signature, "RSD PTR ", 8));
	ck_assert_uint_eq(sum(r, 20), 0);
	ck_assert_uint_eq(sum(r, sizeof(*r)), 0);
	ck_assert_uint_eq(r->revision, 2);

	xsdt = at(r->xsdt_address, used);
	ck_assert(!memcmp(xsdt->signature, "XSDT", 4));
	ck_assert_uint_eq(sum(xsdt, xsdt->length), 0);
	ck_assert_uint_eq(xsdt->length, sizeof(*xsdt) + 16);
	memcpy(entries, xsdt + 1, sizeof(entries));
	fadt = at(entries[0], used);
	madt = at(entries[1], used);
	ck_assert(!memcmp(fadt->signature, "FACP", 4));
	ck_assert(!memcmp(madt->signature, "APIC", 4));
	ck_assert_uint_eq(fadt->length, 276);
	ck_assert_uint_eq(sum(fadt, fadt->length), 0);
	ck_assert_uint_eq(sum(madt, madt->length), 0);

	memcpy(&dsdt32, (const uint8_t *)fadt + 40, 4);
	memcpy(&x_dsdt, (const uint8_t *)fadt + 140, 8);
	ck_assert_uint_eq(dsdt32, x_dsdt);
	dsdt = at(x_dsdt, used);
	ck_assert(!memcmp(dsdt->signature, "DSDT", 4));
	ck_assert_uint_eq(sum(dsdt, dsdt->length), 0);
	ck_assert_uint_eq((const uint8_t *)dsdt - buf + dsdt->length, used);
}
END_TEST

START_TEST(fadt_is_hardware_reduced_with_sleep_and_reset)
{
	size_t used = acpi_build_tables(buf, sizeof(buf), BASE, 1);
	const uint8_t *f;
	uint64_t entries[2];
	uint32_t flags;
	struct acpi_gas reset, sleep_ctl, sleep_sts;

	ck_assert_uint_gt(used, 0);
	memcpy(entries, buf + ((const struct rsdp *)buf)->xsdt_address - BASE +
	       sizeof(struct sdt_header), sizeof(entries));
	f = (const uint8_t *)at(entries[0], used);
	memcpy(&flags, f + 112, 4);
	ck_assert(flags & (1U << 20));		/* HW_REDUCED_ACPI */
	ck_assert(flags & (1U << 10));		/* RESET_REG_SUP */
	memcpy(&reset, f + 116, sizeof(reset));
	ck_assert_uint_eq(reset.space_id, ACPI_GAS_IO);
	ck_assert_uint_eq(reset.address, HVP_RESET_PORT);
	ck_assert_uint_eq(f[128], HVP_RESET_VALUE);
	memcpy(&sleep_ctl, f + 244, sizeof(sleep_ctl));
	memcpy(&sleep_sts, f + 256, sizeof(sleep_sts));
	ck_assert_uint_eq(sleep_ctl.address, HVP_SLEEP_CONTROL_PORT);
	ck_assert_uint_eq(sleep_ctl.bit_width, 8);
	ck_assert_uint_eq(sleep_sts.address, HVP_SLEEP_STATUS_PORT);
}
END_TEST

START_TEST(madt_has_one_lapic_per_vcpu_and_the_ioapic)
{
	unsigned int n = (unsigned int)_i, lapics = 0, ioapics = 0;
	size_t used = acpi_build_tables(buf, sizeof(buf), BASE, n);
	uint64_t entries[2];
	const struct madt *m;
	const uint8_t *p, *end;

	ck_assert_uint_gt(used, 0);
	memcpy(entries, buf + ((const struct rsdp *)buf)->xsdt_address - BASE +
	       sizeof(struct sdt_header), sizeof(entries));
	m = (const struct madt *)at(entries[1], used);
	ck_assert_uint_eq(m->lapic_address, HVP_LAPIC_BASE);
	ck_assert_uint_eq(m->flags, 0);		/* no PC-AT PICs */
	p = (const uint8_t *)(m + 1);
	end = (const uint8_t *)m + m->h.length;
	while (p < end) {
		ck_assert_uint_ge(p[1], 2);
		if (p[0] == MADT_LAPIC) {
			ck_assert_uint_eq(p[1], 8);
			ck_assert_uint_eq(p[3], lapics);	/* APIC ID */
			ck_assert_uint_eq(p[4] & MADT_ENABLED, 1);
			lapics++;
		} else if (p[0] == MADT_IOAPIC) {
			uint32_t addr, gsi;

			memcpy(&addr, p + 4, 4);
			memcpy(&gsi, p + 8, 4);
			ck_assert_uint_eq(addr, HVP_IOAPIC_BASE);
			ck_assert_uint_eq(gsi, 0);
			ck_assert_uint_ge(p[2], n);	/* no clash with APIC IDs */
			ioapics++;
		}
		p += p[1];
	}
	ck_assert(p == end);
	ck_assert_uint_eq(lapics, n);
	ck_assert_uint_eq(ioapics, 1);
}
END_TEST

START_TEST(dsdt_aml_is_well_formed)
{
	size_t used = acpi_build_tables(buf, sizeof(buf), BASE, 2);
	uint64_t entries[2];
	uint64_t x_dsdt;
	const struct sdt_header *d;
	const uint8_t *aml, *p, *end;
	size_t len;

	ck_assert_uint_gt(used, 0);
	memcpy(entries, buf + ((const struct rsdp *)buf)->xsdt_address - BASE +
	       sizeof(struct sdt_header), sizeof(entries));
	memcpy(&x_dsdt, (const uint8_t *)at(entries[0], used) + 140, 8);
	d = at(x_dsdt, used);
	aml = (const uint8_t *)(d + 1);
	end = (const uint8_t *)d + d->length;
	/* Name (_S5_, Package (4) {...}) first, 14 bytes, then the scope. */
	ck_assert_uint_eq(aml[0], 0x08);
	ck_assert(!memcmp(aml + 1, "_S5_", 4));
	p = aml + 14;
	ck_assert_uint_eq(p[0], 0x10);			/* ScopeOp */
	if ((p[1] >> 6) == 0) {
		len = p[1];
	} else {
		ck_assert_uint_eq(p[1] >> 6, 1);
		len = (p[1] & 0xf) | ((size_t)p[2] << 4);
	}
	ck_assert(p + 1 + len == end);
	ck_assert(contains(aml, (size_t)(end - aml), "\\_SB_"));
	ck_assert(contains(aml, (size_t)(end - aml), "COM1"));
	ck_assert(contains(aml, (size_t)(end - aml), "PWRB"));
	ck_assert(contains(aml, (size_t)(end - aml), "ACPI0013"));
	ck_assert(contains(aml, (size_t)(end - aml), "_EVT"));
}
END_TEST

/* Where bytes n..n+k of needle first appear in p, or NULL. */
static const uint8_t *find(const uint8_t *p, size_t n, const void *needle,
			   size_t k)
{
	size_t i;

	for (i = 0; i + k <= n; i++)
		if (!memcmp(p + i, needle, k))
			return p + i;
	return NULL;
}

START_TEST(dsdt_has_the_pci_host_bridge)
{
	/* Hand-assembled from ACPI 6.4, 6.4.3.5, for the HVP_PCI_* layout. */
	static const uint8_t hid[] = { '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x08 };
	static const uint8_t cid[] = { '_', 'C', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
	static const uint8_t seg[] = { 0x08, '_', 'S', 'E', 'G', 0x00 };
	static const uint8_t bbn[] = { 0x08, '_', 'B', 'B', 'N', 0x00 };
	static const uint8_t crs[] = {
		0x08, '_', 'C', 'R', 'S', 0x11, 0x48, 0x04, 0x0a, 68,
		/* WordBusNumber: producer, fixed, 0-0, length 1 */
		0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
		/* IO (Decode16, 0xcf8, 0xcf8, 1, 8) */
		0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
		/* WordIO: 0xc000-0xcfff, entire range */
		0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0, 0, 0x00, 0xc0, 0xff, 0xcf,
		0, 0, 0x00, 0x10,
		/* DWordMemory: 0xfe000000-0xfebfffff, read-write */
		0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0, 0, 0, 0,
		0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xbf, 0xfe, 0, 0, 0, 0,
		0x00, 0x00, 0xc0, 0x00,
		0x79, 0x00,
	};
	size_t used = acpi_build_tables(buf, sizeof(buf), BASE, 2);
	const uint8_t *dsdt = buf + 0x400, *dev;
	size_t len;

	ck_assert_uint_gt(used, 0);
	ck_assert(!memcmp(dsdt, "DSDT", 4));
	len = ((const struct sdt_header *)dsdt)->length;
	dev = find(dsdt, len, "PCI0", 4);
	ck_assert_ptr_nonnull(dev);
	/* DeviceOp with a two-byte PkgLength right before the name. */
	ck_assert_uint_eq(dev[-4], 0x5b);
	ck_assert_uint_eq(dev[-3], 0x82);
	len -= (size_t)(dev - dsdt);
	ck_assert_ptr_nonnull(find(dev, len, hid, sizeof(hid)));
	ck_assert_ptr_nonnull(find(dev, len, cid, sizeof(cid)));
	ck_assert_ptr_nonnull(find(dev, len, seg, sizeof(seg)));
	ck_assert_ptr_nonnull(find(dev, len, bbn, sizeof(bbn)));
	ck_assert_ptr_nonnull(find(dev, len, crs, sizeof(crs)));
	/* Its PkgLength ends at the table's end: it is the last device. */
	ck_assert_uint_eq(((size_t)dev[-2] & 0xf) | (size_t)dev[-1] << 4, len + 2);
	/* No _PRT: there is no INTx. */
	ck_assert_ptr_null(find(dev, len, "_PRT", 4));
}
END_TEST

START_TEST(refusals)
{
	ck_assert_uint_eq(acpi_build_tables(buf, sizeof(buf), BASE, 0), 0);
	ck_assert_uint_eq(acpi_build_tables(buf, 512, BASE, 1), 0);
	ck_assert_uint_gt(acpi_build_tables(buf, sizeof(buf), BASE, 8), 0);
}
END_TEST

Suite *acpi_build_suite(void)
{
	Suite *s = suite_create("acpi_build");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, tables_chain_and_checksums);
	tcase_add_test(tc, fadt_is_hardware_reduced_with_sleep_and_reset);
	tcase_add_loop_test(tc, madt_has_one_lapic_per_vcpu_and_the_ioapic, 1, 9);
	tcase_add_test(tc, dsdt_aml_is_well_formed);
	tcase_add_test(tc, dsdt_has_the_pci_host_bridge);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	return s;
}
