/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aio.h - hv-backend's asynchronous I/O: one io_uring per process, its
 * completions signalled on an eventfd the main loop polls.
 *
 * Each operation carries a struct aio_op (embedded in the device's request)
 * whose done() gets the result (bytes, or -errno) when it completes.
 * Nothing is allocated per operation.
 */
#ifndef DOM0_DEVICES_AIO_H
#define DOM0_DEVICES_AIO_H

#include <liburing.h>

struct aio_op {
	void (*done)(struct aio_op *op, int res);
};

struct aio {
	struct io_uring ring;
	int eventfd;			/* readable when completions are due */
	unsigned in_flight;		/* operations submitted, not reaped */
};

/* 0 or -errno. */
int aio_init(struct aio *a, unsigned entries);
void aio_exit(struct aio *a);

/* A submission entry for op (never NULL: a full ring is submitted first).
 * The caller prepares it; aio_submit() or the next aio_reap() sends it. */
struct io_uring_sqe *aio_sqe(struct aio *a, struct aio_op *op);

/* Sends what was prepared; 0 or -errno. */
int aio_submit(struct aio *a);

/* Calls done() for every completion there is, without waiting; how many. */
unsigned aio_reap(struct aio *a);

/* Waits for at least one completion, then reaps (tests, and shutdown). */
unsigned aio_wait(struct aio *a);

#endif
