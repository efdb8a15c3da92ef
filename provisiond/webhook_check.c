// SPDX-License-Identifier: GPL-2.0-only
/*
 * webhook_check.c - what a webhook may point at, the retry arithmetic,
 * the signature and the rate limit of failure warnings (see webhook.h).
 * No database, no network: unit-tested.
 *
 * The URL is taken apart by libcurl's URL parser, the same one that sends
 * the deliveries, so what is checked here is what is connected to.  An
 * address check at creation only sees literals; the delivery thread
 * checks again every address a name resolves to, just before connecting
 * (webhook_delivery.c), so a name that points at the appliance later is
 * refused then.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include <nettle/hmac.h>

#include "util.h"
#include "webhook.h"

/* An IPv4 address (host byte order): NULL if allowed, else why not. */
static const char *ipv4_refused(uint32_t a, bool allow_loopback)
{
	if ((a >> 24) == 127)
		return allow_loopback ? NULL : "a loopback address";
	if ((a >> 24) == 0)
		return "an unspecified address";
	if ((a >> 16) == 0xa9fe)		/* 169.254/16 */
		return "a link-local address";
	if ((a >> 28) == 0xe)			/* 224/4 */
		return "a multicast address";
	if ((a >> 28) == 0xf)			/* 240/4, 255.255.255.255 */
		return "a reserved or broadcast address";
	return NULL;
}

static bool same_address(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr,
		      sizeof(struct in6_addr)) == 0;
}

const char *webhook_address_refused(const struct sockaddr *addr, bool allow_loopback,
				    const struct sockaddr_storage *own, size_t nown)
{
	struct sockaddr_in v4;
	const char *why;

	if (addr->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)addr)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6) || IN6_IS_ADDR_V4COMPAT(a6)) {
			/* ::ffff:127.0.0.1 is 127.0.0.1 */
			memset(&v4, 0, sizeof(v4));
			v4.sin_family = AF_INET;
			memcpy(&v4.sin_addr, &a6->s6_addr[12], 4);
			if (!IN6_IS_ADDR_UNSPECIFIED(a6) && !IN6_IS_ADDR_LOOPBACK(a6))
				return webhook_address_refused((struct sockaddr *)&v4,
							       allow_loopback, own, nown);
		}
		if (IN6_IS_ADDR_LOOPBACK(a6)) {
			if (allow_loopback)
				return NULL;
			return "a loopback address";
		}
		if (IN6_IS_ADDR_UNSPECIFIED(a6))
			return "an unspecified address";
		if (IN6_IS_ADDR_LINKLOCAL(a6) || IN6_IS_ADDR_SITELOCAL(a6))
			return "a link-local address";
		if (IN6_IS_ADDR_MULTICAST(a6))
			return "a multicast address";
	} else if (addr->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr);

		if ((why = ipv4_refused(a, allow_loopback)))
			return why;
		/* Allowed loopback is loopback, whatever interface has it. */
		if ((a >> 24) == 127)
			return NULL;
	} else {
		return "not an IP address";
	}
	for (size_t i = 0; i < nown; i++)
		if (same_address(addr, &own[i]))
			return "an address of this appliance";
	return NULL;
}

size_t webhook_own_addresses(struct sockaddr_storage *out, size_t max)
{
	struct ifaddrs *list, *i;
	size_t n = 0;

	if (getifaddrs(&list) != 0)
		return 0;
	for (i = list; i && n < max; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			memset(&out[n], 0, sizeof(out[n]));
			memcpy(&out[n++], i->ifa_addr, sizeof(struct sockaddr_in));
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			memset(&out[n], 0, sizeof(out[n]));
			memcpy(&out[n++], i->ifa_addr, sizeof(struct sockaddr_in6));
		}
	}
	freeifaddrs(list);
	return n;
}

/* host as an address literal into ss: IPv6 in brackets, IPv4 in any form
 * inet_aton() reads ("2130706433", "0x7f.1"): what a resolver would make
 * of it.  false if it is a name. */
static bool host_literal(const char *host, struct sockaddr_storage *ss)
{
	char buf[64];
	size_t n = strlen(host);

	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && n >= 2 && n - 2 < sizeof(buf)) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		buf[strcspn(buf, "%")] = '\0';	/* a zone id */
		s6->sin6_family = AF_INET6;
		return inet_pton(AF_INET6, buf, &s6->sin6_addr) == 1;
	}
	ss->ss_family = AF_INET;
	return inet_aton(host, &((struct sockaddr_in *)ss)->sin_addr) != 0;
}

