// SPDX-License-Identifier: GPL-2.0-only
/*
 * job_exec.c - the steps of each job, against the hypervisor backend.
 *
 * Every step is idempotent, because a job interrupted by a crash runs
 * again from the start (jobs.h):
 *
 *   ensure_running:  find the domain by name (the server's id); if there is
 *                    none, create it (create is idempotent by name too);
 *                    unpause it; record its id.  A domain an earlier run
 *                    built but never started is built again (once).
 *   ensure_stopped:  find the domain; if it exists, ask the guest to shut
 *                    down (the backend's shutdown: libhv presses its ACPI
 *                    power button), wait up to stop_timeout for it to
 *                    reach "shut down", then destroy it either way (a guest
 *                    that ignores the request is destroyed after the
 *                    timeout, logged); fold its CPU time into the server's
 *                    total; record that it is gone.
 *   reboot:          the backend's reboot, or where it has none (libhv)
 *                    ensure_stopped then ensure_running.
 *
 * Most jobs just make the domain match the server's intent, which the API
 * already stored with the job: create, start, stop, suspend and unsuspend
 * all "converge".  reboot, change_plan, reinstall and delete add a step.
 * The writer is held only for the short updates between hypervisor calls.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "events.h"
#include "dev_forward.h"
#include "jobs.h"
#include "reconcile.h"
#include "log.h"
#include "server_disks.h"
#include "server_net.h"
#include "usage_allowance.h"
#include "usage_recent.h"

#define POLL_MS	50	/* how often a shutdown is checked on */

/* The server as a job sees it. */
struct server_row {
	char desired[16];
	bool suspended;
	bool deleted;
	char plan_id[ID_MAX];
	char image_id[ID_MAX];
	char template_id[ID_MAX];	/* "" for a kernel-image server */
	int64_t seed_generation;
};

static int fail(struct job_run *run, const char *code, bool retryable,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct job_run *run, const char *code, bool retryable,
		const char *fmt, ...)
{
	va_list ap;

	str_copy(run->error_code, code, sizeof(run->error_code));
	run->retryable = retryable;
	va_start(ap, fmt);
	vsnprintf(run->error_message, sizeof(run->error_message), fmt, ap);
	va_end(ap);
	return -1;
}

static int hv_fail(struct job_run *run, const char *what, int err)
{
	return fail(run, "hv_error", hv_backend_retryable(err), "%s: %s", what,
		    hv_strerror(err));
}

static int db_fail(struct job_run *run)
{
	return fail(run, "internal_error", true, "database update failed");
}

/* Runs one UPDATE on the server in a transaction of its own. */
static int update_server(struct job_run *run, const char *sql, const char *types,
			 ...)
{
	sqlite3 *w = db_write_begin_background();
	sqlite3_stmt *st;
	char state_before[16];
	va_list ap;
	int rc;

	(void)types;
	if (!w)
		return db_fail(run);
	event_server_state_now(w, run->server_id, state_before);
	/* Every update here binds (?1 = server id, ?2 = now, ?3.. extra). */
	st = db_prep(w, sql, "si", run->server_id, now_s());
	if (!st) {
		db_write_rollback(w);
		return db_fail(run);
	}
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 3, va_arg(ap, int64_t));
		else
			sqlite3_bind_text(st, i + 3, va_arg(ap, const char *), -1,
					  SQLITE_TRANSIENT);
	}
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	/* A change of actual_state is an event, committed with it. */
	if (rc != SQLITE_DONE ||
	    event_server_state(w, run->server_id, state_before, "job") != SQLITE_OK) {
		db_write_rollback(w);
		return db_fail(run);
	}
	return db_write_commit(w) == SQLITE_OK ? 0 : db_fail(run);
}

static int record_domain(struct job_run *run, uint32_t domid, const char *actual)
{
	return update_server(run, "UPDATE servers SET domain_id = ?3, actual_state = ?4,"
				  " updated_at = ?2 WHERE id = ?1",
			     "is", (int64_t)domid, actual);
}

