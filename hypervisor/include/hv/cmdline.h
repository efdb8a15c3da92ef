/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's command line: space-separated words, each either a flag
 * ("debug_exit") or a key=value option ("test_fault=ud").  Values cannot hold
 * spaces.  A key given twice takes its last value, as on Linux.
 */
#ifndef HV_CMDLINE_H
#define HV_CMDLINE_H

#include <lib/types.h>

/*
 * Finds option `key`.  Returns false when absent.  When present and val is
 * not NULL, copies its value (or "" for a flag) into val, truncated to
 * val_size - 1 bytes and NUL-terminated.
 */
bool cmdline_get(const char *cmdline, const char *key, char *val,
		 size_t val_size);

/*
 * Calls fn once for every word's key (the part before any '='), in order.
 * Used to report options nobody understands.
 */
void cmdline_for_each_key(const char *cmdline,
			  void (*fn)(const char *key, size_t len, void *arg),
			  void *arg);

#endif
