// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl - dom0's command line tool for the hypervisor (see hvctl_usage()).
 *
 * Every command is one or a few hypercalls made through libhv and
 * /dev/hvpriv, so hvctl runs as root in dom0 only.  The output is meant for
 * people and scripts alike: `info` prints stable "key: value" lines (or
 * JSON), `list` a table with one domain per line, `raw` a bare number.
 *
 * The parts are functions taking plain structures and a FILE, so that the
 * unit tests (test_hvctl.c) can run them without the hypervisor; main() is
 * left out of the test build with -DHVCTL_NO_MAIN.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lib/cpuset.h>

#include "hvpriv.h"
#include "hvctl.h"

#define MIB		(1024 * 1024)
#define DMESG_CHUNK	4096	/* bytes asked for per console read */
#define DMESG_POLL_NS	(200 * 1000 * 1000)	/* `dmesg -f`: 5 reads a second */
#define LIST_FIRST_MAX	16	/* domains asked for on the first try */

void hvctl_usage(FILE *out)
{
	fputs("usage: hvctl COMMAND [OPTION...]\n"
	      "\n"
	      "The hypervisor as dom0 sees it, through /dev/hvpriv (root only).\n"
	      "\n"
	      "  info [--json]         the machine and how it is divided:\n"
	      "                        one \"key: value\" a line, or JSON\n"
	      "  list [--overhead]     the domains: id, name, state, vCPUs,\n"
	      "                        memory (MiB), CPU time (s); --overhead:\n"
	      "                        and the hypervisor's own memory for each\n"
	      "                        (KiB, beyond its RAM)\n"
	      "  dmesg [-f|--follow]   the hypervisor's console; -f: keep\n"
	      "                        printing what is added\n"
	      "  create NAME MEM_MIB VCPUS KERNEL [--initrd FILE] [--disk SPEC]...\n"
	      "         [CMDLINE]      build a customer domain from a Linux\n"
	      "                        bzImage (and initrd) or a PVH ELF kernel\n"
	      "                        and start it; prints its id.  Each --disk\n"
	      "                        PATH[,ro][,bps=N][,iops=N][,serial=S] is\n"
	      "                        a virtio disk (a file or block device;\n"
	      "                        bytes/s and requests/s limits), served by\n"
	      "                        an hv-backend process for the domain.\n"
	      "         [--net SPEC]...  Each --net TAP[,mac=M][,rx_bps=N][,tx_bps=N]\n"
	      "                        is a virtio NIC on dom0's tap interface\n"
	      "                        TAP (created if absent; MAC by default\n"
	      "                        02:68:76:<domid>:<n>; bytes/s limits).\n"
	      "                        Devices: the disks first, then the NICs,\n"
	      "                        each in the order given (PCI 00:01.0 on)\n"
	      "  io DOMAIN [--json]    its disks' and NICs' counters and limits\n"
	      "  io-limit DOMAIN DEV [bps=N] [iops=N]  (a disk)\n"
	      "  io-limit DOMAIN DEV [rx_bps=N] [tx_bps=N]  (a NIC)\n"
	      "                        change device DEV's limits now (0 = none)\n"
	      "  backend-restart DOMAIN\n"
	      "                        start a new device backend for a running\n"
	      "                        domain whose backend died, with the devices\n"
	      "                        `create` gave it; the guest's pending\n"
	      "                        requests are served and it goes on\n"
	      "  pause|unpause|destroy DOMAIN\n"
	      "                        DOMAIN: a name or an id\n"
	      "  shutdown DOMAIN       press its power button (the guest shuts\n"
	      "                        down if it is set up to)\n"
	      "  reboot DOMAIN         destroy it if it still exists and create\n"
	      "                        it again as `create` made it (also after\n"
	      "                        the guest rebooted: state \"reboot\")\n"
	      "  console DOMAIN [-f]   what the domain wrote to its console; -f:\n"
	      "                        keep following it and, on a terminal,\n"
	      "                        type into it (Ctrl-] leaves)\n"
	      "  input DOMAIN TEXT     type TEXT and Enter on its console\n"
	      "  sched DOMAIN [--weight W] [--cap C] [--cpus LIST [--vcpu N]]\n"
	      "                        its CPU share (1-65535) and ceiling (%% of\n"
	      "                        a CPU, 0 = none), and the CPUs its vCPUs\n"
	      "                        (or vCPU N) may run on (LIST: 1,2 or 1-3);\n"
	      "                        prints what holds and, per vCPU, the CPU\n"
	      "                        it is on, its CPUs and its CPU time\n"
	      "  exits [DOMAIN [VCPU]] how often a domain's vCPU (default: all\n"
	      "                        of them, of dom0 if no DOMAIN) left the\n"
	      "                        guest, by exit reason, and the mean time\n"
	      "                        the hypervisor took over each\n"
	      "  raw NR [ARG0..ARG3]   make hypercall NR with up to 4 arguments\n"
	      "                        (hex 0x... or decimal, missing ones 0);\n"
	      "                        prints the result in decimal (for tests)\n"
	      "  help, --help, -h      this text\n"
	      "\n"
	      "Exit status: 0 ok, 1 hypervisor or driver error (including a\n"
	      "negative result of `raw`), 2 usage error.\n",
	      out);
}

