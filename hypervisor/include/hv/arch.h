/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What common code asks of the architecture.  Where common/ needs the CPU,
 * the interrupt controller, the virtualization extension, the guests' page
 * tables or the serial port, it calls one of these hooks (as Jailhouse's
 * arch_* do), and each architecture implements them (arch/x86/arch.c for
 * AMD SVM).  The host unit tests link common code with their own
 * implementation (tests/unit/test_sched.c), which records what was asked.
 *
 * common/ and include/hv/ include no arch/<arch>/include/asm/ header but
 * these four, each the architecture's part of one generic thing:
 *   - asm/irqflags.h (here): arch_cpu_relax(), arch_irq_save() and
 *     arch_irq_restore(), inline because the spinlocks (hv/spinlock.h) and
 *     the console's lock spin on them;
 *   - asm/percpu.h (hv/percpu.h): struct arch_percpu, and this_cpu();
 *   - asm/arch_vcpu.h (hv/vcpu.h): struct arch_vcpu, a vCPU's `arch`;
 *   - asm/arch_domain.h (hv/domain.h): struct arch_domain, a domain's `arch`.
 * Common code never reads the `arch` members themselves: only the
 * architecture's own files do.
 *
 * Time is in ticks of the CPU's timestamp counter, tsc_khz per millisecond
 * (hv/time.h), the same on every CPU.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <lib/types.h>
#include <asm/irqflags.h>

struct domain;
struct hv_exit_count;
struct vcpu;

/* --- CPUs ------------------------------------------------------------------- */

/* This CPU's timestamp counter now. */
uint64_t arch_timestamp(void);

/*
 * Makes `cpu` look at its run queue again now: an interrupt that ends its
 * idle wait or its guest's run.  Returns once the interrupt is sent.
 */
void arch_kick_cpu(unsigned int cpu);

/* The interrupt controller's id of `cpu` (on x86 its local APIC ID). */
uint32_t arch_cpu_apic_id(unsigned int cpu);

/*
 * Sends the CPU whose local APIC ID is apic_id a fixed interrupt on
 * `vector` (0x20 to 0xff), as a device would: the backend event that
 * wakes dom0 (common/backend.c).  Returns once the interrupt is sent.
 */
void arch_send_vector(uint32_t apic_id, uint8_t vector);

/* Arms this CPU's one-shot timer to fire `ticks` (at least 1) from now. */
void arch_timer_oneshot(uint64_t ticks);

/* This CPU's interrupts off, and on (arch_irq_save() and _restore() above). */
void arch_irq_disable(void);
void arch_irq_enable(void);

/*
 * Turns interrupts on and waits for one, with no window between the two
 * (an interrupt that came after arch_irq_disable() ends the wait at once).
 * Called with interrupts off.
 */
void arch_idle(void);

/* --- vCPUs ------------------------------------------------------------------ */

/*
 * Runs v, which the scheduler claimed for this CPU (current_vcpu), until
 * its slice ends (the timer armed for it), it blocks, or its domain stops
 * running.  Ends v's wait first (sched_stop_waiting()), adds the time it
 * ran to v->run_ns, restarts its wait (waiting_since) if it is still
 * runnable, and clears current_vcpu.  Called with interrupts on.
 */
void arch_vcpu_run(struct vcpu *v);

/*
 * Fires v's virtual timers that are due at `now` (which wakes v if it is
 * blocked) and returns its earliest deadline still pending, or 0 for none.
 */
uint64_t arch_vcpu_timers(struct vcpu *v, uint64_t now);

/*
 * Copies up to `max` of v's exit counters to `entries` in the order of
 * their codes, skipping kinds never seen (each an exit code, or
 * HV_EXIT_OTHER, and its count: HVCALL_VCPU_EXITS).  Returns how many it
 * copied and sets *total to all of v's exits.
 */
uint32_t arch_vcpu_exit_counts(const struct vcpu *v,
			       struct hv_exit_count *entries, uint32_t max,
			       uint64_t *total);

/* --- Domains' memory -------------------------------------------------------- */

/* Gives d an empty guest-physical address space; false when out of memory. */
bool arch_domain_memory_init(struct domain *d);

/*
 * Maps d's guest-physical [gpa, gpa + size) to host [hpa, hpa + size),
 * read-write (all 2 MiB aligned); false when out of memory for tables.
 */
bool arch_domain_map_ram(struct domain *d, uint64_t gpa, uint64_t hpa,
			 uint64_t size);

/*
 * Unmaps d's guest-physical [gpa, gpa + size) (2 MiB aligned where it was
 * mapped as 2 MiB pages); false when that cannot be done.  The caller then
 * calls arch_domain_flush_tlb().
 */
bool arch_domain_unmap_ram(struct domain *d, uint64_t gpa, uint64_t size);

/*
 * Makes d's vCPUs drop every translation they cached before they run guest
 * code again, after its mappings changed.  Each of d's vCPUs flushes at its
 * next entry into the guest, which is in time only for a vCPU that is not
 * in the guest now: the caller's own (dom0's one vCPU making a hypercall)
 * or one that is stopped.
 */
void arch_domain_flush_tlb(struct domain *d);

/* Frees d's address space (its tables, not the RAM they map); idempotent. */
void arch_domain_memory_free(struct domain *d);

/* What d's architectural state costs now: its vCPUs' and its tables' pages. */
uint64_t arch_domain_overhead_bytes(const struct domain *d);

/* --- Devices' interrupts ---------------------------------------------------- */

/*
 * Delivers an MSI message (the address and data a guest programmed into a
 * device's MSI-X entry) to one of d's vCPUs, kicking it if it runs
 * elsewhere.  A message the platform does not route is dropped with a
 * rate-limited log line.  Called with d->arch.platform_lock held.
 */
void arch_msi_deliver(struct domain *d, uint64_t address, uint32_t data);

/* --- The console ------------------------------------------------------------ */

/* One character of the hypervisor's own to its serial port: '\n' as CR LF. */
void arch_console_putc(char c);

/* One byte of dom0's to the serial port, as it is (its tty adds the CRs). */
void arch_console_put_byte(uint8_t c);

#endif
