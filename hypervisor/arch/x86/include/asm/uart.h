/* SPDX-License-Identifier: GPL-2.0-only */
/* The 16550 debug serial port the hypervisor logs to (COM1, 0x3f8). */
#ifndef ASM_UART_H
#define ASM_UART_H

#include <lib/types.h>

#define UART_COM1_PORT 0x3f8	/* also its data register (DLAB clear) */
#define UART_BAUD 115200

void uart_init(void);

/* A character of ours: a newline is sent as CR LF. */
void uart_putc(char c);

/* A byte as it is (dom0's: its own tty driver adds the CRs). */
void uart_put_byte(uint8_t c);

/* True while LCR.DLAB is set: the data port is then the divisor latch. */
bool uart_divisor_latch_on(void);

#endif
