// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test tool for dom0 (tests/system/test_backend.py): the device backend
 * binding end to end, through libhv, hvpriv.ko and the hypervisor
 * (HVCALL_BACKEND_BIND, HVCALL_EVENT_VECTOR, docs/virtio.md).
 *
 *	hv-backend-check
 *
 * Creates domains of its own (named bk-*), checks, and destroys them.
 * Prints a "PASS: what" or "FAIL: what: why" line per check and a summary
 * "hv-backend-check: N passed, M failed"; exits 1 when any check failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvpriv.h"
#include "libhv_backend.h"

#define MiB		(1024ULL * 1024)
#define DOMAIN_RAM	(8 * MiB)

static unsigned int passed, failed;

static void check(int ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS: %s\n", what);
		passed++;
		return;
	}
	printf("FAIL: %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed++;
}

static struct hv_handle hv;

/* The domain's entry in the domain list; false when it is not there. */
static int find_domain(uint32_t domid, struct hv_domain_info *out)
{
	static struct hv_domain_info list[64];
	uint32_t count, total, i;

	if (hv_domain_list(&hv, list, 64, &count, &total) != 0)
		return 0;
	for (i = 0; i < count; i++)
		if (list[i].domid == domid) {
			*out = list[i];
			return 1;
		}
	return 0;
}

static uint64_t free_bytes(void)
{
	struct hv_physinfo pi;

	if (hv_physinfo(&hv, &pi) != 0)
		return 0;
	return pi.domain_free_bytes;
}

/* The pattern byte at guest-physical gpa: never 0, so not fresh RAM. */
static uint8_t pattern(uint64_t gpa)
{
	return (uint8_t)(((gpa * 131) >> 3) | 1);
}

/* Offsets that the writes and reads cover: both ends, 2 MiB boundaries. */
static const uint64_t offsets[] = {
	0, 4096 - 8, 2 * MiB - 100, 4 * MiB + 12345, DOMAIN_RAM - 256,
};
#define SPAN 200	/* bytes written at each (clipped at the end) */

static uint64_t span_at(uint64_t off)
{
	return off + SPAN > DOMAIN_RAM ? DOMAIN_RAM - off : SPAN;
}

static int write_patterns(uint32_t domid)
{
	uint8_t buf[SPAN];
	unsigned int i;
	uint64_t j;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		for (j = 0; j < span_at(offsets[i]); j++)
			buf[j] = pattern(offsets[i] + j);
		if (hv_domain_write(&hv, domid, offsets[i], buf,
				    span_at(offsets[i])) != 0)
			return 0;
	}
	return 1;
}

/* The first gpa where the mapping differs from the pattern, or -1. */
static int64_t first_mismatch(const uint8_t *ram)
{
	unsigned int i;
	uint64_t j;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		for (j = 0; j < span_at(offsets[i]); j++)
			if (ram[offsets[i] + j] != pattern(offsets[i] + j))
				return (int64_t)(offsets[i] + j);
	return -1;
}

/* How often dom0 took the event interrupt (/proc/interrupts), or -1. */
static long event_interrupts(void)
{
	char line[512];
	long n = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "hvpriv-events")) {
			char *colon = strchr(line, ':');

			n = colon ? strtol(colon + 1, NULL, 10) : -1;
		}
	fclose(f);
	return n;
}

/* A thread that sleeps in poll() on a bound file until something comes. */
struct poller {
	int fd;
	int revents;
	double waited_s;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	double start = now_s();

	p->revents = poll(&pfd, 1, 10000) == 1 ? pfd.revents : 0;
	p->waited_s = now_s() - start;
	return NULL;
}

static int poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 ? pfd.revents : 0;
}

/* The physical address (dom0 GPA) of a locked page of ours, or 0. */
static uint64_t phys_of(void *page)
{
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t at = (off_t)((uintptr_t)page / 4096 * sizeof(entry));

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), at) != sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry & (1ULL << 63)))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * 4096;
}