static int usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs("hvctl: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputs("\nTry 'hvctl --help'.\n", err);
	return HVCTL_EXIT_USAGE;
}

int hvctl_parse_u64(const char *s, uint64_t *value)
{
	const char *digits = "0123456789";
	unsigned long long v;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		digits = "0123456789abcdefABCDEF";
		s += 2;
	}
	/* Digits only: strtoull() alone would also take spaces, a sign,
	 * a second "0x" or nothing at all. */
	if (s[0] == '\0' || s[strspn(s, digits)] != '\0')
		return -1;

	errno = 0;
	v = strtoull(s, NULL, base);
	if (errno == ERANGE)
		return -1;
	*value = v;
	return 0;
}

int hvctl_parse_args(int argc, char **argv, struct hvctl_args *a, FILE *err)
{
	const char *cmd;
	int i;

	memset(a, 0, sizeof(*a));
	if (argc < 2)
		return usage_error(err, "no command given");

	/* --help anywhere: the user wants help, not an error. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			a->cmd = HVCTL_HELP;
			return HVCTL_EXIT_OK;
		}
	}

	cmd = argv[1];
	if (strcmp(cmd, "help") == 0) {
		a->cmd = HVCTL_HELP;
	} else if (strcmp(cmd, "info") == 0) {
		a->cmd = HVCTL_INFO;
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--json") != 0)
				return usage_error(err, "info: unknown option '%s'", argv[i]);
			a->json = true;
		}
	} else if (strcmp(cmd, "list") == 0) {
		a->cmd = HVCTL_LIST;
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--overhead") != 0)
				return usage_error(err, "list: unknown option '%s'", argv[i]);
			a->overhead = true;
		}
	} else if (strcmp(cmd, "dmesg") == 0) {
		a->cmd = HVCTL_DMESG;
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "-f") != 0 && strcmp(argv[i], "--follow") != 0)
				return usage_error(err, "dmesg: unknown option '%s'", argv[i]);
			a->follow = true;
		}
	} else if (strcmp(cmd, "create") == 0) {
		const char *usage = "create NAME MEM_MIB VCPUS KERNEL [--initrd FILE] "
				    "[--disk PATH[,ro][,bps=N][,iops=N][,serial=S]]... "
				    "[--net TAP[,mac=M][,rx_bps=N][,tx_bps=N]]... [CMDLINE]";
		const char *why;
		uint64_t v;

		a->cmd = HVCTL_CREATE;
		if (argc < 6)
			return usage_error(err, "%s", usage);
		/* After KERNEL: options, then at most one CMDLINE. */
		for (i = 6; i < argc; i++) {
			if (!strcmp(argv[i], "--initrd") && i + 1 < argc && !a->initrd) {
				a->initrd = argv[++i];
			} else if (!strcmp(argv[i], "--disk") && i + 1 < argc) {
				struct hv_disk_spec spec;
				char reason[128];

				if (a->nr_disks + a->nr_nets == HV_IO_DISKS_MAX)
					return usage_error(err, "create: at most %u disks",
							   HV_IO_DISKS_MAX);
				if (hv_disk_spec_parse(argv[i + 1], &spec, reason,
						       sizeof(reason)))
					return usage_error(err, "create: --disk %s: %s",
							   argv[i + 1], reason);
				a->disks[a->nr_disks++] = argv[++i];
			} else if (!strcmp(argv[i], "--net") && i + 1 < argc) {
				struct hv_net_spec spec;
				char reason[128];

				if (a->nr_disks + a->nr_nets == HV_IO_DISKS_MAX)
					return usage_error(err, "create: at most %u devices "
							   "(disks and NICs)", HV_IO_DISKS_MAX);
				if (hv_net_spec_parse(argv[i + 1], &spec, reason,
						      sizeof(reason)))
					return usage_error(err, "create: --net %s: %s",
							   argv[i + 1], reason);
				a->nets[a->nr_nets++] = argv[++i];
			} else if (i == argc - 1 && strncmp(argv[i], "--", 2)) {
				a->cmdline = argv[i];
			} else {
				return usage_error(err, "%s", usage);
			}
		}
		a->domain = argv[2];
		if (hvctl_parse_u64(argv[3], &a->mem_mib) != 0 ||
		    a->mem_mib > UINT32_MAX)
			return usage_error(err, "create: bad memory size '%s'", argv[3]);
		if (hvctl_parse_u64(argv[4], &v) != 0 || v > UINT32_MAX)
			return usage_error(err, "create: bad vCPU count '%s'", argv[4]);
		a->nr_vcpus = (uint32_t)v;
		/* The hypervisor's limits (hvabi.h), before anything is read. */
		why = hv_domain_size_check(a->mem_mib << 20, a->nr_vcpus);
		if (why)
			return usage_error(err, "create: %s", why);
		a->kernel = argv[5];
		if (!a->cmdline)
			a->cmdline = "";
	} else if (strcmp(cmd, "io") == 0) {
		a->cmd = HVCTL_IO;
		if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--json")))
			return usage_error(err, "io DOMAIN [--json]");
		a->domain = argv[2];
		a->json = argc == 4;
	} else if (strcmp(cmd, "io-limit") == 0) {
		uint64_t v;

		a->cmd = HVCTL_IO_LIMIT;
		a->bps = a->iops = a->rx_bps = a->tx_bps = -1;
		if (argc < 5 || hvctl_parse_u64(argv[3], &v) != 0 ||
		    v >= HV_IO_DISKS_MAX)
			return usage_error(err, "io-limit DOMAIN DEV bps=N iops=N | "
					   "rx_bps=N tx_bps=N (DEV: 0 to %u, N: 0 = "
					   "unlimited)", HV_IO_DISKS_MAX - 1);
		a->domain = argv[2];
		a->disk = (uint32_t)v;
		for (i = 4; i < argc; i++) {
			static const char *const keys[] = { "bps=", "iops=",
							    "rx_bps=", "tx_bps=" };
			int64_t *vals[] = { &a->bps, &a->iops, &a->rx_bps, &a->tx_bps };
			unsigned k;

			for (k = 0; k < 4; k++)
				if (!strncmp(argv[i], keys[k], strlen(keys[k])))
					break;
			if (k == 4 ||
			    hvctl_parse_u64(argv[i] + strlen(keys[k]), &v) != 0 ||
			    v > INT64_MAX)
				return usage_error(err, "io-limit: '%s' is not bps=N, "
						   "iops=N, rx_bps=N or tx_bps=N", argv[i]);
			*vals[k] = (int64_t)v;
		}
		if ((a->bps >= 0 || a->iops >= 0) && (a->rx_bps >= 0 || a->tx_bps >= 0))
			return usage_error(err, "io-limit: bps/iops are a disk's, "
					   "rx_bps/tx_bps a NIC's: not both");
	} else if (strcmp(cmd, "backend-restart") == 0) {
		a->cmd = HVCTL_BACKEND_RESTART;
		if (argc != 3)
			return usage_error(err, "backend-restart DOMAIN");
		a->domain = argv[2];
	} else if (strcmp(cmd, "input") == 0) {
		a->cmd = HVCTL_INPUT;
		if (argc != 4)
			return usage_error(err, "input DOMAIN TEXT");
		a->domain = argv[2];
		a->text = argv[3];
	} else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "unpause") == 0 ||
		   strcmp(cmd, "destroy") == 0 || strcmp(cmd, "console") == 0 ||
		   strcmp(cmd, "shutdown") == 0 || strcmp(cmd, "reboot") == 0) {
		a->cmd = cmd[0] == 'p' ? HVCTL_PAUSE : cmd[0] == 'u' ? HVCTL_UNPAUSE :
			 cmd[0] == 'd' ? HVCTL_DESTROY : cmd[0] == 's' ? HVCTL_SHUTDOWN :
			 cmd[0] == 'r' ? HVCTL_REBOOT : HVCTL_CONSOLE;
		if (argc < 3)
			return usage_error(err, "%s: which domain?", cmd);
		a->domain = argv[2];
		for (i = 3; i < argc; i++) {
			if (a->cmd != HVCTL_CONSOLE ||
			    (strcmp(argv[i], "-f") && strcmp(argv[i], "--follow")))
				return usage_error(err, "%s: unknown option '%s'", cmd, argv[i]);
			a->follow = true;
		}
	} else if (strcmp(cmd, "sched") == 0) {
		uint64_t n;

		a->cmd = HVCTL_SCHED;
		a->weight = a->cap = a->sched_vcpu = -1;
		if (argc < 3)
			return usage_error(err, "sched: which domain?");
		a->domain = argv[2];
		for (i = 3; i < argc; i++) {
			bool is_weight = !strcmp(argv[i], "--weight");
			bool is_vcpu = !strcmp(argv[i], "--vcpu");

			if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
				a->cpus = argv[++i];
				if (!cpuset_parse(a->cpus, strlen(a->cpus), &a->cpu_set))
					return usage_error(err, "sched: --cpus '%s' is not a "
							   "CPU list such as 1,2 or 1-3", a->cpus);
				continue;
			}
			if ((!is_weight && !is_vcpu && strcmp(argv[i], "--cap")) ||
			    i + 1 >= argc ||
			    hvctl_parse_u64(argv[i + 1], &n) != 0 || n > UINT32_MAX ||
			    (is_vcpu && n == HV_VCPU_ALL))
				return usage_error(err, "sched DOMAIN [--weight W] [--cap C] "
						   "[--cpus LIST [--vcpu N]]");
			if (is_weight)
				a->weight = (int64_t)n;
			else if (is_vcpu)
				a->sched_vcpu = (int64_t)n;
			else
				a->cap = (int64_t)n;
			i++;
		}
		if (a->sched_vcpu >= 0 && !a->cpus)
			return usage_error(err, "sched: --vcpu goes with --cpus");
	} else if (strcmp(cmd, "exits") == 0) {
		uint64_t v;

		a->cmd = HVCTL_EXITS;
		a->all_vcpus = argc < 4;
		if (argc > 4)
			return usage_error(err, "exits: at most DOMAIN and VCPU");
		/* DOMAIN: an id, or a name that does not start with a digit. */
		if (argc > 2 && (argv[2][0] < '0' || argv[2][0] > '9'))
			a->domain = argv[2];
		for (i = a->domain ? 3 : 2; i < argc; i++) {
			if (hvctl_parse_u64(argv[i], &v) != 0 || v > UINT32_MAX)
				return usage_error(err, "exits: bad number '%s'", argv[i]);
			if (i == 2)
				a->domid = (uint32_t)v;
			else
				a->vcpu = (uint32_t)v;
		}
	} else if (strcmp(cmd, "raw") == 0) {
		a->cmd = HVCTL_RAW;
		if (argc < 3)
			return usage_error(err, "raw: missing hypercall number");
		if (argc > 3 + 4)
			return usage_error(err, "raw: at most 4 arguments after NR");
		if (hvctl_parse_u64(argv[2], &a->raw_nr) != 0)
			return usage_error(err, "raw: bad number '%s'", argv[2]);
		for (i = 3; i < argc; i++) {
			if (hvctl_parse_u64(argv[i], &a->raw_args[i - 3]) != 0)
				return usage_error(err, "raw: bad number '%s'", argv[i]);
		}
	} else {
		return usage_error(err, "unknown command '%s'", cmd);
	}
	return HVCTL_EXIT_OK;
}