static bool is_local_name(const char *host)
{
	size_t n = strlen(host);

	while (n > 0 && host[n - 1] == '.')	/* "localhost." */
		n--;
	return (n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	       (n > 10 && strncasecmp(host + n - 10, ".localhost", 10) == 0);
}

int webhook_url_check_with(const char *url, bool allow_loopback,
			   const struct sockaddr_storage *own, size_t nown,
			   char *why, size_t len)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *frag = NULL;
	struct sockaddr_storage ss;
	const char *refused;
	int rc = -1;

	if (!u) {
		snprintf(why, len, "cannot be parsed now (out of memory)");
		return -1;
	}
	if (strlen(url) > WEBHOOK_URL_MAX) {
		snprintf(why, len, "is longer than %d characters", WEBHOOK_URL_MAX);
	} else if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		snprintf(why, len, "is not a valid absolute URL");
	} else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		   (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		snprintf(why, len, "must be an http or https URL");
	} else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
		   curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		snprintf(why, len, "must not hold a user name or password (sign with"
			 " the secret instead)");
	} else if (curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		snprintf(why, len, "must not have a fragment (#...)");
	} else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0]) {
		snprintf(why, len, "has no host");
	} else if (is_local_name(host) && !allow_loopback) {
		snprintf(why, len, "points at this appliance (%s)", host);
	} else if (host_literal(host, &ss) &&
		   (refused = webhook_address_refused((struct sockaddr *)&ss,
						      allow_loopback, own, nown))) {
		snprintf(why, len, "points at %s (%s), which webhooks may not", refused,
			 host);
	} else {
		rc = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_free(frag);
	curl_url_cleanup(u);
	return rc;
}

int webhook_url_check(const char *url, bool allow_loopback, char *why, size_t len)
{
	struct sockaddr_storage own[64];
	size_t n = webhook_own_addresses(own, sizeof(own) / sizeof(own[0]));

	return webhook_url_check_with(url, allow_loopback, own, n, why, len);
}

int64_t webhook_retry_delay(int attempts, int base_s, uint32_t rnd)
{
	int64_t d = base_s > 0 ? base_s : 1;

	for (int i = 1; i < attempts && d < WEBHOOK_RETRY_CAP_S; i++)
		d *= 2;
	if (d > WEBHOOK_RETRY_CAP_S)
		d = WEBHOOK_RETRY_CAP_S;
	/* Uniform in [d/2, d]; never 0. */
	d = d / 2 + (int64_t)(rnd % (uint32_t)(d - d / 2 + 1));
	return d < 1 ? 1 : d;
}

bool webhook_give_up(int attempts, int max_attempts, int64_t created_at,
		     int64_t next_at, int max_age_s)
{
	return attempts >= max_attempts || next_at > created_at + max_age_s;
}

bool webhook_warn_due(struct webhook_warn_limit *l, int64_t now_s, bool give_up,
		      int *suppressed)
{
	if (l->warned && !give_up && now_s - l->last_s < WEBHOOK_WARN_EVERY_S) {
		l->suppressed++;
		return false;
	}
	*suppressed = l->suppressed;
	l->suppressed = 0;
	l->warned = true;
	l->last_s = now_s;
	return true;
}

bool webhook_warn_idle(const struct webhook_warn_limit *l, int64_t now_s)
{
	return !l->warned ||
	       (l->suppressed == 0 && now_s - l->last_s >= WEBHOOK_WARN_EVERY_S);
}

void webhook_sign(const char *secret, int64_t timestamp, const char *body,
		  size_t body_len, char hex[WEBHOOK_SIGNATURE_HEX + 1])
{
	struct hmac_sha256_ctx ctx;
	uint8_t mac[SHA256_DIGEST_SIZE];
	char ts[24];

	snprintf(ts, sizeof(ts), "%lld.", (long long)timestamp);
	hmac_sha256_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
	hmac_sha256_update(&ctx, strlen(ts), (const uint8_t *)ts);
	hmac_sha256_update(&ctx, body_len, (const uint8_t *)body);
	hmac_sha256_digest(&ctx, sizeof(mac), mac);
	hex_encode(mac, sizeof(mac), hex);
	hex[WEBHOOK_SIGNATURE_HEX] = '\0';
}
