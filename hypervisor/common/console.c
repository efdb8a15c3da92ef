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
 * dom0's bytes reach the port through us too: its writes to the UART's
 * transmit register are intercepted (arch/x86/dom0_exit.c) and made here,
 * under the same lock, so no line of ours is ever split by a byte of
 * dom0's.  Our serial output goes out a whole line at a time from `held`:
 * at once while dom0 is at the start of a line, else when dom0 ends its
 * line, or once it has waited CONSOLE_HOLD_MS (console_tick(), on the
 * domain CPUs' timer: a prompt has no newline), whole, after what dom0
 * wrote of its line so far.
 *
 * The lock remembers its owner.  An exception taken while this CPU holds it
 * (a fault inside printk itself) still prints its report instead of
 * deadlocking: on a crash path the report matters more than tidiness.
 */
#include <stdarg.h>
#include <hv/console.h>
#include <hv/format.h>
#include <hv/percpu.h>
#include <lib/string.h>
#include <hv/time.h>
#include <hv/arch.h>

#define NO_OWNER (-1)

static char ring[CONSOLE_RING_SIZE];
static uint64_t ring_head;		/* bytes ever written */
static bool serial_at_line_start = true;
static volatile int lock_owner = NO_OWNER;
static bool percpu_ready;

/* Our serial output not yet written, "(hv) " prefixes included. */
#define HELD_SIZE	8192
static char held[HELD_SIZE];
static size_t held_len;			/* bytes in held[] */
static size_t held_lines_len;		/* of which whole lines */
static uint32_t held_batch;		/* bumped when held[] starts filling */
static bool dom0_mid_line;		/* dom0's last byte was not '\n' */
static bool console_direct;		/* halting: nothing is held */

/* What console_tick() saw on each CPU: TSCs are compared on one CPU only. */
static uint32_t tick_batch[MAX_CPUS];
static uint64_t tick_first_tsc[MAX_CPUS];

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

	*flags = arch_irq_save();
	if (lock_owner == me)
		return false;	/* nested: already ours */
	while (!__atomic_compare_exchange_n(&lock_owner, &free, me, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		free = NO_OWNER;
		arch_cpu_relax();
	}
	return true;
}

static void console_unlock(bool taken, uint64_t flags)
{
	if (taken)
		__atomic_store_n(&lock_owner, NO_OWNER, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

void console_break_lock(void)
{
	__atomic_store_n(&lock_owner, NO_OWNER, __ATOMIC_RELEASE);
	console_direct = true;
}

/* Writes the whole lines held, or everything held when all. Lock held. */
static void flush_held(bool all)
{
	size_t n = all ? held_len : held_lines_len, i;

	for (i = 0; i < n; i++)
		arch_console_putc(held[i]);
	held_len -= n;
	memmove(held, held + n, held_len);
	held_lines_len = 0;
	if (held_len)
		held_batch++;	/* a part line left: its own wait begins */
}

/* Holds one byte of our serial output. Lock held. */
static void hold(char c)
{
	if (held_len == HELD_SIZE)
		flush_held(true);	/* never lose output: out with it all */
	if (held_len == 0)
		held_batch++;
	held[held_len++] = c;
	if (c == '\n')
		held_lines_len = held_len;
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
				hold(*p);
		hold(buf[i]);
		serial_at_line_start = buf[i] == '\n';
	}
	if (console_direct)
		flush_held(true);
	else if (!dom0_mid_line)
		flush_held(false);
	console_unlock(taken, flags);
}

void console_dom0_putc(char c)
{
	uint64_t flags;
	bool taken = console_lock(&flags);

	/* As dom0 wrote it: its tty adds the CRs. */
	arch_console_put_byte((uint8_t)c);
	dom0_mid_line = c != '\n';
	if (!dom0_mid_line)
		flush_held(false);
	console_unlock(taken, flags);
}

void console_tick(void)
{
	unsigned int me;
	uint64_t now, flags;
	bool taken;

	if (!__atomic_load_n(&held_lines_len, __ATOMIC_RELAXED))
		return;
	me = (unsigned int)my_cpu();
	now = arch_timestamp();
	taken = console_lock(&flags);
	if (held_lines_len) {
		if (tick_batch[me] != held_batch) {
			/* First seen here: the wait is timed from now. */
			tick_batch[me] = held_batch;
			tick_first_tsc[me] = now;
		} else if (now - tick_first_tsc[me] >=
			   tsc_khz * CONSOLE_HOLD_MS) {
			flush_held(false);
		}
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
