/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual 16550A UART of a customer domain, at HVP_UART_PORT on IOAPIC
 * pin HVP_UART_GSI: the domain's console.  What the guest sends goes to
 * the domain's console ring at once (the line is never busy); what dom0
 * sends (HVCALL_DOMAIN_INPUT) waits in a receive buffer the guest reads.
 * It raises its interrupt for received data and for an empty transmitter,
 * as the IER asks; the FIFO, loopback and scratch registers behave well
 * enough for Linux's 8250 driver to find a 16550A.  No baud rate or line
 * settings take effect: there is no line.
 *
 * Every function here runs with the domain's platform_lock held.
 */
#ifndef ASM_VUART_H
#define ASM_VUART_H

#include <lib/types.h>

struct domain;

#define VUART_RX_SIZE		1024

struct vuart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool fifo_enabled;
	bool thr_ipending;		/* "transmitter empty" not yet seen */
	uint8_t rx[VUART_RX_SIZE];
	unsigned int rx_head, rx_count;
};

void vuart_reset(struct vuart *u);

/* A guest access to register reg (0-7). */
uint8_t vuart_read(struct domain *d, unsigned int reg);
void vuart_write(struct domain *d, unsigned int reg, uint8_t value);

/* Queues input for the guest; returns how many bytes fit. */
size_t vuart_input(struct domain *d, const char *data, size_t len);

#endif
