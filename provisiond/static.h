// SPDX-License-Identifier: GPL-2.0-only
/*
 * static.h - the web panel's files, served from web_root, and the security
 * headers every answer carries (docs/web-panel.md).
 *
 * GET and HEAD of a path outside /v1 are looked up under web_root:
 *   /                      index.html, for a client that accepts text/html
 *                          (a browser); others get the API's JSON index
 *   /a/b.js                the file a/b.js, if it is a regular file
 *   /servers/srv_1         no extension: a page of the panel's client-side
 *                          router; the file if it exists, else index.html
 * Anything else, and every path when web_root does not exist, goes on to
 * the router, which answers 404 in the API's error shape.
 *
 * Never outside web_root: a path is refused unless every segment is
 * letters, digits and "-_.~@+", not starting with '.' (no "..", no hidden
 * files), and the file is opened one directory at a time with O_NOFOLLOW
 * from a descriptor of web_root: no symlink is followed, inside or out.
 */
#ifndef PROVISIOND_STATIC_H
#define PROVISIOND_STATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <microhttpd.h>

#define STATIC_REL_MAX	512

enum static_target {
	STATIC_NONE,		/* not the panel's: the router answers */
	STATIC_FILE,		/* a file (it has an extension) */
	STATIC_PAGE,		/* a page route: the file, else index.html */
};

/* Where path (as decoded by libmicrohttpd) points under web_root: rel gets
 * the relative path ("index.html" for "/"). */
enum static_target static_resolve(const char *path, char rel[STATIC_REL_MAX]);

/* The Content-Type for a file name, by its extension. */
const char *static_content_type(const char *name);

/* Opens web_root (a missing one means no panel: logged, not an error). */
void static_init(const char *web_root);
void static_close(void);

/*
 * Answers a GET or HEAD from the panel's files if it is theirs: true with
 * *ret and *status (200, 304) set when a response was queued, false to let
 * the router answer.
 */
bool static_answer(struct MHD_Connection *conn, const char *method,
		   const char *path, enum MHD_Result *ret, int *status);

/* Content-Security-Policy and the other headers of every answer. */
void web_security_headers(struct MHD_Response *resp);

#endif
