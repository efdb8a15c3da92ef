// SPDX-License-Identifier: GPL-2.0-only
/*
 * migrations.c - the database schema, as an ordered list of migrations.
 *
 * A database records each migration applied to it in schema_migrations;
 * at startup db_migrate() applies the newer ones, each in one transaction,
 * so a crash in the middle of an upgrade leaves the previous version intact.
 * Never edit a migration that has shipped: add a new one at the end.
 *
 * Conventions: every resource has `seq` (its order of creation: lists are
 * paginated on it) and `id` (the public, random "<type>_<16 hex>" id).
 * Times are epoch seconds.  The audit log has no foreign keys on purpose:
 * it outlives what it talks about.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "util.h"

static const char schema_v1[] =
	"CREATE TABLE tenants ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  external_id TEXT UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"

	/* hash: SHA-256 of the whole token string; the token itself is
	 * shown once at creation and never stored. */
	"CREATE TABLE tokens ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  scope TEXT NOT NULL CHECK (scope IN ('admin', 'customer')),"
	"  tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32),"
	"  created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER,"
	"  revoked_at INTEGER,"
	"  last_used_at INTEGER,"
	"  CHECK ((scope = 'admin') = (tenant_id IS NULL))"
	");"
	"CREATE INDEX tokens_tenant ON tokens(tenant_id, seq);"

	/* disk_* / net_* / transfer_gib: filled in by later issues (disks,
	 * I/O and network quotas); stored and returned, not enforced yet. */
	"CREATE TABLE plans ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL UNIQUE,"
	"  vcpus INTEGER NOT NULL CHECK (vcpus BETWEEN 1 AND 64),"
	"  memory_mib INTEGER NOT NULL CHECK (memory_mib >= 16),"
	"  cpu_weight INTEGER NOT NULL CHECK (cpu_weight BETWEEN 1 AND 65535),"
	"  cpu_cap_pct INTEGER NOT NULL CHECK (cpu_cap_pct >= 0),"
	"  disk_gib INTEGER,"
	"  disk_iops INTEGER,"
	"  disk_mbps INTEGER,"
	"  net_mbps INTEGER,"
	"  transfer_gib INTEGER,"
	"  available INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"

	"CREATE TABLE images ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL UNIQUE,"
	"  kernel_path TEXT NOT NULL,"
	"  initrd_path TEXT,"
	"  cmdline TEXT NOT NULL DEFAULT '',"
	"  available INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"

	/* A deleted server keeps its row (deleted_at set) for its jobs and
	 * its final usage; plan_id and image_id only become NULL for such
	 * rows, when the plan or image is deleted later.  The domain's name
	 * in the hypervisor is the server's id. */
	"CREATE TABLE servers ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  plan_id TEXT REFERENCES plans(id) ON DELETE SET NULL,"
	"  image_id TEXT REFERENCES images(id) ON DELETE SET NULL,"
	"  hostname TEXT NOT NULL,"
	"  external_id TEXT,"
	"  desired_state TEXT NOT NULL"
	"    CHECK (desired_state IN ('running', 'stopped', 'deleted')),"
	"  actual_state TEXT NOT NULL CHECK (actual_state IN"
	"    ('provisioning', 'running', 'paused', 'stopped', 'crashed', 'deleted')),"
	"  suspended INTEGER NOT NULL DEFAULT 0,"
	"  domain_id INTEGER,"
	"  cpu_time_base_ns INTEGER NOT NULL DEFAULT 0,"
	"  cpu_time_live_ns INTEGER NOT NULL DEFAULT 0,"
	"  usage_sampled_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  deleted_at INTEGER"
	");"
	"CREATE UNIQUE INDEX servers_external_id ON servers(external_id)"
	"  WHERE external_id IS NOT NULL AND deleted_at IS NULL;"
	"CREATE INDEX servers_tenant ON servers(tenant_id, seq);"
	"CREATE INDEX servers_plan ON servers(plan_id);"
	"CREATE INDEX servers_image ON servers(image_id);"

	/* At most one queued or running job per server: the index is the
	 * backstop behind the 409 the API answers first. */
	"CREATE TABLE jobs ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,"
	"  tenant_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('create', 'start', 'stop', 'reboot',"
	"    'suspend', 'unsuspend', 'change_plan', 'reinstall', 'delete')),"
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),"
	"  params TEXT NOT NULL DEFAULT '{}',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  error_code TEXT,"
	"  error_message TEXT,"
	"  error_retryable INTEGER NOT NULL DEFAULT 0,"
	"  created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  started_at INTEGER,"
	"  finished_at INTEGER"
	");"
	"CREATE UNIQUE INDEX jobs_one_active ON jobs(server_id)"
	"  WHERE state IN ('queued', 'running');"
	"CREATE INDEX jobs_server ON jobs(server_id, seq);"
	"CREATE INDEX jobs_state ON jobs(state, seq);"
	"CREATE INDEX jobs_tenant ON jobs(tenant_id, seq);"

	/* A retried POST with the same Idempotency-Key (per principal: the
	 * admin scope, or one tenant) gets the stored first response. */
	"CREATE TABLE idempotency_keys ("
	"  principal TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  fingerprint BLOB NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  location TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (principal, key)"
	");"
	"CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);"

	"CREATE TABLE audit_log ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  actor_scope TEXT NOT NULL CHECK (actor_scope IN ('admin', 'customer', 'system')),"
	"  actor_tenant_id TEXT,"
	"  action TEXT NOT NULL,"
	"  target_type TEXT,"
	"  target_id TEXT,"
	"  tenant_id TEXT,"
	"  result TEXT NOT NULL CHECK (result IN ('ok', 'error')),"
	"  status INTEGER,"
	"  error_code TEXT,"
	"  request_id TEXT,"
	"  detail TEXT"
	");"
	"CREATE INDEX audit_tenant ON audit_log(tenant_id, seq);"
	"CREATE INDEX audit_target ON audit_log(target_id, seq);";

