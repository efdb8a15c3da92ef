// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of hvctl (parsing, output) and libhv (how it fills and reads
 * the hypercall structures), on the build host, with the Check framework.
 *
 * There is no /dev/hvpriv here: this file defines ioctl(), which the linker
 * then uses for libhv's calls instead of the C library's, and answers them
 * like the driver plus a small fake hypervisor would (see fake_hypercall).
 * The fake checks the structure sizes the way hvabi.h says the hypervisor
 * does, so a libhv that passed wrong sizes would fail here.
 *
 *   make -f dom0-image/tools.mk hvctl-unit-tests-run
 *   CK_RUN_CASE=list build/tests/unit/hvctl-tests
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvpriv.h"
#include "hvctl.h"

#define MIB (1024ULL * 1024)

/* --- the fake driver and hypervisor ------------------------------------------ */

static struct {
	int ioctl_errno;	/* nonzero: every ioctl fails with this */
	int64_t error;		/* nonzero: every hypercall returns this */
	uint32_t abi;		/* HVCALL_ABI_VERSION's answer */
	uint32_t sched_sets;	/* HVCALL_DOMAIN_SCHED calls with set */
	uint32_t creates;	/* HVCALL_DOMAIN_CREATE calls */
	uint32_t weight, cap_pct;	/* domain 1's quota */
	struct hv_physinfo physinfo;
	uint32_t nr_domains;
	const char *console;
	uint32_t console_chunk;	/* at most this many bytes per read */
} fake;

static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.abi = HV_ABI_VERSION;
	fake.weight = HV_SCHED_WEIGHT_DEFAULT;
	fake.physinfo = (struct hv_physinfo) {
		.abi_version = HV_ABI_VERSION,
		.nr_cpus = 2,
		.nr_dom0_cpus = 1,
		.total_ram_bytes = 2047 * MIB + 512 * 1024,	/* rounds down */
		.dom0_ram_bytes = 512 * MIB,
		.domain_free_bytes = 1400 * MIB,
		.hypervisor_bytes = 64 * MIB,
		.tsc_khz = 2994999,
		.version = "0.1.0",
	};
	fake.nr_domains = 1;
	fake.console = "";
	fake.console_chunk = 7;
}

static int64_t fake_console_read(struct hv_console_read *rd, uint32_t size)
{
	uint64_t len = strlen(fake.console), n;

	if (size < sizeof(*rd) || rd->size > size - sizeof(*rd))
		return -HV_EINVAL;
	if (rd->pos > len)
		rd->pos = len;
	n = len - rd->pos;
	if (n > rd->size)
		n = rd->size;
	if (n > fake.console_chunk)
		n = fake.console_chunk;
	memcpy(rd->data, fake.console + rd->pos, n);
	rd->pos += n;
	rd->copied = (uint32_t)n;
	return (int64_t)n;
}

static int64_t fake_domain_list(struct hv_domain_list *l, uint32_t size)
{
	uint32_t i;

	if (size < sizeof(*l) ||
	    l->max > (size - sizeof(*l)) / sizeof(l->domains[0]))
		return -HV_EINVAL;
	l->count = l->max < fake.nr_domains ? l->max : fake.nr_domains;
	l->total = fake.nr_domains;
	for (i = 0; i < l->count; i++) {
		struct hv_domain_info *d = &l->domains[i];

		d->domid = i;
		d->state = i == 0 ? HV_DOMAIN_RUNNING : HV_DOMAIN_BLOCKED;
		d->nr_vcpus = i + 1;
		d->ram_bytes = (i + 1) * 256 * MIB;
		d->cpu_time_ns = i * 1500000000ULL;
		d->overhead_bytes = 36 * 1024 + i * 8192 + 512;
		snprintf(d->name, sizeof(d->name), "dom%u", i);
	}
	return l->count;
}

/* Domain 1 has two vCPUs that left the guest for a few reasons. */
static int64_t fake_vcpu_exits(struct hv_vcpu_exits *x, uint32_t size)
{
	static const struct hv_exit_count vcpu0[] = {
		{ .code = 0x072, .count = 10, .handled_ns = 12345 },
		{ .code = 0x07b, .count = 5, .handled_ns = 50000 },
	}, vcpu1[] = {
		{ .code = 0x060, .count = 3, .handled_ns = 3000 },
		{ .code = 0x07b, .count = 1, .handled_ns = 4000 },
		{ .code = 0x400, .count = 2 },
	};
	const struct hv_exit_count *e = x->vcpu == 0 ? vcpu0 : vcpu1;
	uint32_t n = x->vcpu == 0 ? 2 : 3;

	if (x->domid != 1 || x->vcpu > 1)
		return -HV_EINVAL;
	if (x->max < n || size < sizeof(*x) + n * sizeof(*e))
		return -HV_ENOSPC;
	memcpy(x->entries, e, n * sizeof(*e));
	x->count = n;
	x->total = x->vcpu == 0 ? 15 : 6;
	return n;
}

/*
 * Domain 1's quota and its two vCPUs' affinities (domain CPUs 1-3), with
 * the hypervisor's checks; the others are not customer domains.
 */
#define FAKE_DOMAIN_CPUS 0xeULL
static uint64_t fake_affinity[2] = { FAKE_DOMAIN_CPUS, FAKE_DOMAIN_CPUS };

static int64_t fake_domain_sched(struct hv_domain_sched *q)
{
	if (q->domid != 1)
		return -HV_ESRCH;
	if (q->set) {
		fake.sched_sets++;
		/* Domain 1 has two vCPUs; the hypervisor's rule. */
		if (hv_sched_quota_check(q->weight, q->cap_pct, 2))
			return -HV_EINVAL;
		fake.weight = q->weight;
		fake.cap_pct = q->cap_pct;
	}
	q->weight = fake.weight;
	q->cap_pct = fake.cap_pct;
	return 0;
}