/* The domain is gone: its last CPU sample joins the server's total. */
static int record_gone(struct job_run *run, const char *actual)
{
	return update_server(run, "UPDATE servers SET"
				  " cpu_time_base_ns = cpu_time_base_ns + cpu_time_live_ns,"
				  " cpu_time_live_ns = 0, domain_id = NULL,"
				  " actual_state = ?3, updated_at = ?2 WHERE id = ?1",
			     "s", actual);
}

static int load_server(struct job_run *run, struct server_row *s)
{
	sqlite3 *r = db_read_get();
	sqlite3_stmt *st = db_prep(r, "SELECT desired_state, suspended, deleted_at,"
				      " plan_id, image_id, template_id, seed_generation"
				      " FROM servers WHERE id = ?",
				  "s", run->server_id);
	int rc = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *plan = (const char *)sqlite3_column_text(st, 3);
		const char *image = (const char *)sqlite3_column_text(st, 4);

		str_copy(s->desired, (const char *)sqlite3_column_text(st, 0),
			 sizeof(s->desired));
		s->suspended = sqlite3_column_int(st, 1) != 0;
		s->deleted = sqlite3_column_type(st, 2) != SQLITE_NULL;
		str_copy(s->plan_id, plan ? plan : "", sizeof(s->plan_id));
		const char *tpl = (const char *)sqlite3_column_text(st, 5);

		str_copy(s->image_id, image ? image : "", sizeof(s->image_id));
		str_copy(s->template_id, tpl ? tpl : "", sizeof(s->template_id));
		s->seed_generation = sqlite3_column_int64(st, 6);
		rc = 0;
	}
	sqlite3_finalize(st);
	db_read_put(r);
	if (rc)
		return fail(run, "not_found", false, "server %s no longer exists",
			    run->server_id);
	return 0;
}

/* Strings a domain configuration points into. */
struct config_text {
	char kernel[VOLUME_PATH_MAX];
	char initrd[VOLUME_PATH_MAX];
	char cmdline[2100];
	struct server_disks disks;
	struct server_net net;
};

/*
 * The domain's configuration: the plan's size, and either the image's
 * kernel (a kernel-image server) or, for a server made from a template,
 * its disks and the kernel the bootloader finds on its root disk, with
 * the template's command line.
 */
static int load_config(struct job_run *run, const struct server_row *s,
		       struct hvb_domain_config *cfg, struct config_text *t)
{
	sqlite3 *r = db_read_get();
	sqlite3_stmt *st = db_prep(r, "SELECT p.vcpus, p.memory_mib, p.cpu_weight,"
				      " p.cpu_cap_pct, i.kernel_path, i.initrd_path,"
				      " coalesce(i.cmdline, t.cmdline) FROM plans p"
				      " LEFT JOIN images i ON i.id = ?2"
				      " LEFT JOIN templates t ON t.id = ?3"
				      " WHERE p.id = ?1 AND (i.id IS NOT NULL OR t.id IS NOT NULL)",
				  "sss", s->plan_id, s->image_id, s->template_id);
	char why[600];
	uint64_t throttle_bps;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *kernel = (const char *)sqlite3_column_text(st, 4);
		const char *initrd = (const char *)sqlite3_column_text(st, 5);