/* HVCALL_BACKEND_BIND as the caller spells it; the hypervisor's RAX. */
static int64_t raw_bind_extents(uint32_t domid, uint32_t op,
				uint64_t page_gpa, uint32_t max, uint32_t size,
				uint32_t *count, struct hv_ram_extent *first)
{
	struct {
		struct hv_backend_bind b;
		struct hv_ram_extent e[4];
	} req;
	int64_t result = 0;
	int err;

	memset(&req, 0, sizeof(req));
	req.b.domid = domid;
	req.b.op = op;
	req.b.page_gpa = page_gpa;
	req.b.max = max;
	err = hv_call(&hv, HVCALL_BACKEND_BIND, &req, size, &result);
	if (err < 0)
		return err * 1000;	/* not the hypervisor's answer */
	if (count)
		*count = req.b.count;
	if (first)
		*first = req.e[0];
	return result;
}

static int64_t raw_bind(uint32_t domid, uint32_t op, uint64_t page_gpa,
			uint32_t max, uint32_t size, uint32_t *count)
{
	return raw_bind_extents(domid, op, page_gpa, max, size, count, NULL);
}

static int64_t raw_event_vector(uint32_t vector, uint32_t apic_id)
{
	struct hv_event_vector ev = { .vector = vector, .apic_id = apic_id };
	int64_t result = 0;
	int err = hv_call(&hv, HVCALL_EVENT_VECTOR, &ev, sizeof(ev), &result);

	return err < 0 ? err * 1000 : result;
}

static void check_event_vector(void)
{
	int64_t r;

	r = raw_event_vector(0x10, 0);
	check(r == -HV_EINVAL, "event vector 0x10 refused", "result %" PRId64, r);
	r = raw_event_vector(0x100, 0);
	check(r == -HV_EINVAL, "event vector 0x100 refused", "result %" PRId64, r);
	r = raw_event_vector(0x40, 0xfe);
	check(r == -HV_EINVAL, "event vector to an APIC not dom0's refused",
	      "result %" PRId64, r);
	check(event_interrupts() >= 0, "driver set up its event interrupt",
	      "no hvpriv-events line in /proc/interrupts");
}

static void check_bad_binds(uint32_t domid)
{
	void *page;
	uint64_t pa;
	uint32_t count = 0;
	int64_t r;

	r = raw_bind(0, HV_BACKEND_BIND, 0x1000, 4, sizeof(struct hv_backend_bind) + 96, NULL);
	check(r == -HV_ESRCH, "bind of dom0 refused", "result %" PRId64, r);
	r = raw_bind(9999, HV_BACKEND_BIND, 0x1000, 4, sizeof(struct hv_backend_bind) + 96, NULL);
	check(r == -HV_ESRCH, "bind of a missing domain refused",
	      "result %" PRId64, r);
	r = raw_bind(domid, 7, 0x1000, 4, sizeof(struct hv_backend_bind) + 96, NULL);
	check(r == -HV_EINVAL, "bind with an unknown op refused",
	      "result %" PRId64, r);
	r = raw_bind(domid, HV_BACKEND_BIND, 0x1000, 0, 8, NULL);
	check(r == -HV_EINVAL, "bind with a short buffer refused",
	      "result %" PRId64, r);
	r = raw_bind(domid, HV_BACKEND_BIND, 0x1234, 4, sizeof(struct hv_backend_bind) + 96, NULL);
	check(r == -HV_EINVAL, "bind with an unaligned page refused",
	      "result %" PRId64, r);
	r = raw_bind(domid, HV_BACKEND_BIND, 0xfee00000, 4,
		     sizeof(struct hv_backend_bind) + 96, NULL);
	check(r == -HV_EFAULT, "bind with a page that is not dom0 RAM refused",
	      "result %" PRId64, r);
	r = raw_bind(domid, HV_BACKEND_BIND, 1ULL << 50, 4,
		     sizeof(struct hv_backend_bind) + 96, NULL);
	check(r == -HV_EFAULT, "bind with a page far beyond RAM refused",
	      "result %" PRId64, r);
	r = raw_bind(domid, HV_BACKEND_UNBIND, 0, 0, sizeof(struct hv_backend_bind), NULL);
	check(r == -HV_EINVAL, "unbind of an unbound domain refused",
	      "result %" PRId64, r);

	/* A real page of dom0's RAM (ours, locked): only max is wrong. */
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (page == MAP_FAILED) {
		check(0, "bind with max 0", "mmap: %s", strerror(errno));
		return;
	}
	memset(page, 0x5a, 4096);
	pa = phys_of(page);
	if (!pa) {
		check(0, "bind with max 0", "no physical address in pagemap");
	} else {
		r = raw_bind(domid, HV_BACKEND_BIND, pa, 0,
			     sizeof(struct hv_backend_bind), &count);
		check(r == -HV_ENOSPC && count >= 1,
		      "bind with max 0 gets HV_ENOSPC and the count",
		      "result %" PRId64 " count %u", r, count);
		check(((uint8_t *)page)[100] == 0x5a,
		      "a refused bind leaves the page alone", "page changed");
	}
	munmap(page, 4096);
}

