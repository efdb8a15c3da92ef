// SPDX-License-Identifier: GPL-2.0-only
/*
 * io.c - the disk option syntax and the client of hv-backend's control
 * channel (io.h).  The protocol: one request line, answered by zero or more
 * data lines and then "ok" or "error ENAME"; see devices/backend/control.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

/* Decimal, the whole string, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return 0;
}

static int why_fail(char *why, size_t len, const char *msg, const char *item)
{
	if (why && len)
		snprintf(why, len, "%s%s%s%s", msg, item ? " '" : "",
			 item ? item : "", item ? "'" : "");
	return -EINVAL;
}

int hv_disk_spec_parse(const char *spec, struct hv_disk_spec *out,
		       char *why, size_t why_len)
{
	char buf[HV_IO_PATH_MAX + 128];
	char *item, *save = NULL;
	bool first = true;

	memset(out, 0, sizeof(*out));
	if (!spec || strlen(spec) >= sizeof(buf))
		return why_fail(why, why_len, "disk option too long", NULL);
	strcpy(buf, spec);
	if (buf[0] == ',' || buf[0] == '\0')
		return why_fail(why, why_len, "no path", NULL);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save), first = false) {
		if (first) {
			/* Absolute: the backend runs detached, and `hvctl
			 * reboot` reuses the option from anywhere. */
			if (item[0] != '/')
				return why_fail(why, why_len, "path must be absolute:",
						item);
			if (strlen(item) >= sizeof(out->path))
				return why_fail(why, why_len, "path too long", NULL);
			for (const char *c = item; *c; c++)
				if ((unsigned char)*c < ' ' || *c == 0x7f)
					return why_fail(why, why_len,
							"control character in path", NULL);
			strcpy(out->path, item);
		} else if (!strcmp(item, "ro")) {
			out->read_only = true;
		} else if (!strncmp(item, "bps=", 4)) {
			if (parse_u64(item + 4, &out->bps))
				return why_fail(why, why_len, "bad number in", item);
		} else if (!strncmp(item, "iops=", 5)) {
			if (parse_u64(item + 5, &out->iops))
				return why_fail(why, why_len, "bad number in", item);
		} else if (!strncmp(item, "serial=", 7)) {
			const char *s = item + 7;

			if (!*s || strlen(s) > HV_IO_SERIAL_MAX)
				return why_fail(why, why_len,
						"serial must be 1 to 20 characters:", item);
			for (const char *c = s; *c; c++)
				if (*c <= ' ' || *c > '~' || *c == '=')
					return why_fail(why, why_len,
							"serial must be printable ASCII without blanks:",
							item);
			strcpy(out->serial, s);
		} else {
			return why_fail(why, why_len, "unknown disk option", item);
		}
	}
	return 0;
}

const char *hv_io_run_dir(void)
{
	const char *dir = getenv("HV_BACKEND_RUN_DIR");

	return dir && *dir ? dir : HV_IO_RUN_DIR;
}

int hv_io_path(uint32_t domid, const char *suffix, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%" PRIu32 ".%s", hv_io_run_dir(), domid,
			 suffix);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

#define IO_TIMEOUT_MS	5000
#define IO_REPLY_MAX	(HV_IO_DISKS_MAX * (HV_IO_PATH_MAX + 512) + 64)

/*
 * Sends request (one line) and reads the whole reply into reply[] (NUL-
 * terminated), up to its final "ok\n" (0) or "error ENAME\n" (-errno).
 */
static int transact(uint32_t domid, const char *request, char *reply,
		    size_t reply_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t have = 0;
	int fd, rc;

	if (hv_io_path(domid, "sock", sa.sun_path, sizeof(sa.sun_path)))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, request, strlen(request), MSG_NOSIGNAL) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		char *last;

		if (have + 1 >= reply_len) {
			rc = -EPROTO;
			break;
		}
		if (poll(&p, 1, IO_TIMEOUT_MS) <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		n = recv(fd, reply + have, reply_len - 1 - have, 0);
		if (n <= 0) {
			rc = n == 0 ? -EPROTO : -errno;
			break;
		}
		have += (size_t)n;
		reply[have] = '\0';
		if (reply[have - 1] != '\n')
			continue;
		/* The last complete line decides. */
		reply[have - 1] = '\0';
		last = strrchr(reply, '\n');
		last = last ? last + 1 : reply;
		reply[have - 1] = '\n';
		if (!strcmp(last, "ok\n")) {
			*last = '\0';
			rc = 0;
			break;
		}
		if (!strncmp(last, "error ", 6)) {
			rc = !strcmp(last, "error ENODEV\n") ? -ENODEV :
			     !strcmp(last, "error EINVAL\n") ? -EINVAL : -EPROTO;
			break;
		}
	}
	close(fd);
	return rc;
}