static int64_t fake_vcpu_affinity(struct hv_vcpu_affinity *q)
{
	uint32_t i;

	if (q->domid != 1)
		return -HV_ESRCH;
	if (q->vcpu == HV_VCPU_ALL ? !q->set : q->vcpu > 1)
		return -HV_EINVAL;
	if (q->set && (!q->cpus || (q->cpus & ~FAKE_DOMAIN_CPUS)))
		return -HV_EINVAL;
	for (i = 0; q->set && i < 2; i++)
		if (q->vcpu == HV_VCPU_ALL || q->vcpu == i)
			fake_affinity[i] = q->cpus;
	i = q->vcpu == HV_VCPU_ALL ? 0 : q->vcpu;
	q->cpus = fake_affinity[i];
	q->cpu = (uint32_t)__builtin_ctzll(fake_affinity[i]);
	q->domain_cpus = FAKE_DOMAIN_CPUS;
	q->run_ns = 1500000000ULL + i;
	return 0;
}

static int64_t fake_hypercall(uint32_t nr, void *buf, uint32_t size)
{
	if (fake.error)
		return fake.error;

	switch (nr) {
	case HVCALL_ABI_VERSION:
		return fake.abi;
	case HVCALL_PHYSINFO:
		if (size < sizeof(struct hv_physinfo))
			return -HV_EINVAL;
		memcpy(buf, &fake.physinfo, sizeof(fake.physinfo));
		return 0;
	case HVCALL_CONSOLE_READ:
		return fake_console_read(buf, size);
	case HVCALL_DOMAIN_LIST:
		return fake_domain_list(buf, size);
	case HVCALL_VCPU_EXITS:
		return fake_vcpu_exits(buf, size);
	case HVCALL_DOMAIN_SCHED:
		return size < sizeof(struct hv_domain_sched) ? -HV_EINVAL :
		       fake_domain_sched(buf);
	case HVCALL_VCPU_AFFINITY:
		return size < sizeof(struct hv_vcpu_affinity) ? -HV_EINVAL :
		       fake_vcpu_affinity(buf);
	case HVCALL_DOMAIN_CREATE:
		fake.creates++;
		return -HV_ENOMEM;
	default:
		return -HV_ENOSYS;
	}
}

