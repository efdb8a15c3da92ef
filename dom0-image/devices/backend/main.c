// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv-backend - serves one customer domain's virtio devices from dom0.
 *
 *   hv-backend --domid N [--ready-fd FD] [--resume]
 *              [--disk PATH[,ro][,bps=N][,iops=N][,serial=S]]...
 *              [--net TAP[,mac=M][,rx_bps=N][,tx_bps=N]]...
 *
 * One process per domain, so that its crash affects only that domain.
 * Life cycle:
 *  1. open the disks and taps and add one virtio-blk device per disk,
 *     then one virtio-net device per tap, to the domain
 *     (HVCALL_DEVICE_ADD: the domain must not have booted yet);
 *  2. bind (hv_backend_bind): the domain's RAM and the event page are
 *     mapped into this process;
 *  3. listen on the control socket (control.c), then say "ready\n" on
 *     --ready-fd and close it; the caller boots the domain;
 *  4. serve until the domain stops (HV_BACKEND_DOMAIN_BIT with a stopped
 *     domain_state) or SIGTERM/SIGINT: wait for in-flight I/O, unbind,
 *     remove the socket, exit 0.
 * Any failure before "ready" exits 1 with a line on stderr; the caller
 * sees the pipe close without "ready".
 *
 * --resume (`hvctl backend-restart`, after a backend died): step 1 adds
 * nothing (the devices exist; the --disk list must be the one they were
 * added with, which hvctl kept), and the devices the bind finds running
 * continue their queues at the used index the guest sees (vdev.resume).
 *
 * The main loop, one thread, per iteration: take the event words and act
 * on them (transport.c), reap I/O completions and let the devices go on,
 * run the devices whose token-bucket wake time has come, serve the
 * control socket, then raise the interrupts the iteration earned (one
 * HV_DEVCTL_INTERRUPT per device), arm the timerfd for the earliest wake
 * time, and poll: the bound /dev/hvpriv, the io_uring's eventfd, the
 * timerfd, a signalfd, the control socket and what the devices ask for
 * (vdev_ops.poll_fds: none for blk, the tap for net).  A poll that times
 * out (VDEV_IDLE_CHECK_MS without any event) runs the idle check
 * (vdev_idle_check(): a lost notify or interrupt becomes a delay and a log
 * line, not a hung guest).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "aio.h"
#include "hvplatform.h"
#include "blk.h"
#include "net.h"
#include "control.h"
#include "log.h"
#include "options.h"
#include "transport.h"

#define AIO_ENTRIES	512

static uint64_t monotonic_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Step 1: the devices, added to the domain in order: disks, then nets. */
static int add_devices(const struct backend_options *o, struct backend_env *env,
		       struct hv_handle *h, struct vdev *devs)
{
	unsigned n = o->nr_disks + o->nr_nets;

	for (unsigned i = 0; i < n; i++) {
		struct hv_device_add req;
		char why[HV_IO_PATH_MAX + 64];
		bool disk = i < o->nr_disks;
		const char *what = disk ? "disk" : "net";
		unsigned k = disk ? i : i - o->nr_disks;
		int rc = disk ?
			 blk_create(&devs[i], env, i, &o->disks[k], why, sizeof(why)) :
			 net_create(&devs[i], env, i, k, &o->nets[k], why, sizeof(why));

		if (rc) {
			log_msg("%s %u: %s", what, k, why);
			return rc;
		}
		if (o->resume)
			continue;	/* added by the backend that died */
		memset(&req, 0, sizeof(req));
		req.domid = o->domid;
		req.type = devs[i].type;
		req.nr_queues = devs[i].nr_queues;
		req.queue_size = devs[i].queue_size;
		req.features = devs[i].features;
		req.config_len = devs[i].config_len;
		memcpy(req.config, devs[i].config, devs[i].config_len);
		rc = hv_device_add(h, &req);
		if (rc) {
			log_msg("%s %u: HVCALL_DEVICE_ADD: %s", what, k, hv_strerror(rc));
			return rc;
		}
		if (req.index != i) {
			/* Someone else added devices to this domain. */
			log_msg("%s %u: became device %u", what, k, req.index);
			return -EEXIST;
		}
	}
	return 0;
}

