// SPDX-License-Identifier: GPL-2.0-only
/*
 * console.c - the console hub (see console.h): one thread, poll(2) over
 * every console socket plus an eventfd that announces new ones, and every
 * CONSOLE_POLL_MS a read of each watched domain's console.  Typed keys are
 * not left for that tick: they go to the guest as soon as they arrive, and
 * for CONSOLE_TYPING_MS after a key the consoles are read every
 * CONSOLE_TYPING_POLL_MS, so that the echo a person waits for comes back
 * in a few milliseconds rather than up to two ticks (make bench-console
 * measures it), while an idle console costs a read per tick only.
 *
 * Each viewer has three bounded buffers: `in` (bytes received, at most one
 * whole frame: websocket.c refuses larger ones before they arrive),
 * `pend` (console output not yet framed; the oldest bytes are dropped
 * when it is full, and counted) and `wire` (framed bytes being sent:
 * one data frame and a few control frames at most).  Output is framed
 * only when the wire is empty, so a viewer that does not read keeps
 * losing old output instead of making anything grow.
 *
 * Only the hub thread touches viewers and feeds; console_attach() (an
 * HTTP thread) puts a new viewer on `incoming` under the lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console.h"
#include "log.h"

#define FRAME_CHUNK		16384	/* console bytes per binary frame */
#define WIRE_MAX		(FRAME_CHUNK + 1024)
#define CLOSE_GRACE_MS		2000	/* to send a close frame */
#define CHECK_DOMAIN_MS		1000	/* is the domain still there? */
#define HOSTILE_LOG_MS		10000	/* one warning per 10 s at most */

struct feed;

struct viewer {
	struct viewer *next;
	struct feed *feed;
	struct console_open o;
	MHD_socket fd;
	struct MHD_UpgradeResponseHandle *urh;
	struct ws_reader rd;
	bool closing, dead;
	int64_t close_deadline_ms;
	uint64_t dropped;		/* output lost since the last notice */
	size_t in_len, pend_len, wire_len, wire_off, input_len;
	uint8_t in[WS_MAX_HEADER + WS_MAX_PAYLOAD];
	uint8_t pend[CONSOLE_VIEWER_PENDING];
	uint8_t wire[WIRE_MAX];
	uint8_t input[CONSOLE_INPUT_MAX];
};

struct feed {
	struct feed *next;
	char server_id[ID_MAX];
	uint32_t domid;
	uint64_t pos;			/* in the domain's console */
	int viewers;
	struct viewer *writer;		/* who has the keyboard, or NULL */
	int64_t next_check_ms;
	size_t backlog_len;
	uint8_t backlog[CONSOLE_BACKLOG];
};

static struct {
	struct hv_backend *hv;
	pthread_t thread;
	bool started;
	int wake_fd;

	pthread_mutex_t lock;		/* guards the three below */
	struct viewer *incoming;
	bool stopping;
	int count;			/* viewers, incoming included */

	/* The hub thread's own. */
	struct viewer *viewers;
	struct feed *feeds;
	int64_t last_hostile_log_ms;
} hub = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake_fd = -1 };

/* --- buffers --- */

/* Appends data, keeping the last cap bytes; *dropped counts what is lost. */
static void keep_last(uint8_t *buf, size_t *len, size_t cap, const uint8_t *data,
		      size_t n, uint64_t *dropped)
{
	if (n >= cap) {
		if (dropped)
			*dropped += *len + (n - cap);
		memcpy(buf, data + (n - cap), cap);
		*len = cap;
		return;
	}
	if (*len + n > cap) {
		size_t lose = *len + n - cap;

		memmove(buf, buf + lose, *len - lose);
		*len -= lose;
		if (dropped)
			*dropped += lose;
	}
	memcpy(buf + *len, data, n);
	*len += n;
}

/* Appends a whole frame to the wire, or nothing if it does not fit. */
static bool queue_frame(struct viewer *v, uint8_t opcode, const void *data, size_t n)
{
	uint8_t header[10];
	size_t hlen = ws_frame_header(header, opcode, n);

	if (v->wire_off > 0) {
		memmove(v->wire, v->wire + v->wire_off, v->wire_len - v->wire_off);
		v->wire_len -= v->wire_off;
		v->wire_off = 0;
	}
	if (v->wire_len + hlen + n > sizeof(v->wire))
		return false;
	memcpy(v->wire + v->wire_len, header, hlen);
	memcpy(v->wire + v->wire_len + hlen, data, n);
	v->wire_len += hlen + n;
	return true;
}

