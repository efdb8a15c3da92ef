/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few C library string functions the hypervisor needs.  Prototypes match
 * the C library's, so host unit tests link the real libc versions instead.
 */
#ifndef HV_STRING_H
#define HV_STRING_H

#include <hv/types.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
