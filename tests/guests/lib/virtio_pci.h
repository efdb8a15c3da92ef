/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a guest test kernel needs to drive a virtio-pci device the way a
 * driver does: configuration mechanism #1, the registers of BAR0's common
 * configuration (virtio 1.2, 4.1.4.3) and their accessors.  BAR0 is used
 * where the hypervisor placed it (HVP_PCI_MMIO_BASE + i * BAR0 size),
 * reached through guest_mmio_window once virtio_map_window() has mapped
 * that 2 MiB uncached.  Header only (static inline), so that a test that
 * uses part of it pays nothing for the rest.
 */
#ifndef GUEST_VIRTIO_PCI_H
#define GUEST_VIRTIO_PCI_H

#include "guest.h"

#define VPCI_CFG_ADDR		0xcf8
#define VPCI_CFG_DATA		0xcfc

/* The common configuration's registers (HVP_VIRTIO_CC_*) and the status
 * bits (VIRTIO_STATUS_*) are hvplatform.h's. */

extern uint64_t pml4[];
extern volatile uint8_t guest_mmio_window[];	/* guest.lds: 1 GiB */

/* Maps HVP_PCI_MMIO_BASE's 2 MiB at guest_mmio_window, uncached; pd is a
 * page-aligned page directory of the caller's. */
static inline void virtio_map_window(uint64_t *pd)
{
	uint64_t *pdpt = (uint64_t *)(pml4[0] & ~0xfffULL);

	pd[0] = HVP_PCI_MMIO_BASE | 0x80 | 0x18 | 0x3;	/* 2 MiB, PCD|PWT */
	pdpt[1] = (uint64_t)pd | 0x3;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
}

static inline void vpci_select(unsigned int slot, unsigned int reg)
{
	outl(VPCI_CFG_ADDR, 0x80000000U | slot << 11 | (reg & 0xfc));
}

static inline uint32_t vpci_read32(unsigned int slot, unsigned int reg)
{
	vpci_select(slot, reg);
	return inl(VPCI_CFG_DATA);
}

static inline uint16_t vpci_read16(unsigned int slot, unsigned int reg)
{
	vpci_select(slot, reg);
	return inw((uint16_t)(VPCI_CFG_DATA + (reg & 2)));
}

static inline uint8_t vpci_read8(unsigned int slot, unsigned int reg)
{
	vpci_select(slot, reg);
	return inb((uint16_t)(VPCI_CFG_DATA + (reg & 3)));
}

static inline void vpci_write16(unsigned int slot, unsigned int reg, uint16_t v)
{
	vpci_select(slot, reg);
	outw((uint16_t)(VPCI_CFG_DATA + (reg & 2)), v);
}

/* The capability with PCI capability ID id (0x11 MSI-X), or 0. */
static inline unsigned int vpci_find_cap(unsigned int slot, uint8_t id)
{
	unsigned int pos = vpci_read8(slot, 0x34), ttl = 48;

	while (pos && ttl--) {
		if (vpci_read8(slot, pos) == id)
			return pos;
		pos = vpci_read8(slot, pos + 1);
	}
	return 0;
}

/* Device `index`'s BAR0 register at off. */
static inline volatile uint8_t *virtio_reg(unsigned int index, uint32_t off)
{
	return guest_mmio_window + index * HVP_VIRTIO_BAR0_SIZE + off;
}

static inline uint8_t virtio_r8(unsigned int i, uint32_t off)
{
	return *virtio_reg(i, off);
}

static inline uint16_t virtio_r16(unsigned int i, uint32_t off)
{
	return *(volatile uint16_t *)virtio_reg(i, off);
}

static inline uint32_t virtio_r32(unsigned int i, uint32_t off)
{
	return *(volatile uint32_t *)virtio_reg(i, off);
}

static inline void virtio_w8(unsigned int i, uint32_t off, uint8_t v)
{
	*virtio_reg(i, off) = v;
}

static inline void virtio_w16(unsigned int i, uint32_t off, uint16_t v)
{
	*(volatile uint16_t *)virtio_reg(i, off) = v;
}

static inline void virtio_w32(unsigned int i, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)virtio_reg(i, off) = v;
}

static inline void virtio_w64(unsigned int i, uint32_t off, uint64_t v)
{
	virtio_w32(i, off, (uint32_t)v);
	virtio_w32(i, off + 4, (uint32_t)(v >> 32));
}

/* Programs MSI-X table entry `entry` of device i: vector on vCPU 0, unmasked. */
static inline void virtio_msix_entry(unsigned int i, unsigned int entry,
				     uint8_t vector)
{
	uint32_t e = HVP_VIRTIO_MSIX_OFFSET + 16 * entry;

	virtio_w32(i, e, 0xfee00000U);
	virtio_w32(i, e + 4, 0);
	virtio_w32(i, e + 8, vector);
	virtio_w32(i, e + 12, 0);
}

#endif