/* The keys of a stats line, in the order the backend writes them. */
int hv_io_parse_stats_line(const char *line, struct hv_io_disk_stats *s)
{
	struct { const char *key; uint64_t *v; } keys[] = {
		{ "bps", &s->bps }, { "iops", &s->iops },
		{ "read_bytes", &s->read_bytes }, { "write_bytes", &s->write_bytes },
		{ "read_ops", &s->read_ops }, { "write_ops", &s->write_ops },
		{ "flush_ops", &s->flush_ops }, { "discard_ops", &s->discard_ops },
		{ "throttled_ns", &s->throttled_ns }, { "errors", &s->errors },
	};
	char buf[HV_IO_PATH_MAX + 512], *tok, *save = NULL, *path;
	uint64_t v;
	unsigned seen = 0;

	memset(s, 0, sizeof(*s));
	if (strlen(line) >= sizeof(buf))
		return -EPROTO;
	strcpy(buf, line);
	buf[strcspn(buf, "\n")] = '\0';
	/* path= is last and runs to the end of the line. */
	path = strstr(buf, " path=");
	if (!path || strlen(path + 6) >= sizeof(s->path))
		return -EPROTO;
	strcpy(s->path, path + 6);
	*path = '\0';
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		size_t i;

		if (!eq || parse_u64(eq + 1, &v))
			return -EPROTO;
		*eq = '\0';
		if (!strcmp(tok, "disk") && v < HV_IO_DISKS_MAX) {
			s->disk = (uint32_t)v;
			seen |= 1u << 30;
			continue;
		}
		if (!strcmp(tok, "ro") && v <= 1) {
			s->read_only = v;
			continue;
		}
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (!strcmp(tok, keys[i].key)) {
				*keys[i].v = v;
				seen |= 1u << i;
				break;
			}
		}
		/* Unknown keys are newer counters: skipped. */
	}
	return seen == ((1u << 30) | ((1u << 10) - 1)) ? 0 : -EPROTO;
}

/*
 * The backend's "stats" lines that start with prefix, each parsed by parse
 * into the next of max records of size bytes at out; *count of them.
 */
static int stats_lines(uint32_t domid, const char *prefix,
		       int (*parse)(const char *line, void *record),
		       void *out, size_t size, uint32_t max, uint32_t *count)
{
	char *reply = malloc(IO_REPLY_MAX), *line, *save = NULL;
	int rc;

	*count = 0;
	if (!reply)
		return -ENOMEM;
	rc = transact(domid, "stats\n", reply, IO_REPLY_MAX);
	for (line = rc ? NULL : strtok_r(reply, "\n", &save); line && *count < max;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, prefix, strlen(prefix)))
			continue;	/* another kind of device's line */
		rc = parse(line, (char *)out + (size_t)*count * size);
		if (rc)
			break;
		(*count)++;
	}
	free(reply);
	return rc;
}

static int parse_disk_line(const char *line, void *record)
{
	return hv_io_parse_stats_line(line, record);
}

int hv_io_stats(uint32_t domid, struct hv_io_disk_stats *out, uint32_t max,
		uint32_t *count)
{
	return stats_lines(domid, "disk=", parse_disk_line, out, sizeof(*out),
			   max, count);
}

int hv_io_ping(uint32_t domid)
{
	char reply[64];

	return transact(domid, "ping\n", reply, sizeof(reply));
}

int hv_io_limit(uint32_t domid, uint32_t disk, uint64_t bps, uint64_t iops)
{
	char request[128], reply[256];

	snprintf(request, sizeof(request),
		 "limit %" PRIu32 " bps=%" PRIu64 " iops=%" PRIu64 "\n",
		 disk, bps, iops);
	return transact(domid, request, reply, sizeof(reply));
}

