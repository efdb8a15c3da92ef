// SPDX-License-Identifier: GPL-2.0-only
//
// Building the page.  Everything that came from the API (hostnames,
// template and tenant names, error messages) reaches the page only as
// text nodes: h() turns every string child into a Text node and sets only
// properties and attributes we name here, never innerHTML.  A hostname of
// "<img src=x onerror=...>" is therefore shown, not run.

export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false) continue;
		if (k === "class") el.className = v;
		else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
		else if (k === "dataset") Object.assign(el.dataset, v);
		// The defaults too, so that form.reset() comes back to them.
		else if (k === "checked") el.defaultChecked = el.checked = true;
		else if (k === "selected") el.defaultSelected = el.selected = true;
		else if (k === "value") { if ("defaultValue" in el) el.defaultValue = v; el.value = v; }
		else if (k === "disabled") el.disabled = true;
		else el.setAttribute(k, v === true ? "" : String(v));
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === undefined || c === null || c === false) continue;
		if (Array.isArray(c)) append(el, c);
		else if (c instanceof Node) el.appendChild(c);
		else el.appendChild(document.createTextNode(String(c)));
	}
}

export function clear(el) {
	while (el.firstChild) el.removeChild(el.firstChild);
	return el;
}

export function replace(el, ...children) {
	clear(el);
	append(el, children);
	return el;
}

// A labelled form field; the label is tied to the control for screen
// readers and clicks.
let fieldSeq = 0;
export function field(label, control, hint) {
	if (!control.id) control.id = "f" + (++fieldSeq);
	return h("div", { class: "field" },
		h("label", { for: control.id }, label), control,
		hint ? h("small", { class: "hint" }, hint) : null);
}

export function select(name, options, value) {
	return h("select", { name },
		options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

export function table(headers, rows, caption) {
	return h("div", { class: "table-wrap" },
		h("table", null,
			caption ? h("caption", null, caption) : null,
			h("thead", null, h("tr", null, headers.map((t) => h("th", { scope: "col" }, t)))),
			h("tbody", null, rows.length ? rows :
				h("tr", null, h("td", { colspan: headers.length, class: "empty" }, "Nothing here yet.")))));
}

export function fmtTime(iso) {
	if (!iso) return "—";
	return iso.replace("T", " ").replace("Z", " UTC");
}

export function fmtBytes(n) {
	if (n === null || n === undefined) return "—";
	const units = ["B", "KiB", "MiB", "GiB", "TiB"];
	let i = 0;
	while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
	return (i ? n.toFixed(1) : String(n)) + " " + units[i];
}

export function stateBadge(server) {
	if (server.suspended)
		return h("span", { class: "badge badge-suspended" }, "suspended");
	return h("span", { class: "badge badge-" + server.actual_state }, server.actual_state);
}

export function addresses(server) {
	return server.addresses.map((a) => a.address + "/" + a.prefix_len).join(", ") || "—";
}
