// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv_fake_io.c - the TEST DOUBLE's side of a running domain (hv_fake.c
 * says what the fake is and is not): its console, the usage counters the
 * tests set in "<state>.counters", its network interface and limits, and
 * the machine's physinfo.  Each operation takes its test faults first
 * (fake_before_op) and the state's lock for what it reads or changes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hv_fake_state.h"
#include "log.h"
#include "util.h"

/* The guest writes n bytes (ASCII) on its console: the last
 * FAKE_CONSOLE_MAX are kept, like the hypervisor's ring. */
void fake_console_write(json_t *d, const char *bytes, size_t n)
{
	const char *old = json_string_value(json_object_get(d, "console"));
	size_t old_len = old ? strlen(old) : 0, keep_from = 0;
	json_int_t dropped = json_integer_value(json_object_get(d, "console_dropped"));
	char *text = malloc(old_len + n + 1);

	if (!text)
		return;
	memcpy(text, old ? old : "", old_len);
	memcpy(text + old_len, bytes, n);
	text[old_len + n] = '\0';
	if (old_len + n > FAKE_CONSOLE_MAX)
		keep_from = old_len + n - FAKE_CONSOLE_MAX;
	json_object_set_new(d, "console", json_string(text + keep_from));
	json_object_set_new(d, "console_dropped", json_integer(dropped + (json_int_t)keep_from));
	free(text);
}

/* The interface as the tests check it: tap, MAC, addresses, firewall,
 * rate limits (net_limit counts its changes in limit_changes). */
json_t *fake_nic_json(const struct hvb_nic *nic)
{
	json_t *addrs = json_array(), *allow = json_array();

	if (!nic)
		return json_null();
	for (uint32_t i = 0; i < nic->naddrs; i++)
		json_array_append_new(addrs, json_string(nic->addrs[i]));
	for (uint32_t i = 0; i < nic->nallow; i++)
		json_array_append_new(allow, json_string(nic->allow[i]));
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:i, s:i, s:I, s:I, s:i}",
			 "tap", nic->tap, "mac", nic->mac, "addrs", addrs,
			 "inbound", nic->inbound_deny ? "deny" : "allow", "allow", allow,
			 "forward_host_port", (int)nic->fwd_host_port,
			 "forward_port", (int)nic->fwd_port,
			 "rx_bps", (json_int_t)nic->rx_bps, "tx_bps", (json_int_t)nic->tx_bps,
			 "limit_changes", 0);
}

int fake_console(struct hv_backend *hv, uint32_t domid, uint64_t *pos,
		 char *buf, size_t size, size_t *got)
{
	struct fake *f = fake_of(hv);
	size_t index, len;
	uint64_t base;
	const char *text;
	struct fault fl;
	json_t *d;
	int err = fake_before_op(f, "console", &fl);

	*got = 0;
	if (err)
		return err;
	pthread_mutex_lock(&f->lock);
	d = fake_find_by_id(f, domid, &index);
	if (!d) {
		pthread_mutex_unlock(&f->lock);
		return HV_EINVAL;
	}
	if (fl.console_flood > 0 && fake_dom_state(d) == HV_DOMAIN_RUNNING) {
		static const char line[] = "flood flood flood flood flood flood flood\r\n";
		size_t n = (size_t)fl.console_flood;
		char *junk = malloc(n);

		if (junk) {
			for (size_t i = 0; i < n; i++)
				junk[i] = line[i % (sizeof(line) - 1)];
			fake_console_write(d, junk, n);
			free(junk);
		}
	}
	/* Positions count from the guest's first byte; the dropped ones are
	 * skipped, as the hypervisor's console read does. */
	base = (uint64_t)json_integer_value(json_object_get(d, "console_dropped"));
	text = json_string_value(json_object_get(d, "console"));
	len = text ? strlen(text) : 0;
	if (*pos < base)
		*pos = base;
	if (*pos < base + len) {
		size_t off = (size_t)(*pos - base);

		*got = len - off < size ? len - off : size;
		memcpy(buf, text + off, *got);
		*pos += *got;
	}
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/* Typing on the console: the guest echoes it (see the top). */
int fake_console_input(struct hv_backend *hv, uint32_t domid,
		       const char *buf, size_t len, size_t *taken)
{
	struct fake *f = fake_of(hv);
	struct fault fl;
	char *echo;
	json_t *d;
	int err = fake_before_op(f, "console_input", &fl);

	*taken = 0;
	if (err)
		return err;
	echo = malloc(len + 1);
	if (!echo)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		echo[i] = (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' ||
			  c == '\t' ? (char)c : '?';
	}
	pthread_mutex_lock(&f->lock);
	d = fake_find_by_id(f, domid, NULL);
	if (d && fake_dom_state(d) == HV_DOMAIN_RUNNING) {
		fake_console_write(d, echo, len);
		*taken = len;
	} else {
		err = HV_EINVAL;
	}
	pthread_mutex_unlock(&f->lock);
	free(echo);
	return err;
}

/*
 * The value of key in the counters file's line for the domain called name
 * (see the top); false if the file, the line or the key is not there.
 */
bool fake_counter_of(struct fake *f, const char *name, const char *key,
		     uint64_t *value)
{
	FILE *fp = fopen(f->counters_path, "r");
	char line[2048], want[80];
	bool found = false;
	size_t nlen = strlen(name);

	if (!fp)
		return false;
	snprintf(want, sizeof(want), " %s=", key);
	while (!found && fgets(line, sizeof(line), fp)) {
		char *at;

		if (strncmp(line, name, nlen) != 0 || line[nlen] != ' ')
			continue;
		at = strstr(line + nlen, want);
		if (at) {
			*value = strtoull(at + strlen(want), NULL, 10);
			found = true;
		}
	}
	fclose(fp);
	return found;
}

int fake_cpu_usage(struct hv_backend *hv, uint32_t domid, uint64_t *ns)
{
	struct fake *f = fake_of(hv);
	struct fault fl;
	json_t *d;
	int err = fake_before_op(f, "cpu_usage", &fl);

	if (err)
		return err;
	pthread_mutex_lock(&f->lock);
	d = fake_find_by_id(f, domid, NULL);
	if (d && !fake_counter_of(f, json_string_value(json_object_get(d, "name")),
			     "cpu_time_ns", ns))
		*ns = fake_dom_cpu_ns(d);
	pthread_mutex_unlock(&f->lock);
	return d ? 0 : HV_EINVAL;
}

int fake_io_counters(struct hv_backend *hv, uint32_t domid,
		     struct hvb_io_counters *out)
{
	struct fake *f = fake_of(hv);
	struct fault fl;
	const char *name;
	json_t *d;
	int err = fake_before_op(f, "io_counters", &fl);

	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&f->lock);
	d = fake_find_by_id(f, domid, NULL);
	name = d ? json_string_value(json_object_get(d, "name")) : NULL;
	if (name) {
		fake_counter_of(f, name, "disk_read_bytes", &out->disk_read_bytes);
		fake_counter_of(f, name, "disk_write_bytes", &out->disk_write_bytes);
		fake_counter_of(f, name, "disk_read_ops", &out->disk_read_ops);
		fake_counter_of(f, name, "disk_write_ops", &out->disk_write_ops);
		fake_counter_of(f, name, "net_rx_bytes", &out->net_rx_bytes);
		fake_counter_of(f, name, "net_tx_bytes", &out->net_tx_bytes);
		fake_counter_of(f, name, "net_rx_packets", &out->net_rx_packets);
		fake_counter_of(f, name, "net_tx_packets", &out->net_tx_packets);
		fake_counter_of(f, name, "disk_throttled_ns", &out->disk_throttled_ns);
		fake_counter_of(f, name, "net_throttled_ns", &out->net_throttled_ns);
	}
	pthread_mutex_unlock(&f->lock);
	return d ? 0 : HV_EINVAL;
}

