// SPDX-License-Identifier: GPL-2.0-only
/*
 * randio: block I/O at queue depth 1, for the I/O benchmark
 * (tests/bench/io.py).  Built statically for dom0's test overlay and for
 * the domU test image; fio would need some 83 MB of libraries there.
 *
 *     randio read|write PATH [--bs BYTES] [--seconds S] [--ops N]
 *                            [--seed N] [--seq] [--fit]
 *
 * One request at a time (pread or pwrite), with O_DIRECT so that every
 * request reaches the device: a BYTES-sized buffer aligned to 4 KiB, at
 * offsets that are multiples of BYTES, chosen at random over the whole of
 * PATH (a block device or a file) from a fixed seed (default 1), or one
 * after the other with --seq (wrapping at the end).  It stops after S
 * seconds (default 10) or N requests, whichever comes first, and prints
 *
 *     randio read bs=4096 ops=N bytes=B seconds=S iops=X bps=Y
 *
 * With --fit it also tells a rate limiter's sustained rate from its burst.
 * Every completion time is kept; a least-squares line through (completion
 * time, requests completed so far), fitted over the requests after the
 * first quarter (the burst is long spent by then), gives the sustained rate
 * as its slope.  A token bucket that starts full with B tokens grants
 * request n at the time g_n when B + rate * (g_n - t0) tokens have been
 * earned, so the line, moved back by one request's service time, passes
 * through B at t0; the first request, which found the bucket full,
 * completed exactly one service time after t0, so the line's value at the
 * first completion is B.  Printed as
 *
 *     randio fit from=K rate_ops=X rate_bps=Y burst_ops=Z burst_bytes=W
 *     randio first_us=L
 *
 * (rate_bps and burst_bytes are the ops figures times BYTES; L is the first
 * request's service time).  Each line is short: the hypervisor echoes a
 * domain's console in lines of at most 127 characters.
 *
 * Errors (bad arguments, a failed or short transfer) are reported on
 * stderr and make it exit 1; its output is then not a figure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#define ALIGN		4096u
#define MAX_BS		(16u << 20)
#define NS_PER_S	1000000000ull
/* Fewer completions than this after the first quarter give no fit. */
#define FIT_MIN_OPS	8

struct options {
	bool write;
	const char *path;
	uint64_t bs;
	double seconds;
	uint64_t ops;		/* 0: no limit but time */
	uint64_t seed;
	bool seq;
	bool fit;
};

static void usage(void)
{
	fprintf(stderr, "usage: randio read|write PATH [--bs BYTES] [--seconds S] "
		"[--ops N] [--seed N] [--seq] [--fit]\n");
	exit(1);
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t min,
			  uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "randio: %s wants a whole number from %" PRIu64
			" to %" PRIu64 ", not '%s'\n", opt, min, max, s);
		exit(1);
	}
	return v;
}

static void parse(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->bs = 4096;
	o->seconds = 10;
	o->seed = 1;
	if (argc < 3)
		usage();
	if (strcmp(argv[1], "read") == 0)
		o->write = false;
	else if (strcmp(argv[1], "write") == 0)
		o->write = true;
	else {
		fprintf(stderr, "randio: '%s' is neither read nor write\n", argv[1]);
		usage();
	}
	o->path = argv[2];
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;

		if (strcmp(a, "--seq") == 0) {
			o->seq = true;
		} else if (strcmp(a, "--fit") == 0) {
			o->fit = true;
		} else if (!has_value && (strcmp(a, "--bs") == 0 ||
					  strcmp(a, "--seconds") == 0 ||
					  strcmp(a, "--ops") == 0 ||
					  strcmp(a, "--seed") == 0)) {
			fprintf(stderr, "randio: %s wants a value\n", a);
			exit(1);
		} else if (strcmp(a, "--bs") == 0) {
			o->bs = parse_u64(a, argv[++i], ALIGN, MAX_BS);
			if (o->bs % ALIGN) {
				fprintf(stderr, "randio: --bs must be a multiple of %u\n",
					ALIGN);
				exit(1);
			}
		} else if (strcmp(a, "--seconds") == 0) {
			o->seconds = (double)parse_u64(a, argv[++i], 1, 3600);
		} else if (strcmp(a, "--ops") == 0) {
			o->ops = parse_u64(a, argv[++i], 1, 100000000);
		} else if (strcmp(a, "--seed") == 0) {
			o->seed = parse_u64(a, argv[++i], 0, UINT64_MAX);
		} else {
			fprintf(stderr, "randio: unknown option '%s'\n", a);
			usage();
		}
	}
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * NS_PER_S + (uint64_t)t.tv_nsec;
}

