// SPDX-License-Identifier: GPL-2.0-only
/*
 * webhook.h - delivering events (events.h) to the hoster's endpoints:
 * the checks of an endpoint (webhook_check.c, pure, unit-tested) and the
 * delivery thread (webhook_delivery.c).  docs/webhooks.md is the
 * receiver's side of it.
 *
 * What a delivery is: an HTTP POST of the event's JSON body with
 *	X-Webhook-Event-Id: evt_...	(receivers dedupe on it)
 *	X-Webhook-Timestamp: <epoch s of this attempt>
 *	X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, timestamp "." body)>
 * 2xx is delivered; anything else (another status, no connection, a
 * timeout, a refused address) is retried with exponential backoff and
 * jitter until webhook_max_attempts or webhook_max_age, then failed.
 * At-least-once: a crash during an attempt repeats it after the restart.
 *
 * The appliance never calls itself: a URL whose host is (or, at delivery
 * time, resolves to) a loopback, unspecified, link-local, multicast or
 * broadcast address, or one of the appliance's own addresses, is refused;
 * webhook_allow_loopback (the API tests' receiver) lets loopback through.
 */
#ifndef PROVISIOND_WEBHOOK_H
#define PROVISIOND_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define WEBHOOK_SECRET_MIN	16	/* bytes */
#define WEBHOOK_SECRET_MAX	256
#define WEBHOOK_URL_MAX		2048
#define WEBHOOK_RETRY_CAP_S	3600	/* longest wait between two attempts */
#define WEBHOOK_SIGNATURE_HEX	64	/* SHA-256 in hex, without its NUL */
/* At most one warning in the log per endpoint in this many seconds about
 * its failed attempts (webhook_warn_due()). */
#define WEBHOOK_WARN_EVERY_S	60

struct webhook_settings {
	bool allow_loopback;
	int timeout_s;			/* one attempt, connect included */
	int retry_base_s;		/* the first retry's wait */
	int max_attempts;
	int max_age_s;			/* after the event, no more attempts */
	int parallel;			/* attempts in flight at once */
};

extern struct webhook_settings webhook_settings;

/* --- checks (webhook_check.c) --- */

/*
 * NULL if addr may be a webhook's target, else why not ("a loopback
 * address", ...).  own[] are the appliance's own addresses (nown of them).
 */
const char *webhook_address_refused(const struct sockaddr *addr, bool allow_loopback,
				    const struct sockaddr_storage *own, size_t nown);

/* The appliance's addresses (getifaddrs), up to max.  Their count. */
size_t webhook_own_addresses(struct sockaddr_storage *out, size_t max);

/*
 * Checks a webhook URL as given to the API: http or https, a host, no
 * user name or password, no fragment, and a host that is not a name of
 * this machine ("localhost") or a refused address literal (the
 * appliance's own addresses from webhook_own_addresses()).  Names are
 * resolved only when delivering.  0, or -1 with why filled in.
 */
int webhook_url_check(const char *url, bool allow_loopback, char *why, size_t len);

/* The same with the appliance's addresses given (for the unit tests). */
int webhook_url_check_with(const char *url, bool allow_loopback,
			   const struct sockaddr_storage *own, size_t nown,
			   char *why, size_t len);

/*
 * The wait before the next attempt after `attempts` failed ones (>= 1):
 * base_s doubled per earlier failure, at most WEBHOOK_RETRY_CAP_S, then
 * drawn from [half, all] of it with rnd (jitter: endpoints that failed
 * together do not all come back at once).  At least 1 s.
 */
int64_t webhook_retry_delay(int attempts, int base_s, uint32_t rnd);

/* Whether a delivery that has failed `attempts` times, for an event made
 * at created_at, gets no further attempt at next_at. */
bool webhook_give_up(int attempts, int max_attempts, int64_t created_at,
		     int64_t next_at, int max_age_s);

/*
 * The log's warnings about one endpoint's failed attempts.  An endpoint
 * that is down for a day fails every attempt of every pending delivery;
 * one line each would fill the log, so a warning is written at most once
 * per WEBHOOK_WARN_EVERY_S and says how many failures it left out.
 */
struct webhook_warn_limit {
	bool warned;			/* a warning was written */
	int64_t last_s;			/* when the last one was (monotonic s) */
	int suppressed;			/* failures not written since */
};

/*
 * Whether a failed attempt at now_s (monotonic seconds) is written: the
 * first, then one after WEBHOOK_WARN_EVERY_S, and every one that gives up
 * (give_up).  If so, *suppressed is the count of failures left out since
 * the last warning and the count starts again; if not, this one is
 * counted.
 */
bool webhook_warn_due(struct webhook_warn_limit *l, int64_t now_s, bool give_up,
		      int *suppressed);

/* Whether forgetting l changes nothing at now_s: its next failure would be
 * written anyway and it owes no count (so its slot may serve another
 * endpoint). */
bool webhook_warn_idle(const struct webhook_warn_limit *l, int64_t now_s);

/* The signature header's hex: HMAC-SHA256(secret, "<timestamp>.<body>"). */
void webhook_sign(const char *secret, int64_t timestamp, const char *body,
		  size_t body_len, char hex[WEBHOOK_SIGNATURE_HEX + 1]);

/* --- the delivery thread (webhook_delivery.c) --- */

/* Starts it with s (also stored in webhook_settings).  0 or -1. */
int webhook_start(const struct webhook_settings *s);

/* Stops it: attempts in flight are abandoned, to be made again at the
 * next start (at-least-once). */
void webhook_stop(void);

#endif