static bool queue_text(struct viewer *v, const char *json)
{
	return queue_frame(v, WS_OP_TEXT, json, strlen(json));
}

/* Starts the closing handshake: nothing more is framed after it. */
static void queue_close(struct viewer *v, uint16_t code, const char *reason)
{
	uint8_t payload[125];

	if (v->closing)
		return;
	queue_frame(v, WS_OP_CLOSE, payload, ws_close_payload(payload, code, reason));
	v->closing = true;
	v->close_deadline_ms = mono_ms() + CLOSE_GRACE_MS;
	v->pend_len = 0;
}

/* Frames pending output while the wire has room: a notice of lost output
 * first, then console bytes. */
static void fill_wire(struct viewer *v)
{
	while (!v->closing) {
		size_t n = v->pend_len < FRAME_CHUNK ? v->pend_len : FRAME_CHUNK;

		if (v->dropped) {
			char notice[80];

			snprintf(notice, sizeof(notice), "{\"type\":\"dropped\",\"bytes\":%llu}",
				 (unsigned long long)v->dropped);
			if (!queue_text(v, notice))
				return;
			v->dropped = 0;
		}
		if (n == 0 || !queue_frame(v, WS_OP_BINARY, v->pend, n))
			return;
		memmove(v->pend, v->pend + n, v->pend_len - n);
		v->pend_len -= n;
	}
}