int fake_net_limit(struct hv_backend *hv, uint32_t domid, uint64_t rx_bps,
		   uint64_t tx_bps)
{
	struct fake *f = fake_of(hv);
	struct fault fl;
	json_t *d, *nic;
	int err = fake_before_op(f, "net_limit", &fl);

	if (err)
		return err;
	pthread_mutex_lock(&f->lock);
	d = fake_find_by_id(f, domid, NULL);
	nic = d ? json_object_get(d, "nic") : NULL;
	if (!d)
		err = HV_EINVAL;
	else if (!nic)
		err = -ENODEV;
	else {
		json_object_set_new(nic, "rx_bps", json_integer((json_int_t)rx_bps));
		json_object_set_new(nic, "tx_bps", json_integer((json_int_t)tx_bps));
		json_object_set_new(nic, "limit_changes", json_integer(
			json_integer_value(json_object_get(nic, "limit_changes")) + 1));
		err = fake_save(f);
	}
	pthread_mutex_unlock(&f->lock);
	return err;
}

/* A machine of FAKE_RAM_BYTES, dom0 holding FAKE_DOM0_RAM_BYTES, each
 * domain its memory: what /metrics reports as free is checkable. */
#define FAKE_RAM_BYTES		(16ULL << 30)
#define FAKE_DOM0_RAM_BYTES	(1ULL << 30)

int fake_physinfo(struct hv_backend *hv, struct hv_physinfo *out)
{
	struct fake *f = fake_of(hv);
	uint64_t used = 0;
	struct fault fl;
	size_t i;
	json_t *d;
	int err = fake_before_op(f, "physinfo", &fl);

	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&f->lock);
	json_array_foreach(fake_domains(f), i, d)
		used += (uint64_t)json_integer_value(json_object_get(d, "memory_mib")) << 20;
	pthread_mutex_unlock(&f->lock);
	out->abi_version = HV_ABI_VERSION;
	out->nr_cpus = 2;
	out->nr_dom0_cpus = 1;
	out->total_ram_bytes = FAKE_RAM_BYTES;
	out->dom0_ram_bytes = FAKE_DOM0_RAM_BYTES;
	out->domain_free_bytes = FAKE_RAM_BYTES - FAKE_DOM0_RAM_BYTES -
				 (used < FAKE_RAM_BYTES - FAKE_DOM0_RAM_BYTES ? used :
				  FAKE_RAM_BYTES - FAKE_DOM0_RAM_BYTES);
	str_copy(out->version, "fake", sizeof(out->version));
	return 0;
}

int fake_nic_apply(struct hv_backend *hv, uint32_t domid, const struct hvb_nic *nic,
		   char *why, size_t len)
{
	struct fake *f = fake_of(hv);
	struct fault fl;
	json_t *d;
	int err = fake_before_op(f, "nic_apply", &fl);

	if (err) {
		snprintf(why, len, "hv-netfilter apply --if %s: failed (test fault)", nic->tap);
		return err;
	}
	pthread_mutex_lock(&f->lock);
	d = fake_find_by_id(f, domid, NULL);
	if (d) {
		json_object_set_new(d, "nic", fake_nic_json(nic));
		json_object_set_new(d, "nic_applies", json_integer(
			json_integer_value(json_object_get(d, "nic_applies")) + 1));
		err = fake_save(f);
	} else {
		snprintf(why, len, "domain %u does not exist", domid);
		err = HV_EINVAL;
	}
	pthread_mutex_unlock(&f->lock);
	return err;
}
