// SPDX-License-Identifier: GPL-2.0-only
/*
 * websocket.c: the handshake key, and the frame reader fed what a hostile
 * client sends (unmasked frames, reserved bits and opcodes, oversized and
 * absurd lengths, broken fragmentation, bad close codes), whole or one
 * byte at a time.
 */
#include <string.h>

#include "suites.h"
#include "websocket.h"

/* A client frame: masked with key, payload n bytes. */
static size_t client_frame(uint8_t *out, uint8_t first, const void *payload,
			   size_t n, bool mask)
{
	static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
	size_t h = 0;

	out[h++] = first;
	if (n < 126) {
		out[h++] = (uint8_t)((mask ? 0x80 : 0) | n);
	} else if (n <= 0xffff) {
		out[h++] = (uint8_t)((mask ? 0x80 : 0) | 126);
		out[h++] = (uint8_t)(n >> 8);
		out[h++] = (uint8_t)n;
	} else {
		out[h++] = (uint8_t)((mask ? 0x80 : 0) | 127);
		for (int i = 7; i >= 0; i--)
			out[h++] = (uint8_t)((uint64_t)n >> (8 * i));
	}
	if (mask) {
		memcpy(out + h, key, 4);
		h += 4;
	}
	for (size_t i = 0; i < n; i++)
		out[h + i] = ((const uint8_t *)payload)[i] ^ (mask ? key[i & 3] : 0);
	return h + n;
}

static enum ws_result read1(struct ws_reader *r, uint8_t *buf, size_t len,
			    struct ws_frame *f, size_t *used, uint16_t *code)
{
	*code = 0;
	*used = 0;
	return ws_read_frame(r, buf, len, f, used, code);
}

START_TEST(accept_key_of_rfc_example)
{
	char out[WS_ACCEPT_LEN + 1];

	/* RFC 6455, 1.3. */
	ck_assert(ws_key_valid("dGhlIHNhbXBsZSBub25jZQ=="));
	ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out);
	ck_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	ck_assert(!ws_key_valid(NULL));
	ck_assert(!ws_key_valid(""));
	ck_assert(!ws_key_valid("dGhlIHNhbXBsZSBub25jZQ"));
	ck_assert(!ws_key_valid("dGhlIHNhbXBsZSBub25jZQ=x"));
	ck_assert(!ws_key_valid("dGhlIHNhbXBsZSBub25j*Q=="));
	ck_assert(!ws_key_valid("dGhlIHNhbXBsZSBub25jZQ===="));
}
END_TEST

START_TEST(masked_text_frame_is_unmasked)
{
	uint8_t buf[64];
	struct ws_reader r = { 0 };
	struct ws_frame f;
	size_t used, n = client_frame(buf, 0x81, "hello", 5, true);
	uint16_t code;

	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_FRAME);
	ck_assert_uint_eq(used, n);
	ck_assert_int_eq(f.opcode, WS_OP_TEXT);
	ck_assert(f.fin);
	ck_assert_uint_eq(f.len, 5);
	ck_assert(memcmp(f.payload, "hello", 5) == 0);
}
END_TEST

START_TEST(split_reads_need_more_until_whole)
{
	uint8_t buf[400], payload[300];
	struct ws_reader r = { 0 };
	struct ws_frame f;
	size_t used, n;
	uint16_t code;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	n = client_frame(buf, 0x82, payload, sizeof(payload), true);	/* 16-bit length */
	for (size_t have = 0; have < n; have++)
		ck_assert_int_eq(read1(&r, buf, have, &f, &used, &code), WS_NEED_MORE);
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_FRAME);
	ck_assert_uint_eq(f.len, sizeof(payload));
	ck_assert(memcmp(f.payload, payload, sizeof(payload)) == 0);
}
END_TEST