static void check_bind_and_destroy(void)
{
	struct hv_backend be, be2;
	struct hv_domain_info info;
	struct poller p;
	pthread_t thread;
	uint64_t free0, changed;
	uint32_t domid;
	long irqs_before, irqs_after;
	int64_t bad;
	uint8_t back[64];
	void *m;
	int err, fd2;

	free0 = free_bytes();
	err = hv_domain_create(&hv, "bk-main", DOMAIN_RAM, 1, &domid);
	check(err == 0, "create domain", "%s", hv_strerror(err));
	if (err)
		return;
	check(write_patterns(domid), "write patterns into it", "hv_domain_write failed");

	err = hv_backend_bind(domid, &be);
	check(err == 0, "bind", "%s", hv_strerror(err));
	if (err) {
		hv_domain_ctl(&hv, domid, HV_DOMCTL_DESTROY);
		return;
	}
	check(be.ram_bytes == DOMAIN_RAM, "mapping is the domain's RAM size",
	      "ram_bytes %" PRIu64, be.ram_bytes);
	bad = first_mismatch(be.ram);
	check(bad < 0, "mapping shows the patterns", "differs at gpa 0x%" PRIx64,
	      (uint64_t)bad);
	check(be.ram[4 * MiB - 1] == 0 && be.ram[6 * MiB] == 0,
	      "mapping shows zeroes where nothing was written",
	      "bytes %u %u", be.ram[4 * MiB - 1], be.ram[6 * MiB]);
	check(be.page->domain_state == HV_DOMAIN_PAUSED &&
	      be.page->nr_devices == 0 && be.page->notify == 0 &&
	      be.page->changed == 0,
	      "page says: paused, no devices, no events",
	      "state %u devices %u notify %" PRIx64 " changed %" PRIx64,
	      be.page->domain_state, be.page->nr_devices, be.page->notify,
	      be.page->changed);

	/* Both ways: our writes read back, the hypervisor's show. */
	memset(be.ram + 3 * MiB, 0xc3, sizeof(back));
	memcpy(back, be.ram + 3 * MiB, sizeof(back));
	check(back[0] == 0xc3 && back[63] == 0xc3, "write through the mapping reads back",
	      "read %02x", back[0]);
	memset(back, 0x3c, sizeof(back));
	err = hv_domain_write(&hv, domid, 5 * MiB, back, sizeof(back));
	check(err == 0 && be.ram[5 * MiB] == 0x3c && be.ram[5 * MiB + 63] == 0x3c,
	      "the hypervisor's write shows in the mapping", "err %d byte %02x",
	      err, be.ram[5 * MiB]);

	err = hv_backend_bind(domid, &be2);
	check(err == -EBUSY, "second bind of the domain is busy", "%s",
	      hv_strerror(err));
	if (err == 0)
		hv_backend_unbind(&be2);

	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, be.fd, 4096);
	check(m == MAP_FAILED && errno == EINVAL, "mmap at another offset refused",
	      "mmap gave %p", m);
	m = mmap(NULL, DOMAIN_RAM, PROT_READ, MAP_PRIVATE, be.fd, 0);
	check(m == MAP_FAILED && errno == EINVAL, "private mmap refused",
	      "mmap gave %p", m);
	m = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, be.fd,
		 (off_t)HVPRIV_PAGE_OFFSET);
	check(m == MAP_FAILED && errno == EINVAL, "page mmap of two pages refused",
	      "mmap gave %p", m);
	fd2 = open(HVPRIV_DEVICE, O_RDWR);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd2, 0);
	check(m == MAP_FAILED, "mmap of an unbound file refused", "mmap gave %p", m);
	close(fd2);

	check(poll_now(be.fd) == 0, "no POLLIN before any event", "revents %x",
	      poll_now(be.fd));

	/* Destroy while bound, with a thread asleep in poll(). */
	irqs_before = event_interrupts();
	p.fd = be.fd;
	pthread_create(&thread, NULL, poll_thread, &p);
	usleep(300 * 1000);
	err = hv_domain_ctl(&hv, domid, HV_DOMCTL_DESTROY);
	check(err == 0, "destroy while bound", "%s", hv_strerror(err));
	pthread_join(thread, NULL);
	irqs_after = event_interrupts();
	check((p.revents & POLLIN) && p.waited_s < 5,
	      "the destroy wakes a sleeping poll() with POLLIN",
	      "revents %x after %.1f s", p.revents, p.waited_s);
	check(irqs_after > irqs_before, "dom0 took the event interrupt",
	      "count %ld -> %ld", irqs_before, irqs_after);
	check(be.page->domain_state == HV_DOMAIN_DYING,
	      "page says DYING", "state %u", be.page->domain_state);
	changed = hv_backend_take_changed(&be);
	check(changed == HV_BACKEND_DOMAIN_BIT, "changed holds the domain bit",
	      "changed %" PRIx64, changed);
	check(be.page->changed == 0 && poll_now(be.fd) == 0,
	      "taken: no POLLIN left", "changed %" PRIx64, be.page->changed);
	check(hv_backend_take_notify(&be) == 0, "no notify", "notify set");

	check(find_domain(domid, &info) && info.state == HV_DOMAIN_DYING,
	      "domain list shows it DYING", "state %u", info.state);
	/* Its vCPUs' pages come back, its RAM does not. */
	check(free_bytes() + DOMAIN_RAM <= free0, "its memory is not counted free",
	      "free %" PRIu64 " KiB, %" PRIu64 " KiB before create",
	      free_bytes() / 1024, free0 / 1024);
	bad = first_mismatch(be.ram);
	check(bad < 0, "its memory is not scrubbed while bound",
	      "differs at gpa 0x%" PRIx64, (uint64_t)bad);
	err = hv_domain_ctl(&hv, domid, HV_DOMCTL_DESTROY);
	check(err == HV_ESRCH, "a second destroy finds no domain", "%s",
	      hv_strerror(err));
	err = hv_backend_bind(domid, &be2);
	check(err == -ESRCH, "a dying domain cannot be bound", "%s",
	      hv_strerror(err));
	if (err == 0)
		hv_backend_unbind(&be2);

	hv_backend_unbind(&be);
	check(!find_domain(domid, &info), "unbind finishes the destroy",
	      "domain %u still listed, state %u", domid, info.state);
	check(free_bytes() == free0, "its memory is returned",
	      "free %" PRIu64 " MiB, %" PRIu64 " MiB before",
	      free_bytes() / MiB, free0 / MiB);
}

