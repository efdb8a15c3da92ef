// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - defaults, config file and command line (see config.h).
 *
 * One table lists every setting with its type, range and help text; the
 * file parser, the flag parser and --help all read it, so a new setting is
 * one line here and one field in struct config.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "util.h"

enum opt_type {
	OPT_STRING,
	OPT_INT,
	OPT_SIZE,	/* integer with an optional k or m suffix */
	OPT_LEVEL,
	OPT_CHOICE,	/* one of choices[]: its index */
	OPT_BOOL,	/* on/off, yes/no, true/false, 1/0 */
	OPT_RATIO,	/* a decimal number from min/100 to max/100 */
};

struct option_def {
	const char *key;
	enum opt_type type;
	size_t offset;
	size_t size;		/* OPT_STRING: buffer size */
	long min, max;		/* OPT_INT, OPT_SIZE */
	const char *help;
	const char *const *choices;	/* OPT_CHOICE, NULL-terminated */
};

static const char *const orphan_names[] = { "report", "destroy", NULL };

const char *const plan_change_names[] = {
	[PLAN_CHANGES_NONE] = "none",
	[PLAN_CHANGES_UPGRADE] = "upgrade",
	[PLAN_CHANGES_ANY] = "any",
	NULL
};

#define STR(field, help) \
	{ #field, OPT_STRING, offsetof(struct config, field), \
	  sizeof(((struct config *)0)->field), 0, 0, help }
