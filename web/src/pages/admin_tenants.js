// SPDX-License-Identifier: GPL-2.0-only
//
// The hoster's tenants and their tokens.  A token's secret is shown once,
// right after it is made (the API keeps only its hash).

import * as api from "../api.js";
import { h, replace, table, field, fmtTime } from "../dom.js";
import { onSubmit, action, button } from "../ui.js";

export async function tenantsPage(main) {
	document.title = "Tenants · Control panel";
	const tenants = await api.listAll("/v1/tenants");
	const form = h("form", { id: "create-tenant", class: "card" },
		h("h2", null, "New tenant"),
		field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
		field("External id", h("input", { name: "external_id", maxlength: 128 }), "Your billing system's id (optional)."),
		h("button", { type: "submit", class: "primary" }, "Create tenant"));
	onSubmit(form, async (d) => {
		const body = { name: d.get("name") };
		if (d.get("external_id")) body.external_id = d.get("external_id");
		const t = await api.post("/v1/tenants", body);
		await tenantsPage(main);
		return "Tenant " + t.name + " created (" + t.id + ").";
	});
	replace(main, h("h1", null, "Tenants"),
		table(["Name", "Id", "External id", "Created"], tenants.map((t) => h("tr", { dataset: { id: t.id } },
			h("td", null, h("a", { href: "/admin/tenants/" + t.id, class: "tenant-name" }, t.name)),
			h("td", { class: "mono" }, t.id), h("td", null, t.external_id || "—"),
			h("td", null, fmtTime(t.created_at))))),
		form);
}

export async function tenantPage(main, { id }) {
	const tenant = await api.get("/v1/tenants/" + encodeURIComponent(id));
	document.title = tenant.name + " · Control panel";
	const [tokens, servers] = await Promise.all([
		api.listAll("/v1/tokens", { tenant_id: id }),
		api.listAll("/v1/servers", { tenant_id: id }),
	]);
	const secretBox = h("div", { id: "token-secret", "aria-live": "polite" });
	const form = h("form", { id: "create-token", class: "card" },
		h("h2", null, "New customer token"),
		field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
		h("button", { type: "submit", class: "primary" }, "Create token"), secretBox);
	onSubmit(form, async (d) => {
		const r = await api.post("/v1/tokens", { name: d.get("name"), scope: "customer", tenant_id: id });
		await tenantPage(main, { id });
		const box = document.getElementById("token-secret");
		replace(box, h("p", null, "The token's secret, shown only now: give it to the customer."),
			h("output", { class: "secret mono", id: "new-token-secret" }, r.secret));
		return "Token " + r.token.name + " created.";
	});
	replace(main,
		h("p", null, h("a", { href: "/admin/tenants" }, "← Tenants")),
		h("h1", null, tenant.name),
		h("p", { class: "mono" }, tenant.id),
		h("h2", null, "Servers"),
		table(["Hostname", "State"], servers.map((s) => h("tr", null,
			h("td", null, h("a", { href: "/servers/" + s.id }, s.hostname)),
			h("td", null, s.suspended ? "suspended" : s.actual_state)))),
		h("h2", null, "Tokens"),
		table(["Name", "Created", "Expires", "Last used", "State", ""], tokens.map((t) => h("tr", null,
			h("td", null, t.name), h("td", null, fmtTime(t.created_at)), h("td", null, fmtTime(t.expires_at)),
			h("td", null, fmtTime(t.last_used_at)), h("td", null, t.revoked_at ? "revoked" : "active"),
			h("td", null, t.revoked_at ? null : action(button("Revoke", { "aria-label": "Revoke " + t.name }), async () => {
				await api.del("/v1/tokens/" + t.id);
				await tenantPage(main, { id });
				return "Token " + t.name + " revoked.";
			}))))),
		form);
}
