// SPDX-License-Identifier: GPL-2.0-only
/*
 * websocket.c - RFC 6455 frames and handshake keys (see websocket.h).
 * SHA-1 and base64 are nettle's, as everywhere in provisiond.
 */
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include "websocket.h"

/* RFC 6455, 1.3: the GUID appended to the client's key. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

static bool is_base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool ws_key_valid(const char *key)
{
	/* 16 bytes are 22 base64 characters and "==". */
	if (!key || strlen(key) != 24 || key[22] != '=' || key[23] != '=')
		return false;
	for (int i = 0; i < 22; i++)
		if (!is_base64_char(key[i]))
			return false;
	return true;
}

void ws_accept_key(const char *key, char out[WS_ACCEPT_LEN + 1])
{
	uint8_t digest[SHA1_DIGEST_SIZE];
	struct sha1_ctx c;

	sha1_init(&c);
	sha1_update(&c, strlen(key), (const uint8_t *)key);
	sha1_update(&c, strlen(ws_guid), (const uint8_t *)ws_guid);
	sha1_digest(&c, sizeof(digest), digest);
	base64_encode_raw(out, sizeof(digest), digest);
	out[WS_ACCEPT_LEN] = '\0';
}

static bool is_control(uint8_t opcode)
{
	return opcode & 0x8;
}

static bool opcode_known(uint8_t opcode)
{
	return opcode == WS_OP_CONT || opcode == WS_OP_TEXT ||
	       opcode == WS_OP_BINARY || opcode == WS_OP_CLOSE ||
	       opcode == WS_OP_PING || opcode == WS_OP_PONG;
}

enum ws_result ws_read_frame(struct ws_reader *r, uint8_t *buf, size_t len,
			     struct ws_frame *f, size_t *used, uint16_t *close_code)
{
	size_t header = 2;
	uint64_t plen;
	uint8_t opcode, *mask;
	bool fin;

	if (len < 2)
		return WS_NEED_MORE;
	fin = buf[0] & 0x80;
	opcode = buf[0] & 0x0f;

	/* What the first two bytes alone decide, before waiting for more. */
	if ((buf[0] & 0x70) || !opcode_known(opcode) || !(buf[1] & 0x80)) {
		*close_code = WS_CLOSE_PROTOCOL;	/* RSV, opcode, unmasked */
		return WS_ERROR;
	}
	plen = buf[1] & 0x7f;
	if (is_control(opcode) && (!fin || plen > 125)) {
		*close_code = WS_CLOSE_PROTOCOL;
		return WS_ERROR;
	}
	if (!is_control(opcode)) {
		bool cont = opcode == WS_OP_CONT;

		if (cont != r->in_message) {
			/* A continuation with no message open, or a new
			 * message before the last one's final fragment. */
			*close_code = WS_CLOSE_PROTOCOL;
			return WS_ERROR;
		}
	}

	if (plen == 126) {
		if (len < 4)
			return WS_NEED_MORE;
		plen = (uint64_t)buf[2] << 8 | buf[3];
		header = 4;
	} else if (plen == 127) {
		if (len < 10)
			return WS_NEED_MORE;
		if (buf[2] & 0x80) {
			*close_code = WS_CLOSE_PROTOCOL;	/* MSB must be 0 */
			return WS_ERROR;
		}
		plen = 0;
		for (int i = 2; i < 10; i++)
			plen = plen << 8 | buf[i];
		header = 10;
	}
	if (plen > WS_MAX_PAYLOAD) {
		*close_code = WS_CLOSE_TOO_BIG;
		return WS_ERROR;
	}
	header += 4;				/* the mask */
	if (len < header + plen)
		return WS_NEED_MORE;

	mask = buf + header - 4;
	for (size_t i = 0; i < plen; i++)
		buf[header + i] ^= mask[i & 3];

	if (!is_control(opcode))
		r->in_message = !fin;
	f->opcode = opcode;
	f->fin = fin;
	f->payload = buf + header;
	f->len = (size_t)plen;
	*used = header + (size_t)plen;
	return WS_FRAME;
}

size_t ws_frame_header(uint8_t out[10], uint8_t opcode, size_t len)
{
	out[0] = 0x80 | opcode;
	if (len < 126) {
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		return 4;
	}
	out[1] = 127;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	return 10;
}

size_t ws_close_payload(uint8_t out[125], uint16_t code, const char *reason)
{
	size_t n = reason ? strlen(reason) : 0;

	if (n > 123)
		n = 123;
	out[0] = (uint8_t)(code >> 8);
	out[1] = (uint8_t)code;
	if (n)
		memcpy(out + 2, reason, n);
	return 2 + n;
}

uint16_t ws_close_code_of(const uint8_t *payload, size_t len)
{
	uint16_t code;

	if (len == 0)
		return 1005;
	if (len == 1)
		return 0;
	code = (uint16_t)(payload[0] << 8 | payload[1]);
	/* RFC 6455, 7.4.1-2: codes a peer may send. */
	if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
	    (code >= 3000 && code <= 4999))
		return code;
	return 0;
}
