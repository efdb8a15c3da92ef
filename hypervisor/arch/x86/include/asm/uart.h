/* SPDX-License-Identifier: GPL-2.0-only */
/* The 16550 debug serial port the hypervisor logs to (COM1, 0x3f8). */
#ifndef ASM_UART_H
#define ASM_UART_H

#define UART_COM1_PORT 0x3f8
#define UART_BAUD 115200

void uart_init(void);
void uart_putc(char c);

#endif