START_TEST(two_frames_in_one_read)
{
	uint8_t buf[64];
	struct ws_reader r = { 0 };
	struct ws_frame f;
	size_t used, n = client_frame(buf, 0x82, "ab", 2, true);
	uint16_t code;

	n += client_frame(buf + n, 0x89, "p", 1, true);
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_FRAME);
	ck_assert_int_eq(f.opcode, WS_OP_BINARY);
	ck_assert_int_eq(read1(&r, buf + used, n - used, &f, &used, &code), WS_FRAME);
	ck_assert_int_eq(f.opcode, WS_OP_PING);
	ck_assert_uint_eq(f.len, 1);
}
END_TEST

START_TEST(unmasked_client_frame_is_refused)
{
	uint8_t buf[64];
	struct ws_reader r = { 0 };
	struct ws_frame f;
	size_t used, n = client_frame(buf, 0x81, "hi", 2, false);
	uint16_t code;

	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_ERROR);
	ck_assert_int_eq(code, WS_CLOSE_PROTOCOL);
	/* Decided on the first two bytes, before the rest arrives. */
	ck_assert_int_eq(read1(&r, buf, 2, &f, &used, &code), WS_ERROR);
}
END_TEST

START_TEST(reserved_bits_and_opcodes_are_refused)
{
	static const uint8_t firsts[] = { 0xc1, 0xa1, 0x91, 0x83, 0x87, 0x8b, 0x8f };
	uint8_t buf[64];
	struct ws_reader r = { 0 };
	struct ws_frame f;
	size_t used;
	uint16_t code;

	for (size_t i = 0; i < sizeof(firsts); i++) {
		size_t n = client_frame(buf, firsts[i], "x", 1, true);

		ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_ERROR);
		ck_assert_int_eq(code, WS_CLOSE_PROTOCOL);
	}
}
END_TEST

START_TEST(oversized_lengths_are_refused_on_the_header)
{
	uint8_t buf[16] = { 0x82, 0x80 | 127 };
	struct ws_reader r = { 0 };
	struct ws_frame f;
	size_t used;
	uint16_t code;

	/* 2^62 bytes declared: refused with 10 bytes read. */
	buf[2] = 0x40;
	ck_assert_int_eq(read1(&r, buf, 10, &f, &used, &code), WS_ERROR);
	ck_assert_int_eq(code, WS_CLOSE_TOO_BIG);
	/* The top bit of a 64-bit length is a protocol error. */
	buf[2] = 0x80;
	ck_assert_int_eq(read1(&r, buf, 10, &f, &used, &code), WS_ERROR);
	ck_assert_int_eq(code, WS_CLOSE_PROTOCOL);
	/* One byte over the limit, in the 64-bit form. */
	memset(buf + 2, 0, 8);
	buf[7] = (WS_MAX_PAYLOAD + 1) >> 16;
	buf[8] = (uint8_t)((WS_MAX_PAYLOAD + 1) >> 8);
	buf[9] = (uint8_t)(WS_MAX_PAYLOAD + 1);
	ck_assert_int_eq(read1(&r, buf, 10, &f, &used, &code), WS_ERROR);
	ck_assert_int_eq(code, WS_CLOSE_TOO_BIG);
	/* Within the limit: wait for it. */
	buf[9] = (uint8_t)WS_MAX_PAYLOAD;
	buf[8] = (uint8_t)(WS_MAX_PAYLOAD >> 8);
	buf[7] = 0;
	ck_assert_int_eq(read1(&r, buf, 14, &f, &used, &code), WS_NEED_MORE);
}
END_TEST

START_TEST(control_frames_are_small_and_whole)
{
	uint8_t buf[300], payload[126] = { 0 };
	struct ws_reader r = { 0 };
	struct ws_frame f;
	size_t used, n;
	uint16_t code;

	n = client_frame(buf, 0x89, payload, 126, true);	/* ping of 126 */
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_ERROR);
	ck_assert_int_eq(code, WS_CLOSE_PROTOCOL);
	n = client_frame(buf, 0x09, "x", 1, true);		/* fragmented ping */
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_ERROR);
	n = client_frame(buf, 0x89, payload, 125, true);
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_FRAME);
}
END_TEST

