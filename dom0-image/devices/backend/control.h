/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control.h - hv-backend's control channel: a Unix stream socket,
 * <run dir>/<domid>.sock, root only (protocol at the top of control.c;
 * the client is libhv/io.c).
 */
#ifndef DOM0_DEVICES_CONTROL_H
#define DOM0_DEVICES_CONTROL_H

#include <poll.h>
#include <stdint.h>

#include "vdev.h"

#define CONTROL_CLIENTS_MAX	4
#define CONTROL_LINE_MAX	256

struct control_client {
	int fd;				/* -1: slot free */
	uint64_t since;			/* accept order, to drop the oldest */
	unsigned len;
	char line[CONTROL_LINE_MAX];
};

struct control {
	int listen_fd;
	char path[108];
	struct vdev *devs;
	unsigned nr_devs;
	uint64_t accepted;
	struct control_client clients[CONTROL_CLIENTS_MAX];
};

/* Creates the run dir (0700) and listens; 0 or -errno.  A stale socket of
 * a dead backend of the same domain is replaced; a live one is -EADDRINUSE. */
int control_open(struct control *c, uint32_t domid, struct vdev *devs,
		 unsigned nr_devs);

/* The descriptors to poll (listener and clients), at most
 * 1 + CONTROL_CLIENTS_MAX; returns how many it wrote. */
unsigned control_poll_fds(struct control *c, struct pollfd *fds);

/* Serves what poll() found on the descriptors control_poll_fds gave. */
void control_poll_ready(struct control *c, const struct pollfd *fds,
			unsigned n);

/* Closes everything and removes the socket. */
void control_close(struct control *c);

/* The answer to one request line (without its '\n') into out (NUL-ended):
 * data lines, then "ok\n" or "error ENAME\n".  Exposed for the tests. */
void control_answer(struct control *c, const char *line, char *out,
		    size_t out_len);

#endif
