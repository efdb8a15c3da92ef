// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.h - provisiond's settings: defaults, then the config file, then
 * the command line (flags win).
 *
 * The config file is "key = value" lines; '#' starts a comment.  Every key
 * is also a flag: max_body in the file is --max-body=N (or --max-body N) on
 * the command line.  provisiond --help lists them all.
 */
#ifndef PROVISIOND_CONFIG_H
#define PROVISIOND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONFIG_PATH_MAX	1024

enum orphan_policy {
	ORPHANS_REPORT,		/* log and audit them, leave them running */
	ORPHANS_DESTROY,	/* ... and destroy them */
};

/* Which plan changes a tenant's customers may order (api_policy.c). */
enum plan_changes {
	PLAN_CHANGES_NONE,	/* none: only an admin changes plans */
	PLAN_CHANGES_UPGRADE,	/* to a plan at least as large in every way */
	PLAN_CHANGES_ANY,
};

/* Their names, in the config and the API: "none", "upgrade", "any". */
extern const char *const plan_change_names[];

/* A quota setting of -1 is no limit. */
#define QUOTA_UNLIMITED	(-1)

struct config {
	char listen[64];		/* address to bind: "127.0.0.1", "::" */
	int port;			/* 0: any free port (logged) */
	char db[CONFIG_PATH_MAX];	/* SQLite database file */
	int log_level;			/* enum log_level */
	char hv[16];			/* hypervisor backend: "libhv", "fake" */
	char hv_fake_state[CONFIG_PATH_MAX];	/* fake backend's state file */
	long max_body;			/* request body limit, bytes */
	int http_threads;		/* libmicrohttpd thread pool size */
	int job_workers;		/* job worker threads */
	int stop_timeout;		/* s a guest gets to shut down */
	int monitor_interval;		/* s between usage samples; 0 = off */
	int long_poll_max;		/* s, largest ?wait= accepted */
	int max_job_attempts;		/* runs of a job interrupted by crashes */
	int orphans;			/* enum orphan_policy */
	int usage_retention_days;	/* usage of deleted servers is kept so long */

	/* The policy of a tenant whose own an admin has not set. */
	int default_max_servers;
	int default_max_vcpus;
	int default_max_memory_mib;
	int default_max_disk_gib;
	int default_max_ips;
	int ip_quarantine;		/* s a released address stays unused */
	int default_plan_changes;	/* enum plan_changes */

	/* HTTPS (tls.c); off: plain HTTP, for loopback or behind a proxy. */
	bool tls;
	char tls_cert[CONFIG_PATH_MAX];	/* PEM; default: next to the database */
	char tls_key[CONFIG_PATH_MAX];

	/* Disks (volume.h, docs/volumes.md). */
	char volume_pool[CONFIG_PATH_MAX];
	double volume_overcommit;
	char volume_store[16];		/* "reflink"; "copy" in provisiond-testhv */
	char hv_bootloader[CONFIG_PATH_MAX];
	int boot_timeout;		/* s to "appliance-firstboot: ready" */
	int dev_port_forward_base;	/* make run's forwards; 0 = off */

	/* Webhooks (webhook.h, docs/webhooks.md). */
	bool webhook_allow_loopback;	/* loopback targets (the API tests) */
	int webhook_timeout;		/* s a delivery may take in all */
	int webhook_retry_base;		/* s before the first retry */
	int webhook_max_attempts;	/* then the delivery has failed */
	int webhook_max_age;		/* s after the event: no more tries */
	int webhook_parallel;		/* deliveries in flight at once */
	/* The web panel (docs/web-panel.md). */
	char web_root[CONFIG_PATH_MAX];	/* its files; missing: no panel */
	int session_idle;		/* s without a request */
	int session_lifetime;		/* s at most */

	/* Command line only. */
	char config_file[CONFIG_PATH_MAX];
	char create_admin_token[128];	/* --create-admin-token NAME */
};

enum config_result {
	CONFIG_RUN,		/* settings complete: run */
	CONFIG_HELP,		/* --help was given: usage printed */
	CONFIG_VERSION,		/* --version was given */
	CONFIG_ROUTES,		/* --routes was given */
	CONFIG_ERROR,		/* err holds the reason */
};

void config_defaults(struct config *cfg);

/* Sets one key (underscores or dashes) from its text value. 0 or -1 + err. */
int config_set(struct config *cfg, const char *key, const char *value,
	       char *err, size_t errlen);

/* Reads a config file into cfg.  0, or -1 with err naming file and line. */
int config_read_file(struct config *cfg, const char *path, char *err,
		     size_t errlen);

/*
 * Defaults, then --config FILE if given, then every other flag.  Fills in
 * derived defaults (hv_fake_state next to the database).
 */
enum config_result config_load(struct config *cfg, int argc, char **argv,
			       char *err, size_t errlen);

void config_usage(FILE *out);

#endif
