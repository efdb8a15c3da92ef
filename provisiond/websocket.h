// SPDX-License-Identifier: GPL-2.0-only
/*
 * websocket.h - the WebSocket protocol (RFC 6455) as the console socket
 * speaks it: the opening handshake's accept key, reading client frames and
 * writing server frames.  No I/O here: console.c moves the bytes; these
 * functions only decide what bytes mean, so the unit tests can feed them
 * hostile frames.
 *
 * What a client may send, and what we refuse (the connection is then
 * closed with the close code given):
 *   - every frame masked (a client MUST mask: 1002 otherwise);
 *   - RSV bits zero (no extension is negotiated: 1002);
 *   - opcodes continuation, text, binary, close, ping, pong (others 1002);
 *   - control frames (close, ping, pong) unfragmented with at most 125
 *     bytes (1002);
 *   - fragments in order: a continuation only inside a message, no new
 *     data frame before the last fragment (1002);
 *   - a payload of at most WS_MAX_PAYLOAD bytes per frame (1009), checked
 *     on the header, before any of the payload is buffered: a declared
 *     length of 2^63 costs nothing.
 * Text frames are not checked for UTF-8: console input is a byte stream,
 * and we pass text and binary payloads alike to the guest.
 */
#ifndef PROVISIOND_WEBSOCKET_H
#define PROVISIOND_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_OP_CONT	0x0
#define WS_OP_TEXT	0x1
#define WS_OP_BINARY	0x2
#define WS_OP_CLOSE	0x8
#define WS_OP_PING	0x9
#define WS_OP_PONG	0xa

/* Close codes (RFC 6455, 7.4.1) and ours (4000-4999, private use). */
#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_GOING_AWAY	1001	/* provisiond is stopping */
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_TOO_BIG	1009
#define WS_CLOSE_SERVER_GONE	4001	/* the server stopped or was deleted */
#define WS_CLOSE_TOO_MANY	4008	/* too many viewers */

/* The largest client frame payload accepted (keyboard input is small). */
#define WS_MAX_PAYLOAD		16384
/* The largest frame header: 2 + 8 (length) + 4 (mask). */
#define WS_MAX_HEADER		14

/* The accept key's length as text (base64 of 20 bytes), without NUL. */
#define WS_ACCEPT_LEN		28

/*
 * True if key is a valid Sec-WebSocket-Key: base64 of exactly 16 bytes.
 */
bool ws_key_valid(const char *key);

/* Sec-WebSocket-Accept for key: base64(SHA-1(key GUID)), NUL-terminated. */
void ws_accept_key(const char *key, char out[WS_ACCEPT_LEN + 1]);

/* One frame read from the client, its payload unmasked in place. */
struct ws_frame {
	uint8_t opcode;			/* WS_OP_* */
	bool fin;
	uint8_t *payload;		/* points into the caller's buffer */
	size_t len;
};

/* Fragmentation state across frames of one connection. */
struct ws_reader {
	bool in_message;		/* a fragmented data message is open */
};

enum ws_result {
	WS_NEED_MORE,		/* not a whole frame yet: read more, call again */
	WS_FRAME,		/* *f is one frame; *used bytes consumed */
	WS_ERROR,		/* *close_code says why (1002, 1009) */
};

/*
 * Reads the first frame of buf[0..len) (bytes as received, which it
 * unmasks in place).  WS_FRAME: *f filled, *used is the frame's size
 * (drop those bytes before the next call).  WS_NEED_MORE: nothing
 * consumed.  WS_ERROR: *close_code set; the connection must be closed.
 */
enum ws_result ws_read_frame(struct ws_reader *r, uint8_t *buf, size_t len,
			     struct ws_frame *f, size_t *used, uint16_t *close_code);

/*
 * Writes a server frame header (FIN set, unmasked) for a payload of len
 * bytes into out; returns its size (2, 4 or 10).
 */
size_t ws_frame_header(uint8_t out[10], uint8_t opcode, size_t len);

/*
 * A close frame's payload: code (big-endian) and reason (cut to fit a
 * control frame).  Returns its size.
 */
size_t ws_close_payload(uint8_t out[125], uint16_t code, const char *reason);

/*
 * The close code a client's close frame carries: 1005 (none) for an empty
 * payload; 0 if the payload is malformed (1 byte) or the code may not be
 * sent (RFC 6455, 7.4): the reply is then 1002.
 */
uint16_t ws_close_code_of(const uint8_t *payload, size_t len);

#endif
