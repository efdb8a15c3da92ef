// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv-bootloader: copies the kernel and initrd that a server's own root
 * volume names into a directory of dom0's, so the server boots the kernel
 * its owner installed (what pygrub does for Xen).  docs/boot-from-disk.md.
 *
 *     hv-bootloader [--max-kernel BYTES] [--max-initrd BYTES] ROOT_IMAGE OUT_DIR
 *
 * What it promises:
 * - It never writes the volume (opened O_RDONLY, read through fd_io.c,
 *   which refuses writes) and never mounts it: the kernel never parses it.
 * - Success: OUT_DIR/vmlinuz (a bzImage the hypervisor's loader accepts:
 *   lib/linux_boot.c's linux_parse) and OUT_DIR/initrd.img if the volume
 *   has one, and one JSON line on stdout:
 *     {"kernel": PATH, "initrd": PATH-or-null, "kernel_bytes": N,
 *      "initrd_bytes": N, "kernel_version": "6.1.0-..."-or-null}
 *   Failure: one line on stderr, exit status 1 (2 for bad usage), and
 *   OUT_DIR as it was: the files are written under temporary names
 *   (O_CREAT|O_EXCL|O_NOFOLLOW) and renamed into place, without replacing
 *   anything, only once everything has been checked.  Existing files are
 *   never clobbered.
 *
 * Why a child process: the volume is the customer's, so its filesystem is
 * hostile input to a large C library (libext2fs).  The parent opens the
 * image and the two temporary files, then forks; the child drops to a
 * sandbox (sandbox.c: rlimits, no_new_privs, a seccomp filter allowing
 * little more than pread on the image and write on the two files) BEFORE it
 * reads a byte of the image, and copies the files (bootfs.c).  The parent
 * trusts nothing it says but its exit status: it waits at most
 * CHILD_TIMEOUT_S, reports a signal ("bootloader crashed: signal N"), and
 * checks the results itself (sizes against the limits, the bzImage header,
 * the kernel's version) from the files it holds open.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lib/linux_boot.h>

#include "bootfs.h"
#include "sandbox.h"

#define DEFAULT_MAX_KERNEL	(64ull << 20)
#define DEFAULT_MAX_INITRD	(512ull << 20)
/* A limit larger than this is a typo, not a kernel (and keeps sums exact). */
#define LIMIT_CEILING		(1ull << 40)
/* Wall-clock time the child gets (it has SANDBOX_CPU_SECONDS of CPU). */
#define CHILD_TIMEOUT_S		120

/* Output names in OUT_DIR (the contract with provisiond). */
#define KERNEL_NAME		"vmlinuz"
#define INITRD_NAME		"initrd.img"

/*
 * The part of the kernel the parent reads: the setup header, and the
 * kernel_version string it points at (a 16-bit offset from 0x200).
 */
#define KERNEL_HEAD_BYTES	(0x200 + 0x10000 + 128)
#define RELEASE_MAX		128

struct options {
	uint64_t max_kernel;
	uint64_t max_initrd;
	const char *image;
	const char *out_dir;
};

struct output {
	int dir_fd;
	char kernel_tmp[64];
	char initrd_tmp[64];
	int kernel_fd;
	int initrd_fd;
};

static void usage(void)
{
	fprintf(stderr, "usage: hv-bootloader [--max-kernel BYTES] "
		"[--max-initrd BYTES] ROOT_IMAGE OUT_DIR\n");
	exit(2);
}

static uint64_t parse_limit(const char *opt, const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v == 0 ||
	    v > LIMIT_CEILING) {
		fprintf(stderr, "hv-bootloader: %s wants a number of bytes "
			"from 1 to %llu, not '%s'\n", opt, LIMIT_CEILING, s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	int i = 1;

	o->max_kernel = DEFAULT_MAX_KERNEL;
	o->max_initrd = DEFAULT_MAX_INITRD;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--max-kernel") == 0)
			o->max_kernel = parse_limit(argv[i], argv[i + 1]);
		else if (strcmp(argv[i], "--max-initrd") == 0)
			o->max_initrd = parse_limit(argv[i], argv[i + 1]);
		else
			usage();
	}
	if (argc - i != 2)
		usage();
	o->image = argv[i];
	o->out_dir = argv[i + 1];
}

static void remove_temporaries(struct output *out)
{
	unlinkat(out->dir_fd, out->kernel_tmp, 0);
	unlinkat(out->dir_fd, out->initrd_tmp, 0);
}

/* Refuses to run over files a previous run (or anyone) left. */
static int check_absent(int dir_fd, const char *out_dir, const char *name)
{
	struct stat st;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		fprintf(stderr, "hv-bootloader: %s/%s already exists; not "
			"replacing it\n", out_dir, name);
		return -1;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "hv-bootloader: %s/%s: %s\n", out_dir, name,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int create_temporary(struct output *out, const char *out_dir,
			    char *name, size_t size, const char *base,
			    int *fd)
{
	snprintf(name, size, ".%s.hv-bootloader.%ld", base, (long)getpid());
	*fd = openat(out->dir_fd, name, O_RDWR | O_CREAT | O_EXCL |
		     O_NOFOLLOW | O_CLOEXEC, 0644);
	if (*fd < 0) {
		fprintf(stderr, "hv-bootloader: cannot create %s/%s: %s\n",
			out_dir, name, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_output(const char *out_dir, struct output *out)
{
	memset(out, 0, sizeof(*out));
	out->kernel_fd = out->initrd_fd = -1;
	out->dir_fd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (out->dir_fd < 0) {
		fprintf(stderr, "hv-bootloader: cannot open the output "
			"directory %s: %s\n", out_dir, strerror(errno));
		return -1;
	}
	if (check_absent(out->dir_fd, out_dir, KERNEL_NAME) ||
	    check_absent(out->dir_fd, out_dir, INITRD_NAME))
		return -1;
	if (create_temporary(out, out_dir, out->kernel_tmp,
			     sizeof(out->kernel_tmp), KERNEL_NAME,
			     &out->kernel_fd))
		return -1;
	if (create_temporary(out, out_dir, out->initrd_tmp,
			     sizeof(out->initrd_tmp), INITRD_NAME,
			     &out->initrd_fd)) {
		unlinkat(out->dir_fd, out->kernel_tmp, 0);
		return -1;
	}
	return 0;
}

static int open_image(const char *path)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a fifo must not hang us; files ignore it. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "hv-bootloader: cannot open %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		fprintf(stderr, "hv-bootloader: %s is not a volume (a regular "
			"file or a block device)\n", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* The sandboxed child: never returns. */
static void __attribute__((noreturn))
child(const struct options *o, int image_fd, const struct output *out)
{
	struct sandbox_fds fds = { image_fd, out->kernel_fd, out->initrd_fd };
	struct bootfs_request req = {
		.image_fd = image_fd, .image_name = o->image,
		.kernel_fd = out->kernel_fd, .initrd_fd = out->initrd_fd,
		.max_kernel = o->max_kernel, .max_initrd = o->max_initrd,
	};

	close(out->dir_fd);
	if (sandbox_enter(&fds, o->max_kernel + o->max_initrd))
		_exit(1);
	_exit(bootfs_extract(&req));
}

/* Waits for the child; 0 if it succeeded, else -1 after saying why. */
static int wait_child(pid_t pid)
{
	struct pollfd pfd = { .events = POLLIN };
	int status, ready;

	pfd.fd = pidfd_open(pid, 0);
	if (pfd.fd < 0) {
		fprintf(stderr, "hv-bootloader: pidfd_open: %s\n",
			strerror(errno));
		kill(pid, SIGKILL);
	} else {
		do
			ready = poll(&pfd, 1, CHILD_TIMEOUT_S * 1000);
		while (ready < 0 && errno == EINTR);
		close(pfd.fd);
		if (ready == 0) {
			kill(pid, SIGKILL);
			fprintf(stderr, "hv-bootloader: bootloader timed out "
				"after %d s\n", CHILD_TIMEOUT_S);
			waitpid(pid, &status, 0);
			return -1;
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "hv-bootloader: waitpid: %s\n",
				strerror(errno));
			return -1;
		}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "hv-bootloader: bootloader crashed: signal %d "
			"(%s)\n", WTERMSIG(status), strsignal(WTERMSIG(status)));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;	/* the child said why on stderr */
	return pfd.fd < 0 ? -1 : 0;
}

/* The size of a file the child wrote, checked against its limit. */
static int output_size(int fd, const char *what, uint64_t max, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st)) {
		fprintf(stderr, "hv-bootloader: fstat of the %s: %s\n", what,
			strerror(errno));
		return -1;
	}
	*size = (uint64_t)st.st_size;
	if (*size > max) {
		fprintf(stderr, "hv-bootloader: the %s written is larger than "
			"its limit\n", what);
		return -1;
	}
	return 0;
}

/* Checks the kernel with the hypervisor's own rules; fills its release. */
static int check_kernel(int fd, uint64_t size, char *release)
{
	static uint8_t head[KERNEL_HEAD_BYTES];
	struct linux_image li;
	enum linux_error err;
	size_t want = size < sizeof(head) ? (size_t)size : sizeof(head);
	ssize_t got;

	got = pread(fd, head, want, 0);
	if (got < 0 || (size_t)got != want) {
		fprintf(stderr, "hv-bootloader: cannot read back the kernel\n");
		return -1;
	}
	err = linux_parse(head, size, &li);
	if (err != LINUX_OK) {
		fprintf(stderr, "hv-bootloader: the kernel is not a bzImage "
			"the hypervisor boots: %s\n", linux_strerror(err));
		return -1;
	}
	linux_kernel_release(head, want, release, RELEASE_MAX);
	return 0;
}

/* Moves a temporary file to its final name, never replacing one. */
static int publish(struct output *out, const char *out_dir, const char *tmp,
		   int fd, const char *name)
{
	if (fdatasync(fd) ||
	    renameat2(out->dir_fd, tmp, out->dir_fd, name, RENAME_NOREPLACE)) {
		fprintf(stderr, "hv-bootloader: cannot create %s/%s: %s\n",
			out_dir, name, strerror(errno));
		return -1;
	}
	return 0;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_path(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	json_string(path);
}

int main(int argc, char **argv)
{
	char release[RELEASE_MAX], dir[PATH_MAX];
	uint64_t kernel_bytes, initrd_bytes;
	struct options o;
	struct output out;
	int image_fd;
	pid_t pid;

	parse_args(argc, argv, &o);
	if (!realpath(o.out_dir, dir)) {
		fprintf(stderr, "hv-bootloader: output directory %s: %s\n",
			o.out_dir, strerror(errno));
		return 1;
	}
	image_fd = open_image(o.image);
	if (image_fd < 0)
		return 1;
	if (open_output(dir, &out))
		return 1;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "hv-bootloader: fork: %s\n", strerror(errno));
		remove_temporaries(&out);
		return 1;
	}
	if (pid == 0)
		child(&o, image_fd, &out);
	close(image_fd);

	if (wait_child(pid) ||
	    output_size(out.kernel_fd, "kernel", o.max_kernel, &kernel_bytes) ||
	    output_size(out.initrd_fd, "initrd", o.max_initrd, &initrd_bytes) ||
	    check_kernel(out.kernel_fd, kernel_bytes, release)) {
		remove_temporaries(&out);
		return 1;
	}
	/* The child writes no initrd file's bytes when the volume has none. */
	if (publish(&out, dir, out.kernel_tmp, out.kernel_fd, KERNEL_NAME)) {
		remove_temporaries(&out);
		return 1;
	}
	if (initrd_bytes == 0) {
		unlinkat(out.dir_fd, out.initrd_tmp, 0);
	} else if (publish(&out, dir, out.initrd_tmp, out.initrd_fd,
			   INITRD_NAME)) {
		unlinkat(out.dir_fd, KERNEL_NAME, 0);
		remove_temporaries(&out);
		return 1;
	}

	printf("{\"kernel\": ");
	json_path(dir, KERNEL_NAME);
	printf(", \"initrd\": ");
	if (initrd_bytes)
		json_path(dir, INITRD_NAME);
	else
		printf("null");
	printf(", \"kernel_bytes\": %" PRIu64 ", \"initrd_bytes\": %" PRIu64
	       ", \"kernel_version\": ", kernel_bytes, initrd_bytes);
	if (release[0])
		json_string(release);
	else
		printf("null");
	printf("}\n");
	return fflush(stdout) ? 1 : 0;
}