#define INT(field, lo, hi, help) \
	{ #field, OPT_INT, offsetof(struct config, field), 0, lo, hi, help }

static const struct option_def options[] = {
	STR(listen, "address to listen on (default 127.0.0.1; :: for IPv6)"),
	INT(port, 0, 65535, "TCP port (default 8080; 0 = any free port)"),
	STR(db, "SQLite database file (default /var/lib/provisiond/provisiond.db)"),
	{ "log_level", OPT_LEVEL, offsetof(struct config, log_level), 0, 0, 0,
	  "error, warn, info (default) or debug" },
	STR(hv, "hypervisor backend: libhv (default; fake only in the tests' provisiond-testhv)"),
	STR(hv_fake_state, "provisiond-testhv's fake backend's state file (default DB.hv-fake.json)"),
	{ "max_body", OPT_SIZE, offsetof(struct config, max_body), 0, 1024,
	  16L * 1024 * 1024, "largest request body in bytes, k/m suffix (default 64k)" },
	INT(http_threads, 1, 64, "HTTP thread pool size (default 4)"),
	INT(job_workers, 1, 32, "job worker threads (default 2)"),
	INT(stop_timeout, 0, 3600, "seconds a guest gets to shut down before it is destroyed (default 30)"),
	INT(monitor_interval, 0, 86400, "seconds between usage samples, 0 = off (default 10)"),
	INT(long_poll_max, 0, 600, "largest ?wait= in seconds (default 60)"),
	INT(max_job_attempts, 1, 100, "runs of a job that crashes interrupt before it fails (default 3)"),
	INT(usage_retention_days, 1, 36500, "days the usage of deleted servers is kept for billing (default 400)"),
	{ "orphans", OPT_CHOICE, offsetof(struct config, orphans), 0, 0, 0,
	  "domains the database does not know: report (default) or destroy", orphan_names },
	INT(default_max_servers, -1, 1000000, "a tenant's servers unless its policy says otherwise (default 2; -1 = no limit)"),
	INT(default_max_vcpus, -1, 1000000, "a tenant's vCPUs in all, by default (default 4; -1 = no limit)"),
	INT(default_max_memory_mib, -1, 1 << 30, "a tenant's memory in MiB in all, by default (default 8192; -1 = no limit)"),
	INT(default_max_disk_gib, -1, 1 << 30, "a tenant's disk in GiB in all, by default (default 200; -1 = no limit)"),
	INT(default_max_ips, -1, 1000000, "a tenant's IP addresses, by default (default 2; -1 = no limit)"),
	INT(ip_quarantine, 0, 365 * 86400, "seconds a released IP address is not handed out again (default 86400)"),
	{ "default_plan_changes", OPT_CHOICE, offsetof(struct config, default_plan_changes),
	  0, 0, 0, "plan changes customers may order: none (default), upgrade or any",
	  plan_change_names },
	{ "tls", OPT_BOOL, offsetof(struct config, tls), 0, 0, 0,
	  "serve HTTPS (on, the default) or plain HTTP (off: loopback or behind a TLS proxy only)" },
	STR(tls_cert, "certificate PEM file (default DB's directory/tls-cert.pem; made on first start if absent)"),
	STR(tls_key, "its private key PEM file (default DB's directory/tls-key.pem)"),
	STR(volume_pool, "directory of the servers' disk files, on XFS with reflink=1 or btrfs (default /data/volumes)"),
	{ "volume_overcommit", OPT_RATIO, offsetof(struct config, volume_overcommit), 0,
	  10, 1000, "the disks' sizes may add up to the pool's size x this, 0.1 to 10 (default 1.0: no overcommit)" },
	STR(volume_store, "how root disks are cloned from templates: reflink (default; copy only in provisiond-testhv)"),
	STR(hv_bootloader, "reads a root disk's kernel and initrd (default /usr/sbin/hv-bootloader)"),
	INT(boot_timeout, 1, 86400, "seconds a new server gets to report its first boot ready (default 600)"),
	{ "webhook_allow_loopback", OPT_BOOL, offsetof(struct config, webhook_allow_loopback), 0, 0, 0,
	  "allow webhook URLs on loopback addresses (default off; for tests only)" },
	INT(webhook_timeout, 1, 300, "seconds one webhook delivery may take, connect included (default 10)"),
	INT(webhook_retry_base, 1, 3600, "seconds before a failed webhook delivery's first retry; doubled each time (default 10)"),
	INT(webhook_max_attempts, 1, 100, "attempts of a webhook delivery before it is marked failed (default 15)"),
	INT(webhook_max_age, 60, 30 * 86400, "seconds after its event a webhook delivery is still tried (default 86400)"),
	INT(webhook_parallel, 1, 64, "webhook deliveries in flight at once (default 8)"),
	STR(web_root, "the web panel's files; a missing directory: no panel (default /usr/share/provisiond/web)"),
	INT(session_idle, 60, 86400, "seconds a web session lasts without a request (default 1800)"),
	INT(session_lifetime, 60, 604800, "seconds a web session lasts at most (default 43200)"),
	INT(dev_port_forward_base, 0, 65535 - 15, "make run only: dom0's TCP ports BASE.. BASE+15 forward to servers' port 22 (default 0: off)"),
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	str_copy(cfg->listen, "127.0.0.1", sizeof(cfg->listen));
	cfg->port = 8080;
	str_copy(cfg->db, "/var/lib/provisiond/provisiond.db", sizeof(cfg->db));
	cfg->log_level = LOG_INFO;
	/* The product default: never a test double unless asked for. */
	str_copy(cfg->hv, "libhv", sizeof(cfg->hv));
	cfg->max_body = 64 * 1024;
	cfg->http_threads = 4;
	cfg->job_workers = 2;
	cfg->stop_timeout = 30;
	cfg->monitor_interval = 10;
	cfg->long_poll_max = 60;
	cfg->max_job_attempts = 3;
	cfg->usage_retention_days = 400;
	cfg->orphans = ORPHANS_REPORT;
	/* Safe by default: a new tenant's customers get a small server or
	 * two and cannot change plans; the hoster raises it per tenant. */
	cfg->default_max_servers = 2;
	cfg->default_max_vcpus = 4;
	cfg->default_max_memory_mib = 8192;
	cfg->default_max_disk_gib = 200;
	cfg->default_max_ips = 2;
	cfg->ip_quarantine = 86400;
	cfg->default_plan_changes = PLAN_CHANGES_NONE;
	cfg->tls = true;
	str_copy(cfg->volume_pool, "/data/volumes", sizeof(cfg->volume_pool));
	/* Sparse files could promise more than the pool holds, but a full
	 * pool fails every guest's writes at once: no overcommit unless the
	 * hoster asks for it. */
	cfg->volume_overcommit = 1.0;
	str_copy(cfg->volume_store, "reflink", sizeof(cfg->volume_store));
	str_copy(cfg->hv_bootloader, "/usr/sbin/hv-bootloader",
		 sizeof(cfg->hv_bootloader));
	cfg->boot_timeout = 600;
	/* The appliance must not be made to call itself (docs/webhooks.md). */
	cfg->webhook_allow_loopback = false;
	cfg->webhook_timeout = 10;
	cfg->webhook_retry_base = 10;
	cfg->webhook_max_attempts = 15;
	cfg->webhook_max_age = 86400;
	cfg->webhook_parallel = 8;
	str_copy(cfg->web_root, "/usr/share/provisiond/web", sizeof(cfg->web_root));
	cfg->session_idle = 1800;
	cfg->session_lifetime = 43200;
}

static const struct option_def *find_option(const char *key)
{
	char norm[64];

	/* Flags spell keys with dashes, the file with underscores. */
	if (!str_copy(norm, key, sizeof(norm)))
		return NULL;
	for (char *p = norm; *p; p++)
		if (*p == '-')
			*p = '_';
	for (size_t i = 0; i < NOPTIONS; i++)
		if (strcmp(options[i].key, norm) == 0)
			return &options[i];
	return NULL;
}

static int parse_long(const char *s, long *out, bool suffix)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (suffix && (*end == 'k' || *end == 'K')) {
		if (v > LONG_MAX / 1024)
			return -1;
		v *= 1024;
		end++;
	} else if (suffix && (*end == 'm' || *end == 'M')) {
		if (v > LONG_MAX / (1024 * 1024))
			return -1;
		v *= 1024 * 1024;
		end++;
	}
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

int config_set(struct config *cfg, const char *key, const char *value,
	       char *err, size_t errlen)
{
	const struct option_def *o = find_option(key);
	char *field;
	long v;
	int level;

	if (!o) {
		snprintf(err, errlen, "unknown setting '%s'", key);
		return -1;
	}
	field = (char *)cfg + o->offset;

	switch (o->type) {
	case OPT_STRING:
		if (!str_copy(field, value, o->size)) {
			snprintf(err, errlen, "%s: value too long (at most %zu bytes)",
				 o->key, o->size - 1);
			return -1;
		}
		return 0;
	case OPT_INT:
	case OPT_SIZE:
		if (parse_long(value, &v, o->type == OPT_SIZE) < 0 ||
		    v < o->min || v > o->max) {
			snprintf(err, errlen, "%s: '%s' is not a number from %ld to %ld",
				 o->key, value, o->min, o->max);
			return -1;
		}
		if (o->type == OPT_INT)
			*(int *)field = (int)v;
		else
			*(long *)field = v;
		return 0;
	case OPT_LEVEL:
		level = log_level_parse(value);
		if (level < 0) {
			snprintf(err, errlen, "%s: '%s' is not error, warn, info or debug",
				 o->key, value);
			return -1;
		}
		*(int *)field = level;
		return 0;
	case OPT_CHOICE: {
		char list[128] = "";

		/* The enum's values are the choices' indexes. */
		for (int c = 0; o->choices[c]; c++) {
			if (strcmp(value, o->choices[c]) == 0) {
				*(int *)field = c;
				return 0;
			}
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 c == 0 ? "" : o->choices[c + 1] ? ", " : " or ",
				 o->choices[c]);
		}
		snprintf(err, errlen, "%s: '%s' is not %s", o->key, value, list);
		return -1;
	}
	case OPT_RATIO: {
		char *end;
		double d;

		errno = 0;
		d = strtod(value, &end);
		if (errno || end == value || *end != '\0' || !(d >= o->min / 100.0) ||
		    !(d <= o->max / 100.0)) {
			snprintf(err, errlen, "%s: '%s' is not a number from %.1f to %.1f",
				 o->key, value, o->min / 100.0, o->max / 100.0);
			return -1;
		}
		*(double *)field = d;
		return 0;
	}
	case OPT_BOOL:
		if (strcmp(value, "on") == 0 || strcmp(value, "yes") == 0 ||
		    strcmp(value, "true") == 0 || strcmp(value, "1") == 0) {
			*(bool *)field = true;
		} else if (strcmp(value, "off") == 0 || strcmp(value, "no") == 0 ||
			   strcmp(value, "false") == 0 || strcmp(value, "0") == 0) {
			*(bool *)field = false;
		} else {
			snprintf(err, errlen, "%s: '%s' is not on or off", o->key, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* PATH's directory joined with NAME into out (size bytes); false if too long. */
static bool beside(const char *path, const char *name, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) : 1;
	const char *dir = slash ? path : ".";

	return snprintf(out, size, "%.*s/%s", dirlen, dir, name) < (int)size;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

int config_read_file(struct config *cfg, const char *path, char *err,
		     size_t errlen)
{
	char line[2048], msg[512];
	int lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *value, *eq, *hash;

		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (*key == '\0')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		value = trim(eq + 1);
		key = trim(key);
		if (config_set(cfg, key, value, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/*
 * "--name=value" or "--name value": *name_out points into argv (dashes
 * stripped, '=' replaced), *value_out at the value or NULL.
 */
static int split_flag(int argc, char **argv, int *i, char *name, size_t size,
		      const char **value)
{
	const char *arg = argv[*i];
	const char *eq;

	if (strncmp(arg, "--", 2) != 0)
		return -1;
	arg += 2;
	eq = strchr(arg, '=');
	if (eq) {
		if ((size_t)(eq - arg) >= size)
			return -1;
		memcpy(name, arg, (size_t)(eq - arg));
		name[eq - arg] = '\0';
		*value = eq + 1;
		return 0;
	}
	if (!str_copy(name, arg, size))
		return -1;
	*value = *i + 1 < argc ? argv[++*i] : NULL;
	return 0;
}

static bool is_switch(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 ||
	       strcmp(arg, "--version") == 0 || strcmp(arg, "--routes") == 0;
}

enum config_result config_load(struct config *cfg, int argc, char **argv,
			       char *err, size_t errlen)
{
	char name[64];
	const char *value;

	config_defaults(cfg);

	/* First pass: --help, --version and --config (the file comes first). */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return CONFIG_HELP;
		if (strcmp(argv[i], "--version") == 0)
			return CONFIG_VERSION;
		if (strcmp(argv[i], "--routes") == 0)
			return CONFIG_ROUTES;
		if (split_flag(argc, argv, &i, name, sizeof(name), &value) < 0) {
			snprintf(err, errlen, "unexpected argument '%s'", argv[i]);
			return CONFIG_ERROR;
		}
		if (!value) {
			snprintf(err, errlen, "--%s needs a value", name);
			return CONFIG_ERROR;
		}
		if (strcmp(name, "config") == 0 &&
		    !str_copy(cfg->config_file, value, sizeof(cfg->config_file))) {
			snprintf(err, errlen, "--config: path too long");
			return CONFIG_ERROR;
		}
	}
	if (cfg->config_file[0] &&
	    config_read_file(cfg, cfg->config_file, err, errlen) < 0)
		return CONFIG_ERROR;

	/* Second pass: every other flag overrides the file. */
	for (int i = 1; i < argc; i++) {
		char msg[512];

		if (is_switch(argv[i]))
			continue;
		split_flag(argc, argv, &i, name, sizeof(name), &value);
		if (strcmp(name, "config") == 0)
			continue;
		if (strcmp(name, "create-admin-token") == 0) {
			if (value[0] == '\0' ||
			    !str_copy(cfg->create_admin_token, value,
				      sizeof(cfg->create_admin_token))) {
				snprintf(err, errlen, "--create-admin-token: name must be 1 to %zu bytes",
					 sizeof(cfg->create_admin_token) - 1);
				return CONFIG_ERROR;
			}
			continue;
		}
		if (config_set(cfg, name, value, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "--%s", msg);
			return CONFIG_ERROR;
		}
	}

	if (cfg->hv_fake_state[0] == '\0' &&
	    snprintf(cfg->hv_fake_state, sizeof(cfg->hv_fake_state),
		     "%s.hv-fake.json", cfg->db) >= (int)sizeof(cfg->hv_fake_state)) {
		snprintf(err, errlen, "db path too long");
		return CONFIG_ERROR;
	}
	/* The certificate lives with the data: it must survive upgrades. */
	if ((cfg->tls_cert[0] == '\0' &&
	     !beside(cfg->db, "tls-cert.pem", cfg->tls_cert, sizeof(cfg->tls_cert))) ||
	    (cfg->tls_key[0] == '\0' &&
	     !beside(cfg->db, "tls-key.pem", cfg->tls_key, sizeof(cfg->tls_key)))) {
		snprintf(err, errlen, "db path too long");
		return CONFIG_ERROR;
	}
	return CONFIG_RUN;
}

void config_usage(FILE *out)
{
	fputs("usage: provisiond [--config FILE] [--SETTING=VALUE ...]\n"
	      "       provisiond [--config FILE] [--db PATH] --create-admin-token NAME\n"
	      "\n"
	      "The provisioning daemon: the REST API (api/openapi.yaml) and the state\n"
	      "store through which a hoster's control panel drives the hypervisor.\n"
	      "\n"
	      "Settings (config file key, or --key with dashes; flags win):\n", out);
	for (size_t i = 0; i < NOPTIONS; i++) {
		char flag[64];

		snprintf(flag, sizeof(flag), "%s", options[i].key);
		for (char *p = flag; *p; p++)
			if (*p == '_')
				*p = '-';
		fprintf(out, "  --%-18s %s\n", flag, options[i].help);
	}
	fputs("\n"
	      "  --config FILE        read settings from FILE first ('key = value' lines)\n"
	      "  --create-admin-token NAME\n"
	      "                       create an admin API token, print it once on\n"
	      "                       stdout and exit (the way to get the first token)\n"
	      "  --routes             print the operations served, one a line:\n"
	      "                       METHOD PATH operationId (from api/openapi.yaml)\n"
	      "  --help, --version\n"
	      "\n"
	      "Exit status: 0 after a clean stop (SIGTERM or SIGINT), 1 on an error,\n"
	      "2 on a usage error.\n", out);
}
