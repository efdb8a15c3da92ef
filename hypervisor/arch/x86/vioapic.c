// SPDX-License-Identifier: GPL-2.0-only
/* The virtual IOAPIC (see hv/vioapic.h). */
#include <hv/domain.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>
#include <asm/x86_defs.h>

#define IOAPIC_VERSION		(0x11 | ((HVP_IOAPIC_PINS - 1) << 16))


/* What the guest may write: all but delivery status and remote IRR. */
#define RTE_WRITABLE		(~(RTE_DELIVERY_STATUS | RTE_REMOTE_IRR))

void vioapic_reset(struct vioapic *io)
{
	unsigned int i;

	io->ioregsel = 0;
	io->line = 0;
	io->remote_irr = 0;
	for (i = 0; i < HVP_IOAPIC_PINS; i++)
		io->redir[i] = RTE_MASKED;
}

static bool is_target(uint64_t rte, unsigned int vcpu_id)
{
	uint8_t dest = RTE_DEST(rte);

	if (rte & RTE_LOGICAL)
		return vcpu_id < 8 && (dest & (1U << vcpu_id));
	return dest == 0xff || dest == vcpu_id;
}

static void deliver(struct domain *d, unsigned int pin)
{
	uint64_t rte = d->arch.ioapic.redir[pin];
	unsigned int i;

	if (RTE_MODE(rte) != DM_FIXED && RTE_MODE(rte) != DM_LOWEST)
		return;
	if (RTE_VECTOR(rte) < 16)
		return;		/* reserved vectors: an APIC drops them */
	for (i = 0; i < d->nr_vcpus; i++) {
		if (!is_target(rte, i))
			continue;
		vlapic_set_irq(d->vcpus[i], RTE_VECTOR(rte));
		if (RTE_MODE(rte) == DM_LOWEST)
			break;
	}
	if (rte & RTE_LEVEL)
		d->arch.ioapic.remote_irr |= 1U << pin;
}

/* A level pin fires while asserted, unmasked and not awaiting an EOI. */
static void level_check(struct domain *d, unsigned int pin)
{
	uint64_t rte = d->arch.ioapic.redir[pin];

	if ((rte & RTE_LEVEL) && !(rte & RTE_MASKED) &&
	    (d->arch.ioapic.line & (1U << pin)) &&
	    !(d->arch.ioapic.remote_irr & (1U << pin)))
		deliver(d, pin);
}

void vioapic_set_line(struct domain *d, unsigned int pin, bool level)
{
	struct vioapic *io = &d->arch.ioapic;
	bool was = io->line & (1U << pin);

	if (pin >= HVP_IOAPIC_PINS)
		return;
	if (level)
		io->line |= 1U << pin;
	else
		io->line &= ~(1U << pin);
	if (io->redir[pin] & RTE_LEVEL)
		level_check(d, pin);
	else if (level && !was && !(io->redir[pin] & RTE_MASKED))
		deliver(d, pin);	/* edge: the rising edge only */
}

void vioapic_eoi(struct domain *d, uint8_t vector)
{
	unsigned int pin;

	for (pin = 0; pin < HVP_IOAPIC_PINS; pin++) {
		if (!(d->arch.ioapic.remote_irr & (1U << pin)) ||
		    RTE_VECTOR(d->arch.ioapic.redir[pin]) != vector)
			continue;
		d->arch.ioapic.remote_irr &= ~(1U << pin);
		level_check(d, pin);
	}
}

bool vioapic_level_vector(const struct vioapic *io, uint8_t vector)
{
	unsigned int pin;

	for (pin = 0; pin < HVP_IOAPIC_PINS; pin++) {
		uint64_t rte = __atomic_load_n(&io->redir[pin], __ATOMIC_RELAXED);

		if ((rte & RTE_LEVEL) && RTE_VECTOR(rte) == vector)
			return true;
	}
	return false;
}

static uint64_t rte_view(const struct vioapic *io, unsigned int pin)
{
	uint64_t rte = io->redir[pin];

	if (io->remote_irr & (1U << pin))
		rte |= RTE_REMOTE_IRR;
	return rte;
}

uint32_t vioapic_mmio_read(struct domain *d, unsigned int offset)
{
	struct vioapic *io = &d->arch.ioapic;
	uint32_t reg = io->ioregsel;

	if (offset == IOAPIC_REGSEL)
		return io->ioregsel;
	if (offset != IOAPIC_WINDOW)
		return 0xffffffff;
	switch (reg) {
	case IOAPIC_REG_ID:
		return io->id << 24;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION;
	case IOAPIC_REG_ARB:
		return io->id << 24;
	}
	if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REG_REDIR + 2 * HVP_IOAPIC_PINS) {
		uint64_t rte = rte_view(io, (reg - IOAPIC_REG_REDIR) / 2);

		return (uint32_t)(reg & 1 ? rte >> 32 : rte);
	}
	return 0xffffffff;
}

void vioapic_mmio_write(struct domain *d, unsigned int offset, uint32_t value)
{
	struct vioapic *io = &d->arch.ioapic;
	uint32_t reg = io->ioregsel;
	unsigned int pin;
	uint64_t rte;

	if (offset == IOAPIC_REGSEL) {
		io->ioregsel = value & 0xff;
		return;
	}
	if (offset != IOAPIC_WINDOW)
		return;
	if (reg == IOAPIC_REG_ID) {
		io->id = (value >> 24) & 0xf;
		return;
	}
	if (reg < IOAPIC_REG_REDIR || reg >= IOAPIC_REG_REDIR + 2 * HVP_IOAPIC_PINS)
		return;
	pin = (reg - IOAPIC_REG_REDIR) / 2;
	rte = io->redir[pin];
	if (reg & 1)
		rte = (rte & 0xffffffffULL) | ((uint64_t)value << 32);
	else
		rte = (rte & ~0xffffffffULL) | value;
	io->redir[pin] = rte & RTE_WRITABLE;
	if (!(rte & RTE_LEVEL))
		io->remote_irr &= ~(1U << pin);
	/* Unmasking a level entry whose line is up fires it. */
	level_check(d, pin);
}