/*
 * Copy a string from the hypervisor (up to len bytes, NUL-terminated or
 * not) into dst[len + 1] so that it cannot break our output: anything but
 * printable ASCII becomes '?', and so do '"' and '\' (JSON needs no escapes
 * then) and, unless keep_spaces, ' ' (the `list` table splits on blanks).
 */
static void sanitize(char *dst, const char *src, size_t len, bool keep_spaces)
{
	size_t i;

	for (i = 0; i < len && src[i] != '\0'; i++) {
		char c = src[i];

		if (c < ' ' || c > '~' || c == '"' || c == '\\' ||
		    (c == ' ' && !keep_spaces))
			c = '?';
		dst[i] = c;
	}
	dst[i] = '\0';
}

const char *hvctl_state_name(uint32_t state)
{
	switch (state) {
	case HV_DOMAIN_RUNNING:
		return "running";
	case HV_DOMAIN_BLOCKED:
		return "blocked";
	case HV_DOMAIN_PAUSED:
		return "paused";
	case HV_DOMAIN_SHUTDOWN:
		return "shutdown";
	case HV_DOMAIN_CRASHED:
		return "crashed";
	case HV_DOMAIN_REBOOT:
		return "reboot";
	case HV_DOMAIN_DYING:
		return "dying";
	default:
		return "unknown";
	}
}