START_TEST(fragmentation_rules)
{
	uint8_t buf[64];
	struct ws_reader r = { 0 };
	struct ws_frame f;
	size_t used, n;
	uint16_t code;

	/* A continuation with no message open. */
	n = client_frame(buf, 0x80, "x", 1, true);
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_ERROR);

	/* text (not final), ping in between, continuation, final. */
	r.in_message = false;
	n = client_frame(buf, 0x01, "ab", 2, true);
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_FRAME);
	ck_assert(!f.fin);
	n = client_frame(buf, 0x89, "", 0, true);
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_FRAME);
	n = client_frame(buf, 0x00, "cd", 2, true);
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_FRAME);
	/* A new data message before the last fragment. */
	n = client_frame(buf, 0x82, "x", 1, true);
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_ERROR);
	ck_assert_int_eq(code, WS_CLOSE_PROTOCOL);
	n = client_frame(buf, 0x80, "ef", 2, true);
	ck_assert_int_eq(read1(&r, buf, n, &f, &used, &code), WS_FRAME);
	ck_assert(f.fin);
	ck_assert(!r.in_message);
}
END_TEST

START_TEST(server_frame_headers)
{
	uint8_t h[10];

	ck_assert_uint_eq(ws_frame_header(h, WS_OP_BINARY, 5), 2);
	ck_assert_int_eq(h[0], 0x82);
	ck_assert_int_eq(h[1], 5);
	ck_assert_uint_eq(ws_frame_header(h, WS_OP_BINARY, 126), 4);
	ck_assert_int_eq(h[1], 126);
	ck_assert_int_eq(h[2], 0);
	ck_assert_int_eq(h[3], 126);
	ck_assert_uint_eq(ws_frame_header(h, WS_OP_TEXT, 70000), 10);
	ck_assert_int_eq(h[0], 0x81);
	ck_assert_int_eq(h[1], 127);
	ck_assert_int_eq(h[7], 0x01);
	ck_assert_int_eq(h[8], 0x11);
	ck_assert_int_eq(h[9], 0x70);
}
END_TEST

START_TEST(close_codes)
{
	uint8_t p[125] = { 0 };
	char reason[200];

	ck_assert_uint_eq(ws_close_code_of(p, 0), 1005);
	ck_assert_uint_eq(ws_close_code_of(p, 1), 0);
	ck_assert_uint_eq(ws_close_payload(p, 1000, "bye"), 5);
	ck_assert_uint_eq(ws_close_code_of(p, 5), 1000);
	ws_close_payload(p, 1005, NULL);	/* may not be sent */
	ck_assert_uint_eq(ws_close_code_of(p, 2), 0);
	ws_close_payload(p, 999, NULL);
	ck_assert_uint_eq(ws_close_code_of(p, 2), 0);
	ws_close_payload(p, 4001, NULL);
	ck_assert_uint_eq(ws_close_code_of(p, 2), 4001);
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	ck_assert_uint_eq(ws_close_payload(p, 1000, reason), 125);
}
END_TEST

Suite *websocket_suite(void)
{
	Suite *s = suite_create("websocket");
	TCase *tc = tcase_create("frames");

	tcase_add_test(tc, accept_key_of_rfc_example);
	tcase_add_test(tc, masked_text_frame_is_unmasked);
	tcase_add_test(tc, split_reads_need_more_until_whole);
	tcase_add_test(tc, two_frames_in_one_read);
	tcase_add_test(tc, unmasked_client_frame_is_refused);
	tcase_add_test(tc, reserved_bits_and_opcodes_are_refused);
	tcase_add_test(tc, oversized_lengths_are_refused_on_the_header);
	tcase_add_test(tc, control_frames_are_small_and_whole);
	tcase_add_test(tc, fragmentation_rules);
	tcase_add_test(tc, server_frame_headers);
	tcase_add_test(tc, close_codes);
	suite_add_tcase(s, tc);
	return s;
}
