// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl's domain commands: create, reboot, pause, unpause, destroy,
 * shutdown, console, input; io and io-limit are in io.c.
 * A domain is named by its name or its id.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "hvctl.h"

static int report(FILE *err, const char *what, int rc)
{
	fprintf(err, "hvctl: %s: %s\n", what, hv_strerror(rc));
	return HVCTL_EXIT_FAIL;
}

/* A name or a number; names win, so a domain called "7" is found. */
static int resolve(struct hv_handle *h, const char *which, uint32_t *domid)
{
	uint64_t n;
	int rc = hv_domain_find(h, which, domid);

	if (rc == HV_ESRCH && hvctl_parse_u64(which, &n) == 0 && n <= UINT32_MAX) {
		*domid = (uint32_t)n;
		return 0;
	}
	return rc;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len)) &&
	    fread(buf, 1, (size_t)len, f) == (size_t)len) {
		*size = (size_t)len;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Loads and starts the kernel: a Linux bzImage, else a PVH ELF. */
static int boot_kernel(const struct hvctl_args *a, struct hv_handle *h,
		       uint32_t domid, const void *kernel, size_t size,
		       FILE *err)
{
	void *initrd = NULL;
	size_t initrd_size = 0;
	uint32_t entry;
	int rc;

	if (!hv_is_linux_image(kernel, size)) {
		if (a->initrd) {
			fprintf(err, "hvctl: --initrd is for Linux kernels only\n");
			return -EINVAL;
		}
		rc = hv_domain_load_elf(h, domid, kernel, size, &entry);
		return rc ? rc : hv_domain_boot_pvh(h, domid, entry, a->cmdline);
	}
	if (a->initrd) {
		initrd = read_file(a->initrd, &initrd_size);
		if (!initrd) {
			fprintf(err, "hvctl: cannot read %s: %s\n", a->initrd,
				strerror(errno));
			return -EIO;
		}
	}
	rc = hv_domain_boot_linux(h, domid, a->mem_mib << 20, kernel, size,
				  initrd, initrd_size, a->cmdline);
	free(initrd);
	return rc;
}

/*
 * What `create` was given, kept so that `reboot` can create the domain
 * again: the hypervisor cannot restart a guest by itself, since the guest
 * has overwritten the kernel dom0 loaded into its memory (Xen's toolstack
 * does the same).  One file per domain name under /run (gone at dom0's
 * reboot, like the domains), lines "key value".
 */
#define RECIPE_DIR "/run/hvctl"

static bool recipe_path(const char *name, char *path, size_t size)
{
	/* The hypervisor allows no '/' in names; never leave RECIPE_DIR. */
	return !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..") &&
	       (size_t)snprintf(path, size, RECIPE_DIR "/%s", name) < size;
}

static void save_recipe(const struct hvctl_args *a, FILE *err)
{
	char path[256], kernel[PATH_MAX], initrd[PATH_MAX];
	FILE *f;

	if (!recipe_path(a->domain, path, sizeof(path)) ||
	    !realpath(a->kernel, kernel) ||
	    (a->initrd && !realpath(a->initrd, initrd)) ||
	    (mkdir(RECIPE_DIR, 0700) && errno != EEXIST) ||
	    !(f = fopen(path, "w"))) {
		fprintf(err, "hvctl: warning: cannot keep %s's recipe; "
			"`hvctl reboot` will not know it\n", a->domain);
		return;
	}
	fprintf(f, "mem_mib %" PRIu64 "\nvcpus %" PRIu32 "\nkernel %s\n",
		a->mem_mib, a->nr_vcpus, kernel);
	if (a->initrd)
		fprintf(f, "initrd %s\n", initrd);
	for (unsigned i = 0; i < a->nr_disks; i++)
		fprintf(f, "disk %s\n", a->disks[i]);
	for (unsigned i = 0; i < a->nr_nets; i++)
		fprintf(f, "net %s\n", a->nets[i]);
	fprintf(f, "cmdline %s\n", a->cmdline);
	fclose(f);
}

/*
 * Reads name's recipe into *a (strings in buf, which must outlive a).
 * Returns 0, or -ENOENT when hvctl did not create it.
 */
static int load_recipe(const char *name, struct hvctl_args *a,
		       char buf[][PATH_MAX], int nbuf)
{
	char path[256], line[PATH_MAX + 16];
	int used = 0, have = 0;
	uint64_t n;
	FILE *f;

	if (!recipe_path(name, path, sizeof(path)) || !(f = fopen(path, "r")))
		return -ENOENT;
	memset(a, 0, sizeof(*a));
	a->cmd = HVCTL_CREATE;
	a->domain = name;
	a->cmdline = "";
	while (fgets(line, sizeof(line), f) && used < nbuf) {
		char *value = strchr(line, ' ');

		if (!value)
			continue;
		*value++ = '\0';
		value[strcspn(value, "\n")] = '\0';
		if (!strcmp(line, "mem_mib") && !hvctl_parse_u64(value, &n)) {
			a->mem_mib = n;
			have |= 1;
		} else if (!strcmp(line, "vcpus") && !hvctl_parse_u64(value, &n) &&
			   n <= UINT32_MAX) {	/* libhv checks the limits */
			a->nr_vcpus = (uint32_t)n;
			have |= 2;
		} else if (!strcmp(line, "disk") && a->nr_disks < HV_IO_DISKS_MAX) {
			snprintf(buf[used], PATH_MAX, "%s", value);
			a->disks[a->nr_disks++] = buf[used++];
		} else if (!strcmp(line, "net") &&
			   a->nr_disks + a->nr_nets < HV_IO_DISKS_MAX) {
			snprintf(buf[used], PATH_MAX, "%s", value);
			a->nets[a->nr_nets++] = buf[used++];
		} else if (!strcmp(line, "kernel") || !strcmp(line, "initrd") ||
			   !strcmp(line, "cmdline")) {
			snprintf(buf[used], PATH_MAX, "%s", value);
			if (line[0] == 'k') {
				a->kernel = buf[used];
				have |= 4;
			} else if (line[0] == 'i') {
				a->initrd = buf[used];
			} else {
				a->cmdline = buf[used];
			}
			used++;
		}
	}
	fclose(f);
	return have == 7 ? 0 : -EINVAL;
}

static int cmd_create(const struct hvctl_args *a, struct hv_handle *h,
		      FILE *out, FILE *err)
{
	uint32_t domid;
	size_t size;
	void *kernel = read_file(a->kernel, &size);
	int rc;

	if (!kernel) {
		fprintf(err, "hvctl: cannot read %s: %s\n", a->kernel, strerror(errno));
		return HVCTL_EXIT_FAIL;
	}
	rc = hv_domain_create(h, a->domain, a->mem_mib << 20, a->nr_vcpus, &domid);
	if (rc) {
		free(kernel);
		return report(err, "create", rc);
	}
	/* The devices are added before the domain boots. */
	rc = a->nr_disks + a->nr_nets ? hvctl_backend_start(a, domid, err) : 0;
	if (rc) {
		free(kernel);
		hv_domain_ctl(h, domid, HV_DOMCTL_DESTROY);
		return HVCTL_EXIT_FAIL;
	}
	rc = boot_kernel(a, h, domid, kernel, size, err);
	free(kernel);
	if (rc) {
		/* Leave nothing half-built behind (the backend, if any, exits
		 * when it sees the domain go). */
		hv_domain_ctl(h, domid, HV_DOMCTL_DESTROY);
		hvctl_backend_wait_gone(domid, a->nr_disks + a->nr_nets > 0, err);
		if (rc == -EIO || rc == -EINVAL)
			return HVCTL_EXIT_FAIL;
		return report(err, rc == -ENOEXEC ? "not a Linux bzImage or PVH ELF kernel" :
			      rc == -ENOSPC ? "kernel and initrd do not fit in its memory" :
			      "boot", rc);
	}
	save_recipe(a, err);
	fprintf(out, "%" PRIu32 "\n", domid);
	return HVCTL_EXIT_OK;
}

/* Destroys the domain if it exists, then creates it again from its recipe. */
static int cmd_reboot(const char *name, struct hv_handle *h, FILE *out,
		      FILE *err)
{
	static char buf[3 + HV_IO_DISKS_MAX][PATH_MAX];
	struct hvctl_args again;
	uint32_t domid;
	int rc = load_recipe(name, &again, buf, 3 + HV_IO_DISKS_MAX);

	if (rc) {
		fprintf(err, "hvctl: reboot: %s was not made by `hvctl create` "
			"in this dom0 (no usable %s/%s)\n", name, RECIPE_DIR, name);
		return HVCTL_EXIT_FAIL;
	}
	if (hv_domain_find(h, name, &domid) == 0) {
		bool had_backend = hv_io_ping(domid) == 0;

		rc = hv_domain_ctl(h, domid, HV_DOMCTL_DESTROY);
		if (rc)
			return report(err, name, rc);
		/* Its disks are free again once its backend has gone. */
		hvctl_backend_wait_gone(domid, had_backend, err);
	}
	return cmd_create(&again, h, out, err);
}

/*
 * A running domain whose hv-backend died (its socket refuses): a new one,
 * with the disks of name's recipe, that takes the devices over where the
 * guest sees them (hv-backend --resume, docs/virtio.md "A dead backend").
 */
static int cmd_backend_restart(const char *name, struct hv_handle *h,
			       FILE *err)
{
	static char buf[3 + HV_IO_DISKS_MAX][PATH_MAX];
	struct hvctl_args again;
	uint32_t domid;
	int rc = resolve(h, name, &domid);

	if (rc)
		return report(err, name, rc);
	if (load_recipe(name, &again, buf, 3 + HV_IO_DISKS_MAX) ||
	    again.nr_disks + again.nr_nets == 0) {
		fprintf(err, "hvctl: backend-restart: %s has no devices made by "
			"`hvctl create` in this dom0 (no usable %s/%s)\n", name,
			RECIPE_DIR, name);
		return HVCTL_EXIT_FAIL;
	}
	rc = hv_io_ping(domid);
	if (rc == 0) {
		fprintf(err, "hvctl: backend-restart: %s's device backend is "
			"running\n", name);
		return HVCTL_EXIT_FAIL;
	}
	again.cmd = HVCTL_BACKEND_RESTART;
	return hvctl_backend_start(&again, domid, err) ? HVCTL_EXIT_FAIL :
	       HVCTL_EXIT_OK;
}

/* Sends all of data, waiting while the guest's buffer is full. */
static int send_input(struct hv_handle *h, uint32_t domid, const char *data,
		      size_t len)
{
	int tries = 0;

	while (len) {
		size_t taken;
		int rc = hv_domain_input(h, domid, data, len, &taken);

		if (rc)
			return rc;
		data += taken;
		len -= taken;
		if (taken == 0) {
			if (++tries > 100)
				return -EAGAIN;	/* 10 s: nobody reads it */
			usleep(100 * 1000);
		}
	}
	return 0;
}

/*
 * Prints the console from the start and, with follow, what comes after;
 * on a terminal, what is typed goes to the domain (raw mode, Ctrl-] ends).
 */
static int cmd_console(uint32_t domid, bool follow, struct hv_handle *h,
		       FILE *out, FILE *err)
{
	bool interactive = follow && isatty(STDIN_FILENO);
	struct termios saved, raw;
	char buf[4096];
	uint64_t pos = 0;
	size_t copied;
	int rc = 0;

	if (interactive) {
		tcgetattr(STDIN_FILENO, &saved);
		raw = saved;
		cfmakeraw(&raw);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		fprintf(err, "[attached; Ctrl-] detaches]\r\n");
	}
	for (;;) {
		rc = hv_domain_console(h, domid, &pos, buf, sizeof(buf), &copied);
		if (rc)
			break;
		fwrite(buf, 1, copied, out);
		if (interactive) {
			struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
			ssize_t n;

			fflush(out);
			if (poll(&p, 1, copied ? 0 : 50) > 0 &&
			    (n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
				char *end = memchr(buf, 0x1d, (size_t)n);	/* Ctrl-] */

				rc = send_input(h, domid, buf,
						end ? (size_t)(end - buf) : (size_t)n);
				if (rc || end)
					break;
			}
		} else if (copied == 0) {
			if (!follow)
				break;
			fflush(out);
			usleep(200 * 1000);
		}
	}
	if (interactive) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fprintf(err, "\n[detached]\n");
	}
	return rc ? report(err, "console", rc) : HVCTL_EXIT_OK;
}

int hvctl_domain_cmd(const struct hvctl_args *a, struct hv_handle *h,
		     FILE *out, FILE *err)
{
	uint32_t domid;
	int rc;

	if (a->cmd == HVCTL_CREATE)
		return cmd_create(a, h, out, err);
	if (a->cmd == HVCTL_REBOOT)
		return cmd_reboot(a->domain, h, out, err);
	if (a->cmd == HVCTL_BACKEND_RESTART)
		return cmd_backend_restart(a->domain, h, err);
	rc = resolve(h, a->domain, &domid);
	if (rc)
		return report(err, a->domain, rc);
	switch (a->cmd) {
	case HVCTL_PAUSE:
		rc = hv_domain_ctl(h, domid, HV_DOMCTL_PAUSE);
		break;
	case HVCTL_UNPAUSE:
		rc = hv_domain_ctl(h, domid, HV_DOMCTL_UNPAUSE);
		break;
	case HVCTL_DESTROY: {
		bool had_backend = hv_io_ping(domid) == 0;

		rc = hv_domain_ctl(h, domid, HV_DOMCTL_DESTROY);
		if (!rc)
			hvctl_backend_wait_gone(domid, had_backend, err);
		break;
	}
	case HVCTL_IO:
	case HVCTL_IO_LIMIT:
		return hvctl_io_cmd(a, domid, out, err);
	case HVCTL_CONSOLE:
		return cmd_console(domid, a->follow, h, out, err);
	case HVCTL_SHUTDOWN:
		rc = hv_domain_ctl(h, domid, HV_DOMCTL_POWER_BUTTON);
		break;
	case HVCTL_INPUT: {
		size_t len = strlen(a->text);
		char *line = malloc(len + 1);

		if (!line)
			return report(err, "input", -ENOMEM);
		memcpy(line, a->text, len);
		line[len] = '\r';	/* Enter, as a terminal sends it */
		rc = send_input(h, domid, line, len + 1);
		free(line);
		break;
	}
	case HVCTL_SCHED:
		return hvctl_sched_cmd(a, h, domid, out, err);
	default:
		return HVCTL_EXIT_USAGE;
	}
	return rc ? report(err, a->domain, rc) : HVCTL_EXIT_OK;
}