/* One line of `hvctl info`: a string (str != NULL) or a number. */
struct info_field {
	const char *key;
	const char *str;
	uint64_t num;
};

void hvctl_print_info(FILE *out, uint32_t abi, const struct hv_physinfo *pi,
		      bool json)
{
	char version[HV_VERSION_LEN + 1];
	/* The keys are an interface: scripts read them.  Only add keys. */
	const struct info_field fields[] = {
		{ "abi_version", NULL, abi },
		{ "hypervisor_version", version, 0 },
		{ "cpus", NULL, pi->nr_cpus },
		{ "dom0_cpus", NULL, pi->nr_dom0_cpus },
		{ "total_ram_mib", NULL, pi->total_ram_bytes / MIB },
		{ "dom0_ram_mib", NULL, pi->dom0_ram_bytes / MIB },
		{ "domain_free_ram_mib", NULL, pi->domain_free_bytes / MIB },
		{ "hypervisor_ram_mib", NULL, pi->hypervisor_bytes / MIB },
		{ "tsc_khz", NULL, pi->tsc_khz },
	};
	size_t n = sizeof(fields) / sizeof(fields[0]);
	size_t i;

	sanitize(version, pi->version, HV_VERSION_LEN, true);

	if (json)
		fputs("{\n", out);
	for (i = 0; i < n; i++) {
		const struct info_field *f = &fields[i];
		const char *comma = i + 1 < n ? "," : "";

		if (json && f->str)
			fprintf(out, "  \"%s\": \"%s\"%s\n", f->key, f->str, comma);
		else if (json)
			fprintf(out, "  \"%s\": %" PRIu64 "%s\n", f->key, f->num, comma);
		else if (f->str)
			fprintf(out, "%s: %s\n", f->key, f->str);
		else
			fprintf(out, "%s: %" PRIu64 "\n", f->key, f->num);
	}
	if (json)
		fputs("}\n", out);
}

