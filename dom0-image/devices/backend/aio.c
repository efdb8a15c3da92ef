// SPDX-License-Identifier: GPL-2.0-only
/* hv-backend's io_uring (aio.h). */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "aio.h"

int aio_init(struct aio *a, unsigned entries)
{
	struct io_uring_params p;
	int rc;

	memset(a, 0, sizeof(*a));
	memset(&p, 0, sizeof(p));
	/* Room for every completion the devices can have outstanding. */
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = entries * 4;
	rc = io_uring_queue_init_params(entries, &a->ring, &p);
	if (rc < 0)
		return rc;
	a->eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (a->eventfd < 0) {
		rc = -errno;
		io_uring_queue_exit(&a->ring);
		return rc;
	}
	rc = io_uring_register_eventfd(&a->ring, a->eventfd);
	if (rc < 0) {
		close(a->eventfd);
		io_uring_queue_exit(&a->ring);
	}
	return rc;
}

void aio_exit(struct aio *a)
{
	io_uring_queue_exit(&a->ring);
	close(a->eventfd);
}

struct io_uring_sqe *aio_sqe(struct aio *a, struct aio_op *op)
{
	struct io_uring_sqe *sqe;

	while (!(sqe = io_uring_get_sqe(&a->ring))) {
		/* The ring is full of prepared entries: send them. */
		io_uring_submit(&a->ring);
	}
	io_uring_sqe_set_data(sqe, op);
	a->in_flight++;
	return sqe;
}

int aio_submit(struct aio *a)
{
	int rc = io_uring_submit(&a->ring);

	return rc < 0 ? rc : 0;
}

unsigned aio_reap(struct aio *a)
{
	struct io_uring_cqe *cqe;
	unsigned n = 0;
	uint64_t ignored;

	/* Clear the eventfd first: a completion after this re-arms it. */
	if (read(a->eventfd, &ignored, sizeof(ignored)) < 0 && errno != EAGAIN)
		return 0;
	while (io_uring_peek_cqe(&a->ring, &cqe) == 0) {
		struct aio_op *op = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&a->ring, cqe);
		a->in_flight--;
		n++;
		op->done(op, res);
	}
	/* done() may have prepared more. */
	aio_submit(a);
	return n;
}

unsigned aio_wait(struct aio *a)
{
	struct io_uring_cqe *cqe;

	aio_submit(a);
	if (a->in_flight && io_uring_wait_cqe(&a->ring, &cqe) < 0)
		return 0;
	return aio_reap(a);
}