/* Replaces the C library's ioctl() for libhv (same prototype). */
int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	(void)fd;
	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (fake.ioctl_errno) {
		errno = fake.ioctl_errno;
		return -1;
	}
	if (request == HVPRIV_IOCTL_CALL) {
		struct hvpriv_call *call = arg;

		/* The driver's rules for size and buf. */
		if ((call->size == 0) != (call->buf == 0) ||
		    call->size > HVPRIV_MAX_BUF) {
			errno = EINVAL;
			return -1;
		}
		call->result = fake_hypercall(call->nr,
					      (void *)(uintptr_t)call->buf,
					      call->size);
		return 0;
	}
	if (request == HVPRIV_IOCTL_RAW) {
		struct hvpriv_raw *raw = arg;

		raw->result = raw->nr == HVCALL_ABI_VERSION && raw->args[0] == 0 ?
			      0 : -HV_ENOSYS;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

/* --- running hvctl ------------------------------------------------------------- */

static char *out_text, *err_text;	/* what the last run printed */

static void setup(void)
{
	fake_reset();
	fake_affinity[0] = fake_affinity[1] = FAKE_DOMAIN_CPUS;
}

static void teardown(void)
{
	free(out_text);
	free(err_text);
	out_text = err_text = NULL;
}

/* hvctl's main() without the device: parse argv, run; the exit code. */
static int run_argv(char **argv)
{
	struct hvctl_args a;
	struct hv_handle h = { .fd = 3 };	/* the fake ignores it */
	size_t out_len, err_len;
	FILE *out, *err;
	int argc = 0, rc;

	while (argv[argc])
		argc++;
	free(out_text);
	free(err_text);
	out = open_memstream(&out_text, &out_len);
	err = open_memstream(&err_text, &err_len);
	ck_assert(out && err);

	rc = hvctl_parse_args(argc, argv, &a, err);
	if (rc == HVCTL_EXIT_OK)
		rc = hvctl_run(&a, &h, out, err);
	fclose(out);
	fclose(err);
	return rc;
}

#define RUN(...) run_argv((char *[]){ "hvctl", __VA_ARGS__, NULL })

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* --- tests ----------------------------------------------------------------------- */

START_TEST(test_parse_u64)
{
	uint64_t v;

	ck_assert_int_eq(hvctl_parse_u64("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(hvctl_parse_u64("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(hvctl_parse_u64("0x1000", &v), 0);
	ck_assert_uint_eq(v, 0x1000);
	ck_assert_int_eq(hvctl_parse_u64("0XfFfFfFfFfFfFfFfF", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);

	ck_assert_int_eq(hvctl_parse_u64("", &v), -1);
	ck_assert_int_eq(hvctl_parse_u64("0x", &v), -1);
	ck_assert_int_eq(hvctl_parse_u64("0x0x1", &v), -1);
	ck_assert_int_eq(hvctl_parse_u64("-1", &v), -1);
	ck_assert_int_eq(hvctl_parse_u64(" 1", &v), -1);
	ck_assert_int_eq(hvctl_parse_u64("12abc", &v), -1);
	ck_assert_int_eq(hvctl_parse_u64("0x10000000000000000", &v), -1);
	ck_assert_int_eq(hvctl_parse_u64("18446744073709551616", &v), -1);
}
END_TEST

START_TEST(test_parse_args)
{
	/* Usage errors: exit 2 and a message, before any hypercall. */
	fake.ioctl_errno = ENODEV;
	ck_assert_int_eq(run_argv((char *[]){ "hvctl", NULL }), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "no command"));
	ck_assert_int_eq(RUN("frobnicate"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "unknown command 'frobnicate'"));
	ck_assert_int_eq(RUN("info", "--yaml"), 2);
	ck_assert_int_eq(RUN("list", "-l"), 2);
	ck_assert_int_eq(RUN("dmesg", "-x"), 2);
	ck_assert_int_eq(RUN("raw"), 2);
	ck_assert_int_eq(RUN("raw", "1", "2", "3", "4", "5", "6"), 2);
	ck_assert_int_eq(RUN("raw", "0x1000", "zz"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "bad number 'zz'"));
	ck_assert_int_eq(RUN("reboot"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "reboot: which domain?"));
	ck_assert_int_eq(RUN("reboot", "web", "-f"), 2);
	ck_assert_int_eq(RUN("backend-restart"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "backend-restart DOMAIN"));
	ck_assert_int_eq(RUN("backend-restart", "web", "now"), 2);
	ck_assert_str_eq(hvctl_state_name(HV_DOMAIN_REBOOT), "reboot");

	/* Help, wherever asked for: exit 0, usage on stdout. */
	ck_assert_int_eq(RUN("--help"), 0);
	ck_assert_ptr_nonnull(strstr(out_text, "usage: hvctl"));
	ck_assert_int_eq(RUN("raw", "-h"), 0);
	ck_assert_ptr_nonnull(strstr(out_text, "usage: hvctl"));
	ck_assert_ptr_nonnull(strstr(out_text, "backend-restart DOMAIN"));
}
END_TEST

START_TEST(test_parse_fields)
{
	struct hvctl_args a;
	FILE *err = fopen("/dev/null", "w");

	ck_assert_int_eq(hvctl_parse_args(6, (char *[]){ "hvctl", "raw", "0x1003",
				"7", "0xffffffffffffffff", "0", NULL }, &a, err), 0);
	ck_assert_int_eq(a.cmd, HVCTL_RAW);
	ck_assert_uint_eq(a.raw_nr, 0x1003);
	ck_assert_uint_eq(a.raw_args[0], 7);
	ck_assert_uint_eq(a.raw_args[1], UINT64_MAX);
	ck_assert_uint_eq(a.raw_args[2], 0);
	ck_assert_uint_eq(a.raw_args[3], 0);

	ck_assert_int_eq(hvctl_parse_args(3, (char *[]){ "hvctl", "dmesg", "-f", NULL },
				&a, err), 0);
	ck_assert_int_eq(a.cmd, HVCTL_DMESG);
	ck_assert(a.follow);

	ck_assert_int_eq(hvctl_parse_args(3, (char *[]){ "hvctl", "info", "--json", NULL },
				&a, err), 0);
	ck_assert_int_eq(a.cmd, HVCTL_INFO);
	ck_assert(a.json);
	fclose(err);
}
END_TEST

START_TEST(test_info)
{
	ck_assert_int_eq(RUN("info"), 0);
	ck_assert_str_eq(out_text,
			 "abi_version: " HV_STR(HV_ABI_VERSION) "\n"
			 "hypervisor_version: 0.1.0\n"
			 "cpus: 2\n"
			 "dom0_cpus: 1\n"
			 "total_ram_mib: 2047\n"
			 "dom0_ram_mib: 512\n"
			 "domain_free_ram_mib: 1400\n"
			 "hypervisor_ram_mib: 64\n"
			 "tsc_khz: 2994999\n");
	ck_assert_str_eq(err_text, "");
}
END_TEST

START_TEST(test_info_json)
{
	/* A version string that would break JSON if copied as it is. */
	strcpy(fake.physinfo.version, "1.0 \"x\"\\\n");

	ck_assert_int_eq(RUN("info", "--json"), 0);
	ck_assert_str_eq(out_text,
			 "{\n"
			 "  \"abi_version\": " HV_STR(HV_ABI_VERSION) ",\n"
			 "  \"hypervisor_version\": \"1.0 ?x???\",\n"
			 "  \"cpus\": 2,\n"
			 "  \"dom0_cpus\": 1,\n"
			 "  \"total_ram_mib\": 2047,\n"
			 "  \"dom0_ram_mib\": 512,\n"
			 "  \"domain_free_ram_mib\": 1400,\n"
			 "  \"hypervisor_ram_mib\": 64,\n"
			 "  \"tsc_khz\": 2994999\n"
			 "}\n");
}
END_TEST

START_TEST(test_info_unterminated_version)
{
	/* All 32 bytes used, no NUL: libhv must not read past the field. */
	memset(fake.physinfo.version, 'v', HV_VERSION_LEN);

	ck_assert_int_eq(RUN("info"), 0);
	ck_assert_ptr_nonnull(strstr(out_text, "hypervisor_version: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\n"));
}
END_TEST

START_TEST(test_list)
{
	/* More domains than hvctl's first request holds: it must ask again. */
	fake.nr_domains = 20;

	ck_assert_int_eq(RUN("list"), 0);
	ck_assert_uint_eq(count_lines(out_text), 1 + 20);
	ck_assert_ptr_nonnull(strstr(out_text,
		"ID    NAME                 STATE     VCPUS   MEM_MIB      CPU_S\n"
		"0     dom0                 running       1       256        0.0\n"
		"1     dom1                 blocked       2       512        1.5\n"));
	ck_assert_ptr_nonnull(strstr(out_text,
		"19    dom19                blocked      20      5120       28.5\n"));
	ck_assert_str_eq(err_text, "");
}
END_TEST

START_TEST(test_list_overhead)
{
	fake.nr_domains = 2;
	ck_assert_int_eq(RUN("list", "--overhead"), 0);
	ck_assert_str_eq(out_text,
		"ID    NAME                 STATE     VCPUS   MEM_MIB      CPU_S     HV_KIB\n"
		"0     dom0                 running       1       256        0.0       36.5\n"
		"1     dom1                 blocked       2       512        1.5       44.5\n");
	ck_assert_int_eq(RUN("list", "--memory"), HVCTL_EXIT_USAGE);
}
END_TEST

START_TEST(test_exits_of_a_domain)
{
	fake.nr_domains = 2;
	/* By name, every vCPU: the counts summed, in code order. */
	ck_assert_int_eq(RUN("exits", "dom1"), 0);
	ck_assert_str_eq(out_text,
		"total: 21 (3.30 us each)\n"
		"0x060 intr: 3 (1.00 us each)\n"
		"0x072 cpuid: 10 (1.23 us each)\n"
		"0x07b ioio: 6 (9.00 us each)\n"
		"0x400 npf: 2 (0.00 us each)\n");
	/* One vCPU, by id. */
	ck_assert_int_eq(RUN("exits", "1", "1"), 0);
	ck_assert_str_eq(out_text,
		"total: 6 (1.16 us each)\n"
		"0x060 intr: 3 (1.00 us each)\n"
		"0x07b ioio: 1 (4.00 us each)\n"
		"0x400 npf: 2 (0.00 us each)\n");
	ck_assert_int_eq(RUN("exits", "nosuch"), HVCTL_EXIT_FAIL);
	ck_assert_int_eq(RUN("exits", "dom1", "2"), HVCTL_EXIT_FAIL);
}
END_TEST

START_TEST(test_format_domains)
{
	struct hv_domain_info d[2] = {
		{ .domid = 7, .state = 99, .nr_vcpus = 4, .ram_bytes = 3 * MIB / 2,
		  .cpu_time_ns = 123456789, .name = "web server\t1" },
		{ .domid = 8, .state = HV_DOMAIN_CRASHED, .name = "" },
	};
	char *text = NULL;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	hvctl_print_domains(out, d, 2, false);
	fclose(out);
	/* Blanks and control characters in names would break the columns. */
	ck_assert_str_eq(text,
		"ID    NAME                 STATE     VCPUS   MEM_MIB      CPU_S\n"
		"7     web?server?1         unknown       4         1        0.1\n"
		"8     -                    crashed       0         0        0.0\n");
	free(text);
}
END_TEST

START_TEST(test_format_exits)
{
	struct hv_exit_count e[3] = {
		{ .code = 0x072, .count = 1234, .handled_ns = 1234 * 2345ULL },
		{ .code = 0x400, .count = 56, .handled_ns = 56 * 100000ULL },
		{ .code = HV_EXIT_OTHER, .count = 7, .handled_ns = 6 },
	};
	struct hvctl_args a;
	FILE *err = fopen("/dev/null", "w");
	char *text = NULL;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	hvctl_print_exits(out, e, 3, 1297);
	fclose(out);
	ck_assert_str_eq(text,
		"total: 1297 (6.54 us each)\n"
		"0x072 cpuid: 1234 (2.34 us each)\n"
		"0x400 npf: 56 (100.00 us each)\n"
		"other: 7 (0.00 us each)\n");
	free(text);

	ck_assert_int_eq(hvctl_parse_args(4, (char *[]){ "hvctl", "exits", "3",
				"0x1", NULL }, &a, err), 0);
	ck_assert_int_eq(a.cmd, HVCTL_EXITS);
	ck_assert_uint_eq(a.domid, 3);
	ck_assert_uint_eq(a.vcpu, 1);
	ck_assert(!a.all_vcpus);
	ck_assert_int_eq(hvctl_parse_args(3, (char *[]){ "hvctl", "exits",
				"web", NULL }, &a, err), 0);
	ck_assert_str_eq(a.domain, "web");
	ck_assert(a.all_vcpus);
	ck_assert_int_eq(hvctl_parse_args(3, (char *[]){ "hvctl", "exits",
				"0x100000000", NULL }, &a, err), HVCTL_EXIT_USAGE);
	fclose(err);
}
END_TEST

START_TEST(test_dmesg)
{
	/* Read in 7-byte pieces until the fake has nothing more. */
	fake.console = "hv: boot complete\nhv: 2 CPUs\n";

	ck_assert_int_eq(RUN("dmesg"), 0);
	ck_assert_str_eq(out_text, fake.console);
	ck_assert_str_eq(err_text, "");
}
END_TEST

START_TEST(test_errors)
{
	/* The hypervisor refuses: exit 1, its error named. */
	fake.error = -HV_EPERM;
	ck_assert_int_eq(RUN("info"), 1);
	ck_assert_ptr_nonnull(strstr(err_text, "HV_EPERM"));
	ck_assert_int_eq(RUN("list"), 1);
	ck_assert_int_eq(RUN("dmesg"), 1);

	/* A different ABI version: refuse to read its structures. */
	fake.error = 0;
	fake.abi = HV_ABI_VERSION + 1;
	ck_assert_int_eq(RUN("info"), 1);
	ck_assert_ptr_nonnull(strstr(err_text, "the hypervisor has ABI version "));
	ck_assert_ptr_nonnull(strstr(err_text, "built for version " HV_STR(HV_ABI_VERSION)));
	ck_assert_str_eq(out_text, "");

	/* The driver fails the ioctl: exit 1, errno's text. */
	fake.abi = HV_ABI_VERSION;
	fake.ioctl_errno = EFAULT;
	ck_assert_int_eq(RUN("info"), 1);
	ck_assert_ptr_nonnull(strstr(err_text, strerror(EFAULT)));
}
END_TEST

START_TEST(test_raw)
{
	ck_assert_int_eq(RUN("raw", "0x1000"), 0);
	ck_assert_str_eq(out_text, "0\n");

	ck_assert_int_eq(RUN("raw", "0xdead", "1", "2", "3", "4"), 1);
	ck_assert_str_eq(out_text, "-38\n");
	ck_assert_ptr_nonnull(strstr(err_text, "HV_ENOSYS"));
}
END_TEST

START_TEST(test_sched_cpus)
{
	fake.nr_domains = 2;	/* dom0, and dom1 with two vCPUs */

	/* Shown per vCPU: the CPU it is on, its CPUs, its CPU time. */
	ck_assert_int_eq(RUN("sched", "dom1"), 0);
	ck_assert_str_eq(out_text, "weight: 256\ncap: 0\n"
			 "vcpu 0: cpu 1, cpus 1-3, ran 1.500 s\n"
			 "vcpu 1: cpu 1, cpus 1-3, ran 1.500 s\n");
	/* One vCPU, then all of them. */
	ck_assert_int_eq(RUN("sched", "dom1", "--cpus", "2-3", "--vcpu", "1"), 0);
	ck_assert_ptr_nonnull(strstr(out_text, "vcpu 0: cpu 1, cpus 1-3,"));
	ck_assert_ptr_nonnull(strstr(out_text, "vcpu 1: cpu 2, cpus 2,3,"));
	ck_assert_int_eq(RUN("sched", "dom1", "--cpus", "3"), 0);
	ck_assert_ptr_nonnull(strstr(out_text, "vcpu 0: cpu 3, cpus 3,"));
	ck_assert_ptr_nonnull(strstr(out_text, "vcpu 1: cpu 3, cpus 3,"));

	/* Refusals say why, and change nothing. */
	ck_assert_int_eq(RUN("sched", "dom1", "--cpus", "0-1,7"), 1);
	ck_assert_ptr_nonnull(strstr(err_text, "--cpus 0-1,7: CPUs 0,7 are not "
				     "domain CPUs (those are 1-3;"));
	ck_assert_ptr_nonnull(strstr(err_text, "HV_EINVAL"));
	ck_assert_int_eq(RUN("sched", "dom1", "--cpus", "1", "--vcpu", "5"), 1);
	ck_assert_ptr_nonnull(strstr(err_text, "dom1: no vCPU 5:"));
	ck_assert_int_eq(RUN("sched", "0", "--cpus", "1"), 1);
	ck_assert_ptr_nonnull(strstr(err_text, "dom0's CPUs and quota are its own"));
	ck_assert_uint_eq(fake_affinity[0], 0x8);
	ck_assert_uint_eq(fake_affinity[1], 0x8);

	/* Usage errors, before any call. */
	ck_assert_int_eq(RUN("sched", "dom1", "--cpus", "1,"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "'1,' is not a CPU list"));
	ck_assert_int_eq(RUN("sched", "dom1", "--cpus"), 2);
	ck_assert_int_eq(RUN("sched", "dom1", "--vcpu", "1"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "--vcpu goes with --cpus"));
	ck_assert_int_eq(RUN("sched", "dom1", "--cpus", "1", "--vcpu", "4294967295"), 2);
}
END_TEST

/* hvabi.h's one check of a domain's size, at and beyond every limit. */
START_TEST(test_domain_size_check)
{
	const uint64_t align = HV_DOMAIN_RAM_ALIGN_MIB * MIB;

	ck_assert_ptr_null(hv_domain_size_check(HV_DOMAIN_RAM_MIN_MIB * MIB,
						HV_DOMAIN_VCPUS_MIN));
	ck_assert_ptr_null(hv_domain_size_check(HV_DOMAIN_RAM_MAX_MIB * MIB,
						HV_DOMAIN_VCPUS_MAX));
	ck_assert_str_eq(hv_domain_size_check(16 * MIB, HV_DOMAIN_VCPUS_MIN - 1),
			 "vCPUs must be 1 to 8");
	ck_assert_str_eq(hv_domain_size_check(16 * MIB, HV_DOMAIN_VCPUS_MAX + 1),
			 "vCPUs must be 1 to 8");
	ck_assert_str_eq(hv_domain_size_check(0, 1), "memory must be 2 to 524288 MiB");
	ck_assert_str_eq(hv_domain_size_check(HV_DOMAIN_RAM_MIN_MIB * MIB - align, 1),
			 "memory must be 2 to 524288 MiB");
	ck_assert_str_eq(hv_domain_size_check(HV_DOMAIN_RAM_MAX_MIB * MIB + align, 1),
			 "memory must be 2 to 524288 MiB");
	ck_assert_str_eq(hv_domain_size_check(16 * MIB + align / 2, 1),
			 "memory must be a multiple of 2 MiB");
	ck_assert_str_eq(hv_domain_size_check(16 * MIB + 1, 1),
			 "memory must be a multiple of 2 MiB");
}
END_TEST

/* hvabi.h's one check of a quota: weight range, cap per vCPU. */
START_TEST(test_sched_quota_check)
{
	ck_assert_ptr_null(hv_sched_quota_check(HV_SCHED_WEIGHT_DEFAULT, 0, 1));
	ck_assert_ptr_null(hv_sched_quota_check(HV_SCHED_WEIGHT_MIN, 0, 1));
	ck_assert_ptr_null(hv_sched_quota_check(HV_SCHED_WEIGHT_MAX, 0, 1));
	ck_assert_ptr_null(hv_sched_quota_check(1, HV_SCHED_CAP_PER_VCPU, 1));
	ck_assert_ptr_null(hv_sched_quota_check(1, 3 * HV_SCHED_CAP_PER_VCPU, 3));
	ck_assert_str_eq(hv_sched_quota_check(HV_SCHED_WEIGHT_MIN - 1, 0, 1),
			 "weight must be 1 to 65535");
	ck_assert_str_eq(hv_sched_quota_check(HV_SCHED_WEIGHT_MAX + 1, 0, 1),
			 "weight must be 1 to 65535");
	ck_assert_str_eq(hv_sched_quota_check(1, HV_SCHED_CAP_PER_VCPU + 1, 1),
			 "cap must be at most 100 per vCPU (percent of one CPU)");
	ck_assert_ptr_nonnull(hv_sched_quota_check(1, 2 * HV_SCHED_CAP_PER_VCPU + 1, 2));
	/* No overflow of vCPUs x 100 for any 32-bit count. */
	ck_assert_ptr_nonnull(hv_sched_quota_check(1, UINT32_MAX, UINT32_MAX / 100 - 1));
	ck_assert_ptr_null(hv_sched_quota_check(1, UINT32_MAX, UINT32_MAX));
}
END_TEST

/* hvctl and libhv refuse what the hypervisor would, before asking it. */
START_TEST(test_limits_before_calls)
{
	struct hv_handle h = { .fd = 3 };
	uint32_t domid = 0, weight, cap;

	ck_assert_int_eq(RUN("create", "d", "16", "9", "/k"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "create: vCPUs must be 1 to 8"));
	ck_assert_int_eq(RUN("create", "d", "3", "1", "/k"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "memory must be a multiple of 2 MiB"));
	ck_assert_int_eq(RUN("create", "d", "1048576", "1", "/k"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "memory must be 2 to 524288 MiB"));

	ck_assert_int_eq(hv_domain_create(&h, "d", 3 * MIB, 1, &domid), HV_EINVAL);
	ck_assert_int_eq(hv_domain_create(&h, "d", 16 * MIB, 0, &domid), HV_EINVAL);
	ck_assert_uint_eq(fake.creates, 0);
	ck_assert_int_eq(hv_domain_create(&h, "d", 16 * MIB, 8, &domid), HV_ENOMEM);
	ck_assert_uint_eq(fake.creates, 1);

	/* Domain 1 has two vCPUs: a cap of 200 is its whole, 201 too much. */
	fake.nr_domains = 2;
	ck_assert_int_eq(RUN("sched", "dom1", "--cap", "201"), 1);
	ck_assert_ptr_nonnull(strstr(err_text, "dom1: cap must be at most 100 per "
				     "vCPU (percent of one CPU) (it has 2 vCPUs)"));
	ck_assert_int_eq(RUN("sched", "dom1", "--weight", "0"), 1);
	ck_assert_ptr_nonnull(strstr(err_text, "dom1: weight must be 1 to 65535"));
	ck_assert_uint_eq(fake.sched_sets, 0);
	ck_assert_int_eq(RUN("sched", "dom1", "--cap", "200", "--weight", "512"), 0);
	ck_assert_str_eq(err_text, "");
	ck_assert_ptr_nonnull(strstr(out_text, "weight: 512\ncap: 200\n"));
	ck_assert_uint_eq(fake.sched_sets, 1);

	/* libhv alone: no domain has more than HV_DOMAIN_VCPUS_MAX x 100. */
	weight = HV_SCHED_WEIGHT_MAX + 1;
	cap = 0;
	ck_assert_int_eq(hv_domain_sched(&h, 1, true, &weight, &cap), HV_EINVAL);
	weight = 1;
	cap = HV_DOMAIN_VCPUS_MAX * HV_SCHED_CAP_PER_VCPU + 1;
	ck_assert_int_eq(hv_domain_sched(&h, 1, true, &weight, &cap), HV_EINVAL);
	ck_assert_uint_eq(fake.sched_sets, 1);
}
END_TEST

START_TEST(test_libhv_convention)
{
	struct hv_handle h = { .fd = 3 };
	struct hv_physinfo pi;
	uint32_t count = 99, total = 99;
	uint64_t pos = 0;
	size_t copied = 99;
	char c;

	/* HV_E* positive, errno negative, the sign tells them apart. */
	fake.error = -HV_EFAULT;
	ck_assert_int_eq(hv_physinfo(&h, &pi), HV_EFAULT);
	fake.error = 0;
	fake.ioctl_errno = EFAULT;
	ck_assert_int_eq(hv_physinfo(&h, &pi), -EFAULT);
	fake.ioctl_errno = 0;

	/* Another ABI version's physinfo is not ours to read. */
	fake.physinfo.abi_version = HV_ABI_VERSION + 1;
	ck_assert_int_eq(hv_physinfo(&h, &pi), -EPROTO);
	fake.physinfo.abi_version = HV_ABI_VERSION;
	ck_assert_int_eq(hv_physinfo(&h, &pi), 0);

	/* max 0: only the total. */
	fake.nr_domains = 5;
	ck_assert_int_eq(hv_domain_list(&h, NULL, 0, &count, &total), 0);
	ck_assert_uint_eq(count, 0);
	ck_assert_uint_eq(total, 5);

	/* Nothing new on the console: copied 0. */
	ck_assert_int_eq(hv_console_read(&h, &pos, &c, 1, &copied), 0);
	ck_assert_uint_eq(copied, 0);

	ck_assert_str_eq(hv_strerror(0), "success");
	ck_assert_ptr_nonnull(strstr(hv_strerror(HV_EINVAL), "HV_EINVAL"));
	ck_assert_str_eq(hv_strerror(-ENOENT), strerror(ENOENT));
	ck_assert_str_eq(hv_strerror(12345), "unknown hypervisor error");
}
END_TEST

/* --- disks: create --disk, io, io-limit, the backend's start ------------------- */

START_TEST(test_parse_disks)
{
	struct hvctl_args a;
	FILE *err = fopen("/dev/null", "w");

	ck_assert_int_eq(hvctl_parse_args(13, (char *[]){ "hvctl", "create", "web",
				"256", "2", "/k", "--disk", "/d0.img,bps=1000",
				"--initrd", "/i", "--disk", "/dev/vg/x,ro,iops=5",
				"console=ttyS0 quiet", NULL }, &a, err), 0);
	ck_assert_int_eq(a.cmd, HVCTL_CREATE);
	ck_assert_uint_eq(a.nr_disks, 2);
	ck_assert_str_eq(a.disks[0], "/d0.img,bps=1000");
	ck_assert_str_eq(a.disks[1], "/dev/vg/x,ro,iops=5");
	ck_assert_str_eq(a.initrd, "/i");
	ck_assert_str_eq(a.cmdline, "console=ttyS0 quiet");

	/* still the old forms */
	ck_assert_int_eq(hvctl_parse_args(6, (char *[]){ "hvctl", "create", "web",
				"256", "2", "/k", NULL }, &a, err), 0);
	ck_assert_uint_eq(a.nr_disks, 0);
	ck_assert_str_eq(a.cmdline, "");
	ck_assert_ptr_null(a.initrd);
	ck_assert_int_eq(hvctl_parse_args(9, (char *[]){ "hvctl", "create", "web",
				"256", "2", "/k", "--initrd", "/i", "ro", NULL }, &a, err), 0);
	ck_assert_str_eq(a.cmdline, "ro");

	ck_assert_int_eq(hvctl_parse_args(4, (char *[]){ "hvctl", "io", "web",
				"--json", NULL }, &a, err), 0);
	ck_assert_int_eq(a.cmd, HVCTL_IO);
	ck_assert(a.json);
	ck_assert_int_eq(hvctl_parse_args(6, (char *[]){ "hvctl", "io-limit", "web",
				"1", "bps=1048576", "iops=0", NULL }, &a, err), 0);
	ck_assert_int_eq(a.cmd, HVCTL_IO_LIMIT);
	ck_assert_uint_eq(a.disk, 1);
	ck_assert_int_eq(a.bps, 1048576);
	ck_assert_int_eq(a.iops, 0);
	ck_assert_int_eq(hvctl_parse_args(5, (char *[]){ "hvctl", "io-limit", "web",
				"0", "iops=10", NULL }, &a, err), 0);
	ck_assert_int_eq(a.bps, -1);
	ck_assert_int_eq(a.iops, 10);
	fclose(err);
}
END_TEST

START_TEST(test_parse_disk_errors)
{
	fake.ioctl_errno = ENODEV;	/* nothing may reach the hypervisor */
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k", "--disk", "/d,fast"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "unknown disk option 'fast'"));
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k", "--disk", "/d,bps=x"), 2);
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k", "--disk", ",ro"), 2);
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k", "--disk"), 2);
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k", "a", "b"), 2);
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k", "--bogus", "1"), 2);
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k",
			     "--disk", "/1", "--disk", "/2", "--disk", "/3",
			     "--disk", "/4", "--disk", "/5", "--disk", "/6",
			     "--disk", "/7", "--disk", "/8", "--disk", "/9"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "at most 8 disks"));
	ck_assert_int_eq(RUN("io"), 2);
	ck_assert_int_eq(RUN("io", "web", "--yaml"), 2);
	ck_assert_int_eq(RUN("io-limit", "web", "0"), 2);
	ck_assert_int_eq(RUN("io-limit", "web", "8", "bps=1"), 2);
	ck_assert_int_eq(RUN("io-limit", "web", "0", "bps=-1"), 2);
	ck_assert_int_eq(RUN("io-limit", "web", "0", "speed=1"), 2);
}
END_TEST

START_TEST(test_format_io)
{
	struct hv_io_disk_stats st[2] = {
		{ .disk = 0, .bps = 1048576, .read_bytes = 4096, .write_ops = 3,
		  .throttled_ns = 2500000000ull, .path = "/d/web.img" },
		{ .disk = 1, .read_only = true, .errors = 2, .path = "/d/\"x\"" },
	};
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	hvctl_print_io(f, "web", 4, st, 2, NULL, 0, false);
	fclose(f);
	ck_assert_uint_eq(count_lines(text), 3);
	ck_assert_ptr_nonnull(strstr(text, "THROTTLED_MS"));
	ck_assert_ptr_nonnull(strstr(text, " 2500 "));
	ck_assert_ptr_nonnull(strstr(text, "1048576"));
	ck_assert_ptr_nonnull(strstr(text, "/d/web.img"));
	ck_assert_ptr_nonnull(strstr(text, "/d/?x?"));
	free(text);

	f = open_memstream(&text, &len);
	hvctl_print_io(f, "web", 4, st, 2, NULL, 0, true);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "{\"domain\": \"web\", \"domid\": 4, \"disks\": ["));
	ck_assert_ptr_nonnull(strstr(text, "\"read_only\": true"));
	ck_assert_ptr_nonnull(strstr(text, "\"throttled_ns\": 2500000000"));
	ck_assert_ptr_nonnull(strstr(text, "\"path\": \"/d/?x?\""));
	free(text);
}
END_TEST

