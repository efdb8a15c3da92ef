// SPDX-License-Identifier: GPL-2.0-only
/*
 * Confines the child that parses a customer's filesystem.  If a bug in
 * libext2fs or in bootfs.c lets a crafted image take over the child, it
 * still can only read the image, write the two output files, and allocate
 * or free memory: no open(), no sockets, no exec, no new processes.  Any
 * other system call kills the child with SIGSYS, which the parent reports.
 *
 * The limits bound what a well-behaved-looking child can do: 1 GiB of
 * address space, output files no bigger than the two limits together, 60 s
 * of CPU, no core dump, few file descriptors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <seccomp.h>

#include "sandbox.h"

static int limit(int resource, const char *name, uint64_t value)
{
	struct rlimit rl = { .rlim_cur = value, .rlim_max = value };

	if (setrlimit(resource, &rl) == 0)
		return 0;
	fprintf(stderr, "hv-bootloader: setrlimit(%s): %s\n", name,
		strerror(errno));
	return -1;
}

/* Each allowed system call, with its argument conditions. */
static int allow(scmp_filter_ctx ctx, int nr, unsigned int nargs,
		 const struct scmp_arg_cmp *args)
{
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, nargs, args);
}

static int add_rules(scmp_filter_ctx ctx, const struct sandbox_fds *fds)
{
	const struct scmp_arg_cmp image[] = {
		SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fds->image_fd) };
	const struct scmp_arg_cmp kernel[] = {
		SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fds->kernel_fd) };
	const struct scmp_arg_cmp initrd[] = {
		SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fds->initrd_fd) };
	const struct scmp_arg_cmp to_stderr[] = {
		SCMP_A0(SCMP_CMP_EQ, 2) };
	/* Memory, never executable: nothing here loads code. */
	const struct scmp_arg_cmp no_exec[] = {
		SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0) };
	int rc = 0;

	rc |= allow(ctx, SCMP_SYS(pread64), 1, image);
	rc |= allow(ctx, SCMP_SYS(read), 1, image);
	rc |= allow(ctx, SCMP_SYS(lseek), 1, image);
	rc |= allow(ctx, SCMP_SYS(write), 1, kernel);
	rc |= allow(ctx, SCMP_SYS(write), 1, initrd);
	rc |= allow(ctx, SCMP_SYS(write), 1, to_stderr);
	rc |= allow(ctx, SCMP_SYS(fstat), 0, NULL);
	rc |= allow(ctx, SCMP_SYS(close), 0, NULL);
	rc |= allow(ctx, SCMP_SYS(mmap), 1, no_exec);
	rc |= allow(ctx, SCMP_SYS(mprotect), 1, no_exec);
	rc |= allow(ctx, SCMP_SYS(mremap), 0, NULL);
	rc |= allow(ctx, SCMP_SYS(munmap), 0, NULL);
	rc |= allow(ctx, SCMP_SYS(madvise), 0, NULL);
	rc |= allow(ctx, SCMP_SYS(brk), 0, NULL);
	rc |= allow(ctx, SCMP_SYS(exit_group), 0, NULL);
	rc |= allow(ctx, SCMP_SYS(exit), 0, NULL);
	return rc;
}

int sandbox_enter(const struct sandbox_fds *fds, uint64_t max_file_bytes)
{
	scmp_filter_ctx ctx;
	int rc;

	if (limit(RLIMIT_AS, "RLIMIT_AS", SANDBOX_ADDRESS_SPACE) ||
	    limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", max_file_bytes) ||
	    limit(RLIMIT_CPU, "RLIMIT_CPU", SANDBOX_CPU_SECONDS) ||
	    limit(RLIMIT_CORE, "RLIMIT_CORE", 0) ||
	    limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", SANDBOX_OPEN_FILES))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "hv-bootloader: PR_SET_NO_NEW_PRIVS: %s\n",
			strerror(errno));
		return -1;
	}
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		fprintf(stderr, "hv-bootloader: seccomp_init failed\n");
		return -1;
	}
	/* add_rules ORs negative errnos together: only "failed" is known. */
	rc = add_rules(ctx, fds) ? -EINVAL : seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc) {
		fprintf(stderr, "hv-bootloader: cannot install the seccomp "
			"filter: %s\n", strerror(-rc));
		return -1;
	}
	return 0;
}
