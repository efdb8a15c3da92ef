// SPDX-License-Identifier: GPL-2.0-only
/* version.h - provisiond's version: the repository's VERSION file, passed by
 * build.mk as -DPROVISIOND_VERSION="...". */
#ifndef PROVISIOND_VERSION_H
#define PROVISIOND_VERSION_H

#ifndef PROVISIOND_VERSION
#define PROVISIOND_VERSION "unknown"
#endif

/* The REST API's version: api/openapi.yaml's info.version, and the /v1 of
 * its paths. */
#define API_VERSION "1"

#endif