void hvctl_print_domains(FILE *out, const struct hv_domain_info *doms,
			 uint32_t n, bool overhead)
{
	char name[HV_NAME_LEN + 1];
	uint32_t i;

	fprintf(out, "%-5s %-20s %-9s %5s %9s %10s%s\n",
		"ID", "NAME", "STATE", "VCPUS", "MEM_MIB", "CPU_S",
		overhead ? "     HV_KIB" : "");
	for (i = 0; i < n; i++) {
		const struct hv_domain_info *d = &doms[i];

		sanitize(name, d->name, HV_NAME_LEN, false);
		fprintf(out, "%-5" PRIu32 " %-20s %-9s %5" PRIu32 " %9" PRIu64 " %10.1f",
			d->domid, name[0] ? name : "-",
			hvctl_state_name(d->state), d->nr_vcpus,
			d->ram_bytes / MIB, (double)d->cpu_time_ns / 1e9);
		if (overhead)
			fprintf(out, " %10.1f", d->overhead_bytes / 1024.0);
		fputc('\n', out);
	}
}

/* Report a failed call (libhv return value rc); the exit code. */
static int fail(FILE *err, const char *what, int rc)
{
	fprintf(err, "hvctl: %s: %s\n", what, hv_strerror(rc));
	return HVCTL_EXIT_FAIL;
}

