// SPDX-License-Identifier: GPL-2.0-only
/*
 * A customer domain's ACPI tables (see hv/acpi_build.h).
 *
 * The DSDT is AML, written here byte by byte from the ACPI 6.4
 * specification, chapter 20 (the opcodes) and 6.4 (resource descriptors).
 * The namespace it defines, in ASL:
 *
 *     Name (\_S5, Package () { 5, 5, 0, 0 })
 *     Scope (\_SB) {
 *         Device (COM1) {
 *             Name (_HID, EisaId ("PNP0501"))
 *             Name (_UID, 0)
 *             Name (_CRS, ResourceTemplate () {
 *                 IO (Decode16, 0x3F8, 0x3F8, 1, 8)
 *                 IRQNoFlags () { 4 }
 *             })
 *         }
 *         Device (PWRB) {
 *             Name (_HID, EisaId ("PNP0C0C"))
 *         }
 *         Device (GED0) {
 *             Name (_HID, "ACPI0013")
 *             Name (_CRS, ResourceTemplate () {
 *                 Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { 9 }
 *             })
 *             Method (_EVT, 1) {
 *                 If (Arg0 == 9) { Notify (PWRB, 0x80) }
 *             }
 *         }
 *         Device (PCI0) {
 *             Name (_HID, EisaId ("PNP0A08"))
 *             Name (_CID, EisaId ("PNP0A03"))
 *             Name (_SEG, 0)
 *             Name (_BBN, 0)
 *             Name (_UID, 0)
 *             Name (_CRS, ResourceTemplate () {
 *                 WordBusNumber (ResourceProducer, MinFixed, MaxFixed,
 *                                PosDecode, 0, 0, 0, 0, 1)
 *                 IO (Decode16, 0xCF8, 0xCF8, 1, 8)
 *                 WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode,
 *                         EntireRange, 0, 0xC000, 0xCFFF, 0, 0x1000)
 *                 DWordMemory (ResourceProducer, PosDecode, MinFixed,
 *                              MaxFixed, NonCacheable, ReadWrite, 0,
 *                              0xFE000000, 0xFEBFFFFF, 0, 0xC00000)
 *             })
 *         }
 *     }
 * PCI0 is the host bridge of bus 0 (hvplatform.h, HVP_PCI_*; common/vpci.c):
 * Linux scans only the roots the DSDT declares.  Its windows are where the
 * virtio BARs live; there is no _PRT, as the devices have no INTx.
 */
#include <public/hvplatform.h>
#include <asm/acpi_build.h>
#include <asm/acpi_defs.h>
#include <lib/string.h>