/* --- NICs: create --net, io and io-limit for an interface ---------------------- */

START_TEST(test_parse_nets)
{
	struct hvctl_args a;

	ck_assert_int_eq(hvctl_parse_args(12, (char *[]){ "hvctl", "create", "web",
				"256", "2", "/k", "--net", "tap0,rx_bps=5", "--disk",
				"/d", "--net", "tap1", NULL }, &a, stderr), 0);
	ck_assert_uint_eq(a.nr_disks, 1);
	ck_assert_uint_eq(a.nr_nets, 2);
	ck_assert_str_eq(a.nets[0], "tap0,rx_bps=5");
	ck_assert_str_eq(a.nets[1], "tap1");
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k", "--net", "tap0,mac=01:00:00:00:00:00"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "multicast MAC"));
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k", "--net", "a/b"), 2);
	ck_assert_int_eq(RUN("create", "web", "256", "2", "/k",
			     "--disk", "/1", "--disk", "/2", "--disk", "/3",
			     "--disk", "/4", "--disk", "/5", "--disk", "/6",
			     "--disk", "/7", "--disk", "/8", "--net", "t"), 2);
	ck_assert_ptr_nonnull(strstr(err_text, "at most 8 devices"));

	ck_assert_int_eq(hvctl_parse_args(6, (char *[]){ "hvctl", "io-limit", "web",
				"1", "tx_bps=1048576", "rx_bps=0", NULL }, &a, stderr), 0);
	ck_assert_uint_eq(a.disk, 1);
	ck_assert_int_eq(a.tx_bps, 1048576);
	ck_assert_int_eq(a.rx_bps, 0);
	ck_assert_int_eq(a.bps, -1);
	ck_assert_int_eq(RUN("io-limit", "web", "1", "tx_bps=1", "bps=2"), 2);
	ck_assert_int_eq(RUN("io-limit", "web", "1", "tx_bps=-1"), 2);
}
END_TEST

