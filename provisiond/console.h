// SPDX-License-Identifier: GPL-2.0-only
/*
 * console.h - servers' serial consoles over WebSockets (docs/web-panel.md
 * has the protocol; websocket.h the framing).
 *
 * One thread, the console hub, owns every console socket and talks to the
 * hypervisor for them.  Per server with viewers there is one feed: the
 * hub reads the domain's console output every CONSOLE_POLL_MS, keeps the
 * last CONSOLE_BACKLOG bytes (a new viewer gets them first), and hands
 * every new byte to each viewer of the server.  One viewer of a server
 * types (its keyboard): the last to connect with a write ticket; the one
 * before is told and becomes a watcher.
 *
 * Bounded, whatever the guest or the viewers do: a viewer holds at most
 * CONSOLE_VIEWER_PENDING bytes of output not yet sent; a slow one loses
 * the oldest and is told how much (a text frame {"type": "dropped",
 * "bytes": N}), and its socket is never waited on (non-blocking), so it
 * stalls nobody.  A feed reads at most CONSOLE_READ_PER_POLL bytes per
 * poll.  At most CONSOLE_VIEWERS_MAX viewers in all, and
 * CONSOLE_VIEWERS_PER_SERVER per server.
 *
 * When the server's domain is gone, or stopped, its viewers get a close
 * frame (4001); when provisiond stops, 1001.
 */
#ifndef PROVISIOND_CONSOLE_H
#define PROVISIOND_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <microhttpd.h>

#include "hv_backend.h"
#include "util.h"
#include "websocket.h"

#define CONSOLE_POLL_MS			50
#define CONSOLE_TYPING_POLL_MS		5	/* ... while someone types */
#define CONSOLE_TYPING_MS		500	/* "types": a key this recently */
#define CONSOLE_BACKLOG			(64 * 1024)
#define CONSOLE_VIEWER_PENDING		(128 * 1024)
#define CONSOLE_READ_PER_POLL		(256 * 1024)
#define CONSOLE_INPUT_MAX		4096	/* typed, not yet taken by the guest */
#define CONSOLE_VIEWERS_MAX		64
#define CONSOLE_VIEWERS_PER_SERVER	8

/* A console to open: what the upgrade handler hands to the hub. */
struct console_open {
	char server_id[ID_MAX];
	uint32_t domid;
	bool write;
	char accept[WS_ACCEPT_LEN + 1];	/* Sec-WebSocket-Accept */
};

/* Starts the hub.  0, or -1. */
int console_start(struct hv_backend *hv);

/* Closes every console socket (1001) and stops the hub: before the HTTP
 * server stops (libmicrohttpd wants upgraded sockets closed first). */
void console_stop(void);

/*
 * The domain of a running server (named after its id): 0 with *domid, 1
 * if it has none that runs, or the backend's error.
 */
int console_domain(const char *server_id, uint32_t *domid);

/*
 * Hands an upgraded connection to the hub (from libmicrohttpd's upgrade
 * handler; never blocks).  extra: bytes already read after the request.
 */
void console_attach(const struct console_open *o, MHD_socket sock,
		    struct MHD_UpgradeResponseHandle *urh, const char *extra,
		    size_t extra_len);

/* api_console.c: queues the 101 answer of a request whose handler set
 * req->upgrade; the socket then goes to console_attach(). */
struct request;
enum MHD_Result console_queue_upgrade(struct request *req);

#endif