/* The structures hvctl was compiled with must be the hypervisor's. */
static int check_abi(struct hv_handle *h, uint32_t *abi, FILE *err)
{
	int rc;

	rc = hv_abi_version(h, abi);
	if (rc != 0)
		return fail(err, "HVCALL_ABI_VERSION", rc);
	if (*abi != HV_ABI_VERSION) {
		fprintf(err, "hvctl: the hypervisor has ABI version %" PRIu32
			", hvctl was built for version %d\n", *abi, HV_ABI_VERSION);
		return HVCTL_EXIT_FAIL;
	}
	return HVCTL_EXIT_OK;
}

static int cmd_info(const struct hvctl_args *a, struct hv_handle *h,
		    FILE *out, FILE *err)
{
	struct hv_physinfo pi;
	uint32_t abi;
	int rc;

	rc = check_abi(h, &abi, err);
	if (rc != HVCTL_EXIT_OK)
		return rc;
	rc = hv_physinfo(h, &pi);
	if (rc != 0)
		return fail(err, "HVCALL_PHYSINFO", rc);
	hvctl_print_info(out, abi, &pi, a->json);
	return HVCTL_EXIT_OK;
}

static int cmd_list(const struct hvctl_args *a, struct hv_handle *h,
		    FILE *out, FILE *err)
{
	struct hv_domain_info *doms = NULL, *bigger;
	uint32_t max = LIST_FIRST_MAX, count = 0, total = 0, abi;
	int tries, rc;

	rc = check_abi(h, &abi, err);
	if (rc != HVCTL_EXIT_OK)
		return rc;

	/* If the array was too small, ask again with room for the total the
	 * hypervisor reported; domains may come and go in between, so try a
	 * few times, then show what we have. */
	for (tries = 0; tries < 4; tries++) {
		bigger = realloc(doms, (size_t)max * sizeof(*doms));
		if (!bigger) {
			free(doms);
			return fail(err, "list", -ENOMEM);
		}
		doms = bigger;

		rc = hv_domain_list(h, doms, max, &count, &total);
		if (rc != 0) {
			free(doms);
			return fail(err, "HVCALL_DOMAIN_LIST", rc);
		}
		if (count >= total || max == HV_DOMAIN_LIST_MAX)
			break;
		max = total < HV_DOMAIN_LIST_MAX - 8 ? total + 8 : HV_DOMAIN_LIST_MAX;
	}

	hvctl_print_domains(out, doms, count, a->overhead);
	if (count < total)
		fprintf(err, "hvctl: showing %" PRIu32 " of %" PRIu32 " domains\n",
			count, total);
	/* A domain whose device backend died has lost its disks: say so.
	 * (No socket at all: a domain without devices, or a clean exit.) */
	for (uint32_t i = 0; i < count; i++)
		if (doms[i].domid != 0 && hv_io_ping(doms[i].domid) == -ECONNREFUSED)
			fprintf(err, "hvctl: domain %" PRIu32 ": device backend "
				"not running (died)\n", doms[i].domid);
	free(doms);
	return HVCTL_EXIT_OK;
}

const char *hvctl_exit_name(uint32_t code)
{
	/* SVM exit codes, AMD APM vol. 2, appendix C. */
	switch (code) {
	case 0x060: return "intr";
	case 0x061: return "nmi";
	case 0x072: return "cpuid";
	case 0x078: return "hlt";
	case 0x07b: return "ioio";
	case 0x07c: return "msr";
	case 0x07f: return "shutdown";
	case 0x080: return "vmrun";
	case 0x081: return "vmmcall";
	case 0x400: return "npf";
	case HV_EXIT_OTHER: return "other";
	}
	if (code < 0x10)
		return "cr-read";
	if (code < 0x20)
		return "cr-write";
	if (code >= 0x40 && code < 0x60)
		return "exception";
	return NULL;
}

