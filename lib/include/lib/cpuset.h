/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sets of physical CPUs as 64-bit masks: bit n is CPU n (the hypervisor
 * runs at most MAX_CPUS = 64 CPUs, so one word holds any set).  The ABI's
 * affinity masks (HVCALL_VCPU_AFFINITY) have the same form.
 *
 * Pure: the scheduler uses it, and so do hvctl (which parses and prints CPU
 * lists) and the host unit tests (tests/unit/test_cpuset.c).
 */
#ifndef LIB_CPUSET_H
#define LIB_CPUSET_H

#include <lib/types.h>

#define CPUSET_MAX_CPUS		64

/* The set holding only `cpu` (below CPUSET_MAX_CPUS). */
static inline uint64_t cpuset_of(unsigned int cpu)
{
	return (uint64_t)1 << cpu;
}

/* True when `cpu` is in `set`. */
static inline bool cpuset_has(uint64_t set, unsigned int cpu)
{
	return cpu < CPUSET_MAX_CPUS && (set & cpuset_of(cpu));
}

/*
 * Parses a CPU list: CPU numbers and ranges separated by commas, as Linux
 * writes them ("1", "1,3", "1-3", "0-1,5"), from the len bytes at s (no
 * NUL needed).  Returns false, leaving *set alone, for anything else: an
 * empty list or item, a range that runs backwards, a CPU of 64 or more,
 * spaces, signs.
 */
bool cpuset_parse(const char *s, size_t len, uint64_t *set);

/*
 * Writes set as a CPU list in that form, ranges of three or more CPUs
 * joined ("1-3,5"; "1,2" stays as it is), NUL-terminated; "" for the empty
 * set.  Returns false when size is too small (buf then holds a truncated,
 * NUL-terminated list if size > 0).  CPUSET_LIST_LEN always suffices.
 */
#define CPUSET_LIST_LEN		192
bool cpuset_format(uint64_t set, char *buf, size_t size);

/*
 * Of the CPUs in `allowed` below nr (at most CPUSET_MAX_CPUS), the one with
 * the smallest load[cpu], the lowest-numbered on a tie; -1 when there is
 * none.  The scheduler places a vCPU with it (load = vCPUs on each CPU).
 */
int cpuset_least_loaded(uint64_t allowed, const unsigned int *load,
			unsigned int nr);

#endif
