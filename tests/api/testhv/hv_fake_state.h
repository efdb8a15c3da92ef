// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_fake_state.h - what hv_fake.c and hv_fake_io.c, the two halves of
 * the hypervisor's test double, share: its state (the domains, kept in a
 * JSON file), the test faults of one operation, and the helpers both use.
 * Private to tests/api/testhv/.
 */
#ifndef PROVISIOND_TESTHV_HV_FAKE_STATE_H
#define PROVISIOND_TESTHV_HV_FAKE_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "hv_backend.h"

#define FAKE_PATH_MAX	1100
#define FAKE_CONSOLE_MAX	(64 * 1024)

struct fake {
	struct hv_backend ops;
	pthread_mutex_t lock;		/* guards state and the state file */
	json_t *state;			/* {"next_domid": N, "domains": [...]} */
	char state_path[FAKE_PATH_MAX];
	char faults_path[FAKE_PATH_MAX];
	char blocked_path[FAKE_PATH_MAX];
	char counters_path[FAKE_PATH_MAX];
	bool guests_rebooted;		/* reboot-guests has fired */
};

struct fault {
	int delay_ms;
	bool block;
	bool block_after;
	bool ignore;
	bool reboot_guests;
	bool firstboot_silent, firstboot_fail;
	int fail;			/* 0, HV_E* or -errno */
	long console_flood;		/* bytes per console read */
};

static inline struct fake *fake_of(struct hv_backend *hv)
{
	return hv->priv;
}

/* hv_fake.c: the faults file's rules for op applied (delay, block); its
 * fail rule's error, or 0. */
int fake_before_op(struct fake *f, const char *op, struct fault *fl);
/* hv_fake.c: writes the state file (atomically); 0 or -EIO. */
int fake_save(struct fake *f);
json_t *fake_domains(struct fake *f);
json_t *fake_find_by_id(struct fake *f, uint32_t domid, size_t *index);
uint32_t fake_dom_state(json_t *d);
uint64_t fake_dom_cpu_ns(json_t *d);

/* hv_fake_io.c: the guest writes n bytes on its console. */
void fake_console_write(json_t *d, const char *bytes, size_t n);
/* hv_fake_io.c: the interface as the state file keeps it (null: none). */
json_t *fake_nic_json(const struct hvb_nic *nic);
/* hv_fake_io.c: a counter of the domain called name from the counters file. */
bool fake_counter_of(struct fake *f, const char *name, const char *key, uint64_t *value);

/* hv_fake_io.c: the backend operations of a running domain. */
int fake_console(struct hv_backend *hv, uint32_t domid, uint64_t *pos,
		 char *buf, size_t size, size_t *got);
int fake_console_input(struct hv_backend *hv, uint32_t domid,
		       const char *buf, size_t len, size_t *taken);
int fake_cpu_usage(struct hv_backend *hv, uint32_t domid, uint64_t *ns);
int fake_io_counters(struct hv_backend *hv, uint32_t domid, struct hvb_io_counters *out);
int fake_net_limit(struct hv_backend *hv, uint32_t domid, uint64_t rx_bps, uint64_t tx_bps);
int fake_physinfo(struct hv_backend *hv, struct hv_physinfo *out);
int fake_nic_apply(struct hv_backend *hv, uint32_t domid, const struct hvb_nic *nic,
		   char *why, size_t len);

#endif
