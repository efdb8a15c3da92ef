/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's console: every line goes to the debug serial port and into
 * an in-memory ring that dom0 will read through a hypercall.  dom0's own
 * bytes for the serial port go through it too (console_dom0_putc()), so
 * that the two never split each other's lines.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <lib/types.h>

/* What starts every line the hypervisor writes to the serial port. */
#define CONSOLE_SERIAL_PREFIX "(hv) "

/* Size of the console ring in bytes: a power of two. */
#define CONSOLE_RING_SIZE (64 * 1024)

/*
 * How long our lines may wait for dom0 to end the line it is writing (a
 * prompt never does) before they go out after it.
 */
#define CONSOLE_HOLD_MS 50

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A byte dom0 wrote to the serial port's transmit register, written for it
 * under the console lock; a newline of dom0's lets our held lines out.
 */
void console_dom0_putc(char c);

/*
 * Called on every timer interrupt of a domain CPU: lets our held lines out
 * once they have waited CONSOLE_HOLD_MS on this CPU's clock.
 */
void console_tick(void);

/*
 * Only for machine_halt(), once every other CPU is stopped: releases the
 * lock a stopped CPU may have held, so the halt reason still gets out, and
 * from then on writes everything at once (nothing is held for dom0).
 */
void console_break_lock(void);

/* Called once this CPU's per-CPU data is installed (GS base set). */
void console_percpu_ready(void);

/*
 * Copies up to size bytes of the ring starting at byte position *pos (a
 * position counts every byte ever written) into buf.  Bytes that were already
 * overwritten are skipped: *pos is moved forward to the oldest byte still
 * held.  Returns the number of bytes copied and advances *pos past them.
 */
size_t console_ring_read(uint64_t *pos, char *buf, size_t size);

#endif
