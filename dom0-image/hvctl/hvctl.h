/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvctl.h - hvctl's parts, declared for hvctl.c's main() and for the unit
 * tests (test_hvctl.c), which build hvctl.c with -DHVCTL_NO_MAIN.
 */
#ifndef HVCTL_H
#define HVCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libhv.h"
#include "io.h"

/* Exit codes. */
#define HVCTL_EXIT_OK		0
#define HVCTL_EXIT_FAIL		1	/* hypervisor or driver error */
#define HVCTL_EXIT_USAGE	2

enum hvctl_cmd {
	HVCTL_HELP,
	HVCTL_INFO,
	HVCTL_LIST,
	HVCTL_DMESG,
	HVCTL_RAW,
	HVCTL_EXITS,
	HVCTL_CREATE,		/* create NAME MEM_MIB VCPUS KERNEL
				   [--initrd FILE] [--disk SPEC]... [CMDLINE] */
	HVCTL_PAUSE,		/* pause|unpause|destroy DOMAIN */
	HVCTL_UNPAUSE,
	HVCTL_DESTROY,
	HVCTL_CONSOLE,		/* console DOMAIN [-f] */
	HVCTL_SHUTDOWN,		/* shutdown DOMAIN */
	HVCTL_INPUT,		/* input DOMAIN TEXT */
	HVCTL_SCHED,		/* sched DOMAIN [--weight W] [--cap C]
				   [--cpus LIST [--vcpu N]] */
	HVCTL_REBOOT,		/* reboot DOMAIN */
	HVCTL_IO,		/* io DOMAIN [--json] */
	HVCTL_IO_LIMIT,		/* io-limit DOMAIN DISK [bps=N] [iops=N] */
	HVCTL_BACKEND_RESTART,	/* backend-restart DOMAIN */
};

/* A parsed command line. */
struct hvctl_args {
	enum hvctl_cmd cmd;
	bool json;		/* info --json */
	bool follow;		/* dmesg -f */
	bool overhead;		/* list --overhead */
	bool all_vcpus;		/* exits without VCPU: their sum */
	const char *domain;	/* a domain's name or id */
	const char *kernel;	/* create: a PVH ELF or a Linux bzImage */
	const char *initrd;	/* create --initrd: a Linux initrd, or NULL */
	const char *text;	/* input: the line to type */
	const char *cmdline;	/* create: its command line, or "" */
	uint64_t mem_mib;	/* create */
	uint32_t nr_vcpus;	/* create */
	int64_t weight;		/* sched: -1 = leave as is */
	int64_t cap;		/* sched: -1 = leave as is */
	const char *cpus;	/* sched --cpus: the list as given, or NULL */
	uint64_t cpu_set;	/* sched --cpus: parsed (bit n = CPU n) */
	int64_t sched_vcpu;	/* sched --vcpu: -1 = every vCPU */
	uint32_t domid;		/* exits: DOMAIN as an id (else domain) */
	uint32_t vcpu;
	unsigned nr_disks;	/* create --disk: the specs as given, in */
	const char *disks[HV_IO_DISKS_MAX];	/* PCI order, checked */
	unsigned nr_nets;	/* create --net: the specs as given, in */
	const char *nets[HV_IO_DISKS_MAX];	/* order, checked; after disks */
	uint32_t disk;		/* io-limit DEV: a disk's or interface's index */
	int64_t bps;		/* io-limit: -1 = leave as is */
	int64_t iops;
	int64_t rx_bps;		/* io-limit on an interface: -1 = as is */
	int64_t tx_bps;
	uint64_t raw_nr;	/* raw NR [ARG0..ARG3]; missing args are 0 */
	uint64_t raw_args[4];
};

/* Parse argv; on a usage error print a message to err and return
 * HVCTL_EXIT_USAGE, else HVCTL_EXIT_OK. */
int hvctl_parse_args(int argc, char **argv, struct hvctl_args *a, FILE *err);

/* "0x..." (hex) or decimal, the whole string, no sign: 0, or -1. */
int hvctl_parse_u64(const char *s, uint64_t *value);

void hvctl_usage(FILE *out);

/* HV_DOMAIN_* as a word ("running", ...), "unknown" otherwise. */
const char *hvctl_state_name(uint32_t state);

/* `hvctl info` output for abi (HVCALL_ABI_VERSION) and *pi. */
void hvctl_print_info(FILE *out, uint32_t abi, const struct hv_physinfo *pi,
		      bool json);

/* `hvctl list` output: a header line and one line per domain; with
 * overhead, a last column of the hypervisor's memory for it (KiB). */
void hvctl_print_domains(FILE *out, const struct hv_domain_info *doms,
			 uint32_t n, bool overhead);

/* `hvctl exits` output: total, then one line per exit code, by name. */
void hvctl_print_exits(FILE *out, const struct hv_exit_count *e, uint32_t n,
		       uint64_t total);

/* The name of an SVM exit code ("cpuid", "npf", ...), or NULL. */
const char *hvctl_exit_name(uint32_t code);

/* The domain commands (domains.c). */
int hvctl_domain_cmd(const struct hvctl_args *a, struct hv_handle *h,
		     FILE *out, FILE *err);

/* `hvctl sched` on domain domid (sched.c). */
int hvctl_sched_cmd(const struct hvctl_args *a, struct hv_handle *h,
		    uint32_t domid, FILE *out, FILE *err);

/* `hvctl io` output for a domain's disks and interfaces (io.c). */
void hvctl_print_io(FILE *out, const char *domain, uint32_t domid,
		    const struct hv_io_disk_stats *s, uint32_t n,
		    const struct hv_io_net_stats *nets, uint32_t nn, bool json);

/* `hvctl io` and `hvctl io-limit` on domain domid (io.c). */
int hvctl_io_cmd(const struct hvctl_args *a, uint32_t domid, FILE *out,
		 FILE *err);

/* What a hv_io_* error means for the user, for domain `domain`. */
void hvctl_io_error(FILE *err, const char *domain, uint32_t domid, int rc);

/*
 * Starts hv-backend for domain domid with a's disks, detached (its own
 * session; it outlives hvctl), its log in <run dir>/<domid>.log, and waits
 * until it says it is ready: 0, or a negative errno after printing why.
 * The program is $HVCTL_BACKEND, else libhv's HV_BACKEND_PATH.
 */
int hvctl_backend_start(const struct hvctl_args *a, uint32_t domid, FILE *err);

/* After the domain was destroyed: waits (up to 10 s) until its backend,
 * if it had one, has gone. */
void hvctl_backend_wait_gone(uint32_t domid, bool had_backend, FILE *err);

/* Run a parsed command (not HVCTL_HELP) on an open handle; the exit code. */
int hvctl_run(const struct hvctl_args *a, struct hv_handle *h, FILE *out,
	      FILE *err);

#endif /* HVCTL_H */
