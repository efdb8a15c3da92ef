// SPDX-License-Identifier: GPL-2.0-only
//
// One server: its state, power buttons, the job in progress (long-polled
// until it ends), reinstall and password forms, usage graphs and the
// console.  Another tenant's server answers 404 from the API, and the page
// then says "Not found" like for a server that does not exist.

import * as api from "../api.js";
import { h, replace, field, stateBadge, addresses, fmtTime, fmtBytes } from "../dom.js";
import { action, onSubmit, button, ok, fail } from "../ui.js";

export async function serverPage(main, { id }) {
	const admin = api.session.user.role === "admin";
	// The console (xterm.js) and the graphs (uPlot) are most of the code:
	// loaded with the server page only, while the server is being read.
	const libs = Promise.all([import("./graphs.js"), import("./console.js")]);
	let server = await api.get("/v1/servers/" + encodeURIComponent(id));
	const [{ graphsSection }, { consoleSection }] = await libs;
	const plan = await api.get("/v1/plans/" + server.plan_id).catch(() => null);
	document.title = server.hostname + " · Control panel";
	const cleanups = [];
	let stopped = false;

	const summary = h("dl", { class: "summary", id: "server-summary" });
	const banner = h("div", { id: "suspended-banner" });
	const jobBox = h("section", { class: "job", id: "job", "aria-live": "polite" });

	function drawSummary() {
		replace(summary,
			h("dt", null, "State"), h("dd", { id: "server-state" }, stateBadge(server)),
			h("dt", null, "Wanted"), h("dd", null, server.desired_state),
			h("dt", null, "Addresses"), h("dd", { class: "addr" }, addresses(server)),
			h("dt", null, "Plan"), h("dd", null, plan ? plan.name + " (" + plan.vcpus + " vCPU, " +
				plan.memory_mib + " MiB)" : server.plan_id),
			h("dt", null, "Disks"), h("dd", null, server.volumes.length ? server.volumes.map((v) =>
				v.kind + " " + fmtBytes(v.size_bytes)).join(", ") : "—"),
			h("dt", null, "MAC"), h("dd", null, server.mac),
			h("dt", null, "Created"), h("dd", null, fmtTime(server.created_at)));
		replace(banner, server.suspended ? h("p", { class: "notice notice-warn" },
			"This server is suspended by your hoster: it is stopped and every action on it is refused.") : null);
	}

	async function refresh() {
		server = await api.get("/v1/servers/" + encodeURIComponent(id));
		drawSummary();
	}

	// Shows a job and follows it until it ends; the server is read again then.
	async function follow(job) {
		const started = Date.now();
		const draw = (j) => replace(jobBox,
			h("h2", null, "Job"),
			h("p", null, h("span", { class: "job-kind" }, j.kind), " ",
				h("span", { class: "badge job-" + j.state, id: "job-state" }, j.state),
				j.state === "queued" || j.state === "running" ?
					[" ", h("progress", { "aria-label": "job in progress" }),
					 " ", Math.round((Date.now() - started) / 1000) + " s"] : null),
			j.error ? h("p", { class: "notice notice-error" }, j.error.code + ": " + j.error.message) : null);
		draw(job);
		try {
			const end = await api.followJob(job.id, (j) => { if (!stopped) draw(j); });
			if (stopped) return;
			if (end.state === "succeeded") ok(end.kind + " succeeded.");
			else fail({ code: end.error ? end.error.code : "failed", message: end.error ? end.error.message : "the job failed" });
			await refresh();
		} catch (e) {
			if (!stopped) fail(e);
		}
	}

	function jobAction(label, path, body, confirmText) {
		const b = button(label, { class: "act-" + path });
		return action(b, async () => {
			if (confirmText && !window.confirm(confirmText)) return null;
			const r = await api.post("/v1/servers/" + server.id + "/" + path, body);
			server = r.server;
			drawSummary();
			follow(r.job);
			return label + ": job " + r.job.id + " queued.";
		});
	}

	const actions = h("div", { class: "actions", role: "group", "aria-label": "Power" },
		jobAction("Start", "start"), jobAction("Stop", "stop"), jobAction("Reboot", "reboot"),
		admin ? jobAction("Suspend", "suspend", undefined, "Suspend " + server.hostname + "?") : null,
		admin ? jobAction("Unsuspend", "unsuspend") : null);

	drawSummary();
	const sections = [
		h("p", null, h("a", { href: "/servers" }, "← Servers")),
		h("h1", { class: "hostname" }, server.hostname),
		banner, summary, actions, jobBox,
		reinstallForm(() => server, follow),
		server.template_id ? passwordForm(() => server) : null,
	];
	const graphs = graphsSection(server);
	const consoleUi = consoleSection(server);
	cleanups.push(graphs.cleanup, consoleUi.cleanup);
	sections.push(graphs.el, consoleUi.el);
	replace(main, ...sections);

	const jobParam = new URLSearchParams(location.search).get("job") || server.active_job_id;
	if (jobParam) api.get("/v1/jobs/" + encodeURIComponent(jobParam)).then(follow).catch(fail);

	// The state may change behind the page (the guest powered off).
	const timer = setInterval(() => { refresh().catch(() => {}); }, 5000);
	return () => { stopped = true; clearInterval(timer); cleanups.forEach((c) => c()); };
}

