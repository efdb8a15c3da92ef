// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_fake.c - a TEST DOUBLE of the hypervisor, selected with --hv=fake in
 * build/provisiond/provisiond-testhv, the binary the API tests run.
 *
 *     THIS IS NOT A HYPERVISOR.  It runs no guest.  It exists so that the
 *     API tests (tests/api/) can drive provisiond on a development host,
 *     where there is no hypervisor, and exercise its failure paths.  The
 *     product binary does not contain it (provisiond/hv_backends.c lists
 *     libhv only); see hv_backend.h.
 *
 * It refuses a domain the hypervisor would refuse, with the same code
 * (HV_EINVAL) and the same limits, hvabi.h's HV_DOMAIN_* and HV_SCHED_*:
 * an API that let such a plan through would fail here as on the appliance.
 *
 * It keeps the domains it "runs" in a small JSON file (hv_fake_state, by
 * default next to the database), rewritten atomically (write + rename) on
 * every change, so that, like a real hypervisor, it still knows its domains
 * after provisiond is killed and restarted.  Tests read that file to check
 * what exists, and may edit it while provisiond is stopped (to plant an
 * orphan domain or remove one).
 *
 * Faults: before each operation the fake reads "<state>.faults", if it
 * exists, one rule per line:
 *
 *     <op> fail <ERR>      the operation fails with ERR: EIO, ETIMEDOUT,
 *                          EAGAIN, ENOMEM (-errno) or HV_EINVAL, HV_ENOSPC,
 *                          HV_EPERM, HV_ENOSYS (the hypervisor refusing)
 *     <op> delay <ms>      the operation first sleeps ms milliseconds
 *     <op> block           the operation waits, before doing anything,
 *                          until the rule is removed from the file
 *     create block-after   create makes and saves the domain, then waits
 *                          until the rule is removed
 *     shutdown ignore      the guest ignores shutdown requests
 *     unpause firstboot-silent  a guest booted with a seed disk never says
 *                          it is ready (its first boot hangs)
 *     unpause firstboot-fail    ... says "appliance-firstboot: failed: ..."
 *     console flood <N>    every console read first has the guest write N
 *                          more bytes (a guest flooding its console)
 *     list reboot-guests   every running guest reboots itself, once: the
 *                          next list finds its domain in state "reboot"
 *                          (7); domains started later are left alone
 *                          until the rule is removed and written again
 *
 * <op> is create, unpause, pause, shutdown, reboot, destroy, list,
 * cpu_usage, console, console_input, nic_apply, io_counters or net_limit.
 *
 * The console: what the guest writes is kept in the domain's "console"
 * (the last FAKE_CONSOLE_MAX bytes; "console_dropped" counts the older
 * ones, as the hypervisor's ring drops them), and console_input echoes
 * what is typed, as a shell on a serial line does (bytes other than
 * printable ASCII, CR, LF and tab are echoed as '?').
 *
 * A domain's network interface, as provisiond hands it to create and
 * nic_apply (what hv-netfilter would be told), is kept in the domain's
 * "nic" (null: none), with "nic_applies" counting the nic_apply calls.
 *
 * Counters: "<state>.counters", if it exists, sets a domain's usage
 * counters, one line per domain, written by the test at any time:
 *
 *     <name> <key>=<N> ...
 *
 * keys: cpu_time_ns and steal_ns (then list and cpu_usage report these
 * instead of the wall-clock CPU time), and io_counters' disk_read_bytes,
 * disk_write_bytes, disk_read_ops, disk_write_ops, net_rx_bytes,
 * net_tx_bytes, net_rx_packets, net_tx_packets, disk_throttled_ns,
 * net_throttled_ns (0 when not given).  They
 * are what the domain now called <name> counted since it was created: a
 * test that makes its server's domain anew writes smaller numbers, as a
 * real new domain would count from 0.  net_limit records the limits in the
 * domain's "nic" in the state file, where create put the plan's.
 *
 * While blocked the fake writes "<state>.blocked" holding the
 * operation's name, so a test knows when to kill -9 provisiond.
 *
 * This file keeps the state and the faults and runs the domains' life
 * (create, unpause, pause, shutdown, reboot, destroy, list);
 * hv_fake_io.c has what a running domain does and reports (the console,
 * the counters, the network interface, the machine's physinfo).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "hv_fake.h"
#include "hv_fake_state.h"
#include "subprocess.h"
#include "log.h"
#include "util.h"

#define BLOCK_POLL_MS	20

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int error_by_name(const char *name)
{
	static const struct { const char *name; int err; } errors[] = {
		{ "EIO", -EIO }, { "ETIMEDOUT", -ETIMEDOUT }, { "EAGAIN", -EAGAIN },
		{ "ENOMEM", -ENOMEM }, { "HV_EINVAL", HV_EINVAL },
		{ "HV_ENOSPC", HV_ENOSPC }, { "HV_EPERM", HV_EPERM },
		{ "HV_ENOSYS", HV_ENOSYS },	/* e.g. reboot, as libhv's */
	};

	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (strcmp(errors[i].name, name) == 0)
			return errors[i].err;
	return -EIO;
}

/* The rules for op in the faults file (none if there is no file). */
static void read_faults(struct fake *f, const char *op, struct fault *out)
{
	char line[256], rule_op[64], action[64], arg[64];
	FILE *fp = fopen(f->faults_path, "r");

	memset(out, 0, sizeof(*out));
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		int n = sscanf(line, "%63s %63s %63s", rule_op, action, arg);

		if (n < 2 || strcmp(rule_op, op) != 0)
			continue;
		if (strcmp(action, "fail") == 0)
			out->fail = error_by_name(n == 3 ? arg : "EIO");
		else if (strcmp(action, "delay") == 0 && n == 3)
			out->delay_ms = atoi(arg);
		else if (strcmp(action, "block") == 0)
			out->block = true;
		else if (strcmp(action, "block-after") == 0)
			out->block_after = true;
		else if (strcmp(action, "ignore") == 0)
			out->ignore = true;
		else if (strcmp(action, "reboot-guests") == 0)
			out->reboot_guests = true;
		else if (strcmp(action, "firstboot-silent") == 0)
			out->firstboot_silent = true;
		else if (strcmp(action, "firstboot-fail") == 0)
			out->firstboot_fail = true;
		else if (strcmp(action, "flood") == 0 && n == 3)
			out->console_flood = atol(arg);
	}
	fclose(fp);
}

/* Waits while the faults file still says to block op (before or after). */
static void block_while(struct fake *f, const char *op, bool after)
{
	struct fault fl;
	FILE *fp = fopen(f->blocked_path, "w");

	log_warn("hv fake: %s blocked by %s (test fault)", op, f->faults_path);
	if (fp) {
		fprintf(fp, "%s\n", op);
		fclose(fp);
	}
	do {
		sleep_ms(BLOCK_POLL_MS);
		read_faults(f, op, &fl);
	} while (after ? fl.block_after : fl.block);
	unlink(f->blocked_path);
	log_info("hv fake: %s unblocked", op);
}

/* Applies the delay, block and fail rules that come before an operation. */
int fake_before_op(struct fake *f, const char *op, struct fault *fl)
{
	read_faults(f, op, fl);
	if (fl->delay_ms > 0)
		sleep_ms(fl->delay_ms);
	if (fl->block)
		block_while(f, op, false);
	if (fl->fail)
		log_info("hv fake: %s fails: %s (test fault)", op,
			 hv_strerror(fl->fail));
	return fl->fail;
}

/*
 * Writes the state to a temporary file and renames it over the old one.
 * The text is made in memory and written at once: json_dump_file() writes
 * each token with its own fwrite(), which with a thousand domains made
 * every change cost milliseconds of CPU (the API benchmark's creates).
 */
int fake_save(struct fake *f)
{
	char tmp[FAKE_PATH_MAX + 8];
	char *text = json_dumps(f->state, JSON_INDENT(1) | JSON_SORT_KEYS);
	FILE *out;
	bool ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", f->state_path);
	out = text ? fopen(tmp, "w") : NULL;
	ok = out && fputs(text, out) >= 0;
	if (out && fclose(out) != 0)
		ok = false;
	free(text);
	if (!ok || rename(tmp, f->state_path) < 0) {
		log_error("hv fake: cannot write %s: %s", f->state_path, strerror(errno));
		return -EIO;
	}
	return 0;
}

json_t *fake_domains(struct fake *f)
{
	return json_object_get(f->state, "domains");
}

json_t *fake_find_by_id(struct fake *f, uint32_t domid, size_t *index)
{
	size_t i;
	json_t *d;

	json_array_foreach(fake_domains(f), i, d) {
		if (json_integer_value(json_object_get(d, "domid")) == domid) {
			if (index)
				*index = i;
			return d;
		}
	}
	return NULL;
}

static json_t *find_by_name(struct fake *f, const char *name)
{
	size_t i;
	json_t *d;

	json_array_foreach(fake_domains(f), i, d)
		if (strcmp(json_string_value(json_object_get(d, "name")), name) == 0)
			return d;
	return NULL;
}

uint32_t fake_dom_state(json_t *d)
{
	return (uint32_t)json_integer_value(json_object_get(d, "state"));
}

/* CPU time so far: what was banked plus the current run, one vCPU busy. */
uint64_t fake_dom_cpu_ns(json_t *d)
{
	int64_t cpu = json_integer_value(json_object_get(d, "cpu_time_ns"));
	int64_t since = json_integer_value(json_object_get(d, "running_since_ms"));

	if (since > 0 && wall_ms() > since)
		cpu += (wall_ms() - since) * 1000000;
	return (uint64_t)cpu;
}

/* Moves a domain to a new state, banking CPU time when it stops running. */
static void set_state(json_t *d, uint32_t state)
{
	json_object_set_new(d, "cpu_time_ns", json_integer((json_int_t)fake_dom_cpu_ns(d)));
	json_object_set_new(d, "running_since_ms",
			    json_integer(state == HV_DOMAIN_RUNNING ? wall_ms() : 0));
	json_object_set_new(d, "state", json_integer(state));
}

/*
 * What the hypervisor refuses with HV_EINVAL: a name it would not take
 * (HVCALL_DOMAIN_CREATE: 1 to HV_NAME_LEN - 1 of [A-Za-z0-9._-]), a size
 * outside hvabi.h's domain limits, and (hv_domain_sched, which libhv's
 * backend calls right after) a weight or cap outside the scheduler's.
 */
static bool config_valid(const struct hvb_domain_config *cfg)
{
	size_t len = strlen(cfg->name);

	if (len == 0 || len >= HVB_NAME_MAX ||
	    strspn(cfg->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			      "0123456789._-") != len)
		return false;
	return !hv_domain_size_check((uint64_t)cfg->memory_mib << 20, cfg->vcpus) &&
	       !hv_sched_quota_check(cfg->cpu_weight, cfg->cpu_cap_pct, cfg->vcpus);
}

/* The instance-id in the seed image's meta-data ("" if none), read with
 * mtools' mtype. */
static void seed_instance_id(const char *seed, char *out, size_t size)
{
	const char *argv[] = { "/usr/bin/mtype", "-i", seed, "::meta-data", NULL };
	char text[1024], err[256], *p;

	out[0] = '\0';
	if (spawn_run(argv, 10, text, sizeof(text), err, sizeof(err)) != 0)
		return;
	p = strstr(text, "instance-id: '");
	if (p) {
		p += strlen("instance-id: '");
		snprintf(out, size, "%.*s", (int)strcspn(p, "'"), p);
	}
}

/* What the guest writes on its console when it boots (unpause). */
static void guest_boots(json_t *d, const struct fault *fl)
{
	const char *iid = json_string_value(json_object_get(d, "instance_id"));
	char line[256];

	if (!iid || fl->firstboot_silent)
		return;
	/* As a serial console writes them: each line ends "\r\n". */
	if (fl->firstboot_fail)
		snprintf(line, sizeof(line), "appliance-firstboot: failed: "
			 "cannot resize the root filesystem\r\n");
	else
		snprintf(line, sizeof(line), "Debian GNU/Linux 12 web-1 ttyS0\r\n"
			 "appliance-firstboot: ready instance-id=%s\r\n", iid);
	fake_console_write(d, line, strlen(line));
}

static int fake_create(struct hv_backend *hv, const struct hvb_domain_config *cfg,
		       uint32_t *domid, bool *existed)
{
	struct fake *f = fake_of(hv);
	char instance_id[128] = "";
	struct fault fl;
	json_t *d;
	int err = fake_before_op(f, "create", &fl);

	if (err)
		return err;
	if (!config_valid(cfg)) {
		log_warn("hv fake: create %s refused: %u vCPUs, %u MiB, weight %u,"
			 " cap %u%% are outside the hypervisor's limits",
			 cfg->name, cfg->vcpus, cfg->memory_mib, cfg->cpu_weight,
			 cfg->cpu_cap_pct);
		return HV_EINVAL;
	}

	/* A guest with a seed disk (the last disk, read-only) will say, as the
	 * template's first-boot agent does, that it applied the seed's
	 * instance-id: read it from the seed as the agent would. */
	if (cfg->ndisks && cfg->disks[cfg->ndisks - 1].read_only)
		seed_instance_id(cfg->disks[cfg->ndisks - 1].path, instance_id,
				 sizeof(instance_id));

	pthread_mutex_lock(&f->lock);
	d = find_by_name(f, cfg->name);
	*existed = d != NULL;
	if (!d) {
		json_int_t next = json_integer_value(json_object_get(f->state, "next_domid"));

		d = json_pack("{s:I, s:s, s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:s,"
			      " s:i, s:i, s:i}",
			      "domid", next, "name", cfg->name,
			      "state", HV_DOMAIN_PAUSED, "vcpus", (int)cfg->vcpus,
			      "memory_mib", (int)cfg->memory_mib,
			      "cpu_weight", (int)cfg->cpu_weight,
			      "cpu_cap_pct", (int)cfg->cpu_cap_pct,
			      "kernel", cfg->kernel_path,
			      "initrd", cfg->initrd_path ? cfg->initrd_path : "",
			      "cmdline", cfg->cmdline ? cfg->cmdline : "",
			      "cpu_time_ns", 0, "running_since_ms", 0, "reboots", 0);
		{
			/* The disks, as the tests check them (root, data, seed). */
			json_t *disks = json_array();

			for (uint32_t i = 0; i < cfg->ndisks; i++)
				json_array_append_new(disks, json_pack(
					"{s:s, s:b, s:I, s:I, s:s}",
					"path", cfg->disks[i].path,
					"read_only", cfg->disks[i].read_only,
					"bps", (json_int_t)cfg->disks[i].bps,
					"iops", (json_int_t)cfg->disks[i].iops,
					"serial", cfg->disks[i].serial ? cfg->disks[i].serial : ""));
			json_object_set_new(d, "disks", disks);
			json_object_set_new(d, "nic", fake_nic_json(cfg->nic));
			json_object_set_new(d, "nic_applies", json_integer(0));
			json_object_set_new(d, "console", json_string(""));
			if (instance_id[0])
				json_object_set_new(d, "instance_id", json_string(instance_id));
		}
		json_array_append_new(fake_domains(f), d);
		json_object_set_new(f->state, "next_domid", json_integer(next + 1));
		err = fake_save(f);
	}
	*domid = (uint32_t)json_integer_value(json_object_get(d, "domid"));
	pthread_mutex_unlock(&f->lock);

	if (!err && fl.block_after)
		block_while(f, "create", true);
	return err;
}

/* The common shape of unpause, pause, shutdown, reboot and destroy. */
static int fake_op(struct hv_backend *hv, const char *op, uint32_t domid)
{
	struct fake *f = fake_of(hv);
	struct fault fl;
	size_t index;
	json_t *d;
	int err = fake_before_op(f, op, &fl);

	if (err)
		return err;
	pthread_mutex_lock(&f->lock);
	d = fake_find_by_id(f, domid, &index);
	if (!d) {
		err = HV_EINVAL;
	} else if (strcmp(op, "destroy") == 0) {
		json_array_remove(fake_domains(f), index);
	} else if (strcmp(op, "unpause") == 0) {
		if (fake_dom_state(d) == HV_DOMAIN_PAUSED) {
			set_state(d, HV_DOMAIN_RUNNING);
			guest_boots(d, &fl);
		} else if (fake_dom_state(d) != HV_DOMAIN_RUNNING)
			err = HV_EINVAL;
	} else if (strcmp(op, "pause") == 0) {
		if (fake_dom_state(d) == HV_DOMAIN_RUNNING)
			set_state(d, HV_DOMAIN_PAUSED);
		else if (fake_dom_state(d) != HV_DOMAIN_PAUSED)
			err = HV_EINVAL;
	} else if (strcmp(op, "shutdown") == 0) {
		/* A cooperative guest powers off at once. */
		if (!fl.ignore)
			set_state(d, HV_DOMAIN_SHUTDOWN);
	} else if (strcmp(op, "reboot") == 0) {
		if (fake_dom_state(d) != HV_DOMAIN_RUNNING)
			err = HV_EINVAL;
		else
			json_object_set_new(d, "reboots", json_integer(
				json_integer_value(json_object_get(d, "reboots")) + 1));
	}
	if (!err)
		err = fake_save(f);
	pthread_mutex_unlock(&f->lock);
	return err;
}

static int fake_unpause(struct hv_backend *hv, uint32_t domid)
{
	return fake_op(hv, "unpause", domid);
}

static int fake_pause(struct hv_backend *hv, uint32_t domid)
{
	return fake_op(hv, "pause", domid);
}

static int fake_shutdown(struct hv_backend *hv, uint32_t domid)
{
	return fake_op(hv, "shutdown", domid);
}

static int fake_reboot(struct hv_backend *hv, uint32_t domid)
{
	return fake_op(hv, "reboot", domid);
}

static int fake_destroy(struct hv_backend *hv, uint32_t domid)
{
	return fake_op(hv, "destroy", domid);
}

static void fill_info(struct hvb_domain *out, json_t *d, struct fake *f)
{
	const char *name = json_string_value(json_object_get(d, "name"));
	memset(out, 0, sizeof(*out));
	out->domid = (uint32_t)json_integer_value(json_object_get(d, "domid"));
	out->state = fake_dom_state(d);
	out->vcpus = (uint32_t)json_integer_value(json_object_get(d, "vcpus"));
	out->memory_bytes = (uint64_t)json_integer_value(
		json_object_get(d, "memory_mib")) * 1024 * 1024;
	if (!fake_counter_of(f, name, "cpu_time_ns", &out->cpu_time_ns))
		out->cpu_time_ns = fake_dom_cpu_ns(d);
	fake_counter_of(f, name, "steal_ns", &out->steal_ns);
	str_copy(out->name, name, sizeof(out->name));
}

static int fake_list(struct hv_backend *hv, struct hvb_domain *out, uint32_t max,
		     uint32_t *count, uint32_t *total)
{
	struct fake *f = fake_of(hv);
	struct fault fl;
	size_t i;
	json_t *d;
	int err = fake_before_op(f, "list", &fl);

	if (err)
		return err;
	pthread_mutex_lock(&f->lock);
	/* Once per rule: the start job that follows must not be undone by its
	 * own next list. */
	if (!fl.reboot_guests)
		f->guests_rebooted = false;
	if (fl.reboot_guests && !f->guests_rebooted) {
		bool changed = false;

		f->guests_rebooted = true;

		json_array_foreach(fake_domains(f), i, d)
			if (json_integer_value(json_object_get(d, "state")) == HV_DOMAIN_RUNNING) {
				json_object_set_new(d, "state", json_integer(HV_DOMAIN_REBOOT));
				changed = true;
			}
		if (changed)
			fake_save(f);
	}
	/* Like the real hypervisor's list, dom0 comes first. */
	*total = (uint32_t)json_array_size(fake_domains(f)) + 1;
	*count = 0;
	if (max > 0) {
		memset(&out[0], 0, sizeof(out[0]));
		out[0].state = HV_DOMAIN_RUNNING;
		out[0].vcpus = 1;
		str_copy(out[0].name, "dom0", sizeof(out[0].name));
		*count = 1;
	}
	json_array_foreach(fake_domains(f), i, d) {
		if (*count >= max)
			break;
		fill_info(&out[(*count)++], d, f);
	}
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static void fake_close(struct hv_backend *hv)
{
	struct fake *f = fake_of(hv);

	json_decref(f->state);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

int hv_fake_open(const char *state_path, struct hv_backend **out, char *err,
		 size_t errlen)
{
	struct fake *f = calloc(1, sizeof(*f));
	json_error_t jerr;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!str_copy(f->state_path, state_path, sizeof(f->state_path) - 16)) {
		snprintf(err, errlen, "hv fake: state path too long");
		free(f);
		return -1;
	}
	snprintf(f->faults_path, sizeof(f->faults_path), "%s.faults", state_path);
	snprintf(f->blocked_path, sizeof(f->blocked_path), "%s.blocked", state_path);
	snprintf(f->counters_path, sizeof(f->counters_path), "%s.counters", state_path);
	pthread_mutex_init(&f->lock, NULL);

	if (access(state_path, F_OK) == 0) {
		f->state = json_load_file(state_path, 0, &jerr);
		if (!f->state || !json_is_array(json_object_get(f->state, "domains")) ||
		    !json_is_integer(json_object_get(f->state, "next_domid"))) {
			snprintf(err, errlen, "hv fake: %s: not a fake hypervisor state (%s)",
				 state_path, f->state ? "wrong shape" : jerr.text);
			json_decref(f->state);
			free(f);
			return -1;
		}
	} else {
		f->state = json_pack("{s:i, s:[]}", "next_domid", 1, "domains");
		if (fake_save(f) < 0) {
			snprintf(err, errlen, "hv fake: cannot create %s", state_path);
			json_decref(f->state);
			free(f);
			return -1;
		}
	}

	f->ops = (struct hv_backend) {
		.name = "fake",
		.priv = f,
		.create = fake_create,
		.unpause = fake_unpause,
		.pause = fake_pause,
		.shutdown = fake_shutdown,
		.reboot = fake_reboot,
		.destroy = fake_destroy,
		.list = fake_list,
		.cpu_usage = fake_cpu_usage,
		.console = fake_console,
		.close = fake_close,
		.physinfo = fake_physinfo,
		.console_input = fake_console_input,
		.nic_apply = fake_nic_apply,
		.io_counters = fake_io_counters,
		.net_limit = fake_net_limit,
	};
	log_warn("hypervisor backend: FAKE (test double, runs no guests), state in %s",
		 state_path);
	*out = &f->ops;
	return 0;
}
