// SPDX-License-Identifier: GPL-2.0-only
/*
 * webhook_check.c: what a webhook URL may point at, the retry arithmetic,
 * the rate limit of failure warnings and the delivery signature, and
 * metrics.c: the exposition format.
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "suites.h"
#include "webhook.h"

static struct sockaddr_storage addr_of(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		ss.ss_family = AF_INET6;
		ck_assert(inet_pton(AF_INET6, text,
				    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1);
	} else {
		ss.ss_family = AF_INET;
		ck_assert(inet_pton(AF_INET, text,
				    &((struct sockaddr_in *)&ss)->sin_addr) == 1);
	}
	return ss;
}

static const char *refused(const char *text, bool allow_loopback)
{
	struct sockaddr_storage own[2] = { addr_of("192.0.2.10"), addr_of("2001:db8::10") };
	struct sockaddr_storage a = addr_of(text);

	return webhook_address_refused((struct sockaddr *)&a, allow_loopback, own, 2);
}

START_TEST(addresses_of_the_appliance_are_refused)
{
	static const char *const bad[] = {
		"127.0.0.1", "127.8.9.1", "0.0.0.0", "0.1.2.3", "169.254.169.254",
		"169.254.0.1", "224.0.0.1", "255.255.255.255", "240.0.0.1",
		"::1", "::", "fe80::1", "ff02::1", "::ffff:127.0.0.1",
		"::ffff:169.254.169.254", "192.0.2.10", "2001:db8::10",
		"::ffff:192.0.2.10",
	};
	static const char *const good[] = {
		"192.0.2.11", "10.1.2.3", "172.16.0.1", "198.51.100.7", "8.8.8.8",
		"2001:db8::11", "fd00::1", "::ffff:198.51.100.7",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(refused(bad[i], false), "%s was allowed", bad[i]);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(!refused(good[i], false), "%s was refused: %s", good[i],
			      refused(good[i], false));
	ck_assert_str_eq(refused("127.0.0.1", false), "a loopback address");
	ck_assert_str_eq(refused("192.0.2.10", false), "an address of this appliance");
	/* The tests' switch lets loopback through, and loopback only. */
	ck_assert_ptr_null(refused("127.0.0.1", true));
	ck_assert_ptr_null(refused("::1", true));
	ck_assert_ptr_null(refused("::ffff:127.0.0.1", true));
	ck_assert_ptr_nonnull(refused("169.254.169.254", true));
	ck_assert_ptr_nonnull(refused("192.0.2.10", true));
	ck_assert_ptr_nonnull(refused("0.0.0.0", true));
}
END_TEST

static int url_check(const char *url, bool allow_loopback, char *why)
{
	struct sockaddr_storage own[1] = { addr_of("192.0.2.10") };

	return webhook_url_check_with(url, allow_loopback, own, 1, why, 200);
}