// Reinstall: a template, new credentials, keep or format the data disk,
// and the hostname typed again to confirm.
function reinstallForm(getServer, follow) {
	const server = getServer();
	const templates = h("select", { name: "template_id" });
	api.listAll("/v1/templates").then((list) => {
		replace(templates, list.filter((t) => t.available || t.id === server.template_id).map((t) =>
			h("option", { value: t.id, selected: t.id === server.template_id },
				t.name + " (" + [t.os, t.version].filter(Boolean).join(" ") + ")")));
	}).catch(fail);
	const confirmInput = h("input", { name: "confirm", autocomplete: "off", required: true });
	const submit = h("button", { type: "submit", class: "danger", disabled: true }, "Reinstall");
	confirmInput.addEventListener("input", () => {
		submit.disabled = confirmInput.value !== getServer().hostname;
	});
	const form = h("form", { id: "reinstall-form", class: "card" },
		h("h2", null, "Reinstall"),
		h("p", null, "Everything on the system disk is replaced by a fresh copy of the template."),
		server.template_id ? field("Template", templates) : null,
		field("New root password", h("input", { type: "password", name: "root_password", minlength: 8,
			autocomplete: "new-password" }), "At least 8 characters; leave empty to keep the current one."),
		field("SSH keys", h("textarea", { name: "ssh_keys", rows: 3, spellcheck: "false" }),
			"One OpenSSH public key per line; empty keeps the current keys."),
		h("fieldset", null, h("legend", null, "Data disk"),
			h("label", null, h("input", { type: "radio", name: "format_data", value: "keep", checked: true }), " Keep its contents"),
			h("label", null, h("input", { type: "radio", name: "format_data", value: "format" }), " Format it (all data lost)")),
		field("Type the hostname (" + server.hostname + ") to confirm", confirmInput),
		submit);
	onSubmit(form, async (d) => {
		const s = getServer();
		if (d.get("confirm") !== s.hostname) throw new Error("Type the hostname exactly to confirm.");
		const body = { format_data: d.get("format_data") === "format" };
		if (s.template_id && d.get("template_id")) body.template_id = d.get("template_id");
		if (d.get("root_password")) body.root_password = d.get("root_password");
		const keys = String(d.get("ssh_keys") || "").split("\n").map((k) => k.trim()).filter(Boolean);
		if (keys.length) body.ssh_keys = keys;
		const r = await api.post("/v1/servers/" + s.id + "/reinstall", body);
		form.reset();
		submit.disabled = true;
		follow(r.job);
		return "Reinstall: job " + r.job.id + " queued.";
	});
	return form;
}

function passwordForm(getServer) {
	const form = h("form", { id: "password-form", class: "card" },
		h("h2", null, "Reset root password"),
		field("New root password", h("input", { type: "password", name: "root_password", minlength: 8,
			required: true, autocomplete: "new-password" }), "Applied at the server's next boot (start or reboot)."),
		h("button", { type: "submit" }, "Set password"));
	onSubmit(form, async (d) => {
		await api.post("/v1/servers/" + getServer().id + "/reset-password",
			{ root_password: d.get("root_password") });
		form.reset();
		return "The new password applies at the next boot.";
	});
	return form;
}