		cfg->name = run->server_id;
		cfg->vcpus = (uint32_t)sqlite3_column_int(st, 0);
		cfg->memory_mib = (uint32_t)sqlite3_column_int(st, 1);
		cfg->cpu_weight = (uint32_t)sqlite3_column_int(st, 2);
		cfg->cpu_cap_pct = (uint32_t)sqlite3_column_int(st, 3);
		str_copy(t->kernel, kernel ? kernel : "", sizeof(t->kernel));
		str_copy(t->initrd, initrd ? initrd : "", sizeof(t->initrd));
		str_copy(t->cmdline, (const char *)sqlite3_column_text(st, 6),
			 sizeof(t->cmdline));
		cfg->kernel_path = t->kernel;
		cfg->initrd_path = t->initrd;
		cfg->cmdline = t->cmdline;
		rc = 0;
	}
	sqlite3_finalize(st);
	db_read_put(r);
	if (rc)
		return fail(run, "not_found", false,
			    "the server's plan, image or template no longer exists");

	/* Its network interface, when it holds addresses (server_net.h),
	 * with make run's port forward if the appliance is set up for it. */
	if (dev_forward_assign(run->server_id))
		return fail(run, "internal_error", true, "assigning the server's forwarded port failed");
	r = db_read_get();
	rc = server_net_load(r, run->server_id, &t->net);
	db_read_put(r);
	if (rc)
		return fail(run, "internal_error", true, "reading the server's addresses failed");
	cfg->nic = t->net.has_nic ? &t->net.nic : NULL;
	/* Over its traffic allowance this month: the throttle's rate. */
	r = db_read_get();
	if (cfg->nic && allowance_throttle(r, run->server_id, now_s(), &throttle_bps))
		t->net.nic.rx_bps = t->net.nic.tx_bps = throttle_bps;
	db_read_put(r);
	if (!s->template_id[0])
		return 0;

	if (server_disks_load(run->server_id, &t->disks, why, sizeof(why)))
		return fail(run, "volume_error", true, "%s", why);
	if (t->disks.root < 0)
		return fail(run, "volume_error", false, "the server has no root volume");
	cfg->disks = t->disks.disk;
	cfg->ndisks = t->disks.count;
	rc = server_boot_files(run->server_id, t->disks.path[t->disks.root], t->kernel,
			       t->initrd, why, sizeof(why));
	if (rc > 0)
		return fail(run, "server.boot_failed", false, "%s", why);
	if (rc < 0)
		return fail(run, "server.boot_failed", true, "%s", why);
	return 0;
}

/* The guest no longer runs and never will again: powered off, crashed,
 * being torn down, or asking to be restarted (its domain must be made
 * afresh). */
static bool domain_ended(uint32_t state)
{
	return state == HV_DOMAIN_SHUTDOWN || state == HV_DOMAIN_CRASHED ||
	       state == HV_DOMAIN_DYING || state == HV_DOMAIN_REBOOT;
}

/* The usage meters' and CPU time's last sample, taken just before the
 * domain goes (monitor.c).  A failure costs at most that interval's
 * usage, never the job. */
static void final_sample(struct hv_backend *hv, struct job_run *run)
{
	int err = monitor_final_sample(hv, run->server_id);

	if (err)
		log_warn("job %s: no final usage sample of %s: %s", run->id,
			 run->server_id, hv_strerror(err));
}

static int find(struct hv_backend *hv, struct job_run *run, struct hvb_domain *d,
		bool *found)
{
	int err = hvb_find(hv, run->server_id, d, found);

	return err ? hv_fail(run, "list domains", err) : 0;
}

/* One attempt at ensure_running(); -EAGAIN from the backend's unpause is
 * passed back (the domain was destroyed to be created afresh). */
static int start_domain(struct hv_backend *hv, struct job_run *run,
			const struct server_row *s, int *unpause_err)
{
	struct hvb_domain_config cfg;
	struct config_text text;
	struct hvb_domain d;
	bool found, existed;
	uint32_t domid;
	int err;

	*unpause_err = 0;
	if (find(hv, run, &d, &found))
		return -1;

	/* A guest that powered off, crashed or rebooted itself is replaced
	 * by a fresh one. */
	if (found && domain_ended(d.state)) {
		final_sample(hv, run);
		err = hv->destroy(hv, d.domid);
		if (err)
			return hv_fail(run, "destroy the stopped domain", err);
		if (record_gone(run, "stopped"))
			return -1;
		found = false;
	}

	if (!found) {
		char why[600];

		if (s->template_id[0] &&
		    server_disks_make(run->server_id, why, sizeof(why)))
			return fail(run, "volume_error", true, "%s", why);
		if (load_config(run, s, &cfg, &text))
			return -1;
		/* A new domain instance for the usage meters (usage.h): domain
		 * ids are slots the hypervisor reuses. */
		if (update_server(run, "UPDATE servers SET domain_generation ="
				       " domain_generation + 1, updated_at = ?2 WHERE id = ?1", ""))
			return -1;
		err = hv->create(hv, &cfg, &domid, &existed);
		if (err)
			return hv_fail(run, "create domain", err);
		if (existed)
			log_info("job %s: domain %s already existed (id %u): reused",
				 run->id, run->server_id, domid);
		if (record_domain(run, domid, "paused") || find(hv, run, &d, &found))
			return -1;
		if (!found)
			return fail(run, "hv_error", true,
				    "the domain vanished right after it was created");
	}

	if (d.state == HV_DOMAIN_PAUSED) {
		err = hv->unpause(hv, d.domid);
		if (err) {
			*unpause_err = err;
			return hv_fail(run, "start domain", err);
		}
	}
	return record_domain(run, d.domid, "running");
}

