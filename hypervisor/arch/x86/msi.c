// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI delivery into a customer domain's virtual x2APICs (arch_msi_deliver,
 * hv/arch.h): the messages its virtio devices' MSI-X entries hold.
 *
 * The message format is the x86 one (Intel SDM vol. 3, 11.11; AMD APM
 * vol. 2, 16.x): address 0xFEEx_xxxx with the destination APIC ID in bits
 * 19:12, bit 2 the destination mode; data with the vector in bits 7:0 and
 * the delivery mode in 10:8.  A domU's vCPU n has APIC ID n (domu_cpuid_exit)
 * and its FADT asks for physical destinations, so Linux in x2APIC mode
 * (x2apic_phys, at most HV_DOMAIN_VCPUS_MAX vCPUs, no interrupt remapping)
 * writes the plain 8-bit ID and no extended destination bits.  What we
 * take: physical destination, fixed or lowest-priority delivery (both go
 * to the named vCPU), a vector from 16 up.  Anything else is dropped with a
 * rate-limited log line; it never reaches another domain's CPUs, since
 * only this domain's vCPUs are looked at.
 */
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/virtio_pci.h>
#include <asm/vlapic.h>

#define MSI_ADDRESS_BASE	0xfee00000ULL
#define MSI_DEST_SHIFT		12
#define MSI_EXT_DEST_MASK	0x00000fe0ULL	/* bits 11:5 */
#define MSI_DEST_LOGICAL	(1ULL << 2)
#define MSI_DATA_MODE(data)	(((data) >> 8) & 7)
#define MSI_MODE_FIXED		0
#define MSI_MODE_LOWEST		1

void arch_msi_deliver(struct domain *d, uint64_t address, uint32_t data)
{
	unsigned int dest = (unsigned int)(address >> MSI_DEST_SHIFT) & 0xff;
	uint8_t vector = (uint8_t)data;

	if ((address & ~0xfffffULL) != MSI_ADDRESS_BASE /* and high half 0 */ ||
	    (address & MSI_EXT_DEST_MASK) || (address & MSI_DEST_LOGICAL) ||
	    (MSI_DATA_MODE(data) != MSI_MODE_FIXED &&
	     MSI_DATA_MODE(data) != MSI_MODE_LOWEST) ||
	    vector < 16 || dest >= d->nr_vcpus) {
		vpci_refuse(d, "MSI message not deliverable, address", address);
		return;
	}
	/* Its vCPUs have CPUs to be kicked on only once it booted. */
	if (d->booted)
		vlapic_set_irq(d->vcpus[dest], vector);
}
