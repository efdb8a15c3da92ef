// SPDX-License-Identifier: GPL-2.0-only
//
// What happened and what it cost: jobs, the audit log, usage export, and
// the appliance's own state.

import * as api from "../api.js";
import { h, replace, table, field, select, fmtTime, fmtBytes } from "../dom.js";

export async function jobsPage(main) {
	document.title = "Jobs · Control panel";
	const q = new URLSearchParams(location.search);
	const state = q.get("state") || "";
	const page = await api.get("/v1/jobs", { limit: 200, state });
	const filter = h("form", { class: "filters", method: "get", action: "/admin/jobs" },
		field("State", select("state", [["", "Any"], ["queued", "queued"], ["running", "running"],
			["succeeded", "succeeded"], ["failed", "failed"]], state)),
		h("button", { type: "submit" }, "Filter"));
	replace(main, h("h1", null, "Jobs"), filter,
		table(["Job", "Kind", "State", "Server", "Created", "Finished", "Error"], page.items.map((j) => h("tr", null,
			h("td", { class: "mono" }, j.id), h("td", null, j.kind), h("td", null, j.state),
			h("td", null, h("a", { href: "/servers/" + j.server_id, class: "mono" }, j.server_id)),
			h("td", null, fmtTime(j.created_at)), h("td", null, fmtTime(j.finished_at)),
			h("td", null, j.error ? j.error.code + ": " + j.error.message : "")))));
}

export async function auditPage(main) {
	document.title = "Audit log · Control panel";
	const q = new URLSearchParams(location.search);
	const action = q.get("action") || "";
	// The log is oldest first: read it all (up to a bound) and show the newest.
	const items = (await api.listAll("/v1/audit", { action }, 20000)).slice(-300).reverse();
	const filter = h("form", { class: "filters", method: "get", action: "/admin/audit" },
		field("Action", h("input", { name: "action", value: action, placeholder: "server.create" })),
		h("button", { type: "submit" }, "Filter"));
	replace(main, h("h1", null, "Audit log"), filter,
		table(["When", "Actor", "Action", "Target", "Result", "Detail"], items.map((a) => h("tr", null,
			h("td", null, fmtTime(a.at)), h("td", { class: "mono" }, a.actor + " (" + a.actor_scope + ")"),
			h("td", null, a.action), h("td", { class: "mono" }, a.target_id || "—"),
			h("td", null, a.result === "ok" ? "ok" : (a.status || "") + " " + (a.error_code || "")),
			h("td", null, a.detail || ""))), "The newest 300 entries"));
}

export async function usagePage(main) {
	document.title = "Usage · Control panel";
	const tenants = await api.listAll("/v1/tenants");
	const now = new Date();
	const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
	const link = h("a", { id: "usage-download", class: "button", download: "usage.csv" }, "Download CSV");
	const form = h("form", { class: "card filters", id: "usage-form" },
		h("h2", null, "Export"),
		field("Tenant", select("tenant_id", [["", "All tenants"], ...tenants.map((t) => [t.id, t.name])], "")),
		field("From (UTC)", h("input", { type: "date", name: "from", value: month })),
		field("To (UTC)", h("input", { type: "date", name: "to", value: now.toISOString().slice(0, 10) })),
		field("Periods", select("granularity", [["hour", "hours"], ["day", "days"], ["month", "months"]], "day")),
		link);
	// The link is a plain GET the browser downloads with the session cookie.
	function update() {
		const d = new FormData(form);
		const p = new URLSearchParams({ format: "csv", granularity: d.get("granularity"),
			from: d.get("from") + "T00:00:00Z", to: d.get("to") + "T23:00:00Z", limit: "10000" });
		if (d.get("tenant_id")) p.set("tenant_id", d.get("tenant_id"));
		link.href = "/v1/usage?" + p.toString();
	}
	form.addEventListener("input", update);
	form.addEventListener("submit", (ev) => ev.preventDefault());
	update();
	const records = await api.listAll("/v1/usage");
	replace(main, h("h1", null, "Usage"), form,
		h("h2", null, "CPU time since creation"),
		table(["Server", "Hostname", "Tenant", "CPU time", "Sampled", "Deleted"], records.map((u) => h("tr", null,
			h("td", { class: "mono" }, u.server_id), h("td", null, u.hostname), h("td", { class: "mono" }, u.tenant_id),
			h("td", null, (u.cpu_time_ns / 1e9).toFixed(1) + " s"), h("td", null, fmtTime(u.sampled_at)),
			h("td", null, fmtTime(u.deleted_at))))));
}

export async function systemPage(main) {
	document.title = "Appliance · Control panel";
	const s = await api.get("/v1/system");
	const v = s.volume_pool;
	const rows = [
		["Version", s.version], ["Hypervisor backend", s.hv_backend], ["Started", fmtTime(s.started_at)],
		["Database schema", s.schema_version],
		["TLS", s.tls.enabled ? "on, certificate SHA-256 " + s.tls.fingerprint_sha256 : "off"],
		["Volume pool", v.path + (v.usable ? "" : " — not usable: " + v.problem)],
		["Pool size", fmtBytes(v.size_bytes) + ", free " + fmtBytes(v.free_bytes) + ", provisioned " +
			fmtBytes(v.provisioned_bytes) + " (overcommit " + v.overcommit + ")"],
		["Last reconciliation", fmtTime(s.reconcile.at) + ": " + s.reconcile.jobs_resumed + " jobs resumed, " +
			s.reconcile.orphans.length + " orphan domains, " + s.reconcile.foreign_domains.length + " other domains"],
	];
	// Fields a newer provisiond adds (CPUs, memory, domains) are shown as they come.
	for (const [k, val] of Object.entries(s))
		if (!["version", "hv_backend", "started_at", "schema_version", "tls", "volume_pool", "reconcile"].includes(k))
			rows.push([k, typeof val === "object" ? JSON.stringify(val) : String(val)]);
	replace(main, h("h1", null, "Appliance"),
		h("dl", { class: "summary", id: "system" }, rows.map(([k, val]) => [h("dt", null, k), h("dd", null, String(val))])));
}