/* " (N.NN us each)": the hypervisor's mean handling time of count exits. */
static void print_handled(FILE *out, uint64_t count, uint64_t handled_ns)
{
	uint64_t each_10ns = count ? handled_ns / 10 / count : 0;

	fprintf(out, " (%" PRIu64 ".%02" PRIu64 " us each)\n", each_10ns / 100,
		each_10ns % 100);
}

void hvctl_print_exits(FILE *out, const struct hv_exit_count *e, uint32_t n,
		       uint64_t total)
{
	uint64_t handled_ns = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		handled_ns += e[i].handled_ns;
	fprintf(out, "total: %" PRIu64, total);
	print_handled(out, total, handled_ns);
	for (i = 0; i < n; i++) {
		const char *name = hvctl_exit_name(e[i].code);

		if (e[i].code == HV_EXIT_OTHER)
			fprintf(out, "other: %" PRIu64, e[i].count);
		else
			fprintf(out, "0x%03" PRIx32 " %s: %" PRIu64, e[i].code,
				name ? name : "unnamed", e[i].count);
		print_handled(out, e[i].count, e[i].handled_ns);
	}
}

/* Adds one vCPU's counts (n entries) into sum[*nsum], kept in code order. */
static void add_exits(struct hv_exit_count *sum, uint32_t *nsum,
		      const struct hv_exit_count *e, uint32_t n)
{
	uint32_t i, j, k;

	for (i = 0; i < n; i++) {
		for (j = 0; j < *nsum && sum[j].code < e[i].code; j++)
			;
		if (j < *nsum && sum[j].code == e[i].code) {
			sum[j].count += e[i].count;
			sum[j].handled_ns += e[i].handled_ns;
			continue;
		}
		if (*nsum == HV_EXITS_MAX)
			continue;	/* more codes than the hypervisor has */
		for (k = *nsum; k > j; k--)
			sum[k] = sum[k - 1];
		sum[j] = e[i];
		(*nsum)++;
	}
}

static int cmd_exits(const struct hvctl_args *a, struct hv_handle *h,
		     FILE *out, FILE *err)
{
	struct hv_exit_count e[HV_EXITS_MAX], sum[HV_EXITS_MAX];
	uint32_t count = 0, nsum = 0, abi, domid = a->domid, vcpu;
	uint64_t total = 0, all = 0;
	int rc;

	rc = check_abi(h, &abi, err);
	if (rc != HVCTL_EXIT_OK)
		return rc;
	if (a->domain) {
		rc = hv_domain_find(h, a->domain, &domid);
		if (rc != 0)
			return fail(err, a->domain, rc);
	}
	if (!a->all_vcpus) {
		rc = hv_vcpu_exits(h, domid, a->vcpu, e, HV_EXITS_MAX, &count,
				   &total);
		if (rc != 0)
			return fail(err, "HVCALL_VCPU_EXITS", rc);
		hvctl_print_exits(out, e, count, total);
		return HVCTL_EXIT_OK;
	}
	/* Every vCPU, summed: the hypervisor says EINVAL after the last. */
	for (vcpu = 0; vcpu < HV_DOMAIN_VCPUS_MAX; vcpu++) {
		rc = hv_vcpu_exits(h, domid, vcpu, e, HV_EXITS_MAX, &count,
				   &total);
		if (rc == HV_EINVAL && vcpu > 0)
			break;
		if (rc != 0)
			return fail(err, "HVCALL_VCPU_EXITS", rc);
		add_exits(sum, &nsum, e, count);
		all += total;
	}
	hvctl_print_exits(out, sum, nsum, all);
	return HVCTL_EXIT_OK;
}

