// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest test library (see guest.h): console on the virtual UART,
 * exception handling that lets a test survive a #GP it provoked on
 * purpose, the result line and poweroff.
 */
#include "guest.h"
#include <hv/pv_eoi.h>
#include <hv/pvclock.h>

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

static void putc_uart(char c)
{
	outb(HVP_UART_PORT, (uint8_t)c);
}

void printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int i, n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (i = 0; i < n && i < (int)sizeof(buf) - 1; i++)
		putc_uart(buf[i]);
}

void poweroff(void)
{
	outb(HVP_SLEEP_CONTROL_PORT, HVP_SLEEP_POWEROFF);
	/* Not reached: the domain is gone.  If it were, stop here. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void test_fail(const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("Test result: FAILURE %s\n", buf);
	poweroff();
}

/* --- exceptions ------------------------------------------------------- */

struct frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

/* Set by the *_safe helpers: skip this many bytes on a fault. */
static volatile unsigned int fault_skip;
static volatile int fault_vector = -1;

/* PV EOI (hv/pv_eoi.h): set by the hypervisor when clearing it may stand
 * in for the EOI, which is how Linux ends its interrupts then. */
static volatile uint32_t pv_eoi_word __attribute__((aligned(16)));
unsigned long pv_eois;

int pv_eoi_enable(bool on)
{
	pv_eoi_word = 0;
	return wrmsr_safe(MSR_KVM_PV_EOI_EN,
			  on ? (uint64_t)(uintptr_t)&pv_eoi_word | PV_EOI_ENABLE : 0);
}

void guest_exception(struct frame *f);
void guest_exception(struct frame *f)
{
	if (f->vector >= 32) {
		guest_interrupt((unsigned int)f->vector);
		if (__atomic_fetch_and(&pv_eoi_word, ~PV_EOI_PENDING,
				       __ATOMIC_SEQ_CST) & PV_EOI_PENDING) {
			pv_eois++;
			return;
		}
		wrmsr_safe(X2APIC_EOI, 0);
		return;
	}
	if (fault_skip) {
		fault_vector = (int)f->vector;
		f->rip += fault_skip;
		fault_skip = 0;
		return;
	}
	test_fail("unexpected exception %lu (error %lx) at rip %lx",
		  f->vector, f->error, f->rip);
}

void expect_fault(unsigned int len)
{
	fault_vector = -1;
	fault_skip = len;
}

int fault_taken(void)
{
	fault_skip = 0;
	return fault_vector;
}

int rdmsr_safe(uint32_t msr, uint64_t *value)
{
	uint32_t lo = 0, hi = 0;

	fault_vector = -1;
	fault_skip = 2;		/* rdmsr is 0f 32 */
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	fault_skip = 0;
	*value = ((uint64_t)hi << 32) | lo;
	return fault_vector;
}

int wrmsr_safe(uint32_t msr, uint64_t value)
{
	fault_vector = -1;
	fault_skip = 2;		/* wrmsr is 0f 30 */
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value),
			 "d"((uint32_t)(value >> 32)) : "memory");
	fault_skip = 0;
	return fault_vector;
}

struct idt_entry {
	uint16_t offset_low, selector;
	uint8_t ist, type;
	uint16_t offset_mid;
	uint32_t offset_high, reserved;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern char exception_stubs[];	/* 256 stubs of 16 bytes, in stubs.S */

/* Interrupts (vectors 32-255) go to the test's handler, then EOI. */
__attribute__((weak)) void guest_interrupt(unsigned int vector)
{
	test_fail("unexpected interrupt, vector %u", vector);
}

static void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	unsigned int v;

	for (v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)(exception_stubs + 16 * v);

		idt[v] = (struct idt_entry){ a & 0xffff, 0x08, 0, 0x8e,
					     (a >> 16) & 0xffff, a >> 32, 0 };
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* --- kvmclock --------------------------------------------------------- */

static volatile struct pvclock_vcpu_time_info clock __attribute__((aligned(64)));

bool kvmclock_enable(void)
{
	return wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)&clock | 1) == -1 &&
	       clock.tsc_to_system_mul != 0 && !(clock.version & 1);
}

uint64_t kvmclock_ns(void)
{
	return clock.system_time +
	       pvclock_scale_delta(rdtsc() - clock.tsc_timestamp,
				   clock.tsc_to_system_mul, clock.tsc_shift);
}

uint64_t kvmclock_ns_to_tsc(uint64_t ns)
{
	uint64_t t = (ns << 32) / clock.tsc_to_system_mul;

	return clock.tsc_shift < 0 ? t << -clock.tsc_shift : t >> clock.tsc_shift;
}

uint32_t kvmclock_mul(void)
{
	return clock.tsc_to_system_mul;
}

int kvmclock_shift(void)
{
	return clock.tsc_shift;
}

/* --- other vCPUs ---------------------------------------------------- */

#define AP_TRAMPOLINE 0x8000
extern char ap_trampoline[], ap_trampoline_end[];
static uint8_t ap_stack[8][8192] __attribute__((aligned(16)));
uint64_t ap_stack_top;
static volatile unsigned int ap_started;

unsigned int apic_id(void)
{
	uint64_t id = 0;

	rdmsr_safe(0x802, &id);
	return (unsigned int)id;
}

__attribute__((weak)) void test_ap_main(unsigned int id)
{
	(void)id;
}

void ap_main(unsigned int unused)
{
	unsigned int id = apic_id();

	(void)unused;
	idt_init();
	wrmsr_safe(X2APIC_SVR, 0x1ff);
	__atomic_store_n(&ap_started, id, __ATOMIC_RELEASE);
	test_ap_main(id);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void start_ap(unsigned int id)
{
	uint64_t dest = (uint64_t)id << 32;
	uint64_t start = rdtsc();

	__builtin_memcpy((void *)AP_TRAMPOLINE, ap_trampoline,
			 ap_trampoline_end - ap_trampoline);
	ap_stack_top = (uint64_t)&ap_stack[id][sizeof(ap_stack[id])];
	ap_started = 0;
	wrmsr_safe(X2APIC_ICR, dest | 0x4500);			/* INIT */
	wrmsr_safe(X2APIC_ICR, dest | 0x4600 | (AP_TRAMPOLINE >> 12)); /* SIPI */
	while (__atomic_load_n(&ap_started, __ATOMIC_ACQUIRE) != id) {
		__asm__ volatile("pause");
		/* About 10 s at any plausible TSC rate. */
		if (rdtsc() - start > 40000000000ULL)
			test_fail("vCPU %u did not start", id);
	}
}

void guest_main(const struct hvm_start_info *si);
void guest_main(const struct hvm_start_info *si)
{
	idt_init();
	if (si->magic != HVM_START_MAGIC)
		test_fail("bad start info magic %x", si->magic);
	test_main(si);
	printk("Test result: SUCCESS\n");
	poweroff();
}