/*
 * Tokens made with a customer token are derived from it (parent_id): they
 * never outlive it (auth_check() walks the chain) and die with it.  The
 * tokens such a token made before this migration are linked to it here,
 * and take their ancestors' revocation and earliest expiry.
 *
 * usage_records keeps the final usage of every server row that is deleted
 * (a tenant's deletion takes its deleted servers with it): billing records
 * outlive what they are about, for usage_retention_days.  seq is the
 * server's own, so that one order covers live and kept records.
 */
static const char schema_v2[] =
	"ALTER TABLE tokens ADD COLUMN parent_id TEXT"
	"  REFERENCES tokens(id) ON DELETE CASCADE;"
	"UPDATE tokens SET parent_id = created_by"
	"  WHERE created_by IN (SELECT id FROM tokens WHERE scope = 'customer');"
	"CREATE INDEX tokens_parent ON tokens(parent_id);"
	/* ... and they show what they now are: revoked with a revoked
	 * ancestor, expiring no later than every ancestor (ancestry: every
	 * (token, ancestor) pair; UNION ends even on a cycle). */
	"CREATE TEMP TABLE ancestry AS WITH RECURSIVE up(id, ancestor) AS ("
	"  SELECT id, parent_id FROM tokens WHERE parent_id IS NOT NULL"
	"  UNION SELECT up.id, t.parent_id FROM up JOIN tokens t ON t.id = up.ancestor"
	"  WHERE t.parent_id IS NOT NULL)"
	"  SELECT up.id, min(a.revoked_at) AS revoked_at, min(a.expires_at) AS expires_at"
	"  FROM up JOIN tokens a ON a.id = up.ancestor GROUP BY up.id;"
	"UPDATE tokens SET"
	"  revoked_at = coalesce(revoked_at,"
	"    (SELECT revoked_at FROM ancestry WHERE ancestry.id = tokens.id)),"
	"  expires_at = min(coalesce(expires_at, 9e18), coalesce("
	"    (SELECT expires_at FROM ancestry WHERE ancestry.id = tokens.id), 9e18))"
	"  WHERE id IN (SELECT id FROM ancestry);"
	"UPDATE tokens SET expires_at = NULL WHERE expires_at >= 9e18;"
	"DROP TABLE ancestry;"

	"CREATE TABLE usage_records ("
	"  seq INTEGER PRIMARY KEY,"
	"  server_id TEXT NOT NULL UNIQUE,"
	"  tenant_id TEXT NOT NULL,"
	"  external_id TEXT,"
	"  hostname TEXT NOT NULL,"
	"  cpu_time_ns INTEGER NOT NULL,"
	"  sampled_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  deleted_at INTEGER NOT NULL"
	");"
	"CREATE INDEX usage_records_tenant ON usage_records(tenant_id, seq);"
	"CREATE INDEX usage_records_deleted ON usage_records(deleted_at);"
	"CREATE TRIGGER servers_keep_usage AFTER DELETE ON servers BEGIN"
	"  INSERT OR REPLACE INTO usage_records (seq, server_id, tenant_id,"
	"    external_id, hostname, cpu_time_ns, sampled_at, created_at, deleted_at)"
	"  VALUES (OLD.seq, OLD.id, OLD.tenant_id, OLD.external_id, OLD.hostname,"
	"    OLD.cpu_time_base_ns + OLD.cpu_time_live_ns, OLD.usage_sampled_at,"
	"    OLD.created_at, coalesce(OLD.deleted_at, CAST(strftime('%s', 'now') AS INTEGER)));"
	"END;";