/* --- network interfaces ------------------------------------------------------------ */

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "52:54:00:12:34:56" exactly: six pairs of hex digits and five colons. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EINVAL;
	for (unsigned i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int hv_net_spec_parse(const char *spec, struct hv_net_spec *out,
		      char *why, size_t why_len)
{
	char buf[256];
	char *item, *save = NULL;
	bool first = true;

	memset(out, 0, sizeof(*out));
	if (!spec || strlen(spec) >= sizeof(buf))
		return why_fail(why, why_len, "net option too long", NULL);
	strcpy(buf, spec);
	if (buf[0] == ',' || buf[0] == '\0')
		return why_fail(why, why_len, "no interface name", NULL);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save), first = false) {
		if (first) {
			/* The kernel's rule for interface names (dev_valid_name):
			 * 1 to 15 bytes, not "." or "..", no '/', ':' or blank. */
			if (strlen(item) > HV_IO_IFNAME_MAX)
				return why_fail(why, why_len,
						"interface name longer than 15:", item);
			if (!strcmp(item, ".") || !strcmp(item, "..") ||
			    strchr(item, '='))
				return why_fail(why, why_len, "bad interface name", item);
			for (const char *c = item; *c; c++)
				if (*c <= ' ' || *c > '~' || *c == '/' || *c == ':')
					return why_fail(why, why_len,
							"bad interface name", item);
			strcpy(out->ifname, item);
		} else if (!strncmp(item, "mac=", 4)) {
			if (parse_mac(item + 4, out->mac))
				return why_fail(why, why_len, "bad MAC in", item);
			if (out->mac[0] & 1)
				return why_fail(why, why_len, "multicast MAC in", item);
			if (!(out->mac[0] | out->mac[1] | out->mac[2] |
			      out->mac[3] | out->mac[4] | out->mac[5]))
				return why_fail(why, why_len, "zero MAC in", item);
			out->have_mac = true;
		} else if (!strncmp(item, "rx_bps=", 7)) {
			if (parse_u64(item + 7, &out->rx_bps))
				return why_fail(why, why_len, "bad number in", item);
		} else if (!strncmp(item, "tx_bps=", 7)) {
			if (parse_u64(item + 7, &out->tx_bps))
				return why_fail(why, why_len, "bad number in", item);
		} else {
			return why_fail(why, why_len, "unknown net option", item);
		}
	}
	return 0;
}

void hv_net_default_mac(uint32_t domid, unsigned nic, uint8_t mac[6])
{
	mac[0] = 0x02;			/* locally administered, unicast */
	mac[1] = 'h';
	mac[2] = 'v';
	mac[3] = (uint8_t)(domid >> 8);
	mac[4] = (uint8_t)domid;
	mac[5] = (uint8_t)nic;
}

int hv_io_parse_net_stats_line(const char *line, struct hv_io_net_stats *s)
{
	struct { const char *key; uint64_t *v; } keys[] = {
		{ "rx_bps", &s->rx_bps }, { "tx_bps", &s->tx_bps },
		{ "rx_bytes", &s->rx_bytes }, { "tx_bytes", &s->tx_bytes },
		{ "rx_packets", &s->rx_packets }, { "tx_packets", &s->tx_packets },
		{ "throttled_ns", &s->throttled_ns }, { "errors", &s->errors },
	};
	const unsigned nkeys = sizeof(keys) / sizeof(keys[0]);
	char buf[512], *tok, *save = NULL, *name;
	uint64_t v;
	unsigned seen = 0;

	memset(s, 0, sizeof(*s));
	if (strlen(line) >= sizeof(buf))
		return -EPROTO;
	strcpy(buf, line);
	buf[strcspn(buf, "\n")] = '\0';
	/* ifname= is last, as path= is for a disk. */
	name = strstr(buf, " ifname=");
	if (!name || !name[8] || strlen(name + 8) > HV_IO_IFNAME_MAX)
		return -EPROTO;
	strcpy(s->ifname, name + 8);
	*name = '\0';
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return -EPROTO;
		*eq = '\0';
		if (!strcmp(tok, "mac")) {
			if (parse_mac(eq + 1, s->mac))
				return -EPROTO;
			seen |= 1u << 29;
			continue;
		}
		if (parse_u64(eq + 1, &v))
			return -EPROTO;
		if (!strcmp(tok, "net") && v < HV_IO_DISKS_MAX) {
			s->dev = (uint32_t)v;
			seen |= 1u << 30;
			continue;
		}
		for (unsigned i = 0; i < nkeys; i++) {
			if (!strcmp(tok, keys[i].key)) {
				*keys[i].v = v;
				seen |= 1u << i;
				break;
			}
		}
		/* Unknown keys are newer counters: skipped. */
	}
	return seen == ((1u << 30) | (1u << 29) | ((1u << nkeys) - 1)) ? 0 : -EPROTO;
}

static int parse_net_line(const char *line, void *record)
{
	return hv_io_parse_net_stats_line(line, record);
}

int hv_io_net_stats(uint32_t domid, struct hv_io_net_stats *out, uint32_t max,
		    uint32_t *count)
{
	return stats_lines(domid, "net=", parse_net_line, out, sizeof(*out),
			   max, count);
}

int hv_io_net_limit(uint32_t domid, uint32_t dev, int64_t rx_bps,
		    int64_t tx_bps)
{
	char request[128], reply[256];
	int n = snprintf(request, sizeof(request), "limit %" PRIu32, dev);

	if (rx_bps >= 0)
		n += snprintf(request + n, sizeof(request) - (size_t)n,
			      " rx_bps=%" PRId64, rx_bps);
	if (tx_bps >= 0)
		n += snprintf(request + n, sizeof(request) - (size_t)n,
			      " tx_bps=%" PRId64, tx_bps);
	snprintf(request + n, sizeof(request) - (size_t)n, "\n");
	return transact(domid, request, reply, sizeof(reply));
}
