// SPDX-License-Identifier: GPL-2.0-only
/*
 * Usage meters for billing.
 *
 * This is the meter billing uses (in dom0, from libquota.a): the hypervisor
 * and its backends count, billing samples and takes deltas here.  Nothing
 * uses it yet; keep one meter, this one, when billing lands.
 *
 * What it promises
 * ----------------
 * A meter is a set of monotonic 64-bit counters per domain: bytes in, bytes
 * out, CPU ns, I/O operations.  Whoever does the work adds to them
 * (meter_add); billing samples them now and then and bills the difference
 * between two samples (meter_delta).
 *
 * Saturation: meter_add saturates at UINT64_MAX instead of wrapping, so a
 * counter can never go back to a small number and bill a huge delta, or
 * look reset.  It is out of reach in practice (2^64 ns of CPU are 584 years;
 * 2^64 bytes are 16 EiB, 47 years at 100 Gbit/s), and meter_add says when it
 * happens so it can be logged.
 *
 * Resets: counters live in memory and start again from zero after a host
 * restart or when a domain is re-created.  Each meter therefore carries a
 * generation number, which the owner of the counters changes whenever it
 * starts them from zero (e.g. a boot counter kept on disk).  The rule of
 * meter_delta(prev, now):
 *
 *  - same generation: delta = now - prev, counter by counter;
 *  - different generation: the counters were restarted from zero since prev,
 *    so delta = now (everything counted since the restart).  What was used
 *    between prev and the restart is not in `now`; take a final sample
 *    before a planned restart to bill it;
 *  - same generation but a counter went backwards (a restart nobody
 *    announced, or a bug): that counter is treated as restarted, delta = now,
 *    and the result says so, to be logged.
 *
 * A delta is never "negative" and never larger than the counter it comes
 * from, so billing cannot invent usage.  The generation alone catches the
 * case a value check cannot: counters that were reset and have since grown
 * past their old values.
 *
 * Freestanding: <stdint.h> and <stdbool.h> only, pure functions.
 */
#ifndef QUOTA_METER_H
#define QUOTA_METER_H

#include <stdbool.h>
#include <stdint.h>

/* One domain's usage counters, or a sample of them. */
struct usage_meter {
	/* Changed by the counters' owner whenever they restart from zero. */
	uint64_t generation;
	uint64_t bytes_in;	/* bytes received by the domain (network, disk reads) */
	uint64_t bytes_out;	/* bytes sent by the domain (network, disk writes) */
	uint64_t cpu_ns;	/* CPU time used by all its vCPUs, ns */
	uint64_t io_ops;	/* I/O operations (disk requests, packets), count */
};

/* What meter_delta found. */
enum meter_delta_result {
	METER_DELTA_CONTINUOUS,	/* same generation, every counter moved forward */
	METER_DELTA_RESTARTED,	/* generation changed: delta = now */
	METER_DELTA_WENT_BACKWARDS, /* same generation, a counter went back: see .h */
};

/*
 * Zeroes every counter and sets the generation (e.g. the host's boot count).
 */
void meter_init(struct usage_meter *m, uint64_t generation);

/*
 * *counter += amount, saturating at UINT64_MAX.  Returns false when it
 * saturated (some of amount was not counted), true otherwise.
 */
bool meter_add(uint64_t *counter, uint64_t amount);

/*
 * Usage from sample prev to sample now, per the rule above, into *delta
 * (delta->generation = now->generation).  delta may be the same object as
 * prev or now.
 */
enum meter_delta_result meter_delta(const struct usage_meter *prev,
				    const struct usage_meter *now,
				    struct usage_meter *delta);

#endif