static int cmd_dmesg(const struct hvctl_args *a, struct hv_handle *h,
		     FILE *out, FILE *err)
{
	const struct timespec poll = { 0, DMESG_POLL_NS };
	char buf[DMESG_CHUNK];
	uint64_t pos = 0, before;
	size_t copied;
	bool first = true;
	uint32_t abi;
	int rc;

	rc = check_abi(h, &abi, err);
	if (rc != HVCTL_EXIT_OK)
		return rc;

	for (;;) {
		before = pos;
		rc = hv_console_read(h, &pos, buf, sizeof(buf), &copied);
		if (rc != 0)
			return fail(err, "HVCALL_CONSOLE_READ", rc);

		/* Position 0 means "the oldest byte still held", so the first
		 * read may jump; later jumps are output that was overwritten
		 * in the ring before we got to it. */
		if (!first && pos - before > copied)
			fprintf(err, "hvctl: [%" PRIu64 " bytes of console output lost]\n",
				pos - before - copied);
		first = false;

		if (copied > 0) {
			fwrite(buf, 1, copied, out);
			fflush(out);
			continue;
		}
		if (!a->follow)
			return HVCTL_EXIT_OK;
		nanosleep(&poll, NULL);
	}
}

static int cmd_raw(const struct hvctl_args *a, struct hv_handle *h,
		   FILE *out, FILE *err)
{
	int64_t result;
	int rc;

	rc = hv_raw(h, a->raw_nr, a->raw_args, &result);
	if (rc != 0)
		return fail(err, "raw hypercall", rc);

	/* The number is the last line, whatever the result: the error
	 * message (stderr) goes out first. */
	if (result < 0) {
		/* -HV_E*; anything more negative is no known code. */
		rc = result < -INT_MAX ? INT_MAX : (int)-result;
		fprintf(err, "hvctl: hypervisor error: %s\n", hv_strerror(rc));
	}
	fprintf(out, "%" PRId64 "\n", result);
	if (result < 0)
		return HVCTL_EXIT_FAIL;
	return HVCTL_EXIT_OK;
}

int hvctl_run(const struct hvctl_args *a, struct hv_handle *h, FILE *out,
	      FILE *err)
{
	switch (a->cmd) {
	case HVCTL_INFO:
		return cmd_info(a, h, out, err);
	case HVCTL_LIST:
		return cmd_list(a, h, out, err);
	case HVCTL_DMESG:
		return cmd_dmesg(a, h, out, err);
	case HVCTL_RAW:
		return cmd_raw(a, h, out, err);
	case HVCTL_EXITS:
		return cmd_exits(a, h, out, err);
	case HVCTL_CREATE:
	case HVCTL_PAUSE:
	case HVCTL_UNPAUSE:
	case HVCTL_DESTROY:
	case HVCTL_CONSOLE:
	case HVCTL_SHUTDOWN:
	case HVCTL_INPUT:
	case HVCTL_SCHED:
	case HVCTL_REBOOT:
	case HVCTL_IO:
	case HVCTL_IO_LIMIT:
	case HVCTL_BACKEND_RESTART:
		return hvctl_domain_cmd(a, h, out, err);
	case HVCTL_HELP:
		break;
	}
	hvctl_usage(out);
	return HVCTL_EXIT_OK;
}

#ifndef HVCTL_NO_MAIN
int main(int argc, char **argv)
{
	struct hvctl_args a;
	struct hv_handle h;
	int rc;

	rc = hvctl_parse_args(argc, argv, &a, stderr);
	if (rc != HVCTL_EXIT_OK)
		return rc;
	if (a.cmd == HVCTL_HELP) {
		hvctl_usage(stdout);
		return HVCTL_EXIT_OK;
	}

	rc = hv_open(&h);
	if (rc != 0) {
		fprintf(stderr, "hvctl: cannot open %s: %s\n", HVPRIV_DEVICE,
			hv_strerror(rc));
		if (rc == -ENOENT)
			fputs("hvctl: is hvpriv.ko loaded? It loads only when dom0 runs on the appliance hypervisor.\n",
			      stderr);
		else if (rc == -EACCES || rc == -EPERM)
			fputs("hvctl: only root may use the hypervisor\n", stderr);
		return HVCTL_EXIT_FAIL;
	}
	rc = hvctl_run(&a, &h, stdout, stderr);
	hv_close(&h);

	/* Output that could not be written (full disk, closed pipe) is a
	 * failure too, not a silent success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "hvctl: writing output: %s\n", strerror(errno));
		rc = HVCTL_EXIT_FAIL;
	}
	return rc;
}
#endif