static int ensure_running(struct hv_backend *hv, struct job_run *run,
			  const struct server_row *s)
{
	int unpause_err;

	if (start_domain(hv, run, s, &unpause_err) == 0)
		return 0;
	if (unpause_err != -EAGAIN)
		return -1;
	/* A domain built by an earlier run of provisiond (killed between
	 * create and start) could not be booted and was destroyed: build it
	 * again, once. */
	log_info("job %s: domain %s was built but never started by an earlier run: "
		 "creating it again", run->id, run->server_id);
	return start_domain(hv, run, s, &unpause_err);
}

static int ensure_stopped(struct hv_backend *hv, int stop_timeout_s,
			  struct job_run *run, bool force)
{
	struct hvb_domain d;
	bool found;
	int err;

	if (find(hv, run, &d, &found))
		return -1;
	if (!found)
		return record_gone(run, "stopped");

	if (!force && (d.state == HV_DOMAIN_RUNNING || d.state == HV_DOMAIN_BLOCKED)) {
		int64_t asked = mono_ms(), deadline = asked + (int64_t)stop_timeout_s * 1000;

		err = hv->shutdown(hv, d.domid);
		if (err)
			log_warn("job %s: shutdown of %s failed (%s): destroying it",
				 run->id, run->server_id, hv_strerror(err));
		else
			log_info("job %s: asked %s (d%u) to shut down; destroying it if it "
				 "has not within %d s", run->id, run->server_id, d.domid,
				 stop_timeout_s);
		while (!err) {
			if (find(hv, run, &d, &found))
				return -1;
			if (!found)
				return record_gone(run, "stopped");
			if (domain_ended(d.state)) {
				log_info("job %s: %s %s after %lld ms", run->id,
					 run->server_id, d.state == HV_DOMAIN_SHUTDOWN ?
					 "shut down" : "stopped running",
					 (long long)(mono_ms() - asked));
				break;
			}
			if (mono_ms() >= deadline) {
				log_warn("job %s: %s did not shut down within %d s: destroying "
					 "it (the fallback)", run->id, run->server_id,
					 stop_timeout_s);
				break;
			}
			if (jobs_stopping()) {
				run->interrupted = true;
				return fail(run, "interrupted", true,
					    "provisiond stopped while the guest was shutting down");
			}
			sleep_ms(POLL_MS);
		}
	}

	final_sample(hv, run);

	err = hv->destroy(hv, d.domid);
	if (err) {
		bool still;

		/* Gone anyway (destroyed by someone else)?  Then fine. */
		if (find(hv, run, &d, &still))
			return -1;
		if (still)
			return hv_fail(run, "destroy domain", err);
	}
	return record_gone(run, "stopped");
}

static int converge(struct hv_backend *hv, int stop_timeout_s,
		    struct job_run *run, const struct server_row *s, bool force)
{
	if (server_wants_running(s->desired, s->suspended))
		return ensure_running(hv, run, s);
	return ensure_stopped(hv, stop_timeout_s, run, force);
}

/*
 * Asks the backend to reboot the guest in place; a backend that cannot
 * (libhv: the hypervisor has no reset of a running guest) gets a restart:
 * the same graceful stop as a stop job, then a fresh domain.
 */
static int reboot(struct hv_backend *hv, int stop_timeout_s, struct job_run *run,
		  const struct server_row *s)
{
	struct hvb_domain d;
	bool found;
	int err;

	if (find(hv, run, &d, &found))
		return -1;
	if (!found || (d.state != HV_DOMAIN_RUNNING && d.state != HV_DOMAIN_BLOCKED))
		return fail(run, "invalid_state", false, "the server is not running");
	err = hv->reboot(hv, d.domid);
	if (err != HV_ENOSYS)
		return err ? hv_fail(run, "reboot domain", err) : 0;
	log_info("job %s: %s cannot be reset in place: restarting it", run->id,
		 run->server_id);
	if (ensure_stopped(hv, stop_timeout_s, run, false))
		return -1;
	return ensure_running(hv, run, s);
}

