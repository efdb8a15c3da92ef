// SPDX-License-Identifier: GPL-2.0-only
/* The virtual IOAPIC (see hv/vioapic.h). */
#include <hv/domain.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>

#define REG_ID			0x00
#define REG_VERSION		0x01
#define REG_ARB			0x02
#define REG_REDIR		0x10	/* two registers per pin */
#define IOAPIC_VERSION		(0x11 | ((HVP_IOAPIC_PINS - 1) << 16))

#define OFF_IOREGSEL		0x00
#define OFF_IOWIN		0x10

#define RTE_VECTOR(e)		((uint8_t)(e))
#define RTE_MODE(e)		(((e) >> 8) & 7)
#define RTE_LOGICAL		(1ULL << 11)
#define RTE_REMOTE_IRR		(1ULL << 14)
#define RTE_LEVEL		(1ULL << 15)
#define RTE_MASKED		(1ULL << 16)
#define RTE_DEST(e)		((uint8_t)((e) >> 56))
/* What the guest may write: all but delivery status and remote IRR. */
#define RTE_WRITABLE		(~((1ULL << 12) | RTE_REMOTE_IRR))
#define MODE_FIXED		0
#define MODE_LOWEST		1

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
	uint64_t rte = d->ioapic.redir[pin];
	unsigned int i;

	if (RTE_MODE(rte) != MODE_FIXED && RTE_MODE(rte) != MODE_LOWEST)
		return;
	if (RTE_VECTOR(rte) < 16)
		return;		/* reserved vectors: an APIC drops them */
	for (i = 0; i < d->nr_vcpus; i++) {
		if (!is_target(rte, i))
			continue;
		vlapic_set_irq(d->vcpus[i], RTE_VECTOR(rte));
		if (RTE_MODE(rte) == MODE_LOWEST)
			break;
	}
	if (rte & RTE_LEVEL)
		d->ioapic.remote_irr |= 1U << pin;
}

/* A level pin fires while asserted, unmasked and not awaiting an EOI. */
static void level_check(struct domain *d, unsigned int pin)
{
	uint64_t rte = d->ioapic.redir[pin];

	if ((rte & RTE_LEVEL) && !(rte & RTE_MASKED) &&
	    (d->ioapic.line & (1U << pin)) &&
	    !(d->ioapic.remote_irr & (1U << pin)))
		deliver(d, pin);
}

void vioapic_set_line(struct domain *d, unsigned int pin, bool level)
{
	struct vioapic *io = &d->ioapic;
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
		if (!(d->ioapic.remote_irr & (1U << pin)) ||
		    RTE_VECTOR(d->ioapic.redir[pin]) != vector)
			continue;
		d->ioapic.remote_irr &= ~(1U << pin);
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
	struct vioapic *io = &d->ioapic;
	uint32_t reg = io->ioregsel;

	if (offset == OFF_IOREGSEL)
		return io->ioregsel;
	if (offset != OFF_IOWIN)
		return 0xffffffff;
	switch (reg) {
	case REG_ID:
		return io->id << 24;
	case REG_VERSION:
		return IOAPIC_VERSION;
	case REG_ARB:
		return io->id << 24;
	}
	if (reg >= REG_REDIR && reg < REG_REDIR + 2 * HVP_IOAPIC_PINS) {
		uint64_t rte = rte_view(io, (reg - REG_REDIR) / 2);

		return (uint32_t)(reg & 1 ? rte >> 32 : rte);
	}
	return 0xffffffff;
}

void vioapic_mmio_write(struct domain *d, unsigned int offset, uint32_t value)
{
	struct vioapic *io = &d->ioapic;
	uint32_t reg = io->ioregsel;
	unsigned int pin;
	uint64_t rte;

	if (offset == OFF_IOREGSEL) {
		io->ioregsel = value & 0xff;
		return;
	}
	if (offset != OFF_IOWIN)
		return;
	if (reg == REG_ID) {
		io->id = (value >> 24) & 0xf;
		return;
	}
	if (reg < REG_REDIR || reg >= REG_REDIR + 2 * HVP_IOAPIC_PINS)
		return;
	pin = (reg - REG_REDIR) / 2;
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
