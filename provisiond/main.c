// SPDX-License-Identifier: GPL-2.0-only
/*
 * provisiond - the provisioning daemon: a REST API (api/openapi.yaml) over
 * an SQLite store of what should exist, and the jobs that make the
 * hypervisor match it.
 *
 * Start-up, in this order, so that no request is served before the
 * database and the hypervisor agree:
 *
 *   settings (config file, then flags)
 *   -> the TLS certificate (made on the first start; a bad one stops here)
 *   -> hypervisor backend (--hv: libhv; the tests' binary also has fake)
 *   -> database (WAL, migrations)
 *   -> reconciliation (interrupted jobs, missing and orphan domains)
 *   -> job workers, usage monitor, webhook deliveries
 *   -> HTTP; "listening on ADDRESS port N" is logged when requests are served
 *
 * SIGTERM or SIGINT stops it cleanly: HTTP first, then the workers (a job
 * cut short is resumed at the next start), then the rest.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "auth.h"
#include "config.h"
#include "console.h"
#include "db.h"
#include "dev_forward.h"
#include "hv_backend.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "reconcile.h"
#include "server_disks.h"
#include "session.h"
#include "static.h"
#include "volume.h"
#include "router.h"
#include "tls.h"
#include "version.h"
#include "webhook.h"

/* --create-admin-token NAME: the way to the first token. */
static int create_admin_token(const struct config *cfg)
{
	char err[512], id[ID_MAX], secret[TOKEN_MAX];
	struct audit_entry e = {
		.actor = "cli",
		.actor_scope = "system",
		.action = "token.create",
		.target_type = "token",
		.ok = true,
		.detail = "admin token created with --create-admin-token",
	};
	sqlite3 *w;

	if (db_open(cfg->db, 1, err, sizeof(err)) < 0) {
		log_error("database: %s", err);
		return 1;
	}
	w = db_write_begin();
	if (!w || token_insert(w, cfg->create_admin_token, true, NULL, 0, "cli", id,
			       secret) != SQLITE_OK) {
		if (w)
			db_write_rollback(w);
		db_close();
		log_error("cannot create the token");
		return 1;
	}
	e.target_id = id;
	if (audit_write(w, &e) != SQLITE_OK || db_write_commit(w) != SQLITE_OK) {
		db_close();
		log_error("cannot create the token");
		return 1;
	}
	db_close();
	log_info("admin token %s (%s) created; it is printed once, on stdout", id,
		 cfg->create_admin_token);
	printf("%s\n", secret);
	memset(secret, 0, sizeof(secret));
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct hv_backend *hv = NULL;
	struct http_settings hs;
	struct jobs_settings js;
	struct reconcile_settings rs;
	struct tls_identity tls = { 0 };
	char err[1024];
	sigset_t stop_signals;
	int port, sig, status = 1;

	switch (config_load(&cfg, argc, argv, err, sizeof(err))) {
	case CONFIG_HELP:
		config_usage(stdout);
		return 0;
	case CONFIG_VERSION:
		printf("provisiond %s\n", PROVISIOND_VERSION);
		return 0;
	case CONFIG_ROUTES:
		router_print(stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	case CONFIG_ERROR:
		fprintf(stderr, "provisiond: %s (see --help)\n", err);
		return 2;
	case CONFIG_RUN:
		break;
	}
	log_set_level(cfg.log_level);

	/* Block the stop signals before any thread exists: every thread
	 * inherits the mask, and main() alone takes them with sigwait(). */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (cfg.create_admin_token[0])
		return create_admin_token(&cfg);

	log_info("provisiond %s starting (database %s, hypervisor backend %s)",
		 PROVISIOND_VERSION, cfg.db, cfg.hv);
	if (cfg.tls) {
		if (tls_load_or_create(cfg.tls_cert, cfg.tls_key, &tls, err,
				       sizeof(err)) < 0) {
			log_error("%s", err);
			return 1;
		}
		/* Clients compare this with what they see on first contact. */
		log_info("TLS certificate %s (%s), SHA-256 fingerprint %s", cfg.tls_cert,
			 tls.generated ? "made now, self-signed" : "loaded",
			 tls.fingerprint);
		str_copy(api_settings.tls_fingerprint, tls.fingerprint,
			 sizeof(api_settings.tls_fingerprint));
		api_settings.tls_cert_path = cfg.tls_cert;
		api_settings.tls_key_path = cfg.tls_key;
	} else {
		log_warn("TLS is off: serving plain HTTP (only for loopback or behind a TLS proxy)");
	}
	volume_settings.store = volume_store_find(cfg.volume_store, err, sizeof(err));
	if (!volume_settings.store) {
		log_error("%s", err);
		tls_identity_free(&tls);
		return 1;
	}
	if (hv_backend_open(cfg.hv, cfg.hv_fake_state, &hv, err, sizeof(err)) < 0) {
		log_error("%s", err);
		tls_identity_free(&tls);
		return 1;
	}
	if (db_open(cfg.db, cfg.http_threads + cfg.job_workers + 2, err,
		    sizeof(err)) < 0) {
		log_error("database: %s", err);
		hv->close(hv);
		tls_identity_free(&tls);
		return 1;
	}

	/* Disks: a pool that cannot hold them is reported (log, GET
	 * /v1/system) and refused at the first create, not at startup: the
	 * servers without disks still run. */
	volume_settings.pool = cfg.volume_pool;
	volume_settings.overcommit = cfg.volume_overcommit;
	volume_settings.mke2fs = "/sbin/mke2fs";
	volume_pool_check();
	boot_settings.bootloader = cfg.hv_bootloader;
	boot_settings.timeout_s = cfg.boot_timeout;
	dev_forward_init(cfg.dev_port_forward_base);

	rs.orphans = cfg.orphans;
	rs.max_job_attempts = cfg.max_job_attempts;
	if (reconcile_run(hv, &rs, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out_db;
	}

	js.workers = cfg.job_workers;
	js.stop_timeout_s = cfg.stop_timeout;
	jobs_init(hv, &js);
	if (jobs_start() < 0) {
		log_error("cannot start the job workers");
		goto out_db;
	}
	if (monitor_start(hv, cfg.monitor_interval, cfg.usage_retention_days) < 0) {
		log_error("cannot start the usage monitor");
		goto out_jobs;
	}
	{
		struct webhook_settings ws = {
			.allow_loopback = cfg.webhook_allow_loopback,
			.timeout_s = cfg.webhook_timeout,
			.retry_base_s = cfg.webhook_retry_base,
			.max_attempts = cfg.webhook_max_attempts,
			.max_age_s = cfg.webhook_max_age,
			.parallel = cfg.webhook_parallel,
		};

		if (webhook_start(&ws) < 0) {
			log_error("cannot start the webhook deliveries");
			goto out_monitor;
		}
		if (cfg.webhook_allow_loopback)
			log_warn("webhooks may call loopback addresses (webhook_allow_loopback)");
	}
	metrics_set_hv(hv);

	api_settings.long_poll_max = cfg.long_poll_max;
	api_settings.hv_backend = hv->name;
	api_settings.hv = hv;
	api_settings.started_at = now_s();
	api_settings.default_max_servers = cfg.default_max_servers;
	api_settings.default_max_vcpus = cfg.default_max_vcpus;
	api_settings.default_max_memory_mib = cfg.default_max_memory_mib;
	api_settings.default_max_disk_gib = cfg.default_max_disk_gib;
	api_settings.default_max_ips = cfg.default_max_ips;
	api_settings.ip_quarantine = cfg.ip_quarantine;
	api_settings.default_plan_changes = cfg.default_plan_changes;
	{
		sqlite3 *r = db_read_get();

		api_settings.schema_version = db_schema_version(r);
		db_read_put(r);
	}

	session_settings.idle_s = cfg.session_idle;
	session_settings.lifetime_s = cfg.session_lifetime;
	session_settings.secure_cookie = cfg.tls;
	static_init(cfg.web_root);
	if (console_start(hv) < 0) {
		log_error("cannot start the console hub");
		goto out_webhooks;
	}

	hs.listen = cfg.listen;
	hs.port = cfg.port;
	hs.threads = cfg.http_threads;
	hs.max_body = cfg.max_body;
	hs.tls_cert_pem = cfg.tls ? tls.cert_pem : NULL;
	hs.tls_key_pem = cfg.tls ? tls.key_pem : NULL;
	if (http_start(&hs, &port, err, sizeof(err)) < 0) {
		log_error("%s", err);
		console_stop();
		goto out_webhooks;
	}
	log_info("listening on %s port %d (%s)", cfg.listen, port,
		 cfg.tls ? "HTTPS" : "plain HTTP");

	while (sigwait(&stop_signals, &sig) != 0)
		;
	log_info("%s: stopping", strsignal(sig));
	console_stop();		/* libmicrohttpd wants upgraded sockets closed */
	http_stop();
	status = 0;
out_webhooks:
	webhook_stop();
out_monitor:
	static_close();
	monitor_stop();
out_jobs:
	jobs_stop();
out_db:
	db_close();
	hv->close(hv);
	tls_identity_free(&tls);
	if (status == 0)
		log_info("stopped");
	return status;
}