START_TEST(test_format_io_nets)
{
	struct hv_io_net_stats nets[1] = {
		{ .dev = 1, .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
		  .tx_bps = 1048576, .rx_bytes = 7777, .tx_packets = 9,
		  .throttled_ns = 3000000000ull, .ifname = "tap0" },
	};
	struct hv_io_disk_stats st[1] = { { .disk = 0, .path = "/d" } };
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	hvctl_print_io(f, "web", 4, st, 1, nets, 1, false);
	fclose(f);
	ck_assert_uint_eq(count_lines(text), 4);
	ck_assert_ptr_nonnull(strstr(text, "RX_BYTES"));
	ck_assert_ptr_nonnull(strstr(text, "52:54:00:12:34:56"));
	ck_assert_ptr_nonnull(strstr(text, " 7777 "));
	ck_assert_ptr_nonnull(strstr(text, " 3000 "));
	ck_assert_ptr_nonnull(strstr(text, "1048576\n"));
	free(text);

	f = open_memstream(&text, &len);
	hvctl_print_io(f, "web", 4, st, 1, nets, 1, true);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "], \"nets\": [\n  {\"dev\": 1, \"ifname\": \"tap0\", "
				     "\"mac\": \"52:54:00:12:34:56\", \"rx_bps\": 0, "
				     "\"tx_bps\": 1048576, \"rx_bytes\": 7777"));
	ck_assert_ptr_nonnull(strstr(text, "\"tx_packets\": 9, \"throttled_ns\": 3000000000"));
	ck_assert_ptr_nonnull(strstr(text, "\n]}\n"));
	free(text);
}
END_TEST

