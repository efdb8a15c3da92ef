/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few C library string functions the shared code and the hypervisor
 * need.  Prototypes match the C library's: host builds (dom0's tools, the
 * unit tests) link the C library's; the freestanding hypervisor defines them
 * in hypervisor/arch/x86/string.c.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <lib/types.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