/* The FADT of ACPI 6.0 and later (revision 6): 276 bytes. */
struct fadt {
	struct sdt_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t legacy[57];		/* ACPI_ENABLE .. CENTURY: unused */
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_legacy[8];	/* X_PM1a_EVT_BLK .. X_GPE1_BLK */
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __packed;

_Static_assert(sizeof(struct fadt) == 276, "FADT layout");
_Static_assert(sizeof(struct rsdp) == 36, "RSDP layout");

#define FADT_RESET_REG_SUP		(1U << 10)
#define FADT_HW_REDUCED_ACPI		(1U << 20)
#define FADT_APIC_PHYSICAL_DEST		(1U << 19)
#define BOOT_ARCH_NO_VGA		(1U << 2)
#define BOOT_ARCH_NO_CMOS_RTC		(1U << 5)

/* MADT entries. */
struct madt_lapic {
	uint8_t type, length, processor_uid, apic_id;
	uint32_t flags;
} __packed;

struct madt_ioapic {
	uint8_t type, length, ioapic_id, reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

#define OEM_ID		"APPLHV"
#define OEM_TABLE_ID	"DOMU    "

/* Where each table goes, as offsets from the base (RSDP first). */
#define OFF_XSDT	0x040
#define OFF_FADT	0x080
#define OFF_MADT	0x200
#define OFF_DSDT	0x400

/* --- AML ------------------------------------------------------------------ */

#define AML_ZERO		0x00
#define AML_NAME		0x08
#define AML_BYTE		0x0a
#define AML_DWORD		0x0c
#define AML_STRING		0x0d
#define AML_SCOPE		0x10
#define AML_BUFFER		0x11
#define AML_PACKAGE		0x12
#define AML_METHOD		0x14
#define AML_ROOT		0x5c
#define AML_EXT			0x5b
#define AML_EXT_DEVICE		0x82
#define AML_ARG0		0x68
#define AML_NOTIFY		0x86
#define AML_LEQUAL		0x93
#define AML_IF			0xa0

/* A growing byte string; overflow is remembered, not written past. */
struct aml {
	uint8_t b[1024];
	size_t len;
	bool overflow;
};

static void put(struct aml *a, const void *p, size_t n)
{
	if (a->len + n > sizeof(a->b)) {
		a->overflow = true;
		return;
	}
	memcpy(a->b + a->len, p, n);
	a->len += n;
}

static void put1(struct aml *a, uint8_t x)
{
	put(a, &x, 1);
}

/* A PkgLength (20.2.4) for a body of n bytes: it counts its own bytes. */
static void put_pkglength(struct aml *a, size_t n)
{
	if (n + 1 < 0x40) {
		put1(a, (uint8_t)(n + 1));
	} else if (n + 2 < 0x1000) {
		put1(a, (uint8_t)(0x40 | ((n + 2) & 0xf)));
		put1(a, (uint8_t)((n + 2) >> 4));
	} else {
		a->overflow = true;
	}
}

/* opcode(s), PkgLength, then the body (AML already built). */
static void put_pkg(struct aml *a, const uint8_t *op, size_t oplen,
		    const struct aml *body)
{
	put(a, op, oplen);
	put_pkglength(a, body->len);
	put(a, body->b, body->len);
	a->overflow |= body->overflow;
}

static void put_name_dword(struct aml *a, const char *name, uint32_t value)
{
	put1(a, AML_NAME);
	put(a, name, 4);
	put1(a, AML_DWORD);
	put(a, &value, 4);
}

/* Name (NAME, Buffer () { bytes }) */
static void put_name_buffer(struct aml *a, const char *name,
			    const uint8_t *bytes, uint8_t n)
{
	struct aml body = { .len = 0 };
	uint8_t op = AML_BUFFER;

	put1(&body, AML_BYTE);
	put1(&body, n);
	put(&body, bytes, n);
	put1(a, AML_NAME);
	put(a, name, 4);
	put_pkg(a, &op, 1, &body);
}

/* Device (NAME) { body } */
static void put_device(struct aml *a, const char *name, const struct aml *body)
{
	static const uint8_t op[] = { AML_EXT, AML_EXT_DEVICE };
	struct aml dev = { .len = 0 };

	put(&dev, name, 4);
	put(&dev, body->b, body->len);
	dev.overflow = body->overflow;
	put_pkg(a, op, sizeof(op), &dev);
}

/* EisaId ("PNP0501") as AML stores it: compressed vendor, product. */
#define EISA_ID(product)	(0x0000d041U | ((uint32_t)(product) >> 8 << 16) | \
				 ((uint32_t)(product) & 0xff) << 24)

/* Resource descriptors of the host bridge's _CRS (ACPI 6.4, 6.4.3.5). */
#define RES_WORD_ADDRESS	0x88
#define RES_DWORD_ADDRESS	0x87
#define RES_IO			0x47
#define RES_END			0x79
#define RES_TYPE_MEMORY		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
#define RES_PRODUCER_FIXED	0x0c	/* MinFixed, MaxFixed, PosDecode */
#define RES_IO_ENTIRE_RANGE	0x03
#define RES_MEM_READ_WRITE	0x01	/* non-cacheable */

static void put2(struct aml *a, uint16_t x)
{
	put(a, &x, 2);
}

static void put4(struct aml *a, uint32_t x)
{
	put(a, &x, 4);
}

/* A Word Address Space Descriptor: [min, min + len) of one type. */
static void put_word_range(struct aml *a, uint8_t type, uint8_t type_flags,
			   uint16_t min, uint16_t len)
{
	put1(a, RES_WORD_ADDRESS);
	put2(a, 13);
	put1(a, type);
	put1(a, RES_PRODUCER_FIXED);
	put1(a, type_flags);
	put2(a, 0);				/* granularity */
	put2(a, min);
	put2(a, (uint16_t)(min + len - 1));	/* max */
	put2(a, 0);				/* translation */
	put2(a, len);
}

static void pci_host_bridge_crs(struct aml *crs)
{
	put_word_range(crs, RES_TYPE_BUS, 0, 0, 1);
	/* The configuration ports, which the bridge itself uses. */
	put1(crs, RES_IO);
	put1(crs, 0x01);			/* 16-bit decode */
	put2(crs, HVP_PCI_CONFIG_ADDRESS);
	put2(crs, HVP_PCI_CONFIG_ADDRESS);
	put1(crs, 1);				/* alignment */
	put1(crs, 8);				/* length */
	put_word_range(crs, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, HVP_PCI_IO_BASE,
		       HVP_PCI_IO_SIZE);
	put1(crs, RES_DWORD_ADDRESS);
	put2(crs, 23);
	put1(crs, RES_TYPE_MEMORY);
	put1(crs, RES_PRODUCER_FIXED);
	put1(crs, RES_MEM_READ_WRITE);
	put4(crs, 0);				/* granularity */
	put4(crs, (uint32_t)HVP_PCI_MMIO_BASE);
	put4(crs, (uint32_t)(HVP_PCI_MMIO_BASE + HVP_PCI_MMIO_SIZE - 1));
	put4(crs, 0);				/* translation */
	put4(crs, (uint32_t)HVP_PCI_MMIO_SIZE);
	put1(crs, RES_END);
	put1(crs, 0);
}

/* Name (NAME, Zero) */
static void put_name_zero(struct aml *a, const char *name)
{
	put1(a, AML_NAME);
	put(a, name, 4);
	put1(a, AML_ZERO);
}

static void build_dsdt_body(struct aml *a)
{
	static const uint8_t s5[] = { AML_NAME, '_', 'S', '5', '_',
		AML_PACKAGE, 8, 4, AML_BYTE, 5, AML_BYTE, 5, AML_ZERO, AML_ZERO };
	static const uint8_t uart_crs[] = {
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,	/* IO */
		0x22, 1 << HVP_UART_GSI, 0x00,			/* IRQNoFlags */
		0x79, 0x00,					/* end */
	};
	static const uint8_t ged_crs[] = {
		/* Extended Interrupt: consumer, edge, active high, one GSI */
		0x89, 0x06, 0x00, 0x03, 0x01, HVP_GED_GSI, 0x00, 0x00, 0x00,
		0x79, 0x00,
	};
	static const uint8_t evt_if_body[] = {
		AML_LEQUAL, AML_ARG0, AML_BYTE, HVP_GED_GSI,		/* predicate */
		AML_NOTIFY, 'P', 'W', 'R', 'B', AML_BYTE, 0x80,
	};
	static const uint8_t root_sb[] = { AML_ROOT, '_', 'S', 'B', '_' };
	struct aml sb = { .len = 0 }, dev, tmp, method;
	uint8_t op;

	put(a, s5, sizeof(s5));
	put(&sb, root_sb, sizeof(root_sb));

	dev = (struct aml){ .len = 0 };
	put_name_dword(&dev, "_HID", EISA_ID(0x0501));
	put1(&dev, AML_NAME);
	put(&dev, "_UID", 4);
	put1(&dev, AML_ZERO);
	put_name_buffer(&dev, "_CRS", uart_crs, sizeof(uart_crs));
	put_device(&sb, "COM1", &dev);

	dev = (struct aml){ .len = 0 };
	put_name_dword(&dev, "_HID", EISA_ID(0x0c0c));
	put_device(&sb, "PWRB", &dev);

	dev = (struct aml){ .len = 0 };
	put1(&dev, AML_NAME);
	put(&dev, "_HID", 4);
	put1(&dev, AML_STRING);
	put(&dev, "ACPI0013", 9);		/* with its NUL */
	put_name_buffer(&dev, "_CRS", ged_crs, sizeof(ged_crs));
	tmp = (struct aml){ .len = 0 };
	put(&tmp, evt_if_body, sizeof(evt_if_body));
	method = (struct aml){ .len = 0 };
	put(&method, "_EVT", 4);
	put1(&method, 1);			/* one argument, not serialized */
	op = AML_IF;
	put_pkg(&method, &op, 1, &tmp);
	op = AML_METHOD;
	put_pkg(&dev, &op, 1, &method);
	put_device(&sb, "GED0", &dev);

	dev = (struct aml){ .len = 0 };
	put_name_dword(&dev, "_HID", EISA_ID(0x0a08));
	put_name_dword(&dev, "_CID", EISA_ID(0x0a03));
	put_name_zero(&dev, "_SEG");
	put_name_zero(&dev, "_BBN");
	put_name_zero(&dev, "_UID");
	tmp = (struct aml){ .len = 0 };
	pci_host_bridge_crs(&tmp);
	put_name_buffer(&dev, "_CRS", tmp.b, (uint8_t)tmp.len);
	put_device(&sb, "PCI0", &dev);

	op = AML_SCOPE;
	put_pkg(a, &op, 1, &sb);
}

/* --- tables --------------------------------------------------------------- */

static uint8_t checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return (uint8_t)-sum;
}