static char backend_dir[64];

static void write_script(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0700), 0);
}

START_TEST(test_backend_start)
{
	/* Test doubles for hv-backend: shell scripts that get its command
	 * line ($4 is the --ready-fd) and record it. */
	struct hvctl_args a = { .nr_disks = 2, .disks = { "/a,ro", "/b" } };
	char prog[128], args[128], line[256];
	FILE *err = fopen("/dev/null", "w");
	FILE *f;

	strcpy(backend_dir, "/tmp/hvctl_be.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(backend_dir));
	setenv("HV_BACKEND_RUN_DIR", backend_dir, 1);
	snprintf(prog, sizeof(prog), "%s/backend.sh", backend_dir);
	snprintf(args, sizeof(args), "%s/args", backend_dir);
	setenv("HVCTL_BACKEND", prog, 1);

	snprintf(line, sizeof(line), "echo \"$@\" > %s; echo ready >&$4", args);
	write_script(prog, line);
	ck_assert_int_eq(hvctl_backend_start(&a, 12, err), 0);
	f = fopen(args, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	ck_assert_int_eq(strncmp(line, "--domid 12 --ready-fd ", 22), 0);
	ck_assert_ptr_nonnull(strstr(line, " --disk /a,ro --disk /b\n"));
	ck_assert_ptr_null(strstr(line, "--resume"));

	/* A restart after the backend died asks it to resume. */
	a.cmd = HVCTL_BACKEND_RESTART;
	ck_assert_int_eq(hvctl_backend_start(&a, 12, err), 0);
	f = fopen(args, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	ck_assert_ptr_nonnull(strstr(line, " --resume --disk /a,ro --disk /b\n"));
	a.cmd = HVCTL_CREATE;

	/* It fails before saying ready; or it is not there at all. */
	write_script(prog, "echo no disk >&2; exit 1");
	ck_assert_int_eq(hvctl_backend_start(&a, 12, err), -EIO);
	unlink(prog);
	ck_assert_int_eq(hvctl_backend_start(&a, 12, err), -EIO);

	/* No backend: io says so, destroy does not wait. */
	ck_assert_int_eq(hv_io_ping(12), -ENOENT);
	hvctl_backend_wait_gone(12, true, err);
	fclose(err);
	snprintf(line, sizeof(line), "rm -rf %s", backend_dir);
	ck_assert_int_eq(system(line), 0);
}
END_TEST

static Suite *hvctl_suite(void)
{
	Suite *s = suite_create("hvctl");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_u64);
	tcase_add_test(tc, test_parse_args);
	tcase_add_test(tc, test_parse_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("info");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_info_json);
	tcase_add_test(tc, test_info_unterminated_version);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_list_overhead);
	tcase_add_test(tc, test_exits_of_a_domain);
	tcase_add_test(tc, test_format_domains);
	tcase_add_test(tc, test_format_exits);
	suite_add_tcase(s, tc);

	tc = tcase_create("calls");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dmesg);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_raw);
	tcase_add_test(tc, test_libhv_convention);
	tcase_add_test(tc, test_domain_size_check);
	tcase_add_test(tc, test_sched_quota_check);
	tcase_add_test(tc, test_limits_before_calls);
	tcase_add_test(tc, test_sched_cpus);
	suite_add_tcase(s, tc);

	tc = tcase_create("disks");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_disks);
	tcase_add_test(tc, test_parse_disk_errors);
	tcase_add_test(tc, test_format_io);
	tcase_add_test(tc, test_backend_start);
	tcase_add_test(tc, test_parse_nets);
	tcase_add_test(tc, test_format_io_nets);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hvctl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