/*
 * What a customer may do: one row per tenant whose policy an admin has set
 * (api_policy.c); a tenant without a row follows the configured defaults.
 * A NULL limit is no limit; allowed_plan_ids is a JSON array of plan ids,
 * or NULL for every available plan.
 */
static const char schema_v3[] =
	"CREATE TABLE tenant_policies ("
	"  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
	"  max_servers INTEGER CHECK (max_servers >= 0),"
	"  max_vcpus INTEGER CHECK (max_vcpus >= 0),"
	"  max_memory_mib INTEGER CHECK (max_memory_mib >= 0),"
	"  max_disk_gib INTEGER CHECK (max_disk_gib >= 0),"
	"  max_ips INTEGER CHECK (max_ips >= 0),"
	"  allowed_plan_ids TEXT CHECK (allowed_plan_ids IS NULL OR json_type(allowed_plan_ids) = 'array'),"
	"  plan_changes TEXT NOT NULL CHECK (plan_changes IN ('none', 'upgrade', 'any')),"
	"  updated_at INTEGER NOT NULL"
	");";

/*
 * Disks (issue 13).  A server's disks are files in the volume pool, one
 * row each: a root volume cloned from a template, an optional data
 * volume, the NoCloud seed.  A row is written (state 'pending') in the
 * same transaction as the request that needs the volume, so the capacity
 * check and the reservation are one; the job makes the file and marks it
 * 'ready'; the reconciler marks a ready row whose file is gone 'missing'
 * and removes pool files with no row.  A reinstall's new root volume is
 * 'staged' until its job swaps it in (ready) and deletes the old root's
 * row in one transaction.  path is made from the volume's id
 * (never from user input) and never shared.
 *
 * Templates are the OS images root volumes are cloned from; plans gain
 * the sizes of the disks they give.
 */
static const char schema_v4[] =
	"CREATE TABLE templates ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL UNIQUE,"
	"  path TEXT NOT NULL,"
	"  os TEXT NOT NULL,"
	"  version TEXT,"
	"  cmdline TEXT NOT NULL DEFAULT '',"
	"  min_disk_gib INTEGER NOT NULL CHECK (min_disk_gib >= 1),"
	"  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),"
	"  sha256 TEXT NOT NULL,"
	"  available INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"ALTER TABLE plans ADD COLUMN root_disk_gib INTEGER NOT NULL DEFAULT 0"
	"  CHECK (root_disk_gib >= 0);"
	"ALTER TABLE plans ADD COLUMN data_disk_gib INTEGER NOT NULL DEFAULT 0"
	"  CHECK (data_disk_gib >= 0);"
	"ALTER TABLE servers ADD COLUMN template_id TEXT"
	"  REFERENCES templates(id) ON DELETE SET NULL;"
	"CREATE INDEX servers_template ON servers(template_id);"
	/* What the seed gives the guest: the root password's yescrypt hash
	 * (never the password), the SSH keys (a JSON array of key lines),
	 * and the seed's generation (its instance-id's number: a new seed,
	 * a new number, applied at the next boot). */
	"ALTER TABLE servers ADD COLUMN root_password_hash TEXT;"
	"ALTER TABLE servers ADD COLUMN ssh_keys TEXT CHECK (ssh_keys IS NULL OR"
	"  json_type(ssh_keys) = 'array');"
	"ALTER TABLE servers ADD COLUMN seed_generation INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE volumes ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('root', 'data', 'seed')),"
	"  path TEXT NOT NULL UNIQUE,"
	"  size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),"
	"  template_id TEXT,"
	"  state TEXT NOT NULL CHECK (state IN ('pending', 'staged', 'ready', 'missing')),"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX volumes_server ON volumes(server_id, kind);";

