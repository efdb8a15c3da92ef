// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console: printk formats a message and writes it, under one lock, to
 * the serial port and to a ring buffer dom0 will read.  Lines from different
 * CPUs never interleave.
 *
 * On the serial line every line starts with "(hv) ": dom0 writes to the same
 * port, and a reader must be able to tell who said what.  The ring, which
 * only holds our own output, has no prefix.
 *
 * The lock remembers its owner.  An exception taken while this CPU holds it
 * (a fault inside printk itself) still prints its report instead of
 * deadlocking: on a crash path the report matters more than tidiness.
 */
#include <stdarg.h>
#include <hv/console.h>
#include <hv/format.h>
#include <hv/percpu.h>
#include <asm/uart.h>
#include <asm/x86.h>

#define NO_OWNER (-1)

static char ring[CONSOLE_RING_SIZE];
static uint64_t ring_head;		/* bytes ever written */
static bool serial_at_line_start = true;
static volatile int lock_owner = NO_OWNER;
static bool percpu_ready;

/* Before per-CPU data exists only the boot CPU runs: call it CPU 0. */
static int my_cpu(void)
{
	return percpu_ready ? (int)this_cpu()->index : 0;
}

void console_percpu_ready(void)
{
	percpu_ready = true;
}

static bool console_lock(uint64_t *flags)
{
	int me = my_cpu(), free = NO_OWNER;

	*flags = irq_save();
	if (lock_owner == me)
		return false;	/* nested: already ours */
	while (!__atomic_compare_exchange_n(&lock_owner, &free, me, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		free = NO_OWNER;
		cpu_relax();
	}
	return true;
}

static void console_unlock(bool taken, uint64_t flags)
{
	if (taken)
		__atomic_store_n(&lock_owner, NO_OWNER, __ATOMIC_RELEASE);
	irq_restore(flags);
}

void console_break_lock(void)
{
	__atomic_store_n(&lock_owner, NO_OWNER, __ATOMIC_RELEASE);
}

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	uint64_t flags;
	bool taken;
	int len, i;

	va_start(ap, fmt);
	len = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(buf) - 1)
		len = sizeof(buf) - 1;

	taken = console_lock(&flags);
	for (i = 0; i < len; i++) {
		ring[ring_head % CONSOLE_RING_SIZE] = buf[i];
		ring_head++;
		/* dom0 shares the serial line: mark every line that is ours. */
		if (serial_at_line_start && buf[i] != '\n')
			for (const char *p = CONSOLE_SERIAL_PREFIX; *p; p++)
				uart_putc(*p);
		uart_putc(buf[i]);
		serial_at_line_start = buf[i] == '\n';
	}
	console_unlock(taken, flags);
}

size_t console_ring_read(uint64_t *pos, char *buf, size_t size)
{
	uint64_t flags;
	bool taken = console_lock(&flags);
	size_t n = 0;

	if (ring_head > CONSOLE_RING_SIZE && *pos < ring_head - CONSOLE_RING_SIZE)
		*pos = ring_head - CONSOLE_RING_SIZE;
	if (*pos > ring_head)
		*pos = ring_head;
	while (n < size && *pos < ring_head) {
		buf[n++] = ring[*pos % CONSOLE_RING_SIZE];
		(*pos)++;
	}
	console_unlock(taken, flags);
	return n;
}