/* xorshift64*: a fixed seed gives the same offsets on every run. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* PATH's size in bytes: a block device's from the kernel, a file's from
 * stat. */
static uint64_t size_of(int fd, const char *path)
{
	struct stat st;
	uint64_t bytes;

	if (fstat(fd, &st) < 0) {
		fprintf(stderr, "randio: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
			fprintf(stderr, "randio: %s: BLKGETSIZE64: %s\n", path,
				strerror(errno));
			exit(1);
		}
		return bytes;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "randio: %s is neither a block device nor a file\n",
			path);
		exit(1);
	}
	return (uint64_t)st.st_size;
}

/*
 * The least-squares line through (times[i], i + 1) for i >= from: its slope
 * in requests per second, and its value at times[0] in requests.
 */
static void fit_line(const uint64_t *times, uint64_t n, uint64_t from,
		     double *rate, double *at_first)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, k = (double)(n - from);
	double x0 = (double)times[from] / NS_PER_S, slope, icept;

	/* Times relative to the first fitted one keep the sums well scaled. */
	for (uint64_t i = from; i < n; i++) {
		double x = (double)times[i] / NS_PER_S - x0, y = (double)(i + 1);

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
	icept = (sy - slope * sx) / k;
	*rate = slope;
	*at_first = icept + slope * ((double)times[0] / NS_PER_S - x0);
}

int main(int argc, char **argv)
{
	struct options o;
	uint64_t size, slots, state, start, end, ops = 0, cap = 0;
	uint64_t *times = NULL;
	void *buf;
	int fd;

	parse(argc, argv, &o);
	fd = open(o.path, (o.write ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "randio: %s: %s%s\n", o.path, strerror(errno),
			errno == EINVAL ? " (no O_DIRECT there?)" : "");
		return 1;
	}
	size = size_of(fd, o.path);
	slots = size / o.bs;
	if (slots == 0) {
		fprintf(stderr, "randio: %s (%" PRIu64 " bytes) is smaller than "
			"one request of %" PRIu64 "\n", o.path, size, o.bs);
		return 1;
	}
	if (posix_memalign(&buf, ALIGN, o.bs)) {
		fprintf(stderr, "randio: no memory for a %" PRIu64 "-byte buffer\n",
			o.bs);
		return 1;
	}
	/* What is written is not zeros, which a device might treat apart. */
	memset(buf, 0xa5, o.bs);
	state = o.seed ? o.seed : 1;	/* xorshift never leaves 0 */

	start = now_ns();
	end = start + (uint64_t)(o.seconds * NS_PER_S);
	for (;;) {
		uint64_t slot = o.seq ? ops % slots : next_random(&state) % slots;
		off_t off = (off_t)(slot * o.bs);
		ssize_t done = o.write ? pwrite(fd, buf, o.bs, off)
				       : pread(fd, buf, o.bs, off);
		uint64_t t = now_ns();

		if (done != (ssize_t)o.bs) {
			fprintf(stderr, "randio: %s at byte %" PRIu64 " of %s: %s\n",
				o.write ? "pwrite" : "pread", (uint64_t)off, o.path,
				done < 0 ? strerror(errno) : "short transfer");
			return 1;
		}
		if (o.fit) {
			if (ops == cap) {
				cap = cap ? 2 * cap : 4096;
				times = realloc(times, cap * sizeof(*times));
				if (!times) {
					fprintf(stderr, "randio: out of memory "
						"keeping completion times\n");
					return 1;
				}
			}
			times[ops] = t - start;
		}
		ops++;
		if ((o.ops && ops >= o.ops) || t >= end) {
			end = t;
			break;
		}
	}
	close(fd);

	/* At least 1 ns: a single request cannot make a division by 0. */
	double secs = (double)(end - start + (end == start)) / NS_PER_S;

	printf("randio %s bs=%" PRIu64 " ops=%" PRIu64 " bytes=%" PRIu64
	       " seconds=%.3f iops=%.1f bps=%.0f\n", o.write ? "write" : "read",
	       o.bs, ops, ops * o.bs, secs, ops / secs, ops * o.bs / secs);
	if (o.fit) {
		uint64_t from = ops / 4;
		double rate, burst;

		if (ops - from < FIT_MIN_OPS) {
			fprintf(stderr, "randio: %" PRIu64 " requests are too few "
				"for --fit (run longer)\n", ops);
			return 1;
		}
		fit_line(times, ops, from, &rate, &burst);
		printf("randio fit from=%" PRIu64 " rate_ops=%.2f rate_bps=%.0f "
		       "burst_ops=%.2f burst_bytes=%.0f\n", from, rate,
		       rate * o.bs, burst, burst * o.bs);
		printf("randio first_us=%.0f\n", times[0] / 1000.0);
	}
	return 0;
}
