/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmclock (the KVM paravirtual clock Linux already speaks): a per-vCPU
 * structure in guest memory from which the guest computes nanoseconds from
 * its TSC without an exit:
 *
 *     ns = system_time + (((tsc - tsc_timestamp) << shift) * mul) >> 32
 *
 * (a negative shift shifts right).  Pure arithmetic, host-tested.
 */
#ifndef HV_PVCLOCK_H
#define HV_PVCLOCK_H

#include <lib/types.h>

#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01

/* KVM's layout (Linux: arch/x86/include/asm/pvclock-abi.h). */
struct pvclock_vcpu_time_info {
	uint32_t version;	/* odd while being updated */
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;	/* ns at tsc_timestamp */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __packed;

struct pvclock_wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
} __packed;

/*
 * The (mul, shift) that turn ticks of a tsc_khz clock into ns, as precise
 * as 32 bits of mul allow.
 */
void pvclock_scale(uint64_t tsc_khz, uint32_t *mul, int8_t *shift);

/* Applies (mul, shift) to a tick delta, as the guest will. */
uint64_t pvclock_scale_delta(uint64_t delta, uint32_t mul, int8_t shift);

#endif
