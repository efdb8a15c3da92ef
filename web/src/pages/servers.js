// SPDX-License-Identifier: GPL-2.0-only
//
// The list of servers: a customer's own (the API shows a customer only its
// tenant's), or for the hoster every server, with filters by tenant, state
// and text, and a form to create one.

import * as api from "../api.js";
import { h, replace, table, stateBadge, addresses, field, select } from "../dom.js";
import { onSubmit } from "../ui.js";
import { navigate } from "../router.js";

export async function serversPage(main) {
	document.title = "Servers · Control panel";
	const admin = api.session.user.role === "admin";
	const [servers, plans, tenants] = await Promise.all([
		api.listAll("/v1/servers"),
		api.listAll("/v1/plans"),
		admin ? api.listAll("/v1/tenants") : Promise.resolve([]),
	]);
	const planName = new Map(plans.map((p) => [p.id, p.name]));
	const tenantName = new Map(tenants.map((t) => [t.id, t.name]));

	const q = new URLSearchParams(location.search);
	const filters = {
		tenant: q.get("tenant") || "", state: q.get("state") || "", text: q.get("q") || "",
	};
	const body = h("div", { id: "server-list" });

	function rows() {
		const text = filters.text.toLowerCase();
		return servers.filter((s) =>
			(!filters.tenant || s.tenant_id === filters.tenant) &&
			(!filters.state || (filters.state === "suspended" ? s.suspended : s.actual_state === filters.state)) &&
			(!text || s.hostname.toLowerCase().includes(text) || s.id.includes(text) ||
			 addresses(s).includes(text) || (s.external_id || "").toLowerCase().includes(text)));
	}

	function draw() {
		const list = rows();
		const headers = ["Hostname", "State", "Addresses", "Plan"];
		if (admin) headers.push("Tenant");
		replace(body, table(headers, list.map((s) => h("tr", { dataset: { id: s.id } },
			h("td", null, h("a", { href: "/servers/" + s.id, class: "hostname" }, s.hostname)),
			h("td", null, stateBadge(s)),
			h("td", { class: "addr" }, addresses(s)),
			h("td", null, planName.get(s.plan_id) || s.plan_id),
			admin ? h("td", null, tenantName.get(s.tenant_id) || s.tenant_id) : null)),
			list.length + " of " + servers.length + " servers"));
		// For make bench-web: when the list became usable.
		performance.mark("server-list-drawn");
	}

	const parts = [h("h1", null, admin ? "All servers" : "Your servers")];
	if (admin) {
		const form = h("form", { class: "filters", role: "search" },
			field("Tenant", select("tenant", [["", "Any"], ...tenants.map((t) => [t.id, t.name])], filters.tenant)),
			field("State", select("state", [["", "Any"], ["running", "running"], ["stopped", "stopped"],
				["provisioning", "provisioning"], ["crashed", "crashed"], ["suspended", "suspended"]], filters.state)),
			field("Search", h("input", { type: "search", name: "q", value: filters.text })));
		form.addEventListener("input", () => {
			const d = new FormData(form);
			filters.tenant = d.get("tenant"); filters.state = d.get("state"); filters.text = d.get("q");
			draw();
		});
		form.addEventListener("submit", (ev) => ev.preventDefault());
		parts.push(form);
	}
	parts.push(body);
	if (admin) parts.push(createForm(tenants, plans));
	draw();
	replace(main, ...parts);
}

// The hoster makes a server for a tenant: from a template (with root
// password) or a kernel image.
function createForm(tenants, plans) {
	const sources = h("select", { name: "source", required: true });
	Promise.all([api.listAll("/v1/templates"), api.listAll("/v1/images")]).then(([templates, images]) => {
		replace(sources,
			templates.map((t) => h("option", { value: "template:" + t.id }, "Template: " + t.name)),
			images.map((i) => h("option", { value: "image:" + i.id }, "Image: " + i.name)));
	});
	const form = h("form", { id: "create-server", class: "card" },
		h("h2", null, "Create a server"),
		field("Tenant", select("tenant_id", tenants.map((t) => [t.id, t.name]))),
		field("Plan", select("plan_id", plans.filter((p) => p.available).map((p) => [p.id, p.name]))),
		field("System", sources),
		field("Hostname", h("input", { name: "hostname", required: true, maxlength: 253 })),
		field("Root password", h("input", { name: "root_password", type: "password", minlength: 8,
			autocomplete: "new-password" }), "Templates only; leave empty to log in with a key."),
		h("button", { type: "submit", class: "primary" }, "Create"));
	onSubmit(form, async (d) => {
		const [kind, id] = String(d.get("source")).split(":");
		const body = { tenant_id: d.get("tenant_id"), plan_id: d.get("plan_id"), hostname: d.get("hostname") };
		body[kind === "template" ? "template_id" : "image_id"] = id;
		if (kind === "template" && d.get("root_password")) body.root_password = d.get("root_password");
		const r = await api.post("/v1/servers", body);
		navigate("/servers/" + r.server.id + "?job=" + r.job.id);
	});
	return form;
}
