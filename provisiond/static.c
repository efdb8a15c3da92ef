// SPDX-License-Identifier: GPL-2.0-only
/*
 * static.c - the web panel's files (see static.h).
 *
 * Caching: index.html (and every page route, which is index.html) is
 * "no-cache": the browser revalidates it each time, so a new panel is
 * seen at once.  Files under /assets/ are named by the build after their
 * content hash, so they never change: cached for a year, immutable.
 * Everything else is revalidated.  Revalidation is by ETag (inode, size,
 * modification time): If-None-Match with a current tag answers 304.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "static.h"
#include "util.h"

static int root_fd = -1;

static const char csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; "
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
	"base-uri 'none'; form-action 'self'";

void web_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

static bool segment_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("-_.~@+", c);
}

enum static_target static_resolve(const char *path, char rel[STATIC_REL_MAX])
{
	const char *seg, *last = NULL;
	size_t n;

	rel[0] = '\0';
	if (!path || path[0] != '/')
		return STATIC_NONE;
	if (strcmp(path, "/v1") == 0 || strncmp(path, "/v1/", 4) == 0)
		return STATIC_NONE;
	if (strcmp(path, "/") == 0) {
		str_copy(rel, "index.html", STATIC_REL_MAX);
		return STATIC_FILE;
	}
	n = strlen(path + 1);
	if (n >= STATIC_REL_MAX)
		return STATIC_NONE;

	/* Each segment: allowed characters, not empty, no leading dot.  A
	 * trailing slash ends a page route ("/servers/"). */
	for (seg = path + 1; *seg; ) {
		size_t len = strcspn(seg, "/");

		if (len == 0 || seg[0] == '.')
			return STATIC_NONE;
		for (size_t i = 0; i < len; i++)
			if (!segment_char(seg[i]))
				return STATIC_NONE;
		last = seg;
		seg += len;
		if (*seg == '/') {
			seg++;
			if (*seg == '\0') {
				memcpy(rel, path + 1, n - 1);
				rel[n - 1] = '\0';
				return STATIC_PAGE;
			}
		}
	}
	memcpy(rel, path + 1, n + 1);
	return memchr(last, '.', strcspn(last, "/")) ? STATIC_FILE : STATIC_PAGE;
}

const char *static_content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ "html", "text/html; charset=utf-8" },
		{ "js", "text/javascript; charset=utf-8" },
		{ "mjs", "text/javascript; charset=utf-8" },
		{ "css", "text/css; charset=utf-8" },
		{ "svg", "image/svg+xml" },
		{ "png", "image/png" },
		{ "ico", "image/x-icon" },
		{ "json", "application/json" },
		{ "map", "application/json" },
		{ "woff2", "font/woff2" },
		{ "txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(name, '.');

	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

void static_init(const char *web_root)
{
	static_close();
	if (!web_root || !web_root[0])
		return;
	root_fd = open(web_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		log_info("web panel: %s: %s; serving the API only", web_root,
			 strerror(errno));
	else
		log_info("web panel: serving %s", web_root);
}

void static_close(void)
{
	if (root_fd >= 0)
		close(root_fd);
	root_fd = -1;
}

/*
 * Opens rel (segments already checked) under the root, one directory at a
 * time, following no symlink.  A regular file's descriptor, or -1.
 */
static int open_beneath(const char *rel, struct stat *st)
{
	char part[STATIC_REL_MAX];
	const char *p = rel;
	int dir = root_fd, fd = -1;

	for (;;) {
		size_t len = strcspn(p, "/");

		memcpy(part, p, len);
		part[len] = '\0';
		if (p[len] == '\0') {
			fd = openat(dir, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
				    O_NONBLOCK);
			break;
		}
		fd = openat(dir, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dir != root_fd)
			close(dir);
		if (fd < 0)
			return -1;
		dir = fd;
		fd = -1;
		p += len + 1;
	}
	if (dir != root_fd)
		close(dir);
	if (fd >= 0 && (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* If-None-Match: a list of tags (weak or strong: compared weakly) or *. */
static bool etag_matches(const char *header, const char *etag)
{
	size_t elen = strlen(etag);

	if (!header)
		return false;
	while (*header) {
		size_t len;

		header += strspn(header, " \t,");
		if (strncmp(header, "W/", 2) == 0)
			header += 2;
		len = strcspn(header, " \t,");
		if ((len == 1 && header[0] == '*') ||
		    (len == elen && memcmp(header, etag, elen) == 0))
			return true;
		header += len;
	}
	return false;
}

static bool accepts_html(struct MHD_Connection *conn)
{
	const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT);

	return accept && strstr(accept, "text/html");
}

bool static_answer(struct MHD_Connection *conn, const char *method,
		   const char *path, enum MHD_Result *ret, int *status)
{
	char rel[STATIC_REL_MAX], etag[80];
	enum static_target t;
	struct MHD_Response *resp;
	struct stat st;
	bool index, not_modified;
	int fd;

	if (root_fd < 0 || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0))
		return false;
	t = static_resolve(path, rel);
	if (t == STATIC_NONE)
		return false;
	/* "/" is also the API's index: a browser gets the panel. */
	if (strcmp(path, "/") == 0 && !accepts_html(conn))
		return false;

	fd = open_beneath(rel, &st);
	if (fd < 0 && t == STATIC_PAGE) {
		str_copy(rel, "index.html", sizeof(rel));
		fd = open_beneath(rel, &st);
	}
	if (fd < 0)
		return false;
	index = strcmp(rel, "index.html") == 0;

	snprintf(etag, sizeof(etag), "\"%llx-%llx-%llx\"",
		 (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
		 (unsigned long long)st.st_mtim.tv_nsec);
	not_modified = etag_matches(MHD_lookup_connection_value(conn,
			MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH), etag);
	if (not_modified) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	} else {
		resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
		if (!resp)
			close(fd);
		else
			MHD_add_response_header(resp, "Content-Type",
						static_content_type(rel));
	}
	if (!resp) {
		*ret = MHD_NO;
		*status = 500;
		return true;
	}
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Cache-Control",
				!index && strncmp(rel, "assets/", 7) == 0 ?
				"public, max-age=31536000, immutable" : "no-cache");
	web_security_headers(resp);
	*status = not_modified ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
	*ret = MHD_queue_response(conn, (unsigned int)*status, resp);
	MHD_destroy_response(resp);
	return true;
}