static void arm_timer(int tfd, const struct vdev *devs, unsigned n)
{
	struct itimerspec its;
	uint64_t next = 0;

	for (unsigned i = 0; i < n; i++)
		if (devs[i].wake_ns && (!next || devs[i].wake_ns < next))
			next = devs[i].wake_ns;
	memset(&its, 0, sizeof(its));
	if (next) {
		its.it_value.tv_sec = (time_t)(next / 1000000000ull);
		its.it_value.tv_nsec = (long)(next % 1000000000ull);
	}
	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Descriptors a device may ask us to poll (a tap, for net). */
#define DEVICE_FDS_MAX	4

enum { PFD_BACKEND, PFD_AIO, PFD_TIMER, PFD_SIGNAL, PFD_CONTROL,
       PFD_DEVICES = PFD_CONTROL + 1 + CONTROL_CLIENTS_MAX,
       PFD_MAX = PFD_DEVICES + HV_DOMAIN_DEVICES_MAX * DEVICE_FDS_MAX };

static void serve(struct transport *t, struct backend_env *env,
		  struct control *ctrl, int tfd, int sfd)
{
	struct vdev *devs = t->devs;
	struct pollfd fds[PFD_MAX];
	unsigned dev_fds[HV_DOMAIN_DEVICES_MAX];

	for (;;) {
		unsigned nctl, nfds = PFD_DEVICES;

		if (transport_events(t)) {
			log_msg("domain %u stopped", t->domid);
			return;
		}
		if (aio_reap(env->aio)) {
			for (unsigned i = 0; i < t->nr_devs; i++)
				for (unsigned q = 0; q < devs[i].nr_queues; q++)
					devs[i].ops->queue_notified(&devs[i], q);
		}
		uint64_t now = monotonic_ns(NULL);

		for (unsigned i = 0; i < t->nr_devs; i++)
			if (devs[i].wake_ns && devs[i].wake_ns <= now)
				devs[i].ops->timer(&devs[i]);
		transport_flush(t);
		arm_timer(tfd, devs, t->nr_devs);

		fds[PFD_BACKEND] = (struct pollfd){ .fd = t->be.fd, .events = POLLIN };
		fds[PFD_AIO] = (struct pollfd){ .fd = env->aio->eventfd, .events = POLLIN };
		fds[PFD_TIMER] = (struct pollfd){ .fd = tfd, .events = POLLIN };
		fds[PFD_SIGNAL] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		nctl = control_poll_fds(ctrl, &fds[PFD_CONTROL]);
		for (unsigned i = 0; i < PFD_DEVICES - PFD_CONTROL; i++)
			if (i >= nctl)
				fds[PFD_CONTROL + i].fd = -1;
		for (unsigned i = 0; i < t->nr_devs; i++) {
			dev_fds[i] = devs[i].ops->poll_fds ?
				     devs[i].ops->poll_fds(&devs[i], &fds[nfds],
							   DEVICE_FDS_MAX) : 0;
			nfds += dev_fds[i];
		}
		int ready = poll(fds, nfds, VDEV_IDLE_CHECK_MS);

		if (ready < 0 && errno != EINTR) {
			log_msg("poll: %s", strerror(errno));
			return;
		}
		if (ready == 0)
			transport_idle_check(t);
		if (fds[PFD_SIGNAL].revents & POLLIN) {
			log_msg("signal: stopping");
			return;
		}
		if (fds[PFD_TIMER].revents & POLLIN) {
			uint64_t expirations;

			if (read(tfd, &expirations, sizeof(expirations)) < 0 &&
			    errno != EAGAIN)
				log_msg("timerfd: %s", strerror(errno));
		}
		control_poll_ready(ctrl, &fds[PFD_CONTROL], nctl);
		nfds = PFD_DEVICES;
		for (unsigned i = 0; i < t->nr_devs; i++) {
			if (dev_fds[i])
				devs[i].ops->poll_ready(&devs[i], &fds[nfds], dev_fds[i]);
			nfds += dev_fds[i];
		}
	}
}

static void say_ready(int fd)
{
	if (fd < 0)
		return;
	if (write(fd, "ready\n", 6) != 6)
		log_msg("--ready-fd: %s", strerror(errno));
	close(fd);
}

int main(int argc, char **argv)
{
	struct backend_options o;
	struct backend_env env;
	struct aio aio;
	struct vdev devs[HV_DOMAIN_DEVICES_MAX];
	struct transport t;
	struct control ctrl;
	sigset_t sigs;
	int rc, tfd, sfd;

	if (backend_parse_options(argc, argv, &o, stderr))
		return 2;
	memset(&env, 0, sizeof(env));
	memset(devs, 0, sizeof(devs));
	memset(&t, 0, sizeof(t));
	env.domid = o.domid;
	env.aio = &aio;
	env.now_ns = monotonic_ns;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sfd < 0 || tfd < 0) {
		log_msg("signalfd/timerfd: %s", strerror(errno));
		return 1;
	}
	rc = aio_init(&aio, AIO_ENTRIES);
	if (rc) {
		log_msg("io_uring: %s", strerror(-rc));
		return 1;
	}
	rc = hv_open(&t.h);
	if (rc) {
		log_msg("/dev/hvpriv: %s", hv_strerror(rc));
		return 1;
	}
	/* RAM is not mapped yet: blk_create only needs the clock. */
	if (add_devices(&o, &env, &t.h, devs))
		return 1;
	hv_close(&t.h);
	rc = hv_backend_bind(o.domid, &t.be);
	if (rc) {
		log_msg("bind domain %u: %s", o.domid, hv_strerror(rc));
		return 1;
	}
	if (o.resume && t.be.page->nr_devices != o.nr_disks) {
		log_msg("--resume: domain %u has %u device(s), %u disk(s) given",
			o.domid, t.be.page->nr_devices, o.nr_disks);
		hv_backend_unbind(&t.be);
		return 1;
	}
	for (unsigned i = 0; i < o.nr_disks; i++)
		devs[i].resume = o.resume;
	t.h.fd = t.be.fd;
	t.domid = o.domid;
	t.devs = devs;
	t.nr_devs = o.nr_disks + o.nr_nets;
	env.gm.base = t.be.ram;
	env.gm.size = t.be.ram_bytes;
	if (env.gm.size > HVP_RAM_LOW_TOP) {
		env.gm.hole_start = HVP_RAM_LOW_TOP;
		env.gm.hole_end = HVP_RAM_HIGH_BASE;
	}
	rc = control_open(&ctrl, o.domid, devs, t.nr_devs);
	if (rc) {
		log_msg("control socket: %s", strerror(-rc));
		hv_backend_unbind(&t.be);
		return 1;
	}
	log_msg("domain %u: %u disk(s), %u interface(s), ready%s", o.domid,
		o.nr_disks, o.nr_nets,
		o.resume ? " (resumed after a dead backend)" : "");
	say_ready(o.ready_fd);

	serve(&t, &env, &ctrl, tfd, sfd);

	/* The guest's buffers stay mapped until every operation is done. */
	while (aio.in_flight)
		aio_wait(&aio);
	control_close(&ctrl);
	hv_backend_unbind(&t.be);
	for (unsigned i = 0; i < t.nr_devs; i++)
		devs[i].ops->destroy(&devs[i]);
	aio_exit(&aio);
	return 0;
}
