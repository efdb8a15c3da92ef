/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest test library: what a test kernel needs to probe the platform
 * and report, in the manner of Xen's XTF.  Each test defines
 * test_main(); the library prints "Test result: SUCCESS" if it returns
 * without a failure, or "Test result: FAILURE <reason>" for the first
 * failure, and powers the domain off.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <public/hvplatform.h>

void test_main(const struct hvm_start_info *si);

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void test_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void poweroff(void);

#define CHECK(cond, ...) do { if (!(cond)) test_fail(__VA_ARGS__); } while (0)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

struct cpuid_result {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_result cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_result r;

	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx),
			 "=d"(r.edx) : "a"(leaf), "c"(subleaf));
	return r;
}

/*
 * MSR access that survives #GP: returns the exception vector it raised,
 * or -1 when it completed.
 */
int rdmsr_safe(uint32_t msr, uint64_t *value);
int wrmsr_safe(uint32_t msr, uint64_t value);

/*
 * For an instruction a test expects to fault: expect_fault(len) before it
 * makes the next exception skip it (len bytes) instead of failing the
 * test; fault_taken() after it returns the vector raised, or -1.
 */
void expect_fault(unsigned int len);
int fault_taken(void);

/*
 * Starts vCPU `id` with INIT-SIPI: it runs ap_main(id) in long mode on its
 * own stack, with the library's IDT loaded.  Returns once it is running.
 */
void start_ap(unsigned int id);
void ap_main(unsigned int id);		/* the test's */
void test_ap_main(unsigned int id);	/* the test's, called by ap_main */

/*
 * kvmclock, read the way Linux reads it (hv/pvclock.h, the hypervisor's own
 * definition).  kvmclock_enable() registers this vCPU's time info page and
 * returns false if the hypervisor refused it; kvmclock_ns() is the time.
 */
bool kvmclock_enable(void);
uint64_t kvmclock_ns(void);
/* TSC ticks in ns nanoseconds: the inverse of the clock's scale. */
uint64_t kvmclock_ns_to_tsc(uint64_t ns);
uint32_t kvmclock_mul(void);
int kvmclock_shift(void);

/*
 * PV EOI: pv_eoi_enable(true) names the library's word to the hypervisor
 * (wrmsr_safe's result: -1 on success); from then on an interrupt whose
 * word is set is ended by clearing it, counted in pv_eois, not by an EOI.
 */
int pv_eoi_enable(bool on);
extern unsigned long pv_eois;

/* This vCPU's x2APIC ID (its number). */
unsigned int apic_id(void);

/* The test's interrupt handler (vectors 32-255); the library sends EOI. */
void guest_interrupt(unsigned int vector);

#define X2APIC_EOI	0x80b
#define X2APIC_SVR	0x80f
#define X2APIC_ICR	0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_TMICT	0x838
#define X2APIC_TMCCT	0x839
#define X2APIC_TDCR	0x83e
#define X2APIC_SELF_IPI	0x83f
#define MSR_TSC_DEADLINE 0x6e0

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* VMMCALL with RAX = nr and four arguments; returns RAX. */
static inline uint64_t vmmcall(uint64_t nr, uint64_t a0, uint64_t a1,
			       uint64_t a2, uint64_t a3)
{
	__asm__ volatile("vmmcall" : "+a"(nr) : "b"(a0), "c"(a1), "d"(a2),
			 "S"(a3) : "memory");
	return nr;
}

/* A small, fixed-seed PRNG (xorshift64*), so a run can be repeated. */
static inline uint64_t prng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

#endif