/*
 * A new server's first boot: the template's first-boot agent applies the
 * seed and writes "appliance-firstboot: ready instance-id=<the seed's>" on
 * the console (or "appliance-firstboot: failed: <reason>").  Waits for one
 * of them, at most boot_settings.timeout_s.
 */
#define READY_LINE	"appliance-firstboot: ready instance-id="
#define FAILED_LINE	"appliance-firstboot: failed: "
#define CONSOLE_POLL_MS	200

/* What one complete console line says: 1 ready, -1 failed, 0 neither. */
static int firstboot_line(const char *line, const char *instance_id, char *why,
			  size_t len)
{
	const char *p = strstr(line, READY_LINE);
	size_t n = strlen(instance_id);

	/* A serial console ends its lines with "\r\n": the id, then the end
	 * or whitespace, no more. */
	if (p && strncmp(p + strlen(READY_LINE), instance_id, n) == 0 &&
	    strspn(p + strlen(READY_LINE) + n, " \t\r") ==
	    strlen(p + strlen(READY_LINE) + n))
		return 1;
	p = strstr(line, FAILED_LINE);
	if (p) {
		snprintf(why, len, "%.300s", p + strlen(FAILED_LINE));
		why[strcspn(why, "\r")] = '\0';
		return -1;
	}
	return 0;
}

static int wait_first_boot(struct hv_backend *hv, struct job_run *run,
			   const struct server_row *s)
{
	char instance_id[96], line[512], chunk[4096], why[320];
	int64_t deadline = mono_ms() + (int64_t)boot_settings.timeout_s * 1000;
	size_t used = 0;
	uint64_t pos = 0;
	struct hvb_domain d;
	bool found;

	snprintf(instance_id, sizeof(instance_id), "srv-%s-%lld", run->server_id,
		 (long long)s->seed_generation);
	if (find(hv, run, &d, &found))
		return -1;
	if (!found)
		return fail(run, "server.boot_failed", true, "the domain is gone");
	for (;;) {
		size_t got = 0;
		int err = hv->console(hv, d.domid, &pos, chunk, sizeof(chunk), &got);

		if (err)
			return hv_fail(run, "read the console", err);
		for (size_t i = 0; i < got; i++) {
			int said;

			if (chunk[i] != '\n') {
				if (used < sizeof(line) - 1)
					line[used++] = chunk[i];
				continue;
			}
			line[used] = '\0';
			used = 0;
			said = firstboot_line(line, instance_id, why, sizeof(why));
			if (said > 0) {
				log_info("job %s: %s is up (%s)", run->id, run->server_id,
					 instance_id);
				return 0;
			}
			if (said < 0)
				return fail(run, "server.boot_failed", false,
					    "the first boot could not apply the seed: %s", why);
		}
		if (got)
			continue;
		if (mono_ms() >= deadline)
			return fail(run, "server.boot_failed", true,
				    "the server did not report its first boot ready (%s) "
				    "within %d s", instance_id, boot_settings.timeout_s);
		if (jobs_stopping()) {
			run->interrupted = true;
			return fail(run, "interrupted", true,
				    "provisiond stopped while the server was booting");
		}
		sleep_ms(CONSOLE_POLL_MS);
	}
}

static const char *param(json_t *params, const char *name)
{
	return json_string_value(json_object_get(params, name));
}

/*
 * Reinstall of a server made from a template: the domain destroyed, a new
 * root disk swapped in (server_disks.c), the data disk kept or formatted,
 * a new seed; then it runs again if it should, and the job ends with its
 * first boot.
 */
static int reinstall_from_template(struct hv_backend *hv, int stop_timeout_s,
				   struct job_run *run, json_t *params)
{
	struct server_row s;
	char why[600];

