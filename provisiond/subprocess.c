// SPDX-License-Identifier: GPL-2.0-only
/*
 * subprocess.c - running a helper program with a fixed argv (see subprocess.h).
 *
 * posix_spawn (no shell: nothing in argv is ever interpreted), pipes for
 * stdout and stderr read with poll() until both close or the deadline
 * passes; a program past its deadline is killed (SIGKILL) and reaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "subprocess.h"
#include "util.h"

static char *const spawn_env[] = {
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL
};

/* Appends what fd has to buf (keeping it NUL-terminated); 0 at EOF. */
static ssize_t drain(int fd, char *buf, size_t size, size_t *used)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n > 0 && size > 0) {
		size_t room = size - 1 - *used;
		size_t take = (size_t)n < room ? (size_t)n : room;

		memcpy(buf + *used, chunk, take);
		*used += take;
		buf[*used] = '\0';
	}
	return n;
}

int spawn_run(const char *const argv[], int timeout_s, char *out, size_t outlen,
	      char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	int opipe[2], epipe[2], status, rc;
	char errbuf[1024] = "", dummy[1];
	size_t oused = 0, eused = 0;
	int64_t deadline = mono_ms() + (int64_t)timeout_s * 1000;
	bool timed_out = false;
	pid_t pid;

	if (!out || outlen == 0) {
		out = dummy;
		outlen = sizeof(dummy);
	}
	out[0] = '\0';
	if (pipe2(opipe, O_CLOEXEC) < 0)
		goto fail_errno;
	if (pipe2(epipe, O_CLOEXEC) < 0) {
		close(opipe[0]);
		close(opipe[1]);
		goto fail_errno;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, opipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, epipe[1], 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, spawn_env);
	posix_spawn_file_actions_destroy(&fa);
	close(opipe[1]);
	close(epipe[1]);
	if (rc != 0) {
		close(opipe[0]);
		close(epipe[0]);
		snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(rc));
		return -1;
	}

	for (int open_fds = 2; open_fds > 0;) {
		struct pollfd p[2] = { { opipe[0], POLLIN, 0 }, { epipe[0], POLLIN, 0 } };
		int64_t left = deadline - mono_ms();

		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(p, 2, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((i == 0 ? drain(p[i].fd, out, outlen, &oused)
				    : drain(p[i].fd, errbuf, sizeof(errbuf), &eused)) <= 0) {
				close(p[i].fd);
				if (i == 0)
					opipe[0] = -1;
				else
					epipe[0] = -1;
				open_fds--;
			}
		}
	}
	if (opipe[0] >= 0)
		close(opipe[0]);
	if (epipe[0] >= 0)
		close(epipe[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	errbuf[strcspn(errbuf, "\n")] = '\0';
	if (timed_out) {
		snprintf(err, errlen, "%s did not finish within %d s: killed", argv[0],
			 timeout_s);
		return -1;
	}
	if (!WIFEXITED(status)) {
		snprintf(err, errlen, "%s was killed by signal %d", argv[0],
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		return -1;
	}
	if (WEXITSTATUS(status) != 0)
		snprintf(err, errlen, "%s", errbuf[0] ? errbuf : "(no message)");
	return WEXITSTATUS(status);

fail_errno:
	snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
	return -1;
}
