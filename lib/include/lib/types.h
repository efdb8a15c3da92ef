/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Basic types and helpers for the freestanding hypervisor and the code it
 * shares with dom0's tools (lib/).  Only headers that GCC provides in
 * freestanding mode are used, so the same pure-logic files (frame allocator,
 * multiboot2 parser, ELF reader, ...) also compile on the host for dom0's
 * tools and the unit tests.
 */
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KiB ((uint64_t)1024)
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

#define PAGE_SHIFT 12
#define PAGE_SIZE ((uint64_t)1 << PAGE_SHIFT)

/* Round x up or down to a power-of-two alignment a. */
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __noreturn __attribute__((noreturn))
#define __unused __attribute__((unused))

#endif