static void check_bad_binds_on_new_domain(void)
{
	uint32_t domid;
	int err = hv_domain_create(&hv, "bk-bad", 2 * MiB, 1, &domid);

	check(err == 0, "create domain for bad binds", "%s", hv_strerror(err));
	if (err)
		return;
	check_bad_binds(domid);
	err = hv_domain_ctl(&hv, domid, HV_DOMCTL_DESTROY);
	check(err == 0, "destroy it", "%s", hv_strerror(err));
}

/* 8 bytes of physical memory through /dev/mem as dom0's kernel sees it. */
static int devmem_read(uint64_t pa, uint8_t out[8])
{
	int fd = open("/dev/mem", O_RDONLY);
	int ok;

	if (fd < 0)
		return 0;
	ok = pread(fd, out, 8, (off_t)pa) == 8;
	close(fd);
	return ok;
}

/*
 * dom0 sees a domain's RAM only while bound: after the unbind its kernel
 * reads the hypervisor's 0xff sink there, and a new bind replaces the sink
 * mapping that read left behind.
 */
static void check_unbound_memory_hidden(void)
{
	struct hv_backend be;
	struct hv_ram_extent e = { 0 };
	uint8_t buf[8], want[8];
	uint64_t hpa = 0, pa;
	uint32_t domid, count = 0;
	unsigned int i;
	int64_t r;
	void *page;
	int err;

	err = hv_domain_create(&hv, "bk-hide", 4 * MiB, 1, &domid);
	check(err == 0, "create domain for the hiding test", "%s", hv_strerror(err));
	if (err)
		return;
	for (i = 0; i < 8; i++)
		want[i] = pattern(i);
	hv_domain_write(&hv, domid, 0, want, 8);

	/*
	 * Bound through the raw call with a locked page of ours as the event
	 * page: the answer's extents name the host-physical address, which
	 * no mapping of the driver's tells (pagemap skips VM_PFNMAP).
	 */
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	pa = page != MAP_FAILED ? phys_of(page) : 0;
	r = pa ? raw_bind_extents(domid, HV_BACKEND_BIND, pa, 4,
				  sizeof(struct hv_backend_bind) +
				  4 * sizeof(struct hv_ram_extent), &count, &e)
	       : -1;
	check(r == 0 && count == 1 && e.gpa == 0 && e.len == 4 * MiB,
	      "raw bind with a page of ours", "result %" PRId64 " count %u",
	      r, count);
	if (r == 0) {
		struct hv_backend_page *bp = page;

		hpa = e.hpa;
		check(bp->domain_state == HV_DOMAIN_PAUSED,
		      "the hypervisor wrote our page", "state %u",
		      bp->domain_state);
		check(devmem_read(hpa, buf) && !memcmp(buf, want, 8),
		      "dom0's kernel reads the bound RAM", "read %02x", buf[0]);
		r = raw_bind(domid, HV_BACKEND_UNBIND, 0, 0,
			     sizeof(struct hv_backend_bind), NULL);
		check(r == 0, "raw unbind", "result %" PRId64, r);
	}
	if (page != MAP_FAILED)
		munmap(page, 4096);
	if (hpa) {
		memset(buf, 0, sizeof(buf));
		check(devmem_read(hpa, buf) &&
		      !memcmp(buf, "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
		      "after the unbind dom0 reads only the 0xff sink",
		      "read %02x%02x", buf[0], buf[1]);
		err = hv_backend_bind(domid, &be);
		check(err == 0 && !memcmp(be.ram, want, 8),
		      "a new bind replaces the sink mapping", "err %d byte %02x",
		      err, err ? 0 : be.ram[0]);
		check(err == 0 && devmem_read(hpa, buf) && !memcmp(buf, want, 8),
		      "dom0's kernel reads the RAM again", "read %02x", buf[0]);
		if (err == 0)
			hv_backend_unbind(&be);
	}
	err = hv_domain_ctl(&hv, domid, HV_DOMCTL_DESTROY);
	check(err == 0, "destroy the hiding test's domain", "%s", hv_strerror(err));
}

/* A backend killed with SIGKILL unbinds: the domain can go. */
static void check_killed_backend(void)
{
	struct hv_backend be;
	struct hv_domain_info info;
	uint64_t free0 = free_bytes();
	uint32_t domid;
	int fds[2], err, status;
	char c = 0;
	pid_t child;

	err = hv_domain_create(&hv, "bk-kill", 4 * MiB, 1, &domid);
	check(err == 0, "create domain for the kill test", "%s", hv_strerror(err));
	if (err || pipe(fds) != 0)
		return;
	child = fork();
	if (child == 0) {
		close(fds[0]);
		c = hv_backend_bind(domid, &be) == 0 ? 'b' : 'x';
		if (write(fds[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		c = 0;
	close(fds[0]);
	check(c == 'b', "child bound the domain", "child said '%c'", c);
	err = hv_backend_bind(domid, &be);
	check(err == -EBUSY, "parent's bind is busy while the child holds it",
	      "%s", hv_strerror(err));
	if (err == 0)
		hv_backend_unbind(&be);
	err = hv_domain_ctl(&hv, domid, HV_DOMCTL_DESTROY);
	check(err == 0 && find_domain(domid, &info) &&
	      info.state == HV_DOMAIN_DYING,
	      "destroyed while the child is bound: DYING", "%s",
	      hv_strerror(err));
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "child killed by SIGKILL", "status %x", status);
	check(!find_domain(domid, &info), "the kill unbinds and the domain goes",
	      "domain %u still listed, state %u", domid, info.state);
	check(free_bytes() == free0, "its memory is returned after the kill",
	      "free %" PRIu64 " MiB, %" PRIu64 " MiB before",
	      free_bytes() / MiB, free0 / MiB);
}

int main(void)
{
	int err = hv_open(&hv);

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (err) {
		printf("FAIL: open %s: %s\n", HVPRIV_DEVICE, hv_strerror(err));
		return 1;
	}
	check_event_vector();
	check_bind_and_destroy();
	check_bad_binds_on_new_domain();
	check_unbound_memory_hidden();
	check_killed_backend();
	hv_close(&hv);
	printf("hv-backend-check: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
