// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev_forward.h - reaching servers from the host under `make run`
 * (docs/networking.md): with the setting dev_port_forward_base = BASE
 * (make run passes 22000), a server with an IPv4 address gets one of
 * dom0's TCP ports BASE..BASE+DEV_FORWARD_SLOTS-1, which hv-netfilter
 * forwards to the server's port 22 (apply --forward), and which QEMU's
 * user network forwards from the host's 127.0.0.1 at the same number
 * (packaging/run-qemu.sh).  The server's JSON shows it as
 * "forwards": [{"host_port": P, "port": 22}] ([] when off or none free).
 *
 * A port is given when a server's domain is made (its first start or any
 * later one, job_exec.c), kept for the server's life, and freed when the
 * server is deleted (a trigger, migration 9).  SQLite's UNIQUE keeps a
 * port from ever being two servers'.  On real hardware the setting is 0
 * and nothing here does anything.
 */
#ifndef PROVISIOND_DEV_FORWARD_H
#define PROVISIOND_DEV_FORWARD_H

#include <sqlite3.h>

#include "hv_backend.h"

#define DEV_FORWARD_SLOTS	16	/* run-qemu.sh forwards as many */
#define DEV_FORWARD_PORT	22	/* the server's ssh */

/* The server's forwards as the API shows them (a column's SQL). */
#define DEV_FORWARD_SERVER_SQL \
	"(SELECT json_group_array(json_object('host_port', f.host_port, 'port', f.port))" \
	" FROM server_forwards f WHERE f.server_id = servers.id)"

/* The setting; 0 turns the feature off. */
void dev_forward_init(int base);

/* Gives the server a port if the feature is on, the server has an IPv4
 * address and none yet, and one is free (a full range is only logged).
 * Its own write transaction.  0, or -1 on a database error. */
int dev_forward_assign(const char *server_id);

/* The server's forward into nic (fwd_host_port 0: none). 0 or -1. */
int dev_forward_load(sqlite3 *db, const char *server_id, struct hvb_nic *nic);

#endif