/*
 * Address management (ipam.c, docs/addressing.md).  A pool's indices
 * first_idx..last_idx are what it hands out (gateway_idx, if in that
 * space, never); an index is an IPv4 address, an IPv6 address or an IPv6
 * /64 (assign_prefix_len).  An allocation row lives from allocated_at to
 * released_at and is then kept for the quarantine.  What makes a double
 * allocation impossible is ip_allocations_live, not the code.  A released
 * row outlives its server (server_id SET NULL); a live one cannot
 * (the CHECK).  Servers release their addresses when marked deleted
 * (servers_release_addresses), in that same transaction.
 *
 * servers.mac: a locally administered unicast MAC for the server's life;
 * servers made before get one from their seq (02:00:...), unique by
 * construction.
 */
static const char schema_v5[] =
	"CREATE TABLE ip_pools ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL UNIQUE,"
	"  family INTEGER NOT NULL CHECK (family IN (4, 6)),"
	"  network TEXT NOT NULL UNIQUE,"
	"  prefix_len INTEGER NOT NULL,"
	"  gateway TEXT NOT NULL,"
	"  range_start TEXT NOT NULL,"
	"  range_end TEXT NOT NULL,"
	"  first_idx INTEGER NOT NULL CHECK (first_idx >= 0),"
	"  last_idx INTEGER NOT NULL CHECK (last_idx >= first_idx),"
	"  gateway_idx INTEGER,"
	"  dns TEXT NOT NULL DEFAULT '[]' CHECK (json_type(dns) = 'array'),"
	"  assign_prefix_len INTEGER NOT NULL CHECK (assign_prefix_len IN (32, 64, 128)),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE TABLE ip_allocations ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  pool_id TEXT NOT NULL REFERENCES ip_pools(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL CHECK (idx >= 0),"
	"  address TEXT NOT NULL,"
	"  family INTEGER NOT NULL CHECK (family IN (4, 6)),"
	"  server_id TEXT REFERENCES servers(id) ON DELETE SET NULL,"
	"  is_primary INTEGER NOT NULL DEFAULT 0,"
	"  allocated_at INTEGER NOT NULL,"
	"  released_at INTEGER,"
	"  CHECK (server_id IS NOT NULL OR released_at IS NOT NULL)"
	");"
	"CREATE UNIQUE INDEX ip_allocations_live ON ip_allocations(pool_id, idx)"
	"  WHERE released_at IS NULL;"
	"CREATE UNIQUE INDEX ip_allocations_one_primary ON ip_allocations(server_id, family)"
	"  WHERE released_at IS NULL AND is_primary = 1;"
	"CREATE INDEX ip_allocations_pool ON ip_allocations(pool_id, idx);"
	"CREATE INDEX ip_allocations_server ON ip_allocations(server_id);"
	/* A pool with live allocations cannot go (the API answers 409 first). */
	"CREATE TRIGGER ip_pools_in_use BEFORE DELETE ON ip_pools"
	"  WHEN EXISTS (SELECT 1 FROM ip_allocations WHERE pool_id = OLD.id"
	"    AND released_at IS NULL)"
	"  BEGIN SELECT RAISE(ABORT, 'ip pool has live allocations'); END;"
	"CREATE TRIGGER servers_release_addresses AFTER UPDATE OF deleted_at ON servers"
	"  WHEN NEW.deleted_at IS NOT NULL BEGIN"
	"  UPDATE ip_allocations SET released_at = NEW.deleted_at"
	"    WHERE server_id = NEW.id AND released_at IS NULL;"
	"END;"
	"CREATE TRIGGER servers_release_addresses_on_delete BEFORE DELETE ON servers BEGIN"
	"  UPDATE ip_allocations SET released_at ="
	"    coalesce(OLD.deleted_at, CAST(strftime('%s', 'now') AS INTEGER))"
	"    WHERE server_id = OLD.id AND released_at IS NULL;"
	"END;"
	"ALTER TABLE servers ADD COLUMN mac TEXT;"
	"UPDATE servers SET mac = printf('02:00:%02x:%02x:%02x:%02x', (seq >> 24) & 255,"
	"  (seq >> 16) & 255, (seq >> 8) & 255, seq & 255);"
	"CREATE UNIQUE INDEX servers_mac ON servers(mac);";