START_TEST(urls_checked)
{
	static const struct { const char *url; const char *why; } bad[] = {
		{ "ftp://example.com/x", "http or https" },
		{ "file:///etc/passwd", "http or https" },
		{ "example.com/hook", "absolute URL" },
		{ "not a url", "" },
		{ "http://user:pw@example.com/", "user name or password" },
		{ "https://user@example.com/", "user name or password" },
		{ "http://localhost:8080/", "this appliance" },
		{ "http://LOCALHOST./", "this appliance" },
		{ "http://api.localhost/", "this appliance" },
		{ "http://127.0.0.1/", "loopback" },
		{ "http://2130706433/", "loopback" },		/* 127.0.0.1 */
		{ "http://0x7f.1/", "loopback" },
		{ "http://[::1]:80/", "loopback" },
		{ "http://[::ffff:7f00:1]/", "loopback" },
		{ "http://169.254.169.254/latest", "link-local" },
		{ "http://[fe80::1%25eth0]/", "link-local" },
		{ "http://0.0.0.0/", "unspecified" },
		{ "http://192.0.2.10/", "this appliance" },
		{ "https://example.com/#frag", "fragment" },
	};
	static const char *const good[] = {
		"http://example.com/hook", "https://billing.example.com:8443/a?b=c",
		"http://192.0.2.11/", "http://[2001:db8::1]/x", "https://10.0.0.5/",
	};
	char why[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_msg(url_check(bad[i].url, false, why) == -1, "%s allowed", bad[i].url);
		ck_assert_msg(strstr(why, bad[i].why), "%s: '%s' does not say '%s'",
			      bad[i].url, why, bad[i].why);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(url_check(good[i], false, why) == 0, "%s refused: %s",
			      good[i], why);
	ck_assert_int_eq(url_check("http://127.0.0.1:9/", true, why), 0);
	ck_assert_int_eq(url_check("http://localhost:9/", true, why), 0);
	ck_assert_int_eq(url_check("http://169.254.169.254/", true, why), -1);
	{
		char longurl[WEBHOOK_URL_MAX + 40];

		snprintf(longurl, sizeof(longurl), "http://example.com/%0*d",
			 WEBHOOK_URL_MAX, 0);
		ck_assert_int_eq(url_check(longurl, false, why), -1);
		ck_assert(strstr(why, "longer"));
	}
}
END_TEST

START_TEST(backoff_doubles_with_jitter_and_a_cap)
{
	/* Without jitter's luck either way: the bounds of each draw. */
	for (int attempts = 1; attempts <= 20; attempts++) {
		int64_t full = 10;

		for (int i = 1; i < attempts; i++)
			full = full * 2 > WEBHOOK_RETRY_CAP_S ? WEBHOOK_RETRY_CAP_S : full * 2;
		ck_assert_int_eq(webhook_retry_delay(attempts, 10, 0), full / 2);
		ck_assert_int_eq(webhook_retry_delay(attempts, 10, (uint32_t)(full - full / 2)),
				 full);
		for (uint32_t r = 0; r < 2000; r += 7) {
			int64_t d = webhook_retry_delay(attempts, 10, r * 2654435761u);

			ck_assert(d >= full / 2 && d <= full);
		}
	}
	ck_assert_int_eq(webhook_retry_delay(1, 1, 0), 1);	/* never 0 */
	ck_assert_int_eq(webhook_retry_delay(1000, 10, 0), WEBHOOK_RETRY_CAP_S / 2);
	ck_assert_int_eq(webhook_retry_delay(3, 10, 0), 20);	/* 40 s, half */

	ck_assert(!webhook_give_up(1, 15, 1000, 1010, 86400));
	ck_assert(webhook_give_up(15, 15, 1000, 1010, 86400));
	ck_assert(webhook_give_up(3, 15, 1000, 1000 + 86401, 86400));
	ck_assert(!webhook_give_up(3, 15, 1000, 1000 + 86400, 86400));
}
END_TEST

/* An endpoint that fails every 10 s: one warning a minute, each saying
 * how many it left out; giving up always written. */
START_TEST(failure_warnings_limited_per_minute)
{
	struct webhook_warn_limit l = { 0 };
	int suppressed = -1, written = 0;

	ck_assert(webhook_warn_idle(&l, 1000));
	ck_assert(webhook_warn_due(&l, 1000, false, &suppressed));	/* the first */
	ck_assert_int_eq(suppressed, 0);
	ck_assert(!webhook_warn_idle(&l, 1000));
	for (int64_t t = 1010; t < 1000 + WEBHOOK_WARN_EVERY_S; t += 10)
		ck_assert(!webhook_warn_due(&l, t, false, &suppressed));
	ck_assert(!webhook_warn_idle(&l, 1000 + WEBHOOK_WARN_EVERY_S));	/* owes 5 */
	ck_assert(webhook_warn_due(&l, 1000 + WEBHOOK_WARN_EVERY_S, false, &suppressed));
	ck_assert_int_eq(suppressed, 5);

	/* Giving up is written at once, with the count so far. */
	ck_assert(!webhook_warn_due(&l, 1070, false, &suppressed));
	ck_assert(webhook_warn_due(&l, 1075, true, &suppressed));
	ck_assert_int_eq(suppressed, 1);
	ck_assert(!webhook_warn_due(&l, 1080, false, &suppressed));

	/* A day of failures every 10 s: 8,640 attempts, 1,440 lines. */
	memset(&l, 0, sizeof(l));
	for (int64_t t = 0; t < 86400; t += 10)
		if (webhook_warn_due(&l, t, false, &suppressed))
			written++;
	ck_assert_int_eq(written, 86400 / WEBHOOK_WARN_EVERY_S);
	ck_assert_int_eq(suppressed, WEBHOOK_WARN_EVERY_S / 10 - 1);

	/* Quiet for a minute with nothing owed: its slot may be reused. */
	memset(&l, 0, sizeof(l));
	ck_assert(webhook_warn_due(&l, 0, false, &suppressed));
	ck_assert(!webhook_warn_idle(&l, WEBHOOK_WARN_EVERY_S - 1));
	ck_assert(webhook_warn_idle(&l, WEBHOOK_WARN_EVERY_S));
}
END_TEST

START_TEST(signature_is_hmac_sha256_of_timestamp_and_body)
{
	const char *body = "{\"id\":\"evt_0011223344556677\",\"type\":\"job.failed\"}";
	char hex[WEBHOOK_SIGNATURE_HEX + 1], other[WEBHOOK_SIGNATURE_HEX + 1];

	/* Python's hmac.new(key, b"1700000000." + body, sha256).hexdigest() */
	webhook_sign("0123456789abcdef0123", 1700000000, body, strlen(body), hex);
	ck_assert_str_eq(hex, "91affe2a7b540f8744ab4f4aa6140b37728fd3ac7a21494e525c1d2f20acbadf");
	webhook_sign("0123456789abcdef0123", 1700000001, body, strlen(body), other);
	ck_assert_str_ne(hex, other);
	webhook_sign("0123456789abcdef0124", 1700000000, body, strlen(body), other);
	ck_assert_str_ne(hex, other);
}
END_TEST

START_TEST(exposition_escaping_and_histograms)
{
	static const double le[] = { 0.1, 1 };
	struct histogram h = { .le = le, .nle = 2 };
	struct mbuf b = { 0 };
	char out[64];

	ck_assert(metrics_escape_label("a\"b\\c\nd", out, sizeof(out)));
	ck_assert_str_eq(out, "a\\\"b\\\\c\\nd");
	ck_assert(!metrics_escape_label("0123456789", out, 10));	/* no room */
	ck_assert(metrics_escape_label("", out, 1));
	ck_assert_str_eq(out, "");

	histogram_observe(&h, 0.05);
	histogram_observe(&h, 0.1);	/* le is inclusive */
	histogram_observe(&h, 0.5);
	histogram_observe(&h, 7);
	metrics_family(&b, "x_seconds", "histogram", "Help with a \\ and\na newline.");
	metrics_histogram(&b, "x_seconds", "route=\"/v1/x\"", &h);
	metrics_histogram(&b, "y", "", &h);
	metrics_sample(&b, "z_total", "", 3);
	metrics_sample(&b, "z", "a=\"b\"", 0.25);
	metrics_sample(&b, "big", "", 1e20);
	metrics_sample(&b, "nan", "", NAN);
	ck_assert(!b.failed);
	ck_assert_str_eq(b.text,
		"# HELP x_seconds Help with a \\\\ and\\na newline.\n"
		"# TYPE x_seconds histogram\n"
		"x_seconds_bucket{route=\"/v1/x\",le=\"0.1\"} 2\n"
		"x_seconds_bucket{route=\"/v1/x\",le=\"1\"} 3\n"
		"x_seconds_bucket{route=\"/v1/x\",le=\"+Inf\"} 4\n"
		"x_seconds_sum{route=\"/v1/x\"} 7.65\n"
		"x_seconds_count{route=\"/v1/x\"} 4\n"
		"y_bucket{le=\"0.1\"} 2\n"
		"y_bucket{le=\"1\"} 3\n"
		"y_bucket{le=\"+Inf\"} 4\n"
		"y_sum 7.65\n"
		"y_count 4\n"
		"z_total 3\n"
		"z{a=\"b\"} 0.25\n"
		"big 1e+20\n"
		"nan NaN\n");
	mbuf_free(&b);
}
END_TEST

START_TEST(observed_series_are_bounded)
{
	static char routes[500][40];	/* route texts outlive the counters */
	struct mbuf b = { 0 };
	int lines = 0;

	/* More routes and statuses than the tables hold: the output stays
	 * bounded, and every observation is still counted somewhere.  A
	 * request no route matched is one series, whatever its method. */
	metrics_http_observe("FOO", NULL, 404, 0.001);
	for (int i = 0; i < 500; i++) {
		snprintf(routes[i], sizeof(routes[i]), "/v1/r%d", i);
		metrics_http_observe("GET", routes[i], 200 + i % 40, 0.01);
	}
	metrics_write_observed(&b);
	ck_assert(!b.failed);
	for (const char *p = b.text; (p = strstr(p, "provisiond_http_requests_total{")); p++)
		lines++;
	ck_assert_int_le(lines, 128 * 16);
	ck_assert(strstr(b.text, "route=\"unmatched\",status=\"404\"} 1\n"));
	ck_assert(!strstr(b.text, "FOO"));
	mbuf_free(&b);
}
END_TEST

Suite *webhooks_suite(void)
{
	Suite *s = suite_create("webhooks");
	TCase *tc = tcase_create("webhooks");

	tcase_add_test(tc, addresses_of_the_appliance_are_refused);
	tcase_add_test(tc, urls_checked);
	tcase_add_test(tc, backoff_doubles_with_jitter_and_a_cap);
	tcase_add_test(tc, failure_warnings_limited_per_minute);
	tcase_add_test(tc, signature_is_hmac_sha256_of_timestamp_and_body);
	tcase_add_test(tc, exposition_escaping_and_histograms);
	tcase_add_test(tc, observed_series_are_bounded);
	suite_add_tcase(s, tc);
	return s;
}
