// SPDX-License-Identifier: GPL-2.0-only
//
// What the hoster sells and from what: plans, templates, IP pools.

import * as api from "../api.js";
import { h, replace, table, field, select, fmtBytes } from "../dom.js";
import { onSubmit, action, button } from "../ui.js";

function num(d, name) {
	const v = d.get(name);
	return v === null || v === "" ? undefined : Number(v);
}

export async function plansPage(main) {
	document.title = "Plans · Control panel";
	const plans = await api.listAll("/v1/plans");
	const form = h("form", { id: "create-plan", class: "card grid-form" },
		h("h2", null, "New plan"),
		field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
		field("vCPUs", h("input", { name: "vcpus", type: "number", min: 1, max: 8, value: "1", required: true })),
		field("Memory (MiB)", h("input", { name: "memory_mib", type: "number", min: 16, step: 2, value: "512", required: true })),
		field("CPU cap (%)", h("input", { name: "cpu_cap_pct", type: "number", min: 0, max: 800, value: "0" }), "0: no cap."),
		field("Root disk (GiB)", h("input", { name: "root_disk_gib", type: "number", min: 0, value: "0" }), "0: kernel-image servers only."),
		field("Data disk (GiB)", h("input", { name: "data_disk_gib", type: "number", min: 0, value: "0" })),
		h("button", { type: "submit", class: "primary" }, "Create plan"));
	onSubmit(form, async (d) => {
		const p = await api.post("/v1/plans", { name: d.get("name"), vcpus: num(d, "vcpus"),
			memory_mib: num(d, "memory_mib"), cpu_cap_pct: num(d, "cpu_cap_pct"),
			root_disk_gib: num(d, "root_disk_gib"), data_disk_gib: num(d, "data_disk_gib") });
		await plansPage(main);
		return "Plan " + p.name + " created.";
	});
	replace(main, h("h1", null, "Plans"),
		table(["Name", "vCPUs", "Memory", "Cap", "Root disk", "Data disk", "Offered", ""], plans.map((p) => h("tr", null,
			h("td", { class: "plan-name" }, p.name), h("td", null, p.vcpus), h("td", null, p.memory_mib + " MiB"),
			h("td", null, p.cpu_cap_pct ? p.cpu_cap_pct + " %" : "—"),
			h("td", null, p.root_disk_gib + " GiB"), h("td", null, p.data_disk_gib + " GiB"),
			h("td", null, p.available ? "yes" : "retired"),
			h("td", null, action(button(p.available ? "Retire" : "Offer"), async () => {
				await api.patch("/v1/plans/" + p.id, { available: !p.available });
				await plansPage(main);
				return "Plan " + p.name + (p.available ? " retired." : " offered again.");
			}))))),
		form);
}

export async function templatesPage(main) {
	document.title = "Templates · Control panel";
	const templates = await api.listAll("/v1/templates");
	const form = h("form", { id: "create-template", class: "card" },
		h("h2", null, "Register a template"),
		field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
		field("Image file in dom0", h("input", { name: "path", required: true, placeholder: "/data/templates/debian-12.img" }),
			"A disk image built by the template build, with its manifest beside it."),
		h("button", { type: "submit", class: "primary" }, "Register"));
	onSubmit(form, async (d) => {
		const t = await api.post("/v1/templates", { name: d.get("name"), path: d.get("path") });
		await templatesPage(main);
		return "Template " + t.name + " registered.";
	});
	const images = await api.listAll("/v1/images");
	const imageForm = h("form", { id: "create-image", class: "card" },
		h("h2", null, "Register a kernel image"),
		field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
		field("Kernel in dom0", h("input", { name: "kernel_path", required: true, placeholder: "/usr/share/domu/vmlinuz" })),
		field("Initrd in dom0", h("input", { name: "initrd_path", placeholder: "/usr/share/domu/initrd.img" })),
		field("Command line", h("input", { name: "cmdline", placeholder: "console=ttyS0 quiet" })),
		h("button", { type: "submit", class: "primary" }, "Register"));
	onSubmit(imageForm, async (d) => {
		const body = { name: d.get("name"), kernel_path: d.get("kernel_path"), cmdline: d.get("cmdline") };
		if (d.get("initrd_path")) body.initrd_path = d.get("initrd_path");
		const i = await api.post("/v1/images", body);
		await templatesPage(main);
		return "Image " + i.name + " registered.";
	});
	replace(main, h("h1", null, "Templates and images"),
		table(["Name", "OS", "Version", "Size", "Min. disk", "Offered"], templates.map((t) => h("tr", null,
			h("td", { class: "template-name" }, t.name), h("td", null, t.os), h("td", null, t.version),
			h("td", null, fmtBytes(t.size_bytes)), h("td", null, t.min_disk_gib + " GiB"),
			h("td", null, t.available ? "yes" : "no"))), "Templates: disk images servers' root disks are cloned from"),
		form,
		table(["Name", "Kernel", "Initrd", "Command line", "Offered"], images.map((i) => h("tr", null,
			h("td", null, i.name), h("td", { class: "mono" }, i.kernel_path), h("td", { class: "mono" }, i.initrd_path || "—"),
			h("td", { class: "mono" }, i.cmdline), h("td", null, i.available ? "yes" : "no"))),
			"Kernel images: servers without disks"),
		imageForm);
}

export async function poolsPage(main) {
	document.title = "IP pools · Control panel";
	const pools = await api.listAll("/v1/ip-pools");
	const form = h("form", { id: "create-pool", class: "card grid-form" },
		h("h2", null, "New IP pool"),
		field("Name", h("input", { name: "name", required: true })),
		field("Family", select("family", [["4", "IPv4"], ["6", "IPv6"]], "4")),
		field("Network", h("input", { name: "network", required: true, placeholder: "192.0.2.0/24" })),
		field("Gateway", h("input", { name: "gateway", required: true, placeholder: "192.0.2.1" })),
		field("Resolvers", h("input", { name: "dns", placeholder: "192.0.2.53 2001:db8::53" }), "Up to 4, separated by spaces."),
		h("button", { type: "submit", class: "primary" }, "Create pool"));
	onSubmit(form, async (d) => {
		const body = { name: d.get("name"), family: Number(d.get("family")), network: d.get("network"),
			gateway: d.get("gateway") };
		const dns = String(d.get("dns") || "").split(/\s+/).filter(Boolean);
		if (dns.length) body.dns = dns;
		const p = await api.post("/v1/ip-pools", body);
		await poolsPage(main);
		return "Pool " + p.name + " created.";
	});
	replace(main, h("h1", null, "IP pools"),
		table(["Name", "Network", "Gateway", "Used", "Free", "Quarantined", ""], pools.map((p) => h("tr", null,
			h("td", null, p.name), h("td", { class: "mono" }, p.network), h("td", { class: "mono" }, p.gateway),
			h("td", null, p.used), h("td", null, p.free), h("td", null, p.quarantined),
			h("td", null, action(button("Delete", { "aria-label": "Delete pool " + p.name }), async () => {
				if (!window.confirm("Delete pool " + p.name + "?")) return null;
				await api.del("/v1/ip-pools/" + p.id);
				await poolsPage(main);
				return "Pool " + p.name + " deleted.";
			}))))),
		form);
}
