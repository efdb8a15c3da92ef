// SPDX-License-Identifier: GPL-2.0-only
/*
 * 16550 UART output on COM1.  Polled: the hypervisor never takes serial
 * interrupts.  A machine without a UART reads 0xff from the line status
 * register, which looks like "transmitter empty", so output there is simply
 * lost instead of hanging the boot.
 */
#include <asm/uart.h>
#include <asm/x86.h>

#define REG_DATA	0	/* DLAB=0: transmit/receive */
#define REG_IER		1	/* DLAB=0: interrupt enable */
#define REG_DLL		0	/* DLAB=1: divisor low */
#define REG_DLM		1	/* DLAB=1: divisor high */
#define REG_FCR		2
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define FCR_ENABLE_CLEAR 0x07	/* enable FIFOs, clear both */
#define MCR_DTR_RTS	0x03
#define LSR_THRE	0x20	/* transmit holding register empty */

#define UART_CLOCK	115200	/* divisor 1 = 115200 baud */

void uart_init(void)
{
	uint16_t divisor = UART_CLOCK / UART_BAUD;

	outb(UART_COM1_PORT + REG_IER, 0);
	outb(UART_COM1_PORT + REG_LCR, LCR_DLAB);
	outb(UART_COM1_PORT + REG_DLL, divisor & 0xff);
	outb(UART_COM1_PORT + REG_DLM, divisor >> 8);
	outb(UART_COM1_PORT + REG_LCR, LCR_8N1);
	outb(UART_COM1_PORT + REG_FCR, FCR_ENABLE_CLEAR);
	outb(UART_COM1_PORT + REG_MCR, MCR_DTR_RTS);
}

void uart_put_byte(uint8_t c)
{
	/* Bounded wait: a stuck UART must not stop the hypervisor. */
	for (unsigned int spins = 0; spins < 100000; spins++) {
		if (inb(UART_COM1_PORT + REG_LSR) & LSR_THRE)
			break;
		arch_cpu_relax();
	}
	outb(UART_COM1_PORT + REG_DATA, c);
}

void uart_putc(char c)
{
	if (c == '\n')
		uart_put_byte('\r');
	uart_put_byte((uint8_t)c);
}

bool uart_divisor_latch_on(void)
{
	return inb(UART_COM1_PORT + REG_LCR) & LCR_DLAB;
}