/*
 * Usage meters (usage.h, docs/usage.md).  usage_hourly holds one row per
 * server and UTC hour, one exact INTEGER per meter; usage_cursors the raw
 * reading each server's next delta starts from, with the domain instance
 * it is of: (generation, domid), generation being servers.domain_generation,
 * which a job bumps before it creates a domain (domain ids are slots the
 * hypervisor reuses).  Neither refers to servers: both outlive the row,
 * for usage_retention_days, like usage_records.  Plans gain a monthly
 * traffic allowance and what happens past it; servers remember the month
 * (its first second, UTC) the overage policy was applied in.
 */
static const char schema_v6[] =
	"CREATE TABLE usage_hourly ("
	"  server_id TEXT NOT NULL,"
	"  tenant_id TEXT NOT NULL,"
	"  hour_start INTEGER NOT NULL CHECK (hour_start % 3600 = 0),"
	"  cpu_ns INTEGER NOT NULL DEFAULT 0,"
	"  steal_ns INTEGER NOT NULL DEFAULT 0,"
	"  disk_read_bytes INTEGER NOT NULL DEFAULT 0,"
	"  disk_write_bytes INTEGER NOT NULL DEFAULT 0,"
	"  disk_read_ops INTEGER NOT NULL DEFAULT 0,"
	"  disk_write_ops INTEGER NOT NULL DEFAULT 0,"
	"  net_rx_bytes INTEGER NOT NULL DEFAULT 0,"
	"  net_tx_bytes INTEGER NOT NULL DEFAULT 0,"
	"  net_rx_packets INTEGER NOT NULL DEFAULT 0,"
	"  net_tx_packets INTEGER NOT NULL DEFAULT 0,"
	"  disk_kib_seconds INTEGER NOT NULL DEFAULT 0,"
	"  address_seconds INTEGER NOT NULL DEFAULT 0,"
	"  existed_seconds INTEGER NOT NULL DEFAULT 0,"
	"  running_seconds INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (server_id, hour_start)"
	") WITHOUT ROWID;"
	"CREATE INDEX usage_records_server ON usage_records(server_id);"
	"CREATE TABLE usage_cursors ("
	"  server_id TEXT PRIMARY KEY,"
	"  generation INTEGER NOT NULL,"
	"  domid INTEGER NOT NULL,"
	"  sampled_at INTEGER NOT NULL,"
	"  cpu_ns INTEGER NOT NULL, steal_ns INTEGER NOT NULL,"
	"  disk_read_bytes INTEGER NOT NULL, disk_write_bytes INTEGER NOT NULL,"
	"  disk_read_ops INTEGER NOT NULL, disk_write_ops INTEGER NOT NULL,"
	"  net_rx_bytes INTEGER NOT NULL, net_tx_bytes INTEGER NOT NULL,"
	"  net_rx_packets INTEGER NOT NULL, net_tx_packets INTEGER NOT NULL,"
	"  month_start INTEGER NOT NULL,"
	"  month_traffic_bytes INTEGER NOT NULL"
	");"
	/* Existing servers are metered from the upgrade on: their running
	 * domain (domid -1 never matches) counts as new at the first sample. */
	"INSERT INTO usage_cursors SELECT id, 0, -1, CAST(strftime('%s', 'now') AS INTEGER),"
	"  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM servers WHERE deleted_at IS NULL;"
	"ALTER TABLE servers ADD COLUMN domain_generation INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE servers ADD COLUMN traffic_overage_month INTEGER;"
	"ALTER TABLE servers ADD COLUMN traffic_overage_policy TEXT;"
	"ALTER TABLE plans ADD COLUMN traffic_allowance_gib INTEGER NOT NULL DEFAULT 0"
	"  CHECK (traffic_allowance_gib >= 0);"
	"ALTER TABLE plans ADD COLUMN overage_policy TEXT NOT NULL DEFAULT 'throttle'"
	"  CHECK (overage_policy IN ('throttle', 'suspend'));"
	"ALTER TABLE plans ADD COLUMN overage_rate_mbps INTEGER NOT NULL DEFAULT 0"
	"  CHECK (overage_rate_mbps >= 0);";

