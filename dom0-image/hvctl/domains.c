// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl's domain commands: create, pause, unpause, destroy, shutdown,
 * console, input.
 * A domain is named by its name or its id.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	rc = boot_kernel(a, h, domid, kernel, size, err);
	free(kernel);
	if (rc) {
		/* Leave nothing half-built behind. */
		hv_domain_ctl(h, domid, HV_DOMCTL_DESTROY);
		if (rc == -EIO || rc == -EINVAL)
			return HVCTL_EXIT_FAIL;
		return report(err, rc == -ENOEXEC ? "not a Linux bzImage or PVH ELF kernel" :
			      rc == -ENOSPC ? "kernel and initrd do not fit in its memory" :
			      "boot", rc);
	}
	fprintf(out, "%" PRIu32 "\n", domid);
	return HVCTL_EXIT_OK;
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
	case HVCTL_DESTROY:
		rc = hv_domain_ctl(h, domid, HV_DOMCTL_DESTROY);
		break;
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
	case HVCTL_SCHED: {
		uint32_t weight = 0, cap = 0;

		rc = hv_domain_sched(h, domid, false, &weight, &cap);
		if (rc == 0 && (a->weight >= 0 || a->cap >= 0)) {
			if (a->weight >= 0)
				weight = (uint32_t)a->weight;
			if (a->cap >= 0)
				cap = (uint32_t)a->cap;
			rc = hv_domain_sched(h, domid, true, &weight, &cap);
		}
		if (rc == 0)
			fprintf(out, "weight: %u\ncap: %u\n", weight, cap);
		break;
	}
	default:
		return HVCTL_EXIT_USAGE;
	}
	return rc ? report(err, a->domain, rc) : HVCTL_EXIT_OK;
}