/* Sends what the socket takes now.  False if the connection is dead. */
static bool flush(struct viewer *v)
{
	for (;;) {
		ssize_t n;

		if (v->wire_off == v->wire_len) {
			v->wire_off = v->wire_len = 0;
			fill_wire(v);
			if (v->wire_len == 0)
				return true;
		}
		n = send(v->fd, v->wire + v->wire_off, v->wire_len - v->wire_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		v->wire_off += (size_t)n;
	}
}

/* --- feeds --- */

static void hostile(const char *server_id, const char *what)
{
	int64_t now = mono_ms();

	if (now - hub.last_hostile_log_ms < HOSTILE_LOG_MS)
		return;
	hub.last_hostile_log_ms = now;
	log_warn("console %s: %s (further such lines suppressed for %d s)",
		 server_id, what, HOSTILE_LOG_MS / 1000);
}

static void feed_close_all(struct feed *fd, uint16_t code, const char *reason)
{
	for (struct viewer *v = hub.viewers; v; v = v->next)
		if (v->feed == fd)
			queue_close(v, code, reason);
}

/* Reads new output into the backlog and every viewer's pending output.
 * 0, or the backend's error (the domain is gone). */
static int feed_read(struct feed *fd, size_t budget)
{
	char chunk[16384];
	size_t total = 0;

	while (total < budget) {
		size_t got = 0;
		int err = hub.hv->console(hub.hv, fd->domid, &fd->pos, chunk,
					  sizeof(chunk), &got);

		if (err)
			return err;
		if (got == 0)
			break;
		total += got;
		keep_last(fd->backlog, &fd->backlog_len, sizeof(fd->backlog),
			  (uint8_t *)chunk, got, NULL);
		for (struct viewer *v = hub.viewers; v; v = v->next)
			if (v->feed == fd && !v->closing)
				keep_last(v->pend, &v->pend_len, sizeof(v->pend),
					  (uint8_t *)chunk, got, &v->dropped);
	}
	return 0;
}

/* What the keyboard typed, as far as the guest's input buffer takes it. */
static void feed_input(struct feed *fd)
{
	struct viewer *w = fd->writer;
	size_t taken = 0;
	int err;

	if (!w || w->input_len == 0)
		return;
	err = hub.hv->console_input(hub.hv, fd->domid, (const char *)w->input,
				    w->input_len, &taken);
	if (err)
		return;		/* kept (bounded) for the next poll; a domain
				 * that is gone is feed_check's to see */
	if (taken > w->input_len)
		taken = w->input_len;
	memmove(w->input, w->input + taken, w->input_len - taken);
	w->input_len -= taken;
}

/* Closes the feed's viewers if its domain is gone or no longer runs. */
static void feed_check(struct feed *fd, int64_t now)
{
	struct hvb_domain d;
	bool found = false;

	if (now < fd->next_check_ms)
		return;
	fd->next_check_ms = now + CHECK_DOMAIN_MS;
	if (hvb_find(hub.hv, fd->server_id, &d, &found) != 0)
		return;			/* transient: look again later */
	if (!found || d.domid != fd->domid ||
	    !(d.state == HV_DOMAIN_RUNNING || d.state == HV_DOMAIN_BLOCKED ||
	      d.state == HV_DOMAIN_PAUSED))
		feed_close_all(fd, WS_CLOSE_SERVER_GONE, "the server stopped");
}

static struct feed *feed_get(const struct console_open *o)
{
	struct feed *fd;

	for (fd = hub.feeds; fd; fd = fd->next)
		if (fd->domid == o->domid && strcmp(fd->server_id, o->server_id) == 0)
			return fd;
	fd = calloc(1, sizeof(*fd));
	if (!fd)
		return NULL;
	str_copy(fd->server_id, o->server_id, sizeof(fd->server_id));
	fd->domid = o->domid;
	/* The backlog: what the hypervisor still has of the console, from
	 * its start (its own ring bounds it), the last CONSOLE_BACKLOG kept. */
	if (feed_read(fd, SIZE_MAX) != 0) {
		free(fd);
		return NULL;
	}
	fd->next = hub.feeds;
	hub.feeds = fd;
	return fd;
}

static void feed_put(struct feed *fd)
{
	if (--fd->viewers > 0)
		return;
	for (struct feed **pp = &hub.feeds; *pp; pp = &(*pp)->next)
		if (*pp == fd) {
			*pp = fd->next;
			break;
		}
	free(fd);
}

/* --- viewers --- */

static void release(struct viewer *v)
{
	if (v->feed) {
		if (v->feed->writer == v)
			v->feed->writer = NULL;
		feed_put(v->feed);
	}
	MHD_upgrade_action(v->urh, MHD_UPGRADE_ACTION_CLOSE);
	pthread_mutex_lock(&hub.lock);
	hub.count--;
	pthread_mutex_unlock(&hub.lock);
	free(v);
}

static void on_frame(struct viewer *v, const struct ws_frame *f)
{
	uint16_t code;

	switch (f->opcode) {
	case WS_OP_TEXT:
	case WS_OP_BINARY:
	case WS_OP_CONT:
		/* Keystrokes, from the viewer that has the keyboard; others'
		 * are ignored.  What the guest cannot take yet waits, up to
		 * CONSOLE_INPUT_MAX bytes; more is dropped (a paste too large
		 * for a UART). */
		if (v->feed && v->feed->writer == v) {
			size_t room = sizeof(v->input) - v->input_len;
			size_t n = f->len < room ? f->len : room;

			memcpy(v->input + v->input_len, f->payload, n);
			v->input_len += n;
		}
		break;
	case WS_OP_PING:
		queue_frame(v, WS_OP_PONG, f->payload, f->len);
		break;
	case WS_OP_PONG:
		break;
	case WS_OP_CLOSE:
		code = ws_close_code_of(f->payload, f->len);
		if (code == 0)
			queue_close(v, WS_CLOSE_PROTOCOL, "bad close frame");
		else
			queue_close(v, code == 1005 ? WS_CLOSE_NORMAL : code, "");
		break;
	}
}

/* Parses what `in` holds. */
static void parse_input(struct viewer *v)
{
	size_t off = 0;

	while (!v->closing) {
		struct ws_frame f;
		size_t used = 0;
		uint16_t code = 0;
		enum ws_result r = ws_read_frame(&v->rd, v->in + off, v->in_len - off,
						 &f, &used, &code);

		if (r == WS_NEED_MORE)
			break;
		if (r == WS_ERROR) {
			hostile(v->o.server_id, code == WS_CLOSE_TOO_BIG ?
				"a viewer sent a frame over the size limit" :
				"a viewer broke the WebSocket protocol");
			queue_close(v, code, code == WS_CLOSE_TOO_BIG ?
				    "frame too large" : "protocol error");
			break;
		}
		on_frame(v, &f);
		off += used;
	}
	if (v->closing) {
		v->in_len = 0;
		return;
	}
	memmove(v->in, v->in + off, v->in_len - off);
	v->in_len -= off;
}

/* Reads from the socket, a few times at most (a client sending without
 * pause must not keep the hub from the others).  False if the peer is
 * gone. */
static bool receive(struct viewer *v)
{
	for (int reads = 0; reads < 8; reads++) {
		ssize_t n;

		if (v->in_len == sizeof(v->in))
			return true;	/* cannot happen: a frame fits */
		n = recv(v->fd, v->in + v->in_len, sizeof(v->in) - v->in_len,
			 MSG_DONTWAIT);
		if (n == 0)
			return false;
		if (n < 0)
			return errno == EINTR ? true : (errno == EAGAIN || errno == EWOULDBLOCK);
		v->in_len += (size_t)n;
		parse_input(v);
		if (v->closing)
			return true;
	}
	return true;
}

/* A new viewer joins its server's feed. */
static void adopt(struct viewer *v)
{
	struct feed *fd;
	char hello[96];

	v->next = hub.viewers;
	hub.viewers = v;
	fd = feed_get(&v->o);
	if (!fd) {
		queue_close(v, WS_CLOSE_SERVER_GONE, "the server is not running");
		return;
	}
	if (fd->viewers >= CONSOLE_VIEWERS_PER_SERVER) {
		queue_close(v, WS_CLOSE_TOO_MANY, "too many viewers of this console");
		return;
	}
	v->feed = fd;
	fd->viewers++;
	snprintf(hello, sizeof(hello), "{\"type\":\"hello\",\"write\":%s}",
		 v->o.write ? "true" : "false");
	queue_text(v, hello);
	if (v->o.write) {
		if (fd->writer)
			queue_text(fd->writer, "{\"type\":\"keyboard\",\"write\":false}");
		fd->writer = v;
	}
	keep_last(v->pend, &v->pend_len, sizeof(v->pend), fd->backlog,
		  fd->backlog_len, NULL);
	parse_input(v);		/* bytes that came with the request */
}

void console_attach(const struct console_open *o, MHD_socket sock,
		    struct MHD_UpgradeResponseHandle *urh, const char *extra,
		    size_t extra_len)
{
	struct viewer *v = NULL;
	uint64_t one = 1;
	bool ok;
	int flags = fcntl(sock, F_GETFL);

	pthread_mutex_lock(&hub.lock);
	ok = !hub.stopping && hub.started && hub.count < CONSOLE_VIEWERS_MAX &&
	     extra_len <= sizeof(v->in);
	if (ok)
		v = calloc(1, sizeof(*v));
	if (v) {
		hub.count++;
		v->o = *o;
		v->fd = sock;
		v->urh = urh;
		memcpy(v->in, extra, extra_len);
		v->in_len = extra_len;
		v->next = hub.incoming;
		hub.incoming = v;
	}
	pthread_mutex_unlock(&hub.lock);
	if (!v) {
		log_warn("console %s: refused a viewer (%s)", o->server_id,
			 ok ? "out of memory" : "too many viewers, or stopping");
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		return;
	}
	if (flags >= 0)
		fcntl(sock, F_SETFL, flags | O_NONBLOCK);
	if (write(hub.wake_fd, &one, sizeof(one)) < 0)
		log_warn("console: cannot wake the hub: %s", strerror(errno));
}

int console_domain(const char *server_id, uint32_t *domid)
{
	struct hvb_domain d;
	bool found = false;
	int err = hvb_find(hub.hv, server_id, &d, &found);

	if (err)
		return err;
	if (!found || !(d.state == HV_DOMAIN_RUNNING || d.state == HV_DOMAIN_BLOCKED ||
			d.state == HV_DOMAIN_PAUSED))
		return 1;
	*domid = d.domid;
	return 0;
}

/* --- the hub --- */

/* Releases the dead, and the closed once their close frame is out. */
static void sweep(int64_t now)
{
	struct viewer **pp = &hub.viewers;

	while (*pp) {
		struct viewer *v = *pp;

		if (v->dead || (v->closing && (v->wire_off == v->wire_len ||
					       now >= v->close_deadline_ms))) {
			*pp = v->next;
			release(v);
		} else {
			pp = &v->next;
		}
	}
}

static void *hub_main(void *arg)
{
	struct pollfd fds[CONSOLE_VIEWERS_MAX + 1];
	struct viewer *polled[CONSOLE_VIEWERS_MAX + 1];
	int64_t next_poll = 0, typing_until = 0;

	(void)arg;
	for (;;) {
		struct viewer *in;
		bool stopping, typed = false;
		int64_t now;
		int n = 1, timeout = -1;

		pthread_mutex_lock(&hub.lock);
		in = hub.incoming;
		hub.incoming = NULL;
		stopping = hub.stopping;
		pthread_mutex_unlock(&hub.lock);
		while (in) {
			struct viewer *next = in->next;

			adopt(in);
			in = next;
		}
		if (stopping)
			break;

		now = mono_ms();
		if (now >= next_poll) {
			for (struct feed *fd = hub.feeds; fd; fd = fd->next) {
				if (feed_read(fd, CONSOLE_READ_PER_POLL) != 0)
					feed_close_all(fd, WS_CLOSE_SERVER_GONE,
						       "the server stopped");
				feed_input(fd);
				feed_check(fd, now);
			}
			next_poll = now + (now < typing_until ? CONSOLE_TYPING_POLL_MS :
						       CONSOLE_POLL_MS);
		}

		for (struct viewer *v = hub.viewers; v; v = v->next)
			if (!flush(v))
				v->dead = true;
		sweep(now);
		fds[0] = (struct pollfd){ .fd = hub.wake_fd, .events = POLLIN };
		for (struct viewer *v = hub.viewers; v && n < (int)(sizeof(fds) / sizeof(fds[0]));
		     v = v->next) {
			fds[n] = (struct pollfd){ .fd = v->fd,
				.events = (short)((v->closing ? 0 : POLLIN) |
					  (v->wire_off < v->wire_len ? POLLOUT : 0)) };
			polled[n++] = v;
		}
		if (hub.viewers)
			timeout = next_poll > now ? (int)(next_poll - now) : 0;

		if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			log_error("console: poll: %s", strerror(errno));
			sleep_ms(CONSOLE_POLL_MS);
			continue;
		}
		if (fds[0].revents & POLLIN) {
			uint64_t count;

			if (read(hub.wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
				log_warn("console: wake: %s", strerror(errno));
		}
		for (int i = 1; i < n; i++) {
			struct viewer *v = polled[i];
			size_t had;

			if (v->dead)
				continue;
			had = v->input_len;
			if ((fds[i].revents & POLLIN) && !receive(v))
				v->dead = true;
			else if (v->input_len > had)
				typed = true;
			else if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL))
				v->dead = true;
			else if ((fds[i].revents & POLLOUT) && !flush(v))
				v->dead = true;
		}
		now = mono_ms();
		if (typed) {
			/* Keys go to the guest now, not at the next poll, and
			 * its echo is read within CONSOLE_TYPING_POLL_MS. */
			next_poll = now;
			typing_until = now + CONSOLE_TYPING_MS;
		}
		sweep(now);
	}

	/* Stopping: say so to everyone, as far as their sockets take it now. */
	for (struct viewer *v = hub.viewers; v; v = v->next) {
		queue_close(v, WS_CLOSE_GOING_AWAY, "provisiond is stopping");
		flush(v);
		v->dead = true;
	}
	sweep(mono_ms());
	return NULL;
}

