/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The platform a customer domain (domU) sees: the few I/O ports and the
 * boot conventions the hypervisor defines.  Shared by the hypervisor, the
 * guest test kernels (tests/guests/) and, later, the ACPI tables it builds.
 * Documented in docs/domu-platform.md.
 */
#ifndef HV_PUBLIC_HVPLATFORM_H
#define HV_PUBLIC_HVPLATFORM_H

/* The virtual 16550 UART: the domain's console, on IOAPIC pin 4. */
#define HVP_UART_PORT		0x3f8
#define HVP_UART_PORTS		8
#define HVP_UART_GSI		4

/*
 * The ACPI Generic Event Device's interrupt: the hypervisor raises it to
 * press the domain's power button (a graceful shutdown request).
 */
#define HVP_GED_GSI		9

/* The virtual IOAPIC: 24 pins (GSIs 0-23), its register page here. */
#define HVP_IOAPIC_BASE		0xfec00000ULL
#define HVP_IOAPIC_PINS		24
/* The local APICs' xAPIC base, reported in the MADT (x2APIC is used). */
#define HVP_LAPIC_BASE		0xfee00000ULL

/*
 * PCI (docs/virtio.md): bus 0 only, configuration mechanism #1 at ports
 * 0xcf8 (address) and 0xcfc-0xcff (data).  00:00.0 is the host bridge;
 * device index i (HVCALL_DEVICE_ADD) is the virtio function 00:(i+1).0.
 * The hypervisor places each device's BARs before the guest starts, as
 * firmware would, inside the host bridge's windows (the DSDT's _CRS):
 *   BAR0: memory, HVP_VIRTIO_BAR0_SIZE bytes at HVP_PCI_MMIO_BASE + i *
 *         HVP_VIRTIO_BAR0_SIZE: common configuration, ISR, device
 *         configuration, MSI-X table and PBA (the HVP_VIRTIO_*_OFFSET).
 *   BAR2: I/O, HVP_VIRTIO_BAR2_SIZE ports at HVP_PCI_IO_BASE + i *
 *         HVP_VIRTIO_BAR2_SIZE: queue q's notify is a 16-bit OUT at port
 *         base + q * HVP_VIRTIO_NOTIFY_MULTIPLIER.
 * A guest may move them within the windows; anything outside reads as
 * all-ones.  A domain's RAM never reaches them: see the RAM layout below.
 */
#define HVP_PCI_CONFIG_ADDRESS	0xcf8
#define HVP_PCI_CONFIG_DATA	0xcfc
#define HVP_PCI_MMIO_BASE	0xfe000000ULL
#define HVP_PCI_MMIO_SIZE	0x00c00000ULL	/* up to the IOAPIC */
#define HVP_PCI_IO_BASE		0xc000
#define HVP_PCI_IO_SIZE		0x1000
#define HVP_VIRTIO_BAR0_SIZE	0x4000
#define HVP_VIRTIO_BAR2_SIZE	0x20
#define HVP_VIRTIO_COMMON_OFFSET 0x0000
#define HVP_VIRTIO_ISR_OFFSET	0x1000
#define HVP_VIRTIO_DEVICE_OFFSET 0x2000
#define HVP_VIRTIO_MSIX_OFFSET	0x3000	/* the table, 16 bytes an entry */
#define HVP_VIRTIO_PBA_OFFSET	0x3800
#define HVP_VIRTIO_NOTIFY_MULTIPLIER 2

/*
 * A domain's RAM, the PC's layout: its first HVP_RAM_LOW_TOP bytes at
 * guest-physical 0 up to HVP_RAM_LOW_TOP, the rest from HVP_RAM_HIGH_BASE
 * (4 GiB) up.  Between the two is the MMIO hole: the PCI window, the IOAPIC
 * and the LAPIC, with room for them to grow.  Byte `offset` of a domain's
 * RAM is at guest-physical hvp_ram_gpa(offset); the boot data, kernel and
 * initrd go in the low part, hvp_ram_low_bytes(ram_bytes) long.
 */
#define HVP_RAM_LOW_TOP		0xc0000000ULL	/* 3 GiB */
#define HVP_RAM_HIGH_BASE	0x100000000ULL	/* 4 GiB */

#ifndef __ASSEMBLER__
static inline unsigned long long hvp_ram_gpa(unsigned long long offset)
{
	return offset < HVP_RAM_LOW_TOP ? offset :
	       offset - HVP_RAM_LOW_TOP + HVP_RAM_HIGH_BASE;
}

static inline unsigned long long hvp_ram_low_bytes(unsigned long long ram_bytes)
{
	return ram_bytes < HVP_RAM_LOW_TOP ? ram_bytes : HVP_RAM_LOW_TOP;
}
#endif

/*
 * The virtio-pci common configuration structure at HVP_VIRTIO_COMMON_OFFSET
 * (virtio 1.2, 4.1.4.3): byte offsets of its registers, each accessed at
 * its natural width (the 64-bit queue addresses as two 32-bit halves).
 */