	if (ensure_stopped(hv, stop_timeout_s, run, true))
		return -1;
	if (server_disks_reinstall(run->server_id, param(params, "root_volume_id"),
				   param(params, "template_id"), param(params, "hostname"),
				   json_is_true(json_object_get(params, "format_data")),
				   why, sizeof(why)))
		return fail(run, "volume_error", true, "%s", why);
	if (load_server(run, &s) || converge(hv, stop_timeout_s, run, &s, true))
		return -1;
	if (server_wants_running(s.desired, s.suspended))
		return wait_first_boot(hv, run, &s);
	return 0;
}

int job_execute(struct hv_backend *hv, int stop_timeout_s, struct job_run *run)
{
	struct server_row s;
	json_t *params = json_loads(run->params, 0, NULL);
	int rc;

	if (load_server(run, &s)) {
		json_decref(params);
		return -1;
	}
	if (s.deleted) {
		json_decref(params);
		if (run->kind == JOB_DELETE)
			return 0;
		return fail(run, "not_found", false, "the server was deleted");
	}

	switch (run->kind) {
	case JOB_REBOOT:
		rc = reboot(hv, stop_timeout_s, run, &s);
		break;

	case JOB_CHANGE_PLAN:
		/* The new plan applies to a new domain: stop the old one. */
		rc = ensure_stopped(hv, stop_timeout_s, run, false);
		if (rc == 0)
			rc = update_server(run, "UPDATE servers SET plan_id = ?3,"
						" updated_at = ?2 WHERE id = ?1",
					   "s", param(params, "plan_id"));
		if (rc == 0)
			rc = load_server(run, &s);
		/* The request sized the volume rows to the new plan: the
		 * files grow to them, a new data disk is made, while no
		 * domain has them open (a stopped server's too). */
		if (rc == 0 && s.template_id[0]) {
			char why[600];

			if (server_disks_make(run->server_id, why, sizeof(why)))
				rc = fail(run, "volume_error", true, "%s", why);
		}
		if (rc == 0)
			rc = converge(hv, stop_timeout_s, run, &s, false);
		break;

	case JOB_REINSTALL:
		if (s.template_id[0]) {
			rc = reinstall_from_template(hv, stop_timeout_s, run, params);
			break;
		}
		/* The old system is discarded: no graceful shutdown. */
		rc = ensure_stopped(hv, stop_timeout_s, run, true);
		if (rc == 0)
			rc = update_server(run, "UPDATE servers SET image_id = ?3,"
						" hostname = coalesce(?4, hostname),"
						" updated_at = ?2 WHERE id = ?1",
					   "ss", param(params, "image_id"),
					   param(params, "hostname"));
		if (rc == 0 && !load_server(run, &s))
			rc = converge(hv, stop_timeout_s, run, &s, true);
		break;

	case JOB_DELETE: {
		char why[600];

		rc = ensure_stopped(hv, stop_timeout_s, run, true);
		/* The files before the rows, the rows before the server. */
		if (rc == 0 && server_disks_remove(run->server_id, why, sizeof(why)))
			rc = fail(run, "volume_error", true, "%s", why);
		if (rc == 0)
			rc = update_server(run, "UPDATE servers SET"
						" actual_state = 'deleted', deleted_at = ?2,"
						" updated_at = ?2 WHERE id = ?1", "");
		if (rc == 0)	/* its last hour's minutes go with it */
			usage_recent_forget(run->server_id);
		break;
	}

	case JOB_STOP:
		rc = converge(hv, stop_timeout_s, run, &s,
			      json_is_true(json_object_get(params, "force")));
		break;

	default:	/* create, start, suspend, unsuspend */
		rc = 0;
		/* A server created stopped gets its disks too. */
		if (run->kind == JOB_CREATE && s.template_id[0]) {
			char why[600];

			if (server_disks_make(run->server_id, why, sizeof(why)))
				rc = fail(run, "volume_error", true, "%s", why);
		}
		if (rc == 0)
			rc = converge(hv, stop_timeout_s, run, &s, false);
		/* A new server from a template is done when its first boot
		 * has applied the seed. */
		if (rc == 0 && run->kind == JOB_CREATE && s.template_id[0] &&
		    server_wants_running(s.desired, s.suspended))
			rc = wait_first_boot(hv, run, &s);
		break;
	}
	json_decref(params);
	return rc;
}
