// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of hv-backend's control channel (control.c) end to end with
 * its client (libhv/io.c), and of the option parsers: --disk
 * (hv_disk_spec_parse), hv-backend's command line, a stats line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/virtio_blk.h>

#include "blk_fixture.h"
#include "control.h"
#include "options.h"

START_TEST(test_disk_spec_parse)
{
	struct hv_disk_spec s;
	char why[128];

	ck_assert_int_eq(hv_disk_spec_parse("/d/x.img,ro,bps=100,iops=7,serial=abc",
					    &s, why, sizeof(why)), 0);
	ck_assert_str_eq(s.path, "/d/x.img");
	ck_assert(s.read_only);
	ck_assert_uint_eq(s.bps, 100);
	ck_assert_uint_eq(s.iops, 7);
	ck_assert_str_eq(s.serial, "abc");
	ck_assert_int_eq(hv_disk_spec_parse("/x", &s, why, sizeof(why)), 0);
	ck_assert(!s.read_only && !s.bps && !s.iops && !s.serial[0]);
	ck_assert_int_ne(hv_disk_spec_parse("", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse(",ro", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("disk.img", &s, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "path must be absolute: 'disk.img'");
	ck_assert_int_ne(hv_disk_spec_parse("/a\nb", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,rw", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,bps=-1", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,bps=99999999999999999999", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,iops=", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,serial=123456789012345678901", &s, why, sizeof(why)), 0);
	ck_assert_int_ne(hv_disk_spec_parse("/x,serial=a b", &s, why, sizeof(why)), 0);
}
END_TEST

/* --- the control channel, end to end: libhv/io.c against control.c --- */

static struct control ctrl;
static char run_dir[64];

struct client_call {
	int which;			/* 0 stats, 1 limit, 2 ping, 3 bad limit */
	int rc;
	uint32_t count;
	struct hv_io_disk_stats st[2];
	volatile bool done;
};

static void *client(void *arg)
{
	struct client_call *c = arg;

	if (c->which == 0)
		c->rc = hv_io_stats(7, c->st, 2, &c->count);
	else if (c->which == 1)
		c->rc = hv_io_limit(7, 0, 2 << 20, 50);
	else if (c->which == 2)
		c->rc = hv_io_ping(7);
	else
		c->rc = hv_io_limit(7, 5, 1, 1);
	c->done = true;
	return NULL;
}

/* Runs one client call while serving the socket as the main loop does. */
static void call(struct client_call *c)
{
	pthread_t th;

	c->done = false;
	ck_assert_int_eq(pthread_create(&th, NULL, client, c), 0);
	while (!c->done) {
		struct pollfd fds[1 + CONTROL_CLIENTS_MAX];
		unsigned n = control_poll_fds(&ctrl, fds);

		if (poll(fds, n, 20) > 0)
			control_poll_ready(&ctrl, fds, n);
	}
	pthread_join(th, NULL);
}

static void setup_control(void)
{
	setup_with(",bps=10485760,iops=500");
	strcpy(run_dir, "/tmp/test_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(run_dir));
	setenv("HV_BACKEND_RUN_DIR", run_dir, 1);
	ck_assert_int_eq(control_open(&ctrl, 7, &dev, 1), 0);
}

static void teardown_control(void)
{
	control_close(&ctrl);
	rmdir(run_dir);
	teardown();
}

START_TEST(test_control_stats_and_limit)
{
	struct client_call c = { .which = 2 };
	struct stat st;
	char path[128];

	snprintf(path, sizeof(path), "%s/7.sock", run_dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	call(&c);
	ck_assert_int_eq(c.rc, 0);

	ck_assert_uint_eq(request(0, VIRTIO_BLK_T_IN, 0, 4096, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(1, VIRTIO_BLK_T_OUT, 0, 1024, false), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(2, 99, 0, 0, false), VIRTIO_BLK_S_UNSUPP);
	c = (struct client_call){ .which = 0 };
	call(&c);
	ck_assert_int_eq(c.rc, 0);
	ck_assert_uint_eq(c.count, 1);
	ck_assert_uint_eq(c.st[0].disk, 0);
	ck_assert_str_eq(c.st[0].path, disk_path);
	ck_assert_uint_eq(c.st[0].bps, 10485760);
	ck_assert_uint_eq(c.st[0].iops, 500);
	ck_assert_uint_eq(c.st[0].read_bytes, 4096);
	ck_assert_uint_eq(c.st[0].write_bytes, 1024);
	ck_assert_uint_eq(c.st[0].read_ops, 1);
	ck_assert_uint_eq(c.st[0].write_ops, 1);
	ck_assert_uint_eq(c.st[0].errors, 1);

	c = (struct client_call){ .which = 1 };
	call(&c);
	ck_assert_int_eq(c.rc, 0);
	c = (struct client_call){ .which = 0 };
	call(&c);
	ck_assert_uint_eq(c.st[0].bps, 2 << 20);
	ck_assert_uint_eq(c.st[0].iops, 50);

	c = (struct client_call){ .which = 3 };
	call(&c);
	ck_assert_int_eq(c.rc, -ENODEV);
}
END_TEST

START_TEST(test_control_answers)
{
	char out[4096];

	control_answer(&ctrl, "limit 0 bps=x", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
	control_answer(&ctrl, "limit 0 speed=1", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
	control_answer(&ctrl, "limit", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
	control_answer(&ctrl, "limit 1 bps=1", out, sizeof(out));
	ck_assert_str_eq(out, "error ENODEV\n");
	control_answer(&ctrl, "limit 0 iops=9", out, sizeof(out));
	ck_assert_str_eq(out, "ok\n");
	control_answer(&ctrl, "stats", out, sizeof(out));
	ck_assert_ptr_nonnull(strstr(out, " bps=10485760 iops=9 "));
	control_answer(&ctrl, "reboot", out, sizeof(out));
	ck_assert_str_eq(out, "error EINVAL\n");
}
END_TEST

START_TEST(test_control_idle_clients_do_not_lock_out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct client_call c = { .which = 2 };
	int idle[CONTROL_CLIENTS_MAX + 2];

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/7.sock", run_dir);
	for (unsigned i = 0; i < CONTROL_CLIENTS_MAX + 2; i++) {
		idle[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		ck_assert_int_eq(connect(idle[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
		/* the main loop accepts it */
		struct pollfd fds[1 + CONTROL_CLIENTS_MAX];
		unsigned n = control_poll_fds(&ctrl, fds);

		ck_assert_int_eq(poll(fds, n, 1000), 1);
		control_poll_ready(&ctrl, fds, n);
	}
	for (unsigned i = 0; i < CONTROL_CLIENTS_MAX; i++)
		ck_assert_int_ge(ctrl.clients[i].fd, 0);	/* all busy */
	call(&c);
	ck_assert_int_eq(c.rc, 0);
	for (unsigned i = 0; i < CONTROL_CLIENTS_MAX + 2; i++)
		close(idle[i]);
}
END_TEST

START_TEST(test_control_refuses_second_backend)
{
	struct control other;

	ck_assert_int_eq(control_open(&other, 7, &dev, 1), -EADDRINUSE);
}
END_TEST

START_TEST(test_stats_line_parse)
{
	struct hv_io_disk_stats s;

	ck_assert_int_eq(hv_io_parse_stats_line(
		"disk=1 ro=1 bps=2 iops=3 read_bytes=4 write_bytes=5 read_ops=6 "
		"write_ops=7 flush_ops=8 discard_ops=9 throttled_ns=10 errors=11 "
		"newkey=5 path=/a b/c", &s), 0);
	ck_assert_uint_eq(s.disk, 1);
	ck_assert(s.read_only);
	ck_assert_uint_eq(s.errors, 11);
	ck_assert_uint_eq(s.throttled_ns, 10);
	ck_assert_str_eq(s.path, "/a b/c");
	/* a key missing, a bad number, no path */
	ck_assert_int_ne(hv_io_parse_stats_line(
		"disk=1 ro=1 bps=2 iops=3 read_bytes=4 write_bytes=5 read_ops=6 "
		"write_ops=7 flush_ops=8 discard_ops=9 throttled_ns=10 path=/x", &s), 0);
	ck_assert_int_ne(hv_io_parse_stats_line(
		"disk=1 ro=1 bps=-2 iops=3 read_bytes=4 write_bytes=5 read_ops=6 "
		"write_ops=7 flush_ops=8 discard_ops=9 throttled_ns=10 errors=1 path=/x", &s), 0);
	ck_assert_int_ne(hv_io_parse_stats_line("disk=1 ro=1", &s), 0);
}
END_TEST

START_TEST(test_backend_options)
{
	struct backend_options o;
	FILE *null = fopen("/dev/null", "w");
	char *ok[] = { "hv-backend", "--domid", "3", "--ready-fd", "5",
		       "--disk", "/a,ro", "--disk", "/b,iops=10", NULL };
	char *no_disk[] = { "hv-backend", "--domid", "3", NULL };
	char *dom0[] = { "hv-backend", "--domid", "0", "--disk", "/a", NULL };
	char *bad_disk[] = { "hv-backend", "--domid", "3", "--disk", "/a,fast", NULL };
	char *dangling[] = { "hv-backend", "--domid", "3", "--disk", NULL };
	char *nine[22] = { "hv-backend", "--domid", "3" };

	ck_assert_int_eq(backend_parse_options(9, ok, &o, null), 0);
	ck_assert_uint_eq(o.domid, 3);
	ck_assert_int_eq(o.ready_fd, 5);
	ck_assert_uint_eq(o.nr_disks, 2);
	ck_assert(o.disks[0].read_only);
	ck_assert_uint_eq(o.disks[1].iops, 10);
	ck_assert(!o.resume);
	{
		char *resume[] = { "hv-backend", "--resume", "--domid", "3",
				   "--disk", "/x", NULL };

		ck_assert_int_eq(backend_parse_options(6, resume, &o, null), 0);
		ck_assert(o.resume);
		ck_assert_uint_eq(o.nr_disks, 1);
		ck_assert_int_ne(backend_parse_options(2, resume, &o, null), 0);
	}
	ck_assert_int_ne(backend_parse_options(3, no_disk, &o, null), 0);
	ck_assert_int_ne(backend_parse_options(5, dom0, &o, null), 0);
	ck_assert_int_ne(backend_parse_options(5, bad_disk, &o, null), 0);
	ck_assert_int_ne(backend_parse_options(4, dangling, &o, null), 0);
	for (unsigned i = 0; i < 9; i++) {
		nine[3 + 2 * i] = "--disk";
		nine[4 + 2 * i] = "/x";
	}
	ck_assert_int_ne(backend_parse_options(21, nine, &o, null), 0);
	ck_assert_int_eq(backend_parse_options(19, nine, &o, null), 0);
	fclose(null);
}
END_TEST

TCase *blk_options_tcase(void)
{
	TCase *parse = tcase_create("options");

	tcase_add_test(parse, test_disk_spec_parse);
	tcase_add_test(parse, test_stats_line_parse);
	tcase_add_test(parse, test_backend_options);
	return parse;
}

TCase *blk_control_tcase(void)
{
	TCase *ctl = tcase_create("control");

	tcase_add_checked_fixture(ctl, setup_control, teardown_control);
	tcase_add_test(ctl, test_control_stats_and_limit);
	tcase_add_test(ctl, test_control_answers);
	tcase_add_test(ctl, test_control_refuses_second_backend);
	tcase_add_test(ctl, test_control_idle_clients_do_not_lock_out);
	return ctl;
}