int console_start(struct hv_backend *hv)
{
	hub.hv = hv;
	hub.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (hub.wake_fd < 0)
		return -1;
	hub.stopping = false;
	if (pthread_create(&hub.thread, NULL, hub_main, NULL) != 0) {
		close(hub.wake_fd);
		hub.wake_fd = -1;
		return -1;
	}
	pthread_mutex_lock(&hub.lock);
	hub.started = true;
	pthread_mutex_unlock(&hub.lock);
	return 0;
}

void console_stop(void)
{
	uint64_t one = 1;
	bool started;

	pthread_mutex_lock(&hub.lock);
	started = hub.started;
	hub.stopping = true;
	pthread_mutex_unlock(&hub.lock);
	if (!started)
		return;
	if (write(hub.wake_fd, &one, sizeof(one)) < 0)
		log_warn("console: cannot wake the hub: %s", strerror(errno));
	pthread_join(hub.thread, NULL);
	/* Viewers attached after the hub's last look. */
	while (hub.incoming) {
		struct viewer *v = hub.incoming;

		hub.incoming = v->next;
		release(v);
	}
	pthread_mutex_lock(&hub.lock);
	hub.started = false;
	pthread_mutex_unlock(&hub.lock);
	close(hub.wake_fd);
	hub.wake_fd = -1;
}