/*
 * Webhooks (webhook.h, docs/webhooks.md): the hoster's endpoints, and the
 * outbox.  event_emit() inserts one delivery row per matching enabled
 * endpoint in the transaction that made the change, so an event exists iff
 * its change committed; the delivery thread works through the pending
 * rows and records each attempt's outcome.  The secret is kept as given:
 * it is the HMAC key every delivery is signed with (never answered).
 */
static const char schema_v7[] =
	"CREATE TABLE webhooks ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  url TEXT NOT NULL,"
	"  secret TEXT NOT NULL,"
	"  event_types TEXT NOT NULL,"		/* JSON array of type names */
	"  enabled INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE TABLE webhook_deliveries ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,"
	"  event_id TEXT NOT NULL,"
	"  event_type TEXT NOT NULL,"
	"  body TEXT NOT NULL,"			/* the JSON POSTed, as signed */
	"  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_status INTEGER,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  next_attempt_at INTEGER,"		/* NULL once final */
	"  delivered_at INTEGER,"
	"  UNIQUE (webhook_id, event_id)"
	");"
	"CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(webhook_id,"
	"  next_attempt_at, seq)"
	"  WHERE state = 'pending';"
	"CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, seq);"
	"CREATE INDEX webhook_deliveries_final ON webhook_deliveries(created_at)"
	"  WHERE state <> 'pending';";

/*
 * Web panel sessions (session.h): a cookie stands for an API token.  The
 * row keeps SHA-256 of the cookie's value, never the value; the CSRF token
 * is no credential on its own (it is useless without the cookie).  A
 * session acts as its token: deleting the token (its tenant) deletes it.
 */
static const char schema_v8[] =
	"CREATE TABLE sessions ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  token_id TEXT NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,"
	"  csrf_token TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL"
	");"
	"CREATE INDEX sessions_token ON sessions(token_id);"
	"CREATE INDEX sessions_expiry ON sessions(expires_at);";

/*
 * Migration 9: a server's inbound firewall (PUT /v1/servers/{id}/firewall,
 * api_firewall.c): the default policy and the allow rules, a JSON array
 * of canonical rule strings (firewall.h).  No row: everything is let in,
 * as before.  Applied by hv-netfilter with the rest of the server's
 * network (server_net.c).
 *
 * server_forwards: make run's port forwards (dev_forward.c): dom0's TCP
 * host_port goes to the server's port; a host port is never two
 * servers'; a deleted server's forward is freed at once.
 */
