// SPDX-License-Identifier: GPL-2.0-only
/* The virtual 16550A UART (see hv/vuart.h); register names as in Linux's
 * include/uapi/linux/serial_reg.h. */
#include <public/hvplatform.h>
#include <hv/domain.h>
#include <asm/vioapic.h>
#include <asm/vuart.h>

#define RBR_THR		0	/* DLL when LCR.DLAB */
#define IER		1	/* DLM when LCR.DLAB */
#define IIR_FCR		2
#define LCR		3
#define MCR		4
#define LSR		5
#define MSR		6
#define SCR		7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE_TEMT	0x60
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

void vuart_reset(struct vuart *u)
{
	*u = (struct vuart){ 0 };
}

/* The interrupt the UART would report now (IIR's low bits). */
static uint8_t pending(const struct vuart *u)
{
	if ((u->ier & IER_RDI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return IIR_THRI;
	return IIR_NO_INT;
}

static void update_irq(struct domain *d)
{
	vioapic_set_line(d, HVP_UART_GSI, pending(&d->arch.uart) != IIR_NO_INT);
}

static uint8_t rx_pop(struct vuart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VUART_RX_SIZE;
	u->rx_count--;
	return c;
}

uint8_t vuart_read(struct domain *d, unsigned int reg)
{
	struct vuart *u = &d->arch.uart;
	uint8_t value = 0;

	switch (reg) {
	case RBR_THR:
		value = (u->lcr & LCR_DLAB) ? u->dll : rx_pop(u);
		break;
	case IER:
		value = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case IIR_FCR:
		value = pending(u);
		if (value == IIR_THRI)
			u->thr_ipending = false;	/* reading it clears it */
		if (u->fifo_enabled)
			value |= IIR_FIFO;
		break;
	case LCR:
		value = u->lcr;
		break;
	case MCR:
		value = u->mcr;
		break;
	case LSR:
		value = LSR_THRE_TEMT | (u->rx_count ? LSR_DR : 0);
		break;
	case MSR:
		if (u->mcr & MCR_LOOP)	/* the outputs, wired back */
			value = (u->mcr & MCR_RTS ? MSR_CTS : 0) |
				(u->mcr & MCR_DTR ? MSR_DSR : 0) |
				(u->mcr & MCR_OUT1 ? MSR_RI : 0) |
				(u->mcr & MCR_OUT2 ? MSR_DCD : 0);
		else
			value = MSR_DCD | MSR_DSR | MSR_CTS;
		break;
	case SCR:
		value = u->scr;
		break;
	}
	update_irq(d);
	return value;
}

void vuart_write(struct domain *d, unsigned int reg, uint8_t value)
{
	struct vuart *u = &d->arch.uart;

	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = value;
		} else {
			/*
			 * Sent at once: the transmitter is empty again, a new
			 * cause, so the line drops before it rises (an edge).
			 */
			vioapic_set_line(d, HVP_UART_GSI, false);
			if (!(u->mcr & MCR_LOOP))
				domain_console_putc(d, (char)value);
			else if (u->rx_count < VUART_RX_SIZE)
				vuart_input(d, (const char *)&value, 1);
			u->thr_ipending = true;
		}
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = value;
		} else {
			/* Enabling THRI with the transmitter empty interrupts. */
			if ((value & IER_THRI) && !(u->ier & IER_THRI))
				u->thr_ipending = true;
			u->ier = value & 0x0f;
		}
		break;
	case IIR_FCR:
		u->fifo_enabled = value & FCR_ENABLE;
		if (value & FCR_CLEAR_RX)
			u->rx_count = 0;
		break;
	case LCR:
		u->lcr = value;
		break;
	case MCR:
		u->mcr = value & 0x1f;
		break;
	case SCR:
		u->scr = value;
		break;
	}
	update_irq(d);
}

size_t vuart_input(struct domain *d, const char *data, size_t len)
{
	struct vuart *u = &d->arch.uart;
	size_t n = 0;

	while (n < len && u->rx_count < VUART_RX_SIZE) {
		u->rx[(u->rx_head + u->rx_count) % VUART_RX_SIZE] = (uint8_t)data[n++];
		u->rx_count++;
	}
	update_irq(d);
	return n;
}