#define HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT	0x00	/* 32 bits */
#define HVP_VIRTIO_CC_DEVICE_FEATURE		0x04	/* 32, read-only */
#define HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT	0x08	/* 32 */
#define HVP_VIRTIO_CC_DRIVER_FEATURE		0x0c	/* 32 */
#define HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR	0x10	/* 16 */
#define HVP_VIRTIO_CC_NUM_QUEUES		0x12	/* 16, read-only */
#define HVP_VIRTIO_CC_DEVICE_STATUS		0x14	/* 8 */
#define HVP_VIRTIO_CC_CONFIG_GENERATION		0x15	/* 8, read-only */
#define HVP_VIRTIO_CC_QUEUE_SELECT		0x16	/* 16 */
#define HVP_VIRTIO_CC_QUEUE_SIZE		0x18	/* 16 */
#define HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR		0x1a	/* 16 */
#define HVP_VIRTIO_CC_QUEUE_ENABLE		0x1c	/* 16 */
#define HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF		0x1e	/* 16, read-only */
#define HVP_VIRTIO_CC_QUEUE_DESC		0x20	/* 2 x 32 */
#define HVP_VIRTIO_CC_QUEUE_DRIVER		0x28	/* 2 x 32 */
#define HVP_VIRTIO_CC_QUEUE_DEVICE		0x30	/* 2 x 32 */
#define HVP_VIRTIO_CC_END			0x38

/* Device status bits (virtio 1.2, 2.1) and "no MSI-X vector" (4.1.5.1.2). */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64
#define VIRTIO_STATUS_FAILED		128
#define VIRTIO_MSI_NO_VECTOR		0xffff

/*
 * Guest-physical layout of what the hypervisor writes into a domain before
 * it starts (the rest of RAM is the kernel's).  Below 1 MiB:
 *   0x01000  PVH start info, memory map;   0x02000  the command line
 *   0x03000  Linux zero page;              0x04000  Linux boot GDT
 *   0x05000  Linux boot page tables (PML4, PDPT, four PDs: 0-4 GiB)
 *   0xe0000  ACPI tables, RSDP first (e820: reserved 0xa0000-0xfffff)
 * Kernels and initrds go at or above HVP_LOAD_MIN.
 */
#define HVP_START_INFO		0x1000
#define HVP_MEMMAP		0x1100
#define HVP_CMDLINE		0x2000
#define HVP_CMDLINE_MAX		0x1000
#define HVP_LINUX_ZERO_PAGE	0x3000
#define HVP_LINUX_GDT		0x4000
#define HVP_LINUX_PML4		0x5000
#define HVP_LINUX_PDPT		0x6000
#define HVP_LINUX_PD		0x7000
#define HVP_LEGACY_HOLE		0xa0000
#define HVP_ACPI_BASE		0xe0000
#define HVP_ACPI_MAX		0x10000
#define HVP_LOAD_MIN		0x100000

/*
 * ACPI hardware-reduced sleep control register (one byte).  Writing
 * SLP_EN | SLP_TYP(5) = 0x34 powers the domain off.
 */
#define HVP_SLEEP_CONTROL_PORT	0x600
#define HVP_SLEEP_EN		0x20
#define HVP_SLEEP_TYP_S5	(5 << 2)
#define HVP_SLEEP_POWEROFF	(HVP_SLEEP_EN | HVP_SLEEP_TYP_S5)

/* ACPI hardware-reduced sleep status register (one byte, reads 0). */
#define HVP_SLEEP_STATUS_PORT	0x601

/* ACPI reset register (one byte): writing HVP_RESET_VALUE reboots. */
#define HVP_RESET_PORT		0x604
#define HVP_RESET_VALUE		0x01

/*
 * The PC's reset vector, real-mode f000:fff0, in the reserved BIOS area:
 * a domain has no BIOS, so it holds a stub that writes the reset register.
 * Linux on a hardware-reduced ACPI platform reboots through EFI, and with
 * no EFI falls back to jumping here, as it would to a BIOS.
 */
#define HVP_RESET_VECTOR	0xffff0

/*
 * PVH boot (Xen's convention, which Linux and our test kernels follow):
 * the kernel is an ELF whose note XEN_ELFNOTE_PHYS32_ENTRY gives a 32-bit
 * entry point, entered in flat 32-bit protected mode with paging off and
 * EBX = the guest-physical address of a struct hvm_start_info.
 */
#define HVP_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC		0x336ec578

#ifndef __ASSEMBLER__
#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

struct hvm_start_info {
	uint32_t magic;			/* HVM_START_MAGIC */
	uint32_t version;		/* 1: has the memory map */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;		/* NUL-terminated */
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* struct hvm_memmap_table_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* e820 type: 1 = RAM */
	uint32_t reserved;
};
#endif

#endif