static const char schema_v9[] =
	"CREATE TABLE server_firewalls ("
	"  server_id TEXT PRIMARY KEY REFERENCES servers(id) ON DELETE CASCADE,"
	"  inbound_default TEXT NOT NULL CHECK (inbound_default IN ('allow', 'deny')),"
	"  inbound TEXT NOT NULL DEFAULT '[]' CHECK (json_type(inbound) = 'array'),"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE TABLE server_forwards ("
	"  server_id TEXT PRIMARY KEY REFERENCES servers(id) ON DELETE CASCADE,"
	"  host_port INTEGER NOT NULL UNIQUE CHECK (host_port BETWEEN 1 AND 65535),"
	"  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535)"
	");"
	"CREATE TRIGGER servers_free_forwards AFTER UPDATE OF deleted_at ON servers"
	"  WHEN NEW.deleted_at IS NOT NULL BEGIN"
	"  DELETE FROM server_forwards WHERE server_id = NEW.id;"
	"END;";

/*
 * Migration 10: each server's counters summed over all its hours, kept by
 * triggers on usage_hourly, so that /v1/metrics reads one row per server
 * instead of every hour the server ever had (api_metrics.c).  usage_hourly
 * is only added to by an upsert (an INSERT or an UPDATE: usage_store.c)
 * and deleted from by the retention purge, which deletes the totals of the
 * servers it purges too (monitor.c).
 */
static const char schema_v10[] =
	"CREATE TABLE usage_totals ("
	"  server_id TEXT PRIMARY KEY,"
	"  cpu_ns INTEGER NOT NULL DEFAULT 0,"
	"  steal_ns INTEGER NOT NULL DEFAULT 0,"
	"  disk_read_bytes INTEGER NOT NULL DEFAULT 0,"
	"  disk_write_bytes INTEGER NOT NULL DEFAULT 0,"
	"  disk_read_ops INTEGER NOT NULL DEFAULT 0,"
	"  disk_write_ops INTEGER NOT NULL DEFAULT 0,"
	"  net_rx_bytes INTEGER NOT NULL DEFAULT 0,"
	"  net_tx_bytes INTEGER NOT NULL DEFAULT 0,"
	"  net_rx_packets INTEGER NOT NULL DEFAULT 0,"
	"  net_tx_packets INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE TRIGGER usage_totals_add AFTER INSERT ON usage_hourly BEGIN"
	"  INSERT INTO usage_totals (server_id, cpu_ns, steal_ns, disk_read_bytes,"
	"    disk_write_bytes, disk_read_ops, disk_write_ops, net_rx_bytes, net_tx_bytes,"
	"    net_rx_packets, net_tx_packets)"
	"  VALUES (NEW.server_id, NEW.cpu_ns, NEW.steal_ns, NEW.disk_read_bytes,"
	"    NEW.disk_write_bytes, NEW.disk_read_ops, NEW.disk_write_ops, NEW.net_rx_bytes,"
	"    NEW.net_tx_bytes, NEW.net_rx_packets, NEW.net_tx_packets)"
	"  ON CONFLICT (server_id) DO UPDATE SET"
	"    cpu_ns = cpu_ns + excluded.cpu_ns,"
	"    steal_ns = steal_ns + excluded.steal_ns,"
	"    disk_read_bytes = disk_read_bytes + excluded.disk_read_bytes,"
	"    disk_write_bytes = disk_write_bytes + excluded.disk_write_bytes,"
	"    disk_read_ops = disk_read_ops + excluded.disk_read_ops,"
	"    disk_write_ops = disk_write_ops + excluded.disk_write_ops,"
	"    net_rx_bytes = net_rx_bytes + excluded.net_rx_bytes,"
	"    net_tx_bytes = net_tx_bytes + excluded.net_tx_bytes,"
	"    net_rx_packets = net_rx_packets + excluded.net_rx_packets,"
	"    net_tx_packets = net_tx_packets + excluded.net_tx_packets;"
	"END;"
	"CREATE TRIGGER usage_totals_change AFTER UPDATE ON usage_hourly BEGIN"
	"  UPDATE usage_totals SET"
	"    cpu_ns = cpu_ns + NEW.cpu_ns - OLD.cpu_ns,"
	"    steal_ns = steal_ns + NEW.steal_ns - OLD.steal_ns,"
	"    disk_read_bytes = disk_read_bytes + NEW.disk_read_bytes - OLD.disk_read_bytes,"
	"    disk_write_bytes = disk_write_bytes + NEW.disk_write_bytes - OLD.disk_write_bytes,"
	"    disk_read_ops = disk_read_ops + NEW.disk_read_ops - OLD.disk_read_ops,"
	"    disk_write_ops = disk_write_ops + NEW.disk_write_ops - OLD.disk_write_ops,"
	"    net_rx_bytes = net_rx_bytes + NEW.net_rx_bytes - OLD.net_rx_bytes,"
	"    net_tx_bytes = net_tx_bytes + NEW.net_tx_bytes - OLD.net_tx_bytes,"
	"    net_rx_packets = net_rx_packets + NEW.net_rx_packets - OLD.net_rx_packets,"
	"    net_tx_packets = net_tx_packets + NEW.net_tx_packets - OLD.net_tx_packets"
	"  WHERE server_id = NEW.server_id;"
	"END;"
	/* What the server had counted before this migration. */
	"INSERT INTO usage_totals (server_id, cpu_ns, steal_ns, disk_read_bytes,"
	"  disk_write_bytes, disk_read_ops, disk_write_ops, net_rx_bytes, net_tx_bytes,"
	"  net_rx_packets, net_tx_packets)"
	"  SELECT server_id, sum(cpu_ns), sum(steal_ns), sum(disk_read_bytes),"
	"    sum(disk_write_bytes), sum(disk_read_ops), sum(disk_write_ops),"
	"    sum(net_rx_bytes), sum(net_tx_bytes), sum(net_rx_packets), sum(net_tx_packets)"
	"  FROM usage_hourly GROUP BY server_id;";

const struct migration db_migrations[] = {
	{ 1, "initial schema: tenants, tokens, plans, images, servers, jobs, "
	     "idempotency keys, audit log", schema_v1 },
	{ 2, "derived tokens (tokens.parent_id); usage records that outlive "
	     "their servers", schema_v2 },
	{ 3, "tenant policies: quotas, allowed plans, plan changes", schema_v3 },
	{ 4, "disks: templates, volumes, plans' root and data disk sizes; servers'"
	     " credentials for the seed", schema_v4 },
	{ 5, "address management: IP pools, allocations, servers' MACs", schema_v5 },
	{ 6, "usage meters: hourly buckets, cursors, domain generations;"
	     " plans' traffic allowance", schema_v6 },
	{ 7, "webhooks: endpoints and the delivery outbox", schema_v7 },
	{ 8, "web panel sessions", schema_v8 },
	{ 9, "servers' inbound firewall rules; make run's port forwards", schema_v9 },
	{ 10, "usage totals per server, kept by triggers", schema_v10 },
};

const size_t db_migrations_count = sizeof(db_migrations) / sizeof(db_migrations[0]);

int db_schema_version(sqlite3 *c)
{
	return (int)db_int(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0);
}

int db_migrate(sqlite3 *c, const struct migration *list, size_t count,
	       char *err, size_t errlen)
{
	int current, newest = 0;
	char *msg = NULL;

	for (size_t i = 0; i < count; i++) {
		if (list[i].version <= newest) {
			snprintf(err, errlen, "migration %d (%s) is out of order",
				 list[i].version, list[i].name);
			return -1;
		}
		newest = list[i].version;
	}

	if (sqlite3_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			    "  version INTEGER PRIMARY KEY,"
			    "  name TEXT NOT NULL,"
			    "  applied_at INTEGER NOT NULL)",
			 NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "schema_migrations: %s", msg ? msg : "failed");
		sqlite3_free(msg);
		return -1;
	}
	current = db_schema_version(c);
	if (current > newest) {
		snprintf(err, errlen,
			 "database schema version %d is newer than this provisiond knows (%d)",
			 current, newest);
		return -1;
	}

	for (size_t i = 0; i < count; i++) {
		const struct migration *m = &list[i];

		if (m->version <= current)
			continue;
		if (sqlite3_exec(c, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(c, m->sql, NULL, NULL, &msg) != SQLITE_OK ||
		    db_run(c, "INSERT INTO schema_migrations (version, name, applied_at)"
			      " VALUES (?, ?, ?)", "dsi",
			   m->version, m->name, now_s()) != SQLITE_OK ||
		    sqlite3_exec(c, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migration %d (%s): %s", m->version,
				 m->name, msg ? msg : sqlite3_errmsg(c));
			sqlite3_free(msg);
			sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}
