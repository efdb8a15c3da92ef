// SPDX-License-Identifier: GPL-2.0-only
/* Usage meters for billing (see meter.h for the rules). */
#include "meter.h"

void meter_init(struct usage_meter *m, uint64_t generation)
{
	m->generation = generation;
	m->bytes_in = 0;
	m->bytes_out = 0;
	m->cpu_ns = 0;
	m->io_ops = 0;
}

bool meter_add(uint64_t *counter, uint64_t amount)
{
	if (amount > UINT64_MAX - *counter) {
		*counter = UINT64_MAX;
		return false;
	}
	*counter += amount;
	return true;
}

/*
 * One counter's delta within a generation.  A counter that went back was
 * restarted from zero: all of its current value is new usage.
 */
static uint64_t counter_delta(uint64_t prev, uint64_t now, bool *went_backwards)
{
	if (now < prev) {
		*went_backwards = true;
		return now;
	}
	return now - prev;
}

enum meter_delta_result meter_delta(const struct usage_meter *prev,
				    const struct usage_meter *now,
				    struct usage_meter *delta)
{
	struct usage_meter result;
	bool went_backwards = false;

	if (prev->generation != now->generation) {
		*delta = *now;
		return METER_DELTA_RESTARTED;
	}
	result.generation = now->generation;
	result.bytes_in = counter_delta(prev->bytes_in, now->bytes_in, &went_backwards);
	result.bytes_out = counter_delta(prev->bytes_out, now->bytes_out, &went_backwards);
	result.cpu_ns = counter_delta(prev->cpu_ns, now->cpu_ns, &went_backwards);
	result.io_ops = counter_delta(prev->io_ops, now->io_ops, &went_backwards);
	*delta = result;
	return went_backwards ? METER_DELTA_WENT_BACKWARDS : METER_DELTA_CONTINUOUS;
}