static void header(struct sdt_header *h, const char *sig, uint32_t length,
		   uint8_t revision)
{
	memcpy(h->signature, sig, 4);
	h->length = length;
	h->revision = revision;
	memcpy(h->oem_id, OEM_ID, 6);
	memcpy(h->oem_table_id, OEM_TABLE_ID, 8);
	h->oem_revision = 1;
	memcpy(&h->creator_id, "AHV ", 4);
	h->creator_revision = 1;
	h->checksum = 0;
	h->checksum = checksum(h, length);
}

static struct acpi_gas io_gas(uint16_t port)
{
	return (struct acpi_gas){ ACPI_GAS_IO, 8, 0, 1, port };
}

size_t acpi_build_tables(uint8_t *buf, size_t size, uint64_t base,
			 unsigned int nr_vcpus)
{
	struct aml dsdt_body = { .len = 0 };
	size_t madt_len = sizeof(struct madt) +
			  nr_vcpus * sizeof(struct madt_lapic) +
			  sizeof(struct madt_ioapic);
	size_t total;
	struct rsdp *rsdp = (struct rsdp *)buf;
	struct sdt_header *xsdt = (struct sdt_header *)(buf + OFF_XSDT);
	struct fadt *fadt = (struct fadt *)(buf + OFF_FADT);
	struct madt *madt = (struct madt *)(buf + OFF_MADT);
	struct sdt_header *dsdt = (struct sdt_header *)(buf + OFF_DSDT);
	uint64_t xsdt_entries[2] = { base + OFF_FADT, base + OFF_MADT };
	uint8_t *p;
	unsigned int i;

	build_dsdt_body(&dsdt_body);
	total = OFF_DSDT + sizeof(*dsdt) + dsdt_body.len;
	if (nr_vcpus == 0 || dsdt_body.overflow || total > size ||
	    OFF_MADT + madt_len > OFF_DSDT)
		return 0;
	memset(buf, 0, total);

	memcpy(buf + OFF_DSDT + sizeof(*dsdt), dsdt_body.b, dsdt_body.len);
	header(dsdt, "DSDT", (uint32_t)(sizeof(*dsdt) + dsdt_body.len), 2);

	madt->lapic_address = (uint32_t)HVP_LAPIC_BASE;
	madt->flags = 0;			/* no 8259 PICs */
	p = (uint8_t *)(madt + 1);
	for (i = 0; i < nr_vcpus; i++) {
		struct madt_lapic e = { MADT_LAPIC, sizeof(e), (uint8_t)i,
					(uint8_t)i, MADT_ENABLED };

		memcpy(p, &e, sizeof(e));
		p += sizeof(e);
	}
	{
		struct madt_ioapic e = { MADT_IOAPIC, sizeof(e),
					 (uint8_t)nr_vcpus, 0,
					 (uint32_t)HVP_IOAPIC_BASE, 0 };

		memcpy(p, &e, sizeof(e));
	}
	header(&madt->h, "APIC", (uint32_t)madt_len, 5);

	fadt->dsdt = (uint32_t)(base + OFF_DSDT);
	fadt->x_dsdt = base + OFF_DSDT;
	fadt->flags = FADT_HW_REDUCED_ACPI | FADT_RESET_REG_SUP |
		      FADT_APIC_PHYSICAL_DEST;
	fadt->iapc_boot_arch = BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC;
	fadt->reset_reg = io_gas(HVP_RESET_PORT);
	fadt->reset_value = HVP_RESET_VALUE;
	fadt->sleep_control_reg = io_gas(HVP_SLEEP_CONTROL_PORT);
	fadt->sleep_status_reg = io_gas(HVP_SLEEP_STATUS_PORT);
	memcpy(&fadt->hypervisor_vendor_id, "APPLHV\0\0", 8);
	header(&fadt->h, "FACP", sizeof(*fadt), 6);

	memcpy(buf + OFF_XSDT + sizeof(*xsdt), xsdt_entries, sizeof(xsdt_entries));
	header(xsdt, "XSDT", sizeof(*xsdt) + sizeof(xsdt_entries), 1);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, OEM_ID, 6);
	rsdp->revision = 2;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = base + OFF_XSDT;
	rsdp->checksum = checksum(rsdp, 20);
	rsdp->extended_checksum = checksum(rsdp, sizeof(*rsdp));
	return total;
}
